"""The databases the store's tests run on: a SQLite file always, PostgreSQL when available.

Set REISVERSLAG_TEST_POSTGRES_URL (an empty database the tests may wipe; `scripts/with-postgres.sh`
starts a throwaway one) to run the same tests on PostgreSQL as well.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.store import DuplicateUpdate, Store
from bot.telegram.store import TelegramStore

__all__ = ["BACKENDS", "POSTGRES_URL", "fresh_database_url", "wipe_postgres"]

POSTGRES_URL = os.environ.get("REISVERSLAG_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def wipe_postgres(url: str) -> None:
    """Drop every table of the test database."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_database_url(backend: str, folder: Path) -> str:
    """An empty database of `backend`: a new SQLite file in `folder`, or the wiped PostgreSQL."""
    if backend == "postgresql":
        assert POSTGRES_URL
        wipe_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{folder / 'reisverslag.sqlite3'}"


def apply_update(store: Store, update_id: int, now: datetime | None = None) -> bool:
    """Save a draft as the handler of Telegram update `update_id` does; False when that
    update was applied before (the store refuses it as a duplicate)."""
    try:
        TelegramStore(store).save_draft(
            f"telegram:update-{update_id}", {}, now, update_id=update_id
        )
    except DuplicateUpdate:
        return False
    return True
