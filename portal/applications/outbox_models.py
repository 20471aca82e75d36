"""The outbox: every submission the portal accepted, kept until the agency has confirmed receipt.

A row is written in the request's own transaction and is the only thing delivery is driven by
(portal/applications/outbox.py), so a submission is never lost between "accepted" and "delivered".
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class SubmissionStatus(StrEnum):
    SENDING = "sending"  # accepted by the portal, not yet confirmed by the agency
    RECEIVED = "received"  # the agency registered it (agency_reference)
    NOT_DELIVERED = "not_delivered"  # the agency refused to register it (refusal_reason)


class DeliveryAgency(StrEnum):
    """The agencies that take applications, by their code in settings and URLs; `.reference_code` is the prefix
    of the portal's application references (DESIGN.md: VSAA, VDEAVK, PASV)."""

    VSAA = "vsaa"
    VDEAVK = "vdeavk"
    PASV = "pasv"

    @property
    def reference_code(self) -> str:
        return self.value.upper()


class Submission(Base):
    __tablename__ = "submissions"
    # The worker's question, "which rows are due?", reads this index only.
    __table_args__ = (Index("ix_submissions_due", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    agency: Mapped[str] = mapped_column(String(10))
    service: Mapped[str] = mapped_column(String(80))
    # <AGENCY>-<YEAR>-<6 digits>, assigned when the portal accepts the submission; the agency registers under it.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # Sent with every delivery attempt, so that the agency registers a retried submission once.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Exactly what is sent to the agency (personal codes included: it is the application itself).
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    about_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    filer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    basis: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=SubmissionStatus.SENDING.value)
    agency_reference: Mapped[str | None] = mapped_column(String(40))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # What went wrong on the last attempt, in the agency client's words (they never carry personal data).
    last_error: Mapped[str | None] = mapped_column(String(300))


class ReferenceCounter(Base):
    """The last reference number given out per agency and year; incremented in the submitting transaction, so a
    rolled-back submission gives its number back and references have no gaps."""

    __tablename__ = "reference_counters"

    agency: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)
