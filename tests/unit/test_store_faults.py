"""A locked or full SQLite database: one clear error for the traveller, nothing saved lost."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from bot.store import SAVE_FAILED_MESSAGE, AccessAction, OutboxItem, Store, StoreUnavailable
from bot.store.health import delivery_backlog
from testkit.databases import apply_update

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
SAVED = {"question": "period", "answers": {"persons": 1}}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the database file lives."""
    return tmp_path / "reisverslag.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[Store]:
    """A store that gives up on a lock after 100 ms, with one answer saved."""
    opened = Store.open(f"sqlite:///{path}", busy_timeout_ms=100)
    assert opened.drafts.save("telegram:7", SAVED, T0) == 1
    yield opened
    opened.close()


@pytest.fixture
def other_writer(path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection holding the write lock, with an uncommitted change."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    connection.execute("UPDATE drafts SET revision = 99")
    yield connection
    connection.close()


def test_locked_database_refuses_the_save_in_dutch(
    store: Store, other_writer: sqlite3.Connection
) -> None:
    with pytest.raises(StoreUnavailable) as refused:
        store.drafts.save("telegram:7", {"question": "modes"}, T0)
    assert isinstance(refused.value, RuntimeError)
    assert str(refused.value) == refused.value.message == SAVE_FAILED_MESSAGE
    assert str(refused.value).startswith("Je antwoord kon niet worden opgeslagen")
    assert "database is locked" in str(refused.value.__cause__)

    draft = store.drafts.load("telegram:7")  # readers carry on during the lock (WAL)
    assert draft is not None
    assert (draft.revision, draft.state) == (1, SAVED)


def test_after_the_lock_the_previous_draft_is_intact_and_saving_resumes(
    store: Store, other_writer: sqlite3.Connection
) -> None:
    with pytest.raises(StoreUnavailable):
        store.drafts.save("telegram:7", {"question": "modes"}, T0)
    other_writer.execute("ROLLBACK")

    draft = store.drafts.load("telegram:7")
    assert draft is not None
    assert (draft.revision, draft.state) == (1, SAVED)
    assert store.drafts.save("telegram:7", {"question": "modes"}, T0) == 2


def test_locked_database_refuses_every_kind_of_write(
    store: Store, other_writer: sqlite3.Connection
) -> None:
    item = OutboxItem("telegram_message", "k", {})
    writes = [
        lambda: store.outbox.enqueue([item], T0),
        lambda: apply_update(store, 1, T0),
        lambda: store.outbox.claim_due(T0),
        lambda: store.profiles.audit("telegram:8", AccessAction.REQUESTED, None, T0),
        lambda: store.drafts.delete("telegram:7"),
    ]
    for write in writes:
        with pytest.raises(StoreUnavailable):
            write()
    other_writer.execute("ROLLBACK")
    assert delivery_backlog(store, T0).outbox_waiting == 0
    assert store.drafts.load("telegram:7") is not None


def test_writers_of_one_process_take_turns_instead_of_polling_sqlite(path: Path) -> None:
    store = Store.open(f"sqlite:///{path}", busy_timeout_ms=5000)
    begins: list[str] = []
    asked_twice = threading.Event()

    def asking(statement: str) -> None:
        """SQLite's trace: called as a statement starts, before it waits for the lock."""
        if statement.startswith("BEGIN IMMEDIATE"):
            begins.append("begin")
            if len(begins) == 2:
                asked_twice.set()

    def trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(asking)

    event.listen(store.engine, "connect", trace)
    store.engine.dispose()  # the connections made from here on are traced
    first_in = threading.Event()

    def first() -> None:
        with store.unit_of_work() as uow:
            uow.drafts.save("telegram:1", SAVED, T0)
            first_in.set()
            # Give the second writer time to ask SQLite, which it must not do before its turn.
            asked_twice.wait(0.5)
            begins.append(f"first commits after {len(begins)} begin(s)")

    def second() -> None:
        first_in.wait(5)
        store.drafts.save("telegram:2", SAVED, T0)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert begins == ["begin", "first commits after 1 begin(s)", "begin"]
    assert all(store.drafts.version(ref) for ref in ("telegram:1", "telegram:2"))
    store.close()


def test_a_writer_waiting_its_turn_too_long_is_refused_in_dutch(store: Store) -> None:
    holding, done = threading.Event(), threading.Event()

    def hold_the_turn() -> None:
        with store.unit_of_work():
            holding.set()
            done.wait(5)

    holder = threading.Thread(target=hold_the_turn)
    holder.start()
    holding.wait(5)
    try:
        with pytest.raises(StoreUnavailable) as refused:  # after the 100 ms busy timeout
            store.drafts.save("telegram:7", {"question": "modes"}, T0)
        assert str(refused.value) == SAVE_FAILED_MESSAGE
    finally:
        done.set()
        holder.join(5)
    assert store.drafts.save("telegram:7", {"question": "modes"}, T0) == 2


def test_full_disk_refuses_the_save_and_keeps_the_previous_draft(store: Store) -> None:
    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    @event.listens_for(store.engine, "connect")
    def _cap_size(dbapi_connection: Any, _record: Any) -> None:
        """Let the file grow by two pages at most, as on a nearly full disk."""
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    store.engine.dispose()  # reconnect with the cap
    large_answer = {"question": "results", "answers": {"results": "Veel geleerd. " * 20_000}}
    with pytest.raises(StoreUnavailable) as refused:
        store.drafts.save("telegram:7", large_answer, T0)
    assert "full" in str(refused.value.__cause__)
    assert str(refused.value).startswith("Je antwoord kon niet worden opgeslagen")

    draft = store.drafts.load("telegram:7")
    assert draft is not None
    assert (draft.revision, draft.state) == (1, SAVED)
    assert store.drafts.save("telegram:7", {"question": "modes"}, T0) == 2  # small still fits


def test_every_acknowledged_save_survives_kill_9(path: Path) -> None:
    url = f"sqlite:///{path}"
    Store.open(url).close()
    writer = (
        "import sys\n"
        "from bot.store import Store\n"
        f"store = Store.open({url!r})\n"
        "for n in range(1, 100_000):\n"
        "    revision = store.drafts.save('telegram:7', {'answer': n})\n"
        "    print(revision, flush=True)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        acknowledged = 0
        while acknowledged < 50:
            acknowledged = int(process.stdout.readline())
        process.send_signal(signal.SIGKILL)

    with Store.open(url) as reopened:
        draft = reopened.drafts.load("telegram:7")
        assert draft is not None
        assert draft.revision >= acknowledged
        assert draft.state == {"answer": draft.revision}
        assert reopened.drafts.save("telegram:7", {"answer": 0}) == draft.revision + 1
