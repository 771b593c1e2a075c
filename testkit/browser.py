"""A real headless Chromium from Debian's packages, driven through its chromedriver (Selenium;
no browser download), with axe-core from npm for the accessibility check."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

__all__ = ["AXE_SOURCE", "CHROMEDRIVER", "CHROMIUM", "axe_violations", "chromium", "console_errors"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Installed by `make` (scripts/browser-deps.sh) from tests/browser/package.json.
AXE_SOURCE = Path(__file__).resolve().parents[1] / "tests/browser/node_modules/axe-core/axe.min.js"

_FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--lang=nl-NL",
)


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """Chromium with a new, empty profile that is removed afterwards."""
    for needed in (CHROMIUM, CHROMEDRIVER, AXE_SOURCE):
        if not needed.exists():
            raise RuntimeError(f"{needed} is missing: run `make install` (scripts/browser-deps.sh)")
    profile = tempfile.mkdtemp(prefix="reisverslag-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def console_errors(driver: webdriver.Chrome) -> list[str]:
    """Console messages at error level since the last call (failed loads included)."""
    return [
        str(entry["message"]) for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
    ]


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe-core's violations on the open page (WCAG 2.x A and AA rules and best practices)."""
    driver.execute_script(AXE_SOURCE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]})
          .then(r => done(r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)}))))
          .catch(e => done([{id: "axe-error", impact: "critical", help: String(e), nodes: []}]));
        """
    )
    driver.get_log("browser")  # axe reads style sheets itself; file:// refuses that: not the page's
    return list(result)
