"""Notices, a person's notification preferences, and the e-mails that carry "you have a new notice".

A notice is unique per (person, kind, fact): the worker may see the same fact on every pass (an entitlement is
listed until it is claimed, a term ends on one date), and the unique constraint is what makes it notify once.
What a notice says is stored as message ids' parameters, not as text: it is translated when shown.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "fact"),
        Index("ix_notices_person_read", "person_id", "read_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(40))  # entitlement, disability_term_ending, draft_expiring
    # What the notice is about, told apart within its kind (an entitlement and its day, a term's end and the
    # reminder's step): never a personal code.
    fact: Mapped[str] = mapped_column(String(120))
    agency: Mapped[str] = mapped_column(String(16))  # whose matter it is: a mandate must cover it to see it
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))  # where acting on it starts; None: the notice explains
    created_on: Mapped[dt.date] = mapped_column(Date)  # the business date
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(Base):
    """How a person wants new notices: the inbox always, and e-mail, SMS or e-adrese as chosen."""

    __tablename__ = "notification_preferences"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(16))  # +371 and eight digits
    by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    by_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    by_eadrese: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="lv")  # the e-mail's language: the form's
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NoticeMail(Base):
    """One message telling of one notice through one channel (an e-mail, or a message to the person's e-adrese);
    the worker sends it, retrying with a growing delay while the channel is unavailable."""

    __tablename__ = "notice_mails"
    __table_args__ = (
        UniqueConstraint("notice_id", "channel"),
        Index("ix_notice_mails_due", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    notice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(12), default="email")  # email | sms | eadrese
    # The e-mail address or the phone number; None for e-adrese, reached by the personal code at sending time.
    address: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(12), default="sending")  # sending | sent | given_up
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When it may be tried next; while a worker sends it, the end of that worker's lease.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
