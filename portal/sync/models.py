"""Kept answers (the agencies' last answers about a person) and sync requests (a person to refresh soon).

Kept answers are personal records: an agency's data about one person, personal codes and money included.
They are kept only while they are used: `used_at` moves when the person (or someone acting for them) signs in
or opens a page that shows them, and the sync worker deletes answers unused for `RETENTION` (portal/sync/store.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class KeptAnswer(Base):
    """One agency answer about one person: (person, agency, kind, key) → payload, as the agency last gave it."""

    __tablename__ = "kept_answers"
    __table_args__ = (UniqueConstraint("person_id", "agency", "kind", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    agency: Mapped[str] = mapped_column(String(16))  # vsaa, vdeavk, pasv, ...
    kind: Mapped[str] = mapped_column(String(40))  # statement_summary, applications, entitlements, ...
    # Tells apart answers of one kind (a year, a statement kind); empty when the kind has one answer.
    key: Mapped[str] = mapped_column(String(80), default="")
    # The answer as JSON (the client's model, dumped): read back through the same model.
    payload: Mapped[Any] = mapped_column(JSON)
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # the agency's "data current at"
    fetched_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # our last successful fetch
    # Our last attempt, successful or not: a failing agency is not asked again before the refresh interval.
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    used_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class SyncRequest(Base):
    """A signed-in person whose answers, and those of everyone they may act for, the worker should refresh.

    Signing in only records this row (one per person), so sign-in never waits on an agency or the register.
    """

    __tablename__ = "sync_requests"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # A lease: a worker takes the row by setting this; a lapsed lease (a crashed worker) is taken again. After a
    # failed attempt it is the earliest time of the next one.
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
