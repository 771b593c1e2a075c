"""The language a traveller chose is kept per traveller, changes, and goes with an erasure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Store
from bot.store.privacy import erase_personal_data, personal_data
from testkit.databases import BACKENDS, fresh_database_url

T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(fresh_database_url(request.param, tmp_path))
    yield opened
    opened.close()


def test_language_is_kept_per_traveller_and_can_change(store: Store) -> None:
    assert store.profiles.language("telegram:42") is None
    store.profiles.set_language("telegram:42", "en", T0)
    store.profiles.set_language("telegram:43", "nl", T0)
    assert store.profiles.language("telegram:42") == "en"
    store.profiles.set_language("telegram:42", "nl", T0)
    assert store.profiles.language("telegram:42") == "nl"
    assert store.profiles.language("telegram:43") == "nl"


def test_erasure_forgets_the_language_choice(store: Store) -> None:
    store.profiles.set_language("telegram:42", "en", T0)
    store.profiles.set_language("telegram:43", "en", T0)
    erase_personal_data(store, "telegram:42", 42, T0)
    assert store.profiles.language("telegram:42") is None
    assert store.profiles.language("telegram:43") == "en"


def test_the_choice_is_part_of_the_travellers_data(store: Store) -> None:
    assert personal_data(store, "telegram:42", 42, T0)["language"] is None
    store.profiles.set_language("telegram:42", "en", T0)
    assert personal_data(store, "telegram:42", 42, T0)["language"]["language"] == "en"
