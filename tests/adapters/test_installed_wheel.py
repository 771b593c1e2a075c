"""`pip install .` (not editable) renders every format: the templates ship inside the wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from bot.store import Store
from testkit.example_report import example_report
from testkit.generated_reports import store_reports
from testkit.render_readback import docx_content, html_text, pdf_body_text, squash

ROOT = Path(__file__).resolve().parents[2]
PURPOSE = "Installatietoets: de sjablonen komen uit het pakket"


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv holding the wheel built from a copy of the sources; the dependencies
    come from this test run's environment (no network, no second copy)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "bot", source / "bot", symlinks=True, ignore=skip)
    shutil.copytree(ROOT / "templates", source / "templates", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(base), str(source)]
    subprocess.run(build, check=True, capture_output=True, timeout=300)
    (wheel,) = base.glob("reisverslag-*.whl")
    env = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    install = [*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)]
    subprocess.run(install, check=True, capture_output=True, timeout=300)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def installed(venv: Path, *args: str, cwd: Path, **env: str) -> str:
    """Run a program of the installed package in `cwd`, outside the repository."""
    result = subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_package_and_its_templates_come_from_the_virtualenv(venv: Path, tmp_path: Path) -> None:
    where = installed(
        venv,
        "python",
        "-c",
        "import bot, bot.render.templating as t; print(bot.__file__); print(t.TEMPLATES_DIR)",
        cwd=tmp_path,
    ).split()
    assert all(Path(path).is_relative_to(venv) for path in where), where
    templates = Path(where[1])
    assert (templates / "verslag.docx").is_file() and (templates / "register").is_dir()
    support = "import importlib.util as u; print(*(u.find_spec(m) for m in ('testkit', 'bench')))"
    assert installed(venv, "python", "-c", support, cwd=tmp_path).split() == ["None", "None"]


def test_an_installed_package_renders_every_format(venv: Path, tmp_path: Path) -> None:
    report = example_report(purpose=PURPOSE)
    (tmp_path / "verslag.json").write_text(report.model_dump_json(), encoding="utf-8")
    formats = "txt,html,docx,pdf"
    written = installed(
        venv,
        "reisverslag",
        "render",
        "verslag.json",
        "--out",
        "uit",
        "--format",
        formats,
        cwd=tmp_path,
    ).split()
    files = {Path(name).suffix: tmp_path / name for name in written}
    assert sorted(files) == [".docx", ".html", ".pdf", ".txt"]
    assert PURPOSE in files[".txt"].read_text(encoding="utf-8")
    assert PURPOSE in html_text(files[".html"].read_text(encoding="utf-8"))[0]
    assert PURPOSE in [text for _, text in docx_content(files[".docx"].read_bytes()).paragraphs]
    assert squash(PURPOSE) in squash(pdf_body_text(files[".pdf"].read_bytes()))

    chat = installed(
        venv,
        "python",
        "-c",
        "import sys; from bot.render import render_chat_summary; from bot.report import Report;"
        "print(*render_chat_summary(Report.model_validate_json(open(sys.argv[1]).read())))",
        "verslag.json",
        cwd=tmp_path,
    )
    assert "<b>" in chat and PURPOSE in chat


def test_an_installed_package_makes_the_register_and_the_annual_report(
    venv: Path, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'reisverslag.sqlite3'}"
    with Store.open(database) as store:
        store_reports(store, [example_report(purpose=PURPOSE)])
    installed(venv, "reisverslag", "register", "--out", "site", cwd=tmp_path, DATABASE_URL=database)
    site = tmp_path / "site"
    assert (site / "register.css").is_file() and (site / "register.js").is_file()
    pages = [page.read_text(encoding="utf-8") for page in site.rglob("*.html")]
    assert any(PURPOSE in html_text(page)[0] for page in pages)

    installed(
        venv,
        "reisverslag",
        "jaarrapport",
        "--year",
        "2025",
        "--out",
        "jaarrapport.pdf",
        cwd=tmp_path,
        DATABASE_URL=database,
    )
    text = pdf_body_text((tmp_path / "jaarrapport.pdf").read_bytes())
    assert "2025" in text and "Wenen" in text
