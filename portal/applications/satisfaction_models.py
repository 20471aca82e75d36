"""Satisfaction responses: anonymous by construction, so the report can be shared with staff.

A row says which service was rated, how, and on which business day, in which language: no person, draft, session
or time of day, so nothing joins it back to the person who sent it (DESIGN.md: the audit trail names people and
paths, and a timestamp or draft id here would let it be matched).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, Date, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class SatisfactionResponse(Base):
    __tablename__ = "satisfaction_responses"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # The service the person had just applied for (a catalogue slug); None when the survey was opened without one.
    service: Mapped[str | None] = mapped_column(String(80))
    score: Mapped[int] = mapped_column(SmallInteger)
    # Personal codes replaced before it is stored (portal/applications/satisfaction.py).
    comment: Mapped[str | None] = mapped_column(Text)
    # The business day (`portal report satisfaction --since` reads this index).
    answered_on: Mapped[dt.date] = mapped_column(Date, index=True)
    language: Mapped[str] = mapped_column(String(5))
