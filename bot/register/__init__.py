"""The public register: a static website of the published reports (placeholder)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.report import Report

__all__ = ["write_register"]


def write_register(reports: Sequence[Report], out_dir: Path, show_names: bool = False) -> Path:
    """Write the site; returns the index page."""
    raise NotImplementedError
