"""The reports repository: finished reports, stored once as the JSON every document is made of."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.report import Report
from bot.store import schema
from bot.store.records import ReportConflict
from bot.store.repository import Repository, insert_ignoring_conflicts

__all__ = ["Reports"]


def _submitted_at(report: Report, now: datetime) -> datetime:
    """When the report was submitted: its own timestamp (naive taken as UTC), else `now`."""
    if report.submitted_at is None:
        return now
    if report.submitted_at.tzinfo is None:
        return report.submitted_at.replace(tzinfo=UTC)
    return report.submitted_at


def _report_row(user_ref: str, report: Report, now: datetime) -> dict[str, Any]:
    """The reports row of a finished report: the full JSON plus the columns queried on."""
    return {
        "report_id": report.report_id,
        "user_ref": user_ref,
        "payload": report.model_dump(mode="json"),
        "year": report.period.departure.year,
        "departure": report.period.departure,
        "return_date": report.period.return_date,
        "destination": report.destination_label,
        "submitted_at": _submitted_at(report, now),
    }


class Reports(Repository):
    """Finished reports."""

    def add(self, user_ref: str, report: Report, now: datetime | None = None) -> bool:
        """Store a finished report; False when this very report was stored already.

        Raises `ReportConflict` when the id exists with different content.
        """
        row = _report_row(user_ref, report, self._tx.now(now))
        with self._tx.write() as connection:
            if insert_ignoring_conflicts(connection, schema.reports, [row]) == 1:
                return True
            existing = connection.execute(
                select(schema.reports.c.user_ref, schema.reports.c.payload).where(
                    schema.reports.c.report_id == report.report_id
                )
            ).one()
        if existing.payload != row["payload"] or existing.user_ref != user_ref:
            raise ReportConflict(f"report {report.report_id} exists with different content")
        return False

    def get(self, report_id: str) -> Report | None:
        """The finished report with this id, or None."""
        with self._tx.read() as connection:
            payload = connection.execute(
                select(schema.reports.c.payload).where(schema.reports.c.report_id == report_id)
            ).scalar_one_or_none()
        return Report.model_validate(payload) if payload is not None else None

    def _matching(self, *conditions: Any) -> list[Report]:
        """Reports matching the conditions, newest submission first."""
        table = schema.reports
        with self._tx.read() as connection:
            payloads = connection.execute(
                select(table.c.payload)
                .where(*conditions)
                .order_by(table.c.submitted_at.desc(), table.c.report_id)
            ).scalars()
            return [Report.model_validate(payload) for payload in payloads]

    def of_traveller(self, user_ref: str) -> list[Report]:
        """The traveller's finished reports, newest first."""
        return self._matching(schema.reports.c.user_ref == user_ref)

    def in_year(self, year: int) -> list[Report]:
        """Reports of trips that departed in `year`, newest submission first."""
        return self._matching(schema.reports.c.year == year)

    def all(self) -> list[Report]:
        """Every finished report, newest first."""
        return self._matching()
