"""Mandates (pilnvarojumi) between natural persons: the state portal has none, so the portal keeps them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class Mandate(Base):
    __tablename__ = "mandates"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    grantor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    holder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    # Agency codes ("VSAA", "VDEAVK", "PASV") the mandate covers; empty means all matters.
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    ended_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
