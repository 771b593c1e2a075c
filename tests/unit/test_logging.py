"""Secrets never reach a log line, whichever way they are passed."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.logging_setup import REDACTED, configure_logging

TOKEN = "123456:AAH-very-secret-token"


@pytest.fixture
def restore_root_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_token_in_messages_arguments_and_tracebacks_is_redacted(
    restore_root_logging: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, smtp_password="hunter2")  # type: ignore[call-arg]
    assert settings.secret_values() == [TOKEN, "hunter2"]
    configure_logging("INFO", settings.secret_values())
    log = logging.getLogger("bot.test")
    log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    log.warning("login with password hunter2 failed")
    try:
        raise RuntimeError(f"connect to /bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("delivery failed")
    err = capsys.readouterr().err
    assert TOKEN not in err and "hunter2" not in err
    assert err.count(REDACTED) == 3
    assert "getUpdates" in err and "delivery failed" in err


def test_httpx_request_lines_are_not_logged(restore_root_logging: object) -> None:
    configure_logging("DEBUG", [TOKEN])
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert not logging.getLogger("alembic.runtime.migration").isEnabledFor(logging.INFO)
    assert not logging.getLogger("transitions.core").isEnabledFor(logging.INFO)
    assert logging.getLogger("bot.outbox").isEnabledFor(logging.INFO)


def test_content_loggers_are_capped_at_debug_and_never_chattier_than_the_root(
    restore_root_logging: object,
) -> None:
    from bot.logging_setup import CONTENT_LOGGERS

    levels = {name: logging.getLogger(name).level for name in CONTENT_LOGGERS}
    try:
        configure_logging("DEBUG", [])
        assert not logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        configure_logging("WARNING", [])
        assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.INFO)
        configure_logging("DEBUG", [], log_update_contents=True)
        assert logging.getLogger("telegram.Bot").isEnabledFor(logging.DEBUG)
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_library_info_lines_never_reach_the_console(
    restore_root_logging: object, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", [])
    for library in ("weasyprint", "fontTools.subset", "telegram.ext.Application", "babel"):
        logging.getLogger(library).info("step %s of 12", library)
        assert not logging.getLogger(library).isEnabledFor(logging.INFO)
    logging.getLogger("weasyprint").warning("font missing")
    logging.getLogger("bot.console").info("own line")
    err = capsys.readouterr().err
    assert "step" not in err
    assert "font missing" in err and "own line" in err
