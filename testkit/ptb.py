"""Helpers to run a real python-telegram-bot Application against the fake Bot API server."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from testkit.fake_telegram import FakeTelegram

__all__ = ["application_builder", "free_port", "polling", "webhook"]


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def application_builder(server: FakeTelegram) -> ApplicationBuilder:
    """Return an ApplicationBuilder pointed at the fake server (token and both base URLs)."""
    return (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
    )


@contextlib.asynccontextmanager
async def polling(
    application: Application[Any, Any, Any, Any, Any, Any], *, timeout: float = 10.0
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run an application with long polling for the duration of the block."""
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=int(timeout))
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()


@contextlib.asynccontextmanager
async def webhook(
    application: Application[Any, Any, Any, Any, Any, Any],
    *,
    secret_token: str = "s3cret",
    url_path: str = "telegram",
    port: int | None = None,
) -> AsyncIterator[str]:
    """Run an application in webhook mode on 127.0.0.1; yield the webhook URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/{url_path}"
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_webhook(
        listen="127.0.0.1",
        port=port,
        url_path=url_path,
        webhook_url=url,
        secret_token=secret_token,
    )
    try:
        yield url
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
