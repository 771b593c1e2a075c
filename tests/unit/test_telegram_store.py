"""The Telegram adapter's store: the inbox in batches, the draft save of an update, and the
draft cache, which must never hand out a draft another bot instance has changed since."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event

from bot.config import Settings
from bot.console import ConsoleChannel
from bot.service import reports
from bot.store import AccessAction, DuplicateUpdate, OutboxItem, StaleDraft, Store
from bot.store.schema import JsonText
from bot.telegram.services import Services, TelegramDraft
from bot.telegram.store import DraftSave, TelegramStore
from testkit.bot_harness import travel_calculator
from testkit.databases import BACKENDS, apply_update, fresh_database_url
from testkit.example_report import example_report

T0 = datetime(2025, 4, 30, 9, 0, tzinfo=UTC)
REF = "telegram:7"


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, tmp_path)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with Store.open(url) as opened:
        yield opened


def _count_commits(store: Store) -> list[object]:
    """A list that grows by one at every commit of the store from now on."""
    commits: list[object] = []
    event.listen(store.engine, "commit", commits.append)
    return commits


def update(update_id: int, text: str = "Wenen") -> dict[str, object]:
    return {"update_id": update_id, "message": {"from": {"id": 7}, "text": text}}


def test_a_batch_of_updates_is_kept_until_each_is_handled(store: Store) -> None:
    inbox = TelegramStore(store)
    inbox.receive_updates([update(70), update(71, "/help"), update(72)], T0)
    inbox.receive_updates([update(70)], T0)  # Telegram sent it again: kept once
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [70, 71, 72]
    assert inbox.unfinished_updates()[0]["message"]["from"] == {"id": 7}
    inbox.save_draft(REF, {"answers": {}}, T0, update_id=70)  # handled with the draft
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [71, 72]
    inbox.finish_update(70)  # struck by its draft save already: nothing to do
    inbox.finish_update(71)  # handled without a draft (a command)
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [72]


def test_an_update_applied_before_changes_nothing(store: Store) -> None:
    inbox = TelegramStore(store)
    inbox.receive_updates([update(70)], T0)
    first = inbox.save_draft(REF, {"q": 1}, T0, update_id=70)
    inbox.receive_updates([update(70)], T0)  # redelivered after a crash
    with pytest.raises(DuplicateUpdate):
        inbox.save_draft(REF, {"q": 2}, T0, update_id=70, expected=first)
    draft = store.drafts.load(REF)
    assert draft is not None and (draft.revision, draft.state) == (1, {"q": 1})
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [70]  # rolled back too


def test_a_save_over_a_version_that_is_gone_is_refused(store: Store) -> None:
    inbox = TelegramStore(store)
    first = inbox.save_draft(REF, {"q": 1}, T0)
    second = inbox.save_draft(REF, {"q": 2}, T0, expected=first)
    assert (first.revision, second.revision) == (1, 2)
    with pytest.raises(StaleDraft):  # another process saved revision 2 meanwhile
        inbox.save_draft(REF, {"q": "stale"}, T0, update_id=71, expected=first)
    draft = store.drafts.load(REF)
    assert draft is not None and draft.state == {"q": 2}
    assert apply_update(store, 71, T0)  # the refused save did not mark its update applied


def test_a_draft_deleted_and_started_again_is_not_the_same_version(store: Store) -> None:
    inbox = TelegramStore(store)
    old = inbox.save_draft(REF, {"q": "old"}, T0)
    store.drafts.delete(REF)
    new = inbox.save_draft(REF, {"q": "new"}, T0 + timedelta(seconds=1))
    assert new.revision == old.revision == 1
    with pytest.raises(StaleDraft):
        inbox.save_draft(REF, {"q": "from the old copy"}, T0, expected=old)
    assert store.drafts.version(REF) == new


def test_a_report_from_an_outdated_draft_is_not_stored(store: Store) -> None:
    inbox = TelegramStore(store)
    seen = inbox.save_draft(REF, {"q": "review"}, T0)
    store.drafts.delete(REF)  # erased from the command line, say
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    report = example_report()
    with pytest.raises(StaleDraft):
        reports.finish(store, settings, REF, report, ConsoleChannel(), T0, draft=seen)
    assert store.reports.all() == []
    current = inbox.save_draft(REF, {"q": "review"}, T0 + timedelta(seconds=1))
    assert reports.finish(store, settings, REF, report, ConsoleChannel(), T0, draft=current)
    assert store.drafts.load(REF) is None


def test_the_finishing_update_leaves_the_inbox_with_the_report_and_only_then(
    store: Store,
) -> None:
    inbox = TelegramStore(store)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    report = example_report()
    inbox.receive_updates([update(80), update(81)], T0)
    seen = inbox.save_draft(REF, {"q": "review"}, T0)
    store.drafts.delete(REF)  # the finish below fails: its strike is rolled back with it
    with pytest.raises(StaleDraft):
        reports.finish(
            store, settings, REF, report, ConsoleChannel(), T0, draft=seen,
            within=inbox.strike_within(80),
        )  # fmt: skip
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [80, 81]
    commits = _count_commits(store)
    current = inbox.save_draft(REF, {"q": "review"}, T0 + timedelta(seconds=1))
    assert reports.finish(
        store, settings, REF, report, ConsoleChannel(), T0, draft=current,
        within=inbox.strike_within(80),
    )  # fmt: skip
    assert len(commits) == 2  # the draft save and the finish: no strike of its own
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [81]
    inbox.struck(80)
    assert inbox.finished_already(80) and not inbox.finished_already(80)  # told once
    assert not inbox.finished_already(81)


def test_a_draft_saved_as_json_text_reads_back_as_the_same_document(store: Store) -> None:
    inbox = TelegramStore(store)
    draft = TelegramDraft(toggled=["trein", "vliegtuig"])
    draft.interview.answers["purpose"] = "Overleg in Brussel – “Eurocities”, €0,00 & <b>"
    saved = inbox.save_draft(REF, JsonText(draft.model_dump_json()), T0)
    stored = store.drafts.load(REF)
    assert stored is not None and stored.revision == saved.revision == 1
    assert stored.state == draft.model_dump(mode="json")  # a document, not a quoted string
    assert TelegramDraft.model_validate(stored.state) == draft
    inbox.save_draft(REF, {"plain": "dict"}, T0, expected=saved)  # other writes: dumped as before
    again = store.drafts.load(REF)
    assert again is not None and again.state == {"plain": "dict"}


def services_on(url: str) -> Services:
    """The shared services of one bot instance on this database."""
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    return Services(
        settings=settings,
        store=Store.open(url),
        trip=travel_calculator(settings),
        clock=lambda: T0,
    )


def draft_at(step: str) -> TelegramDraft:
    """A draft told apart by its toggled options (any field would do)."""
    return TelegramDraft(toggled=[step])


async def test_two_instances_never_build_on_each_others_outdated_copy(url: str) -> None:
    one, two = services_on(url), services_on(url)
    try:
        assert await one.load_draft(REF) is None
        await one.save_draft(REF, draft_at("a"), update_id=1)
        loaded = await two.load_draft(REF)
        assert loaded is not None and loaded.toggled == ["a"]
        await two.save_draft(REF, draft_at("b"), update_id=2)  # instance two moves on
        mine = await one.load_draft(REF)
        if one.store.engine.dialect.name == "postgresql":
            # Several instances are normal here: the copy is checked before it is used.
            assert mine is not None and mine.toggled == ["b"]
        else:
            # One instance per SQLite file: the copy is used, but a save over it is refused.
            assert mine is not None and mine.toggled == ["a"]
            with pytest.raises(StaleDraft):
                await one.save_draft(REF, draft_at("a2"), update_id=3)
            mine = await one.load_draft(REF)  # read again from the database
            assert mine is not None and mine.toggled == ["b"]
        await one.save_draft(REF, draft_at("c"), update_id=3)
        stored = one.store.drafts.load(REF)
        assert stored is not None and stored.state["toggled"] == ["c"]
        assert stored.revision == 3
        await one.delete_draft(REF)
        # Deleted by one, and gone for two as well, whatever two had cached.
        with pytest.raises(StaleDraft):
            await two.save_draft(REF, draft_at("late"), update_id=4)
        assert two.store.drafts.load(REF) is None
        assert await two.load_draft(REF) is None
    finally:
        for svc in (one, two):
            svc.service.runner.close()
            svc.store.close()


def test_a_group_commit_saves_every_draft_but_stops_the_bad_saves_alone(store: Store) -> None:
    inbox = TelegramStore(store)
    inbox.receive_updates([update(80), update(81), update(82), update(83)], T0)
    kept = inbox.save_draft("telegram:1", {"q": 0}, T0)
    outdated = inbox.save_draft("telegram:2", {"q": 0}, T0)
    inbox.save_draft("telegram:2", {"q": "elsewhere"}, T0)  # another process moved it on
    applied_before = inbox.save_draft("telegram:3", {"q": 0}, T0, update_id=79)

    outcomes = inbox.save_drafts(
        [
            DraftSave("telegram:1", {"q": 1}, update_id=80, expected=kept),
            DraftSave("telegram:2", {"q": 1}, update_id=81, expected=outdated),
            DraftSave("telegram:3", {"q": 1}, update_id=79, expected=applied_before),
            DraftSave("telegram:4", {"q": 1}, update_id=82),
            DraftSave("telegram:4", {"q": 2}, update_id=82),  # the same update twice
        ],
        T0,
    )

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "DraftVersion",
        "StaleDraft",
        "DuplicateUpdate",
        "DraftVersion",
        "DuplicateUpdate",
    ]
    drafts = {ref: store.drafts.load(ref) for ref in ("telegram:1", "telegram:2", "telegram:3")}
    assert drafts["telegram:1"] is not None and drafts["telegram:1"].state == {"q": 1}
    assert drafts["telegram:2"] is not None and drafts["telegram:2"].state == {"q": "elsewhere"}
    assert drafts["telegram:3"] is not None and drafts["telegram:3"].state == {"q": 0}
    four = store.drafts.load("telegram:4")
    assert four is not None and four.state == {"q": 1}
    # Applied updates left the inbox with their saves; the stale one waits to be applied.
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [81, 83]
    again = inbox.save_draft("telegram:2", {"q": 1}, T0, update_id=81)  # handled again: applied
    assert again.revision == 3
    assert [u["update_id"] for u in inbox.unfinished_updates()] == [83]


def test_pending_inputs_and_access_of_several_travellers_in_one_read(store: Store) -> None:
    inbox = TelegramStore(store)
    inbox.expect_input("telegram:1", "planned_trip", {"step": 1}, T0)
    store.profiles.audit("telegram:2", AccessAction.REQUESTED, "telegram:2", T0)
    store.profiles.audit("telegram:2", AccessAction.GRANTED, "telegram:99", T0)
    store.profiles.audit("telegram:3", AccessAction.REVOKED, "telegram:99", T0)

    read = inbox.pending_and_access_of(["telegram:1", "telegram:2", "telegram:3", "telegram:4"])

    assert read[0][0] == ("planned_trip", {"step": 1}) and read[0][1] is None
    assert read[1][0] is None and read[1][1] is not None
    assert read[1][1].action == AccessAction.GRANTED
    assert read[2][1] is not None and read[2][1].action == AccessAction.REVOKED
    assert read[3] == (None, None)
    assert inbox.pending_and_access("telegram:2") == read[1]


async def test_the_access_checks_of_travellers_arriving_at_once_are_one_read(url: str) -> None:
    svc = services_on(url)
    svc.settings.allowed_user_ids = [1, 3]
    svc.store.profiles.audit("telegram:2", AccessAction.GRANTED, "telegram:99", T0)
    svc.store.profiles.audit("telegram:3", AccessAction.REVOKED, "telegram:99", T0)
    reads: list[str] = []
    event.listen(
        svc.store.engine,
        "before_cursor_execute",
        lambda _c, _cursor, statement, *_: (
            reads.append(statement) if "access_audit" in statement else None
        ),
    )
    try:
        allowed = await asyncio.gather(*(svc.is_allowed(user_id) for user_id in (1, 2, 3, 4)))
        # listed; granted; listed but revoked; neither
        assert allowed == [True, True, False, False]
        assert len(reads) == 1
        await svc.telegram.off_loop(
            svc.store.profiles.audit, "telegram:2", AccessAction.REVOKED, "telegram:99", T0
        )
        assert await svc.is_allowed(2) is False  # a revocation holds from the next message on
    finally:
        svc.service.runner.close()
        svc.store.close()


def sent_by(update_id: int, user_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"from": {"id": user_id}, "text": "Wenen"}}


def statements_on(store: Store) -> list[str]:
    """Every statement the store sends from now on."""
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda _c, _cur, sql, *_: seen.append(sql))
    return seen


async def test_what_a_message_needs_first_comes_with_its_inbox_write(url: str) -> None:
    store = Store.open(url)
    inbox = TelegramStore(store)
    try:
        inbox.expect_input("telegram:1", "planned_trip", {"step": 1}, T0)
        store.profiles.audit("telegram:2", AccessAction.REVOKED, "telegram:99", T0)
        inbox.receive_updates([sent_by(90, 1), sent_by(91, 2)], T0)
        sent = statements_on(store)

        first = await inbox.read_pending_and_access("telegram:1", 90)
        second = await inbox.read_pending_and_access("telegram:2", 91)

        assert first == (("planned_trip", {"step": 1}), None)
        assert second[0] is None and second[1] is not None
        assert second[1].action == AccessAction.REVOKED
        if store.engine.dialect.name == "sqlite":
            assert sent == [] and inbox.prefetch_hits == 2
        else:  # another instance may handle the sender's earlier update meanwhile: read now
            assert sent and inbox.prefetch_hits == 0
        # Used once: a second look (or a look without the update) reads the store.
        assert await inbox.read_pending_and_access("telegram:1", 90) == first
        assert sent
    finally:
        inbox.runner.close()
        store.close()


async def test_a_reading_that_a_later_write_may_have_changed_is_read_again(
    store: Store,
) -> None:
    inbox = TelegramStore(store)
    try:
        inbox.receive_updates([sent_by(92, 1), sent_by(93, 2), sent_by(94, 3)], T0)
        # Handling the sender's earlier message asked a question; the secretariat revoked
        # another traveller meanwhile (both in this process, after the inbox write).
        inbox.expect_input("telegram:1", "cancel_reason", {"trip_id": "t1"}, T0)
        store.profiles.audit("telegram:2", AccessAction.REVOKED, "telegram:99", T0)

        pending, _ = await inbox.read_pending_and_access("telegram:1", 92)
        _, latest = await inbox.read_pending_and_access("telegram:2", 93)

        assert pending == ("cancel_reason", {"trip_id": "t1"})
        assert latest is not None and latest.action == AccessAction.REVOKED
        # Writes that promise not to touch access leave readings usable (draft saves).
        inbox.receive_updates([sent_by(95, 3)], T0)
        inbox.save_draft("telegram:3", {"q": 1}, T0, update_id=94)
        hits = inbox.prefetch_hits
        assert await inbox.read_pending_and_access("telegram:3", 95) == (None, None)
        assert inbox.prefetch_hits == hits + (store.engine.dialect.name == "sqlite")
    finally:
        inbox.runner.close()


async def test_a_reading_is_used_only_for_its_own_sender_and_while_young(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = TelegramStore(store)
    try:
        store.profiles.audit("telegram:5", AccessAction.REVOKED, "telegram:99", T0)
        inbox.receive_updates([sent_by(96, 1), sent_by(97, 1)], T0)
        # Another sender claiming update 96 gets the store's answer about themselves.
        _, latest = await inbox.read_pending_and_access("telegram:5", 96)
        assert latest is not None and latest.action == AccessAction.REVOKED
        # A reading older than PREFETCH_MAX_AGE is read again.
        monkeypatch.setattr("bot.telegram.store.PREFETCH_MAX_AGE", -1.0)
        misses = inbox.prefetch_misses
        assert await inbox.read_pending_and_access("telegram:1", 97) == (None, None)
        assert inbox.prefetch_misses == misses + (store.engine.dialect.name == "sqlite")
    finally:
        inbox.runner.close()


def test_only_writes_that_may_change_access_or_pending_input_move_the_generation(
    store: Store,
) -> None:
    inbox = TelegramStore(store)
    start = store.access_generation
    # The inbox, the draft saves, @usernames and the outbox promise not to touch them.
    inbox.receive_updates([sent_by(98, 1)], T0)
    inbox.save_draft("telegram:1", {"q": 1}, T0, update_id=98)
    inbox.finish_update(98)
    inbox.remember_username("reiziger_een", 1, T0)
    store.outbox.enqueue([OutboxItem("message", "k1", {"chat_id": 1, "html": "x"})], T0)
    [item] = store.outbox.claim_due(T0, limit=5)
    store.outbox.mark_sent(item.id, T0)
    assert store.access_generation == start
    # Every other write may have: a pending input, an access decision, a profile.
    inbox.expect_input("telegram:1", "planned_trip", {}, T0)
    assert store.access_generation == start + 1
    store.profiles.audit("telegram:1", AccessAction.REVOKED, "telegram:99", T0)
    assert store.access_generation == start + 2
    with store.unit_of_work() as uow:
        uow.outbox.enqueue([OutboxItem("message", "k2", {"chat_id": 1, "html": "y"})], T0)
    assert store.access_generation == start + 3  # a unit of work counts as a whole
