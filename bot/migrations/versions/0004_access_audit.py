"""The access audit: who asked for access, who granted, rejected or revoked it, and when.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create the access_audit table."""
    op.create_table(
        "access_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_ref", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("by_user_ref", sa.String(length=100), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "action IN ('requested', 'granted', 'rejected', 'revoked')",
            name=op.f("ck_access_audit_action"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_audit")),
    )
    op.create_index(
        op.f("ix_access_audit_user_ref_id"), "access_audit", ["user_ref", "id"], unique=False
    )


def downgrade() -> None:
    """Drop the access_audit table."""
    op.drop_index(op.f("ix_access_audit_user_ref_id"), table_name="access_audit")
    op.drop_table("access_audit")
