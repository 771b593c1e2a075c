"""The public register made by `reisverslag register`, opened from disk in Debian's headless
Chromium: no console errors, filters by keyboard, axe-core finds no serious violation."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver

from bot.__main__ import main
from bot.report import FORM_QUESTIONS, Place, Report, Traveller
from bot.store import Store
from testkit.browser import axe_violations, chromium, console_errors
from testkit.generated_reports import generated_year, store_reports

#: Screenshots of the register land here (kept after the run; ignored by git).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output"
HOSTILE = 'Q"><img src=x onerror=alert(1)>'


def _hostile_report(base: Report) -> Report:
    """A report whose destination and answers try to break out of the HTML."""
    place = Place(name=HOSTILE, country="Land'<b>", country_code="XX")
    return base.model_copy(
        update={
            "report_id": "vijandig",
            "destinations": [place],
            "traveller": Traveller(name="Geheime Naam", department="Afdeling <i>X</i>"),
            "purpose": "</p><script>document.title='gehackt'</script>Doel",
        }
    )


@pytest.fixture(scope="module")
def reports() -> list[Report]:
    """Two years of reports and one hostile one."""
    older, newer = generated_year(2024, 4, seed=3), generated_year(2025, 6, seed=3)
    return [*older, *newer, _hostile_report(newer[0])]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, reports: list[Report]) -> Path:
    """The register of every year, written by the command line."""
    base = tmp_path_factory.mktemp("register")
    database = base / "reisverslag.sqlite3"
    with Store.open(f"sqlite:///{database}") as store:
        store_reports(store, reports)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
        monkeypatch.delenv("PUBLISH_TRAVELLER_NAMES", raising=False)
        monkeypatch.chdir(base)
        assert main(["register", "--out", str(base / "site")]) == 0
    return base / "site"


def _visible_rows(driver: WebDriver) -> int:
    """Rows of the reports table shown now."""
    rows = driver.find_elements(By.CSS_SELECTOR, "table.reports tbody tr")
    return sum(1 for row in rows if row.is_displayed())


def _tab_to(driver: WebDriver, element_id: str, limit: int = 15) -> int:
    """Press Tab until the element has focus; how many presses it took."""
    body = driver.find_element(By.TAG_NAME, "body")
    for presses in range(1, limit + 1):
        (driver.switch_to.active_element if presses > 1 else body).send_keys(Keys.TAB)
        if driver.switch_to.active_element.get_attribute("id") == element_id:
            return presses
    raise AssertionError(f"#{element_id} not reached with Tab")


def _screenshot(driver: WebDriver, name: str) -> Path:
    """The whole page as a PNG in test-output/."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(int(height) + 100, 4000))
    path = SCREENSHOTS / name
    driver.save_screenshot(str(path))
    driver.set_window_size(1280, 900)
    return path


def _serious(violations: list[dict[str, object]]) -> list[dict[str, object]]:
    """The violations axe rates serious or critical."""
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def test_site_files_names_left_out_and_hostile_text_escaped(
    site: Path, reports: list[Report]
) -> None:
    pages = sorted((site / "verslagen").glob("*.html"))
    pdfs = sorted((site / "verslagen").glob("*.pdf"))
    assert len(pages) == len(pdfs) == len(reports)
    assert {p.name for p in site.iterdir()} >= {"index.html", "register.css", "register.js"}
    texts = [p.read_text(encoding="utf-8") for p in [site / "index.html", *pages]]
    for text in texts:
        assert 'lang="nl"' in text
        assert "http://" not in text and "https://" not in text  # nothing loaded from elsewhere
        assert (
            "Geheime Naam" not in text
            and "<img src=x" not in text
            and "<script>document" not in text
        )
        assert not any(r.traveller.name in text for r in reports)
    for pdf in pdfs:
        assert "Geheime Naam" not in "".join(p.extract_text() for p in PdfReader(pdf).pages)
        assert "Opgesteld door" not in PdfReader(pdf).pages[-1].extract_text()


