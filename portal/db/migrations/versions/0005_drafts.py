"""Drafts of e-applications: answers kept page by page until the person submits them (issue 5).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("agency", sa.String(length=10), nullable=True),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("about_person_id", sa.Uuid(), nullable=True),
        sa.Column("filer_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("basis_ref", sa.Uuid(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("prefilled", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("open_key", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(["applicant_id"], ["persons.id"], name=op.f("fk_drafts_applicant_id_persons")),
        sa.ForeignKeyConstraint(["about_person_id"], ["persons.id"], name=op.f("fk_drafts_about_person_id_persons")),
        sa.ForeignKeyConstraint(["filer_id"], ["persons.id"], name=op.f("fk_drafts_filer_id_persons")),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_drafts_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_drafts_idempotency_key")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_drafts_submission_id")),
        sa.UniqueConstraint("open_key", name=op.f("uq_drafts_open_key")),
    )
    op.create_index(op.f("ix_drafts_applicant_id"), "drafts", ["applicant_id"])
    op.create_index(op.f("ix_drafts_about_person_id"), "drafts", ["about_person_id"])
    op.create_index(op.f("ix_drafts_filer_id"), "drafts", ["filer_id"])
    op.create_index("ix_drafts_expiry", "drafts", ["status", "expires_at"])


def downgrade() -> None:
    op.drop_index("ix_drafts_expiry", table_name="drafts")
    op.drop_index(op.f("ix_drafts_filer_id"), table_name="drafts")
    op.drop_index(op.f("ix_drafts_about_person_id"), table_name="drafts")
    op.drop_index(op.f("ix_drafts_applicant_id"), table_name="drafts")
    op.drop_table("drafts")
