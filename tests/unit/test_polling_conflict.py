"""Two long-polling instances: who gives way on Telegram's 409 Conflict."""

from __future__ import annotations


def test_an_established_instance_gives_way_only_when_conflicts_persist() -> None:
    from types import SimpleNamespace

    from bot.telegram.app import CONFLICTS_TO_STOP, _conflict_persists

    newcomer = SimpleNamespace(bot_data={"metrics": SimpleNamespace(last_poll=None)})
    assert _conflict_persists(newcomer) is True  # type: ignore[arg-type]
    established = SimpleNamespace(bot_data={"metrics": SimpleNamespace(last_poll=1.0)})
    answers = [_conflict_persists(established) for _ in range(CONFLICTS_TO_STOP)]  # type: ignore[arg-type]
    assert answers == [False] * (CONFLICTS_TO_STOP - 1) + [True]
