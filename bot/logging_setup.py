"""Logging for the command line: one format, and secrets never written to a log."""

from __future__ import annotations

import logging
from collections.abc import Iterable

__all__ = ["RedactSecrets", "configure_logging"]

REDACTED = "[geheim]"
_CHATTY = ("alembic", "transitions", "weasyprint", "fontTools", "matplotlib")
#: Loggers whose DEBUG (SQLAlchemy: INFO) lines carry what travellers typed: the Bot API's
#: request and response bodies, SQL parameters, mail bodies. Capped unless explicitly enabled.
CONTENT_LOGGERS = {
    "telegram": logging.INFO,
    "httpcore": logging.INFO,
    "sqlalchemy": logging.WARNING,
    "aiosmtplib": logging.INFO,
}


class RedactSecrets(logging.Filter):
    """Replaces every configured secret (bot token, SMTP password) in a log line."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so arguments cannot smuggle a secret out."""
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, REDACTED)
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, REDACTED)
        record.msg, record.args = message, None
        return True


def configure_logging(
    level: str, secrets: Iterable[str], *, log_update_contents: bool = False
) -> None:
    """Log to stderr, secrets redacted: the project's own lines (`bot.*`) from `level` up,
    every library's (WeasyPrint's progress, httpx's URL lines, alembic, transitions, ...)
    only from WARNING up; library lines that carry message contents (AVG) only with
    `log_update_contents`."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))
    for own in ("bot", "__main__"):
        logging.getLogger(own).setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines name the token URL
    for chatty in _CHATTY:  # step-by-step INFO lines that would clutter the console interview
        logging.getLogger(chatty).setLevel(logging.WARNING)
    for name, cap in CONTENT_LOGGERS.items():
        floor = max(cap, root.level)  # a cap never makes a logger chattier than the root
        logging.getLogger(name).setLevel(level if log_update_contents else floor)
