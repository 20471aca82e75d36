"""Verifiable documents: each document's verification code, whether it was withdrawn, a statement's kind, and
an index on the fingerprint (an uploaded PDF is looked up by it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# As portal/documents/codes.py (a migration does not import application code, which will change).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _code() -> str:
    compact = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(compact[start : start + 4] for start in range(0, 12, 4))


def upgrade() -> None:
    # SQLite cannot add a UNIQUE or NOT NULL column without a default: a nullable column and a unique index.
    op.add_column("documents", sa.Column("verification_code", sa.String(length=14), nullable=True))
    op.add_column("documents", sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("documents", sa.Column("statement_kind", sa.String(length=8), nullable=True))
    documents = sa.table("documents", sa.column("id", sa.Uuid()), sa.column("verification_code", sa.String()))
    connection = op.get_bind()
    # Receipts issued before codes existed get one too: every document can be verified.
    for (document_id,) in connection.execute(sa.select(documents.c.id)).all():
        connection.execute(documents.update().where(documents.c.id == document_id).values(verification_code=_code()))
    op.create_index(op.f("ix_documents_verification_code"), "documents", ["verification_code"], unique=True)
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"])


def downgrade() -> None:
    op.drop_index(op.f("ix_documents_sha256"), table_name="documents")
    op.drop_index(op.f("ix_documents_verification_code"), table_name="documents")
    op.drop_column("documents", "statement_kind")
    op.drop_column("documents", "withdrawn")
    op.drop_column("documents", "verification_code")
