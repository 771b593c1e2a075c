"""Privacy, robust storage and several instances: destinations without a tight limit, when a
traveller was warned that their idle draft will be deleted (the retention job), and who sent
each inbox update (a traveller's updates are handled in order across processes).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_DESTINATION_TABLES = ("reports", "trips")


def _on_postgresql() -> bool:
    """Whether the migration runs on PostgreSQL (SQLite never enforces a VARCHAR length, and
    recreating `trips` there would cascade-delete its reminders)."""
    return op.get_context().dialect.name == "postgresql"


def upgrade() -> None:
    """Destinations become TEXT on PostgreSQL (VARCHAR(500) made a long answer unsendable);
    drafts get retention_warned_at."""
    if _on_postgresql():
        for table in _DESTINATION_TABLES:
            op.alter_column(
                table,
                "destination",
                existing_type=sa.String(length=500),
                type_=sa.Text(),
                existing_nullable=False,
            )
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("retention_warned_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("user_id", sa.BigInteger(), nullable=True))
        batch.create_index(op.f("ix_inbox_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Back to VARCHAR(500) destinations (longer ones are cut) and no retention warning."""
    with op.batch_alter_table("inbox") as batch:
        batch.drop_index(op.f("ix_inbox_user_id"))
        batch.drop_column("user_id")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("retention_warned_at")
    if not _on_postgresql():
        return
    for table in _DESTINATION_TABLES:
        op.alter_column(
            table,
            "destination",
            existing_type=sa.Text(),
            type_=sa.String(length=500),
            existing_nullable=False,
            postgresql_using="substr(destination, 1, 500)",
        )
