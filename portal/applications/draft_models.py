"""Drafts: an e-application's answers, kept page by page until the person submits it or it expires.

One open draft per (service, applicant, about-person) is enforced by the database through `open_key`: it is set
while the draft is open and cleared when it is submitted, so a unique constraint on it holds only open drafts.
(A unique index over the three columns would not do: `about_person_id` is NULL for most drafts, and NULLs never
clash in a unique index; a partial index would need a different spelling per database.)

Times are written in UTC; SQLite returns them without an offset, so readers treat a naive value as UTC.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class DraftStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


def open_key(service: str, applicant_id: uuid.UUID, about_person_id: uuid.UUID | None) -> str:
    return f"{service}:{applicant_id.hex}:{about_person_id.hex if about_person_id else '-'}"


class Draft(Base):
    __tablename__ = "drafts"
    # The sweeper's question, "which open drafts have expired?", reads this index only.
    __table_args__ = (Index("ix_drafts_expiry", "status", "expires_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service: Mapped[str] = mapped_column(String(80))
    # The agency the application goes to (None: a questionnaire); kept so access checks need no definition.
    agency: Mapped[str | None] = mapped_column(String(10))
    applicant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    about_person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    filer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    basis: Mapped[str] = mapped_column(String(20))
    basis_ref: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # answers[page][question] (a repeating page: a list of dicts); prefilled[page][question] = provenance.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prefilled: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Made with the draft; the draft is submitted at most once whatever the number of clicks.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    submission_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("submissions.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=DraftStatus.DRAFT.value)
    open_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    # Where the draft was started from, when that matters to how it ends: the catalogue slug of the service a
    # satisfaction survey is about (checked against the catalogue when the survey is started).
    context: Mapped[str | None] = mapped_column(String(80))
