"""Kept answers (the agencies' last answers about a person) and sync requests.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("agency", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_kept_answers_person_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kept_answers")),
        sa.UniqueConstraint("person_id", "agency", "kind", "key", name=op.f("uq_kept_answers_person_id")),
    )
    op.create_index(op.f("ix_kept_answers_checked_at"), "kept_answers", ["checked_at"])
    op.create_index(op.f("ix_kept_answers_used_at"), "kept_answers", ["used_at"])
    op.create_table(
        "sync_requests",
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], name=op.f("fk_sync_requests_person_id_persons")),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_sync_requests")),
    )
    op.create_index(op.f("ix_sync_requests_not_before"), "sync_requests", ["not_before"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sync_requests_not_before"), table_name="sync_requests")
    op.drop_table("sync_requests")
    op.drop_index(op.f("ix_kept_answers_used_at"), table_name="kept_answers")
    op.drop_index(op.f("ix_kept_answers_checked_at"), table_name="kept_answers")
    op.drop_table("kept_answers")
