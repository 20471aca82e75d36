"""The queries behind notices, preferences and notice e-mails. Every query about a notice names its person."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.notices.facts import NewNotice
from portal.notices.models import Notice, NoticeMail, NotificationPreference
from portal.people.models import Person
from portal.sync.store import utc

SENDING, SENT, GIVEN_UP = "sending", "sent", "given_up"


@dataclass(frozen=True)
class Preferences:
    email: str | None = None
    phone: str | None = None
    by_email: bool = False
    by_sms: bool = False
    by_eadrese: bool = False
    language: str = "lv"

    @property
    def mails(self) -> bool:
        return self.by_email and bool(self.email)


class NoticeStore:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def known(self, person_ids: Iterable[uuid.UUID]) -> set[tuple[uuid.UUID, str, str]]:
        """The facts already noticed for these persons: the worker's every pass reads them in one query."""
        ids = set(person_ids)
        if not ids:
            return set()
        rows = await self._db.execute(
            select(Notice.person_id, Notice.kind, Notice.fact).where(Notice.person_id.in_(ids))
        )
        return {(person_id, kind, fact) for person_id, kind, fact in rows.all()}

    async def add_once(self, person_id: uuid.UUID, new: NewNotice, today: dt.date, now: dt.datetime) -> Notice | None:
        """Keeps the notice unless its fact was already noticed for the person; returns it only when new."""
        known = await self._db.execute(
            select(Notice.id).where(Notice.person_id == person_id, Notice.kind == new.kind, Notice.fact == new.fact)
        )
        if known.first() is not None:
            return None
        notice = Notice(
            id=uuid.uuid4(),
            person_id=person_id,
            kind=new.kind,
            fact=new.fact,
            agency=new.agency,
            params=new.params,
            link=new.link,
            created_on=today,
            created_at=utc(now),
            read_at=None,
        )
        try:
            async with self._db.begin_nested():
                self._db.add(notice)
        except IntegrityError:
            return None  # another worker noticed the same fact at the same moment
        return notice

    async def of_person(self, person_id: uuid.UUID, agencies: Sequence[str] | None = None) -> list[Notice]:
        """The person's notices, unread first, then the newest; `agencies`: only these agencies' matters."""
        query = select(Notice).where(Notice.person_id == person_id)
        if agencies is not None:
            query = query.where(Notice.agency.in_(agencies))
        query = query.order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id)
        return list((await self._db.execute(query)).scalars())

    async def get(self, notice_id: uuid.UUID) -> Notice | None:
        return await self._db.get(Notice, notice_id)

    async def mark_read(self, notice: Notice, now: dt.datetime) -> None:
        if notice.read_at is None:
            notice.read_at = utc(now)

    async def preferences(self, person_id: uuid.UUID) -> Preferences:
        row = await self._db.get(NotificationPreference, person_id)
        if row is None:
            return Preferences()
        return Preferences(row.email, row.phone, row.by_email, row.by_sms, row.by_eadrese, row.language)

    async def save_preferences(self, person_id: uuid.UUID, chosen: Preferences, now: dt.datetime) -> None:
        row = await self._db.get(NotificationPreference, person_id)
        if row is None:
            row = NotificationPreference(person_id=person_id)
            self._db.add(row)
        row.email, row.phone, row.by_email, row.by_sms = chosen.email, chosen.phone, chosen.by_email, chosen.by_sms
        row.by_eadrese, row.language, row.updated_at = chosen.by_eadrese, chosen.language, utc(now)


class MailQueue:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    def enqueue(self, notice: Notice, channel: str, address: str | None, language: str, now: dt.datetime) -> None:
        self._db.add(
            NoticeMail(
                id=uuid.uuid4(),
                notice_id=notice.id,
                channel=channel,
                address=address,
                language=language,
                status=SENDING,
                attempts=0,
                next_attempt_at=utc(now),
            )
        )

    async def claim(self, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[NoticeMail]:
        """Takes due mails for `lease`: a mail is taken by exactly one worker (the conditional update)."""
        now = utc(now)
        due = await self._db.execute(
            select(NoticeMail.id)
            .where(NoticeMail.status == SENDING, NoticeMail.next_attempt_at <= now)
            .order_by(NoticeMail.next_attempt_at)
            .limit(limit)
        )
        taken = []
        for mail_id in due.scalars():
            result = await self._db.execute(
                update(NoticeMail)
                .where(NoticeMail.id == mail_id, NoticeMail.status == SENDING, NoticeMail.next_attempt_at <= now)
                .values(next_attempt_at=now + lease, attempts=NoticeMail.attempts + 1)
                .returning(NoticeMail.id)
            )
            if result.first() is not None:
                taken.append(mail_id)
        if not taken:
            return []
        rows = await self._db.execute(select(NoticeMail).where(or_(*(NoticeMail.id == i for i in taken))))
        return list(rows.scalars())

    async def personal_code(self, mail: NoticeMail) -> str | None:
        """Whom an e-adrese message goes to: the notice's person, read when it is sent (never kept with it)."""
        code: str | None = await self._db.scalar(
            select(Person.personal_code).join(Notice, Notice.person_id == Person.id).where(Notice.id == mail.notice_id)
        )
        return code

    async def sent(self, mail_id: uuid.UUID, now: dt.datetime) -> None:
        await self._db.execute(
            update(NoticeMail).where(NoticeMail.id == mail_id).values(status=SENT, sent_at=utc(now), last_error=None)
        )

    async def failed(self, mail_id: uuid.UUID, error: str, retry_at: dt.datetime | None) -> None:
        """A refused or failed send: tried again at `retry_at`, or given up when None."""
        values = {"last_error": error[:300], "status": SENDING if retry_at else GIVEN_UP}
        if retry_at is not None:
            values["next_attempt_at"] = utc(retry_at)  # type: ignore[assignment]
        await self._db.execute(update(NoticeMail).where(NoticeMail.id == mail_id).values(**values))