def test_register_in_chromium_by_keyboard_without_errors_or_serious_violations(
    site: Path, reports: list[Report]
) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    with chromium() as driver:
        driver.get((site / "index.html").as_uri())
        assert console_errors(driver) == []
        assert driver.title.startswith("Register buitenlandse dienstreizen")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
        assert _visible_rows(driver) == len(reports)

        _tab_to(driver, "filter-jaar")
        driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)  # first year: 2025
        in_2025 = [r for r in reports if r.period.departure.year == 2025]
        assert _visible_rows(driver) == len(in_2025)
        status = driver.find_element(By.ID, "aantal").text
        assert status == f"{len(in_2025)} van de {len(reports)} verslagen"

        driver.switch_to.active_element.send_keys(Keys.TAB)  # to the department
        assert driver.switch_to.active_element.get_attribute("id") == "filter-afdeling"
        driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        department = driver.switch_to.active_element.get_attribute("value")
        expected = [r for r in in_2025 if r.traveller.department == department]
        assert department and _visible_rows(driver) == len(expected)
        assert driver.find_element(By.ID, "geen").is_displayed() == (not expected)

        _tab_to(driver, "filter-bestemming", limit=3)
        driver.switch_to.active_element.send_keys(Keys.END)  # last destination, any year
        _tab_to(driver, "filter-wissen", limit=3)
        driver.switch_to.active_element.send_keys(Keys.ENTER)  # reset every filter
        assert _visible_rows(driver) == len(reports)
        driver.find_element(By.ID, "filter-vervoer").send_keys("Trein")
        trains = [r for r in reports if "trein" in (m.value for m in r.modes)]
        assert _visible_rows(driver) == len(trains)
        _screenshot(driver, "register-index-trein.png")
        driver.find_element(By.ID, "filter-wissen").send_keys(Keys.ENTER)
        assert _visible_rows(driver) == len(reports)
        _screenshot(driver, "register-index.png")

        assert console_errors(driver) == []
        assert _serious(axe_violations(driver)) == []

        links = [
            a.get_attribute("href")
            for a in driver.find_elements(By.CSS_SELECTOR, "table.reports a")
        ]
        assert len(links) == len(reports)
        for number, link in enumerate(links):
            assert link is not None
            driver.get(link)
            assert console_errors(driver) == [], link
            assert driver.title != "gehackt"
            headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, "article h2")]
            assert headings == list(FORM_QUESTIONS), link
            pdf = driver.find_element(By.CSS_SELECTOR, ".download a").get_attribute("href")
            assert pdf is not None and Path(pdf.removeprefix("file://")).is_file()
            if number == 0:
                _screenshot(driver, "register-verslag.png")
            assert _serious(axe_violations(driver)) == [], link
        assert (SCREENSHOTS / "register-index.png").stat().st_size > 10_000


def test_names_only_when_set_and_other_folders_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reports: list[Report], site: Path
) -> None:
    database = tmp_path / "reisverslag.sqlite3"
    with Store.open(f"sqlite:///{database}") as store:
        store_reports(store, reports[:2])
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("PUBLISH_TRAVELLER_NAMES", "true")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "register"
    assert main(["register", "--year", "2024", "--out", str(out)]) == 0
    index = (out / "index.html").read_text(encoding="utf-8")
    assert reports[0].traveller.name in index and reports[1].traveller.name in index
    assert main(["register", "--year", "2024", "--out", str(out)]) == 0  # made again: replaced
    assert main(["register", "--year", "2019", "--out", str(tmp_path / "leeg")]) == 1
    other = tmp_path / "documenten"
    other.mkdir()
    (other / "belangrijk.txt").write_text("blijf af", encoding="utf-8")
    assert main(["register", "--out", str(other)]) == 2
    assert (other / "belangrijk.txt").read_text(encoding="utf-8") == "blijf af"
    shutil.rmtree(out)


def test_register_served_by_a_plain_web_server(site: Path, reports: list[Report]) -> None:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with chromium() as driver:
            driver.get(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            assert _visible_rows(driver) == len(reports)
            _tab_to(driver, "filter-jaar")
            driver.switch_to.active_element.send_keys(Keys.END)  # the oldest year: 2024
            assert _visible_rows(driver) == sum(
                1 for r in reports if r.period.departure.year == 2024
            )
            driver.find_element(By.CSS_SELECTOR, "table.reports tbody tr:not([hidden]) a").click()
            assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Verslag")
            pdf = driver.find_element(By.CSS_SELECTOR, ".download a").get_attribute("href")
            assert pdf is not None and pdf.startswith("http://127.0.0.1")
            assert console_errors(driver) == []
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
