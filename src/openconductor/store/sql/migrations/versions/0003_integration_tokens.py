"""Integration tokens

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from openconductor.store.sql.tables import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integration_tokens",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("integration", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hint", sa.String(length=16), nullable=False),
        sa.Column("signing_secret", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("integration_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_integration_tokens_integration", ["integration"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("integration_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_integration_tokens_integration")
    op.drop_table("integration_tokens")
