"""Issued documents: asked for once, rendered once by the worker, kept as bytes that never change."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, LargeBinary, String, UniqueConstraint, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class DocumentKind(StrEnum):
    RECEIPT = "receipt"
    STATEMENT = "statement"


class Document(Base):
    __tablename__ = "documents"
    # One receipt per submission: a second request finds the first (and a race meets this constraint).
    __table_args__ = (UniqueConstraint("submission_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    submission_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("submissions.id"))
    # The language the person used when they asked: the document is written in it.
    locale: Mapped[str] = mapped_column(String(5))
    # What the document shows beyond the submission row, captured when it was asked for (the definition may
    # change later; the receipt must show what the person answered to).
    source: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Null until the worker has rendered it; then never changed (its fingerprint and any seal depend on it).
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Printed on the document with a QR code to /verify (portal/documents/codes.py); given when it is asked for.
    # Nullable only because SQLite cannot add a NOT NULL column without a default: every row has one.
    verification_code: Mapped[str | None] = mapped_column(String(14), unique=True, index=True)
    # A withdrawn document stays verifiable, and /verify says it was withdrawn.
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A statement's VSAA kind (EP43 …); None for other documents.
    statement_kind: Mapped[str | None] = mapped_column(String(8))
