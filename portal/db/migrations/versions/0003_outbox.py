"""The outbox: submissions kept until the agency confirms receipt, and the per-agency reference counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency", sa.String(length=10), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("about_person_id", sa.Uuid(), nullable=True),
        sa.Column("filer_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agency_reference", sa.String(length=40), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["persons.id"], name=op.f("fk_submissions_applicant_id_persons")),
        sa.ForeignKeyConstraint(
            ["about_person_id"], ["persons.id"], name=op.f("fk_submissions_about_person_id_persons")
        ),
        sa.ForeignKeyConstraint(["filer_id"], ["persons.id"], name=op.f("fk_submissions_filer_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_submissions_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_submissions_reference")),
    )
    op.create_index(op.f("ix_submissions_applicant_id"), "submissions", ["applicant_id"])
    op.create_index(op.f("ix_submissions_about_person_id"), "submissions", ["about_person_id"])
    op.create_index(op.f("ix_submissions_filer_id"), "submissions", ["filer_id"])
    op.create_index("ix_submissions_due", "submissions", ["status", "next_attempt_at"])
    op.create_table(
        "reference_counters",
        sa.Column("agency", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency", "year", name=op.f("pk_reference_counters")),
    )


def downgrade() -> None:
    op.drop_table("reference_counters")
    op.drop_index("ix_submissions_due", table_name="submissions")
    op.drop_index(op.f("ix_submissions_filer_id"), table_name="submissions")
    op.drop_index(op.f("ix_submissions_about_person_id"), table_name="submissions")
    op.drop_index(op.f("ix_submissions_applicant_id"), table_name="submissions")
    op.drop_table("submissions")
