"""Pending inputs (what a traveller's next message answers outside the interview) and
Telegram usernames (so the secretariat can name a traveller as @username).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the pending_inputs and telegram_usernames tables."""
    op.create_table(
        "pending_inputs",
        sa.Column("user_ref", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_ref", name=op.f("pk_pending_inputs")),
    )
    op.create_table(
        "telegram_usernames",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_telegram_usernames")),
    )


def downgrade() -> None:
    """Drop the pending_inputs and telegram_usernames tables."""
    op.drop_table("telegram_usernames")
    op.drop_table("pending_inputs")
