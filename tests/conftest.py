"""Test-wide setup: python-telegram-bot's timedelta mode and the shared fixtures."""

from __future__ import annotations

import os

# python-telegram-bot 22 warns (an error here) when durations are read as numbers.
os.environ.setdefault("PTB_TIMEDELTA", "1")

pytest_plugins = ["testkit.fixtures"]
