"""The worker's notice tasks.

`NoticeTask` reads the kept sync answers (portal/sync) and open drafts on the business clock and keeps a notice
for each fact that calls for one (portal/notices/facts.py), once per person, kind and fact; a new notice of a
person who chose e-mail gets its e-mail queued in the same transaction. `NoticeMailTask` sends queued e-mails,
each claimed with a lease, and retries a refused one with a growing delay; the notice is in the inbox either way.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.outbox_models import Submission, SubmissionStatus
from portal.clock import Clock
from portal.notices import facts
from portal.notices.mail import EAddressSender, MailRefused, MailSender, SmsSender, notice_mail, sms_text
from portal.notices.models import NoticeMail
from portal.notices.store import MailQueue, NoticeStore
from portal.people.models import Person
from portal.representation.models import Mandate
from portal.sync.models import KeptAnswer
from portal.sync.service import APPLICATIONS, DISABILITY_STATUS, ENTITLEMENTS, VDEAVK, VSAA
from portal.sync.store import aware

log = structlog.get_logger("portal.notices")
RIGA = ZoneInfo("Europe/Riga")
EMAIL, SMS, EADRESE = "email", "sms", "eadrese"


class NoticeTask:
    name = "notices"

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def run_once(self, now: dt.datetime) -> int:
        today = await self._clock.today()
        async with self._sessions() as db, db.begin():
            wanted = await _from_kept_answers(db, today)
            wanted += await _from_drafts(db, now)
            wanted += await _from_refused_submissions(db)
            wanted += await _from_mandates(db, today)
            return await _keep(db, wanted, today, now)


async def _from_kept_answers(db: AsyncSession, today: dt.date) -> list[tuple[uuid.UUID, facts.NewNotice]]:
    # Every kept answer of the two kinds is read each pass: a reminder is due because the business date moved,
    # not because an answer changed.
    rows = await db.execute(
        select(KeptAnswer.person_id, KeptAnswer.kind, KeptAnswer.payload).where(
            ((KeptAnswer.agency == VSAA) & KeptAnswer.kind.in_((ENTITLEMENTS, APPLICATIONS)))
            | ((KeptAnswer.agency == VDEAVK) & (KeptAnswer.kind == DISABILITY_STATUS))
        )
    )
    wanted = []
    for person_id, kind, payload in rows.all():
        if kind == ENTITLEMENTS:
            found = facts.entitlement_notices(payload)
        elif kind == APPLICATIONS:
            found = facts.application_notices(payload, today)
        else:
            found = facts.term_notices(payload, today)
        wanted += [(person_id, notice) for notice in found]
    return wanted


async def _from_drafts(db: AsyncSession, now: dt.datetime) -> list[tuple[uuid.UUID, facts.NewNotice]]:
    rows = await db.execute(
        select(Draft.id, Draft.applicant_id, Draft.service, Draft.agency, Draft.expires_at).where(
            Draft.status == DraftStatus.DRAFT.value,
            Draft.expires_at > now,
            Draft.expires_at <= now + facts.DRAFT_WARNING,
        )
    )
    return [
        (applicant, facts.draft_notice(str(draft_id), service, agency, aware(expires).astimezone(RIGA).date()))
        for draft_id, applicant, service, agency, expires in rows.all()
    ]


async def _from_refused_submissions(db: AsyncSession) -> list[tuple[uuid.UUID, facts.NewNotice]]:
    rows = await db.execute(
        select(
            Submission.id, Submission.applicant_id, Submission.reference, Submission.service, Submission.agency
        ).where(Submission.status == SubmissionStatus.NOT_DELIVERED.value)
    )
    return [
        (applicant, facts.not_delivered_notice(str(submission_id), reference, service, agency))
        for submission_id, applicant, reference, service, agency in rows.all()
    ]


async def _from_mandates(db: AsyncSession, today: dt.date) -> list[tuple[uuid.UUID, facts.NewNotice]]:
    grantor, holder = aliased(Person), aliased(Person)
    rows = await db.execute(
        select(Mandate, grantor, holder)
        .join(grantor, grantor.id == Mandate.grantor_id)
        .join(holder, holder.id == Mandate.holder_id)
    )
    wanted = []
    for mandate, granted_by, held_by in rows.all():
        about = facts.MandateFacts(
            str(mandate.id),
            (granted_by.id, f"{granted_by.given_name} {granted_by.family_name}"),
            (held_by.id, f"{held_by.given_name} {held_by.family_name}"),
            mandate.valid_until,
            mandate.ended_by_id,
            mandate.ended_at is not None,
        )
        wanted += facts.mandate_notices(about, today)
    return wanted


async def _keep(
    db: AsyncSession, wanted: Iterable[tuple[uuid.UUID, facts.NewNotice]], today: dt.date, now: dt.datetime
) -> int:
    store, queue = NoticeStore(db), MailQueue(db)
    wanted = list(wanted)
    known = await store.known(person_id for person_id, _ in wanted)
    made = 0
    for person_id, new in wanted:
        if (person_id, new.kind, new.fact) in known:
            continue  # the usual case on every pass after the first: nothing is written
        notice = await store.add_once(person_id, new, today, now)
        if notice is None:
            continue
        made += 1
        chosen = await store.preferences(person_id)
        if chosen.mails and chosen.email:
            queue.enqueue(notice, EMAIL, chosen.email, chosen.language, now)
        if chosen.by_sms and chosen.phone:
            queue.enqueue(notice, SMS, chosen.phone, chosen.language, now)
        if chosen.by_eadrese:
            queue.enqueue(notice, EADRESE, None, chosen.language, now)
    if made:
        log.info("notices_made", notices=made)
    return made


@dataclass(frozen=True)
class MailPolicy:
    backoff_base: dt.timedelta = dt.timedelta(seconds=30)
    backoff_cap: dt.timedelta = dt.timedelta(hours=1)
    max_attempts: int = 12  # about half a day of retries at the cap before it is given up
    lease: dt.timedelta = dt.timedelta(minutes=1)  # longer than one SMTP send's timeout
    batch_size: int = 20

    def retry_at(self, attempts: int, now: dt.datetime) -> dt.datetime | None:
        if attempts >= self.max_attempts:
            return None
        delay: dt.timedelta = self.backoff_base * 2 ** max(attempts - 1, 0)
        return now + min(self.backoff_cap, delay)


class NoticeMailTask:
    name = "notice_mail"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: MailSender,
        mail_from: str,
        public_url: str,
        policy: MailPolicy = MailPolicy(),
        eadrese: EAddressSender | None = None,
        sms: SmsSender | None = None,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._eadrese = eadrese
        self._sms = sms
        self._from = mail_from
        self._public_url = public_url
        self.policy = policy

    async def run_once(self, now: dt.datetime) -> int:
        async with self._sessions() as db, db.begin():
            queue = MailQueue(db)
            taken = await queue.claim(now, self.policy.lease, self.policy.batch_size)
            work = [_Send(m.id, m.channel, m.address, m.language, m.attempts, await _code_for(queue, m)) for m in taken]
        for send in work:
            # Sent outside any transaction: a slow SMTP server or e-adrese holds no database lock.
            try:
                await self._send(send)
            except MailRefused as refused:
                retry_at = None if refused.final else self.policy.retry_at(send.attempts, now)
                log.warning(
                    "notice_mail_refused", channel=send.channel, error=str(refused), retried=retry_at is not None
                )
                async with self._sessions() as db, db.begin():
                    await MailQueue(db).failed(send.id, str(refused), retry_at)
                continue
            async with self._sessions() as db, db.begin():
                await MailQueue(db).sent(send.id, now)
        return len(work)

    async def _send(self, send: _Send) -> None:
        if send.channel == EADRESE:
            if self._eadrese is None or send.personal_code is None:
                raise MailRefused("e-adrese is not configured", final=True)
            await self._eadrese.send(send.personal_code, send.language, str(send.id))
            return
        if send.address is None:
            raise MailRefused("no address", final=True)
        if send.channel == SMS:
            if self._sms is None:
                raise MailRefused("SMS is not configured", final=True)
            await self._sms.send(send.address, sms_text(send.language, self._public_url))
            return
        await self._sender.send(notice_mail(send.address, self._from, self._public_url, send.language))


@dataclass(frozen=True)
class _Send:
    id: uuid.UUID
    channel: str
    address: str | None
    language: str
    attempts: int
    personal_code: str | None  # e-adrese only


async def _code_for(queue: MailQueue, mail: NoticeMail) -> str | None:
    return await queue.personal_code(mail) if mail.channel == EADRESE else None
