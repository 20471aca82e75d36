"""A person the portal has met, by sign-in or as someone a signed-in person acts for."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # DDMMYY-NNNNN, always with the hyphen: one spelling, one row.
    personal_code: Mapped[str] = mapped_column(String(12), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()
