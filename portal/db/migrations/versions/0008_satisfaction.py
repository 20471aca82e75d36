"""Questionnaire endings: the context a draft was started in (the service a satisfaction survey is about) and
anonymous satisfaction responses.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("drafts", sa.Column("context", sa.String(length=80), nullable=True))
    op.create_table(
        "satisfaction_responses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=True),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_satisfaction_responses_score_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_satisfaction_responses")),
    )
    op.create_index(op.f("ix_satisfaction_responses_answered_on"), "satisfaction_responses", ["answered_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_satisfaction_responses_answered_on"), table_name="satisfaction_responses")
    op.drop_table("satisfaction_responses")
    # SQLite (3.35 and later) drops a column in place; a batch copy of `drafts` would cascade to its uploads.
    op.drop_column("drafts", "context")
