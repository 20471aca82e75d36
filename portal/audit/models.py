"""The audit trail: one row per action, and per read of someone else's data. Rows are never changed or removed;
the migration adds triggers that refuse UPDATE and DELETE on both SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base

# SQLite makes only INTEGER PRIMARY KEY an auto-incrementing rowid.
_ID = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject_time", "subject_id", "occurred_at"),
        Index("ix_audit_events_dedup", "actor_id", "subject_id", "record", "session_ref", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    action: Mapped[str] = mapped_column(String(64))  # e.g. "read", "mandate.granted", "client.opened"
    record: Mapped[str | None] = mapped_column(String(200))  # what was read or changed, e.g. "/overview"
    # self | parent | guardian | mandate:<id> | assistant:<identification id>
    basis: Mapped[str] = mapped_column(String(80))
    request_id: Mapped[str | None] = mapped_column(String(64))
    # A hash of the session id: lets reads be counted once per session without storing the session id.
    session_ref: Mapped[str | None] = mapped_column(String(64))
