"""For the operator: GET /healthz and GET /metrics (Prometheus) on HEALTH_PORT.

/healthz answers 200 when the database answers, updates are coming in (long polling:
Telegram answered a getUpdates call recently; webhook: its server runs), and no due
delivery waits longer than HEALTH_MAX_OUTBOX_DELAY_SECONDS; otherwise 503. Both name
every check in JSON. /metrics counts handled updates, reply latency, errors, the outbox
backlog, reminders due, and how often an update's first reading (taken with its inbox
write) could be used when it was handled.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from telegram._utils.types import ODVInput
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.config import Settings
from bot.store import Store
from bot.store.health import database_error, delivery_backlog
from bot.telegram.http import AiohttpRequest

if TYPE_CHECKING:
    from bot.telegram.store import TelegramStore

__all__ = ["HealthServer", "Metrics", "PollStampingRequest"]

log = logging.getLogger(__name__)

#: Reply latency buckets (seconds): a reply within a second is the aim.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _StoreCollector(Collector):
    """Reads the outbox backlog and due reminders from the store at each scrape."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The backlog gauges (none when the store cannot be read: /healthz says why)."""
        try:
            backlog = delivery_backlog(self._store, self._clock())
        except Exception:  # a scrape must not fail because the database did
            log.warning("metrics: the store could not be read", exc_info=True)
            return
        gauges = {
            "reisverslag_outbox_backlog": (
                "Outbox items not delivered yet",
                backlog.outbox_waiting,
            ),
            "reisverslag_outbox_oldest_age_seconds": (
                "Age of the oldest undelivered outbox item",
                backlog.outbox_oldest_seconds,
            ),
            "reisverslag_outbox_overdue_seconds": (
                "How long the most overdue due outbox item has waited past its due time",
                backlog.outbox_overdue_seconds,
            ),
            "reisverslag_outbox_failing": (
                "Undelivered outbox items whose last attempt failed",
                backlog.outbox_failing,
            ),
            "reisverslag_reminders_due": (
                "Reminders due and not sent yet",
                backlog.reminders_due,
            ),
        }
        for name, (documentation, value) in gauges.items():
            yield GaugeMetricFamily(name, documentation, value=value)


class _PrefetchCollector(Collector):
    """Reads the Telegram store's prefetch counts at each scrape (no cost per update)."""

    def __init__(self, telegram: TelegramStore) -> None:
        self._telegram = telegram

    def collect(self) -> Iterator[CounterMetricFamily]:
        """Updates that used the reading taken with their inbox write, and those that read
        again (it was too old, or a write of this process may have changed it)."""
        yield CounterMetricFamily(
            "reisverslag_prefetch_hits",
            "Updates handled with the pending input and access read along with their inbox write",
            value=self._telegram.prefetch_hits,
        )
        yield CounterMetricFamily(
            "reisverslag_prefetch_misses",
            "Updates whose pending input and access had to be read again when handled",
            value=self._telegram.prefetch_misses,
        )


class Metrics:
    """The bot's Prometheus metrics, in a registry of its own (one per application)."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "reisverslag_updates_handled",
            "Telegram updates handled",
            registry=self.registry,
        )
        self.latency = Histogram(
            "reisverslag_reply_latency_seconds",
            "From receiving an update to having handled it (its replies sent)",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "reisverslag_errors",
            "Errors: in a handler, or while fetching updates",
            ["where"],
            registry=self.registry,
        )
        self.registry.register(_StoreCollector(store, clock))
        self._received: dict[int, float] = {}
        self.last_poll: float | None = None

    def count_prefetches(self, telegram: TelegramStore) -> None:
        """Publish the prefetch hits and misses of this Telegram store."""
        self.registry.register(_PrefetchCollector(telegram))

    def received(self, update_id: int) -> None:
        """An update arrived (queued for handling)."""
        self._received.setdefault(update_id, time.monotonic())

    def handled(self, update_id: int) -> None:
        """An update was handled: count it and observe its latency."""
        self.updates.inc()
        started = self._received.pop(update_id, None)
        if started is not None:
            self.latency.observe(time.monotonic() - started)

    def polled(self) -> None:
        """Telegram answered a getUpdates call."""
        self.last_poll = time.monotonic()

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        return generate_latest(self.registry)


class PollStampingRequest(AiohttpRequest):
    """The getUpdates connection, noting each answer from Telegram (polling is alive)."""

    def __init__(self, metrics: Metrics, **options: Any) -> None:
        super().__init__(**options)
        self._metrics = metrics

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the request; a 200 answer counts as a sign of life."""
        status, body = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        if status == 200:
            self._metrics.polled()
        return status, body


class HealthServer:
    """The /healthz and /metrics endpoints of one running application."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        settings: Settings,
        store: Store,
        metrics: Metrics,
        clock: Callable[[], datetime],
    ) -> None:
        self._application = application
        self._settings = settings
        self._store = store
        self._metrics = metrics
        self._clock = clock
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on HEALTH_LISTEN:HEALTH_PORT."""
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.health_listen, self._settings.health_port)
        await site.start()
        log.info(
            "health check on http://%s:%s/healthz and /metrics",
            self._settings.health_listen,
            self._settings.health_port,
        )

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def report(self) -> tuple[bool, dict[str, Any]]:
        """Every check (run in a worker thread: it queries the database)."""
        settings = self._settings
        db_error = database_error(self._store.engine)
        checks: dict[str, Any] = {"database": {"ok": db_error is None, "error": db_error}}
        checks["updates"] = self._updates_check()
        if db_error is None:
            backlog = delivery_backlog(self._store, self._clock())
            checks["outbox"] = {
                "ok": backlog.outbox_overdue_seconds <= settings.health_max_outbox_delay_seconds,
                "backlog": backlog.outbox_waiting,
                "oldest_seconds": round(backlog.outbox_oldest_seconds, 1),
                "overdue_seconds": round(backlog.outbox_overdue_seconds, 1),
                "failing": backlog.outbox_failing,
                "reminders_due": backlog.reminders_due,
            }
        else:
            checks["outbox"] = {"ok": False, "error": "database unreachable"}
        return all(check["ok"] for check in checks.values()), checks

    def _updates_check(self) -> dict[str, Any]:
        """Long polling: Telegram answered recently; webhook: the server runs."""
        updater = self._application.updater
        running = bool(updater is not None and updater.running)
        if self._settings.webhook_url:
            return {"ok": running, "mode": "webhook", "running": running}
        last = self._metrics.last_poll
        silence = None if last is None else round(time.monotonic() - last, 1)
        alive = silence is not None and silence <= self._settings.health_max_poll_silence_seconds
        return {
            "ok": running and alive,
            "mode": "polling",
            "running": running,
            "seconds_since_telegram_answered": silence,
        }

    async def _healthz(self, _request: web.Request) -> web.Response:
        healthy, checks = await asyncio.to_thread(self.report)
        return web.json_response(
            {"status": "ok" if healthy else "fail", "checks": checks},
            status=200 if healthy else 503,
        )

    async def _metrics_page(self, _request: web.Request) -> web.Response:
        body = await asyncio.to_thread(self._metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
