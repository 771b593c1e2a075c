"""The privacy and operations settings: sensible defaults, refused nonsense, all documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]
NEW_SETTINGS = [
    "log_update_contents",
    "retention_sent_outbox_days",
    "retention_draft_days",
    "retention_draft_warning_days",
    "retention_access_request_days",
    "retention_processed_update_days",
    "health_port",
    "health_listen",
    "health_max_outbox_delay_seconds",
    "health_max_poll_silence_seconds",
]


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_defaults_keep_little_for_long_and_log_no_contents() -> None:
    defaults = settings()
    assert defaults.log_update_contents is False
    assert defaults.health_port is None
    assert defaults.retention_sent_outbox_days == 30
    assert defaults.retention_draft_days == 90
    assert defaults.retention_draft_warning_days == 7
    assert defaults.retention_access_request_days == 30
    assert defaults.retention_processed_update_days == 7


@pytest.mark.parametrize(
    "values",
    [
        {"retention_draft_days": 7, "retention_draft_warning_days": 7},
        {"retention_sent_outbox_days": 0},
        {"retention_processed_update_days": 30},
        {"health_port": 70000},
    ],
)
def test_nonsense_is_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        settings(**values)


def test_every_new_setting_is_documented_in_env_example() -> None:
    documented = (ROOT / ".env.example").read_text()
    for name in NEW_SETTINGS:
        assert f"\n{name.upper()}=" in documented, name
