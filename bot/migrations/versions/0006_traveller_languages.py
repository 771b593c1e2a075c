"""The language each traveller chose for the chat (/taal, /language).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """A small table: user_ref -> language code."""
    op.create_table(
        "traveller_languages",
        sa.Column("user_ref", sa.String(length=100), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_ref", name=op.f("pk_traveller_languages")),
    )


def downgrade() -> None:
    """Drop the table (everyone reads Dutch again unless their app is in English)."""
    op.drop_table("traveller_languages")
