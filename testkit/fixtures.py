"""Pytest fixtures for the fake Telegram Bot API server.

Register them with ``pytest_plugins = ["testkit.fixtures"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from testkit.fake_telegram import FakeTelegram

__all__ = ["fake_telegram"]


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """Yield a running fake Bot API server on a free port of 127.0.0.1; stop it afterwards."""
    async with FakeTelegram() as server:
        yield server
