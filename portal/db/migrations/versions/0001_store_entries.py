"""Key-value store for server-side sessions and other short-lived state.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_entries",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_store_entries")),
    )
    op.create_index(op.f("ix_store_entries_expires_at"), "store_entries", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_store_entries_expires_at"), table_name="store_entries")
    op.drop_table("store_entries")
