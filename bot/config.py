"""All settings in one place, read from the environment or `.env` (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["Settings"]


def _split_csv(value: object) -> object:
    """Accept '1, 2,3' as well as a list for list settings."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Every setting of reisverslag; `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True, extra="ignore"
    )

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str | None = None
    allowed_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    secretariat_chat_id: int | None = None
    secretariat_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    webhook_url: str | None = None
    webhook_secret_token: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    token_check_seconds: float = Field(default=60.0, gt=0)

    # Storage and output
    database_url: str = "sqlite:///reisverslag.sqlite3"
    output_dir: Path = Path("verslagen")

    # Travel rules and data
    home_city: str = "Den Haag"
    home_airports: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["AMS", "RTM", "EIN"]
    )
    rail_threshold_hours: float = Field(default=8.0, gt=0)
    emission_list_version: str = "co2emissiefactoren-2025"
    emission_factors_dir: Path | None = None

    # Reminders and escalation
    timezone: str = "Europe/Amsterdam"
    reminder_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [1, 3, 7])
    reminder_weekly_after_days: int = 7
    report_deadline_days: int = 14
    working_hours_start: int = Field(default=9, ge=0, le=23)
    working_hours_end: int = Field(default=17, ge=1, le=24)
    snooze_hours: int = 24

    # Email to the secretariat (optional)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str | None = None
    secretariat_email: str | None = None

    outbox_interval_seconds: float = Field(default=5.0, gt=0)

    # Voice answers: an OpenAI-compatible speech-to-text service (optional)
    transcription_url: str | None = None
    transcription_api_key: SecretStr | None = None
    transcription_model: str = "whisper-1"
    transcription_timeout_seconds: float = Field(default=60.0, gt=0)
    voice_max_seconds: int = Field(default=180, gt=0, le=1800)

    # The yearly report for the council and the public register: traveller names only when set
    publish_traveller_names: bool = False

    # Limits per person (a flood from one account never slows the others down)
    stranger_reply_minutes: float = Field(default=60.0, ge=0)
    limit_messages_per_minute: int = Field(default=30, ge=1)
    limit_trips_per_hour: int = Field(default=10, ge=1)
    limit_resends_per_hour: int = Field(default=6, ge=1)
    limit_checks_per_hour: int = Field(default=30, ge=1)

    log_level: str = "INFO"
    # Privacy (AVG): what updates contained (names, answers) is logged only when enabled.
    log_update_contents: bool = False

    # Privacy (AVG): how many days each kind of data is kept (docs/privacy.md)
    retention_sent_outbox_days: int = Field(default=30, ge=2)
    retention_draft_days: int = Field(default=90, ge=2)
    retention_draft_warning_days: int = Field(default=7, ge=1)
    retention_access_request_days: int = Field(default=30, ge=1)
    retention_processed_update_days: int = Field(default=7, ge=2, le=7)

    # Operations: /healthz and /metrics over HTTP (off unless HEALTH_PORT is set)
    health_port: int | None = Field(default=None, ge=1, le=65535)
    health_listen: str = "127.0.0.1"
    health_max_outbox_delay_seconds: float = Field(default=300.0, gt=0)
    health_max_poll_silence_seconds: float = Field(default=120.0, gt=0)

    @field_validator(
        "allowed_user_ids", "secretariat_user_ids", "home_airports", "reminder_days", mode="before"
    )
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @model_validator(mode="after")
    def _warning_before_deletion(self) -> Settings:
        if self.retention_draft_warning_days >= self.retention_draft_days:
            raise ValueError(
                "RETENTION_DRAFT_WARNING_DAYS must be smaller than RETENTION_DRAFT_DAYS"
            )
        return self

    @field_validator("transcription_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("TRANSCRIPTION_URL must start with http:// or https://")
        return value

    @field_validator("home_airports")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [code.upper() for code in value]

    @property
    def telegram_enabled(self) -> bool:
        """A bot token is configured."""
        return self.telegram_bot_token is not None and bool(
            self.telegram_bot_token.get_secret_value()
        )

    def secret_values(self) -> list[str]:
        """Every secret's value, for redacting logs."""
        secrets = (
            self.telegram_bot_token,
            self.webhook_secret_token,
            self.smtp_password,
            self.transcription_api_key,
        )
        values = [s.get_secret_value() for s in secrets if s is not None and s.get_secret_value()]
        try:
            database_password = make_url(self.database_url).password
        except ArgumentError:  # an unreadable URL fails later, when the store opens it
            database_password = None
        return values + ([str(database_password)] if database_password else [])

    @property
    def voice_enabled(self) -> bool:
        """Voice messages are transcribed (a transcription service is configured)."""
        return bool(self.transcription_url)

    @property
    def email_enabled(self) -> bool:
        """Reports are mailed to the secretariat too."""
        return bool(self.smtp_host and self.secretariat_email)
