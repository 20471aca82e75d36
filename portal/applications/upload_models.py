"""A file attached to a draft's file question; the bytes live in `settings.upload_dir` under `stored_name`."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Deleting a draft deletes its files' rows; the files themselves are removed by the uploads service.
    draft_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    # "<page>.<question>": the file question the file answers.
    question_key: Mapped[str] = mapped_column(String(160))
    # Sanitised (no path, no control characters); shown to the person only, never used as a path.
    original_name: Mapped[str] = mapped_column(String(200))
    # As detected from the content, not as the browser said.
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Random (32 hex digits), so that names say nothing and cannot be guessed.
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    scanned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
