"""Persons, mandates, assistants' client identifications and the append-only audit trail.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_AUDIT_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("personal_code", sa.String(length=12), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
        sa.UniqueConstraint("personal_code", name=op.f("uq_persons_personal_code")),
    )
    op.create_table(
        "mandates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("grantor_id", sa.Uuid(), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["grantor_id"], ["persons.id"], name=op.f("fk_mandates_grantor_id_persons")),
        sa.ForeignKeyConstraint(["holder_id"], ["persons.id"], name=op.f("fk_mandates_holder_id_persons")),
        sa.ForeignKeyConstraint(["ended_by_id"], ["persons.id"], name=op.f("fk_mandates_ended_by_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mandates")),
    )
    op.create_index(op.f("ix_mandates_grantor_id"), "mandates", ["grantor_id"])
    op.create_index(op.f("ix_mandates_holder_id"), "mandates", ["holder_id"])
    op.create_table(
        "client_identifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assistant_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("document_last_digits", sa.String(length=4), nullable=False),
        sa.Column("present_in_person", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assistant_id"], ["persons.id"], name=op.f("fk_client_identifications_assistant_id_persons")
        ),
        sa.ForeignKeyConstraint(["client_id"], ["persons.id"], name=op.f("fk_client_identifications_client_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_identifications")),
    )
    op.create_index(op.f("ix_client_identifications_assistant_id"), "client_identifications", ["assistant_id"])
    op.create_index(op.f("ix_client_identifications_client_id"), "client_identifications", ["client_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", _AUDIT_ID, autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("record", sa.String(length=200), nullable=True),
        sa.Column("basis", sa.String(length=80), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("session_ref", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["persons.id"], name=op.f("fk_audit_events_actor_id_persons")),
        sa.ForeignKeyConstraint(["subject_id"], ["persons.id"], name=op.f("fk_audit_events_subject_id_persons")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_subject_time", "audit_events", ["subject_id", "occurred_at"])
    op.create_index(
        "ix_audit_events_dedup", "audit_events", ["actor_id", "subject_id", "record", "session_ref", "occurred_at"]
    )
    _refuse_changes_to_audit_events()


def _refuse_changes_to_audit_events() -> None:
    """The trail is append-only in the database itself, not only by the portal's good manners."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_events is append-only';
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
            "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    op.drop_table("audit_events")
    op.drop_table("client_identifications")
    op.drop_table("mandates")
    op.drop_table("persons")
