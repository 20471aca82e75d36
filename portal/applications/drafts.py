"""Drafts of e-applications: opened or resumed, saved page by page, submitted exactly once, swept when expired.

Exactly once: `submit` first *claims* the draft with one conditional UPDATE (`status` from draft to submitted,
only where it is still an open draft) and only the caller whose UPDATE changed the row writes a Submission. On
PostgreSQL a second submitter's UPDATE waits on the row lock until the first commits, then matches nothing; on
SQLite writers are serialised by the file lock (the UPDATE is the transaction's first write, and pysqlite opens
the transaction only then, so the loser reads the winner's commit afterwards). The loser then returns the winner's
Submission, so a double click shows one confirmation. Belt and braces: the submission carries the draft's
idempotency key and `drafts.submission_id` is unique, so even a broken claim could not make a second row.

Every instant the service writes or compares is in UTC (SQLite keeps no offset).
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import structlog
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.draft_models import Draft, DraftStatus, open_key
from portal.applications.outbox import OutboxService
from portal.applications.outbox_models import Submission
from portal.audit.service import AuditTrail
from portal.auth.access import Access, Actor, NotPermitted, Subject
from portal.people.models import Person

log = structlog.get_logger("portal.drafts")
SUBMITTED_ACTION = "application.submitted"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class DraftNotFound(NotPermitted):
    """No such draft, or it has expired. A NotPermitted too: a handler that only knows "refuse" refuses it, and a
    person cannot tell someone else's draft from one that does not exist."""


class DraftClosed(Exception):
    """The draft has been submitted (or deleted meanwhile): it can no longer be changed."""


class DraftTerms(Protocol):
    """What the service needs of a definition (portal.catalogue.definitions.Definition has it)."""

    @property
    def slug(self) -> str: ...

    @property
    def agency(self) -> str | None: ...

    @property
    def draft_days(self) -> int: ...


def _person_id(who: Subject | Actor | Person | uuid.UUID) -> uuid.UUID:
    if isinstance(who, uuid.UUID):
        return who
    return who.id if isinstance(who, Person) else who.person_id


def _covers(subject: Subject, agency: str | None) -> bool:
    # Mandates name agencies by their upper-case codes ("VSAA"), definitions and submissions by lower-case ones.
    return subject.covers(agency.upper() if agency else None)


class DraftService:
    def __init__(self, db: AsyncSession, now: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    def _utcnow(self) -> dt.datetime:
        return _utc(self._now())

    async def open_or_resume(
        self,
        definition: DraftTerms,
        subject: Subject,
        filer: Actor | Person | uuid.UUID,
        about: Subject | Person | uuid.UUID | None = None,
    ) -> Draft:
        """The open draft of this service for the subject (and the person it is about), or a new one. `subject` is
        the applicant as the actor may act for them; their basis must cover the service's agency. An expired
        draft is removed here rather than resumed (the sweeper may not have come yet)."""
        if not _covers(subject, definition.agency):
            raise NotPermitted()
        about_id = _person_id(about) if about is not None else None
        key = open_key(definition.slug, subject.person_id, about_id)
        now = self._utcnow()
        await self._db.execute(
            delete(Draft)
            .where(Draft.open_key == key, Draft.status == DraftStatus.DRAFT.value, Draft.expires_at <= now)
            .execution_options(synchronize_session=False)
        )
        # Insert unless an open draft holds the key: two tabs starting at once get the same draft, not an error.
        insert = pg_insert if self._db.bind.dialect.name == "postgresql" else sqlite_insert
        await self._db.execute(
            insert(Draft)
            .values(
                id=uuid.uuid4(),
                service=definition.slug,
                agency=definition.agency,
                applicant_id=subject.person_id,
                about_person_id=about_id,
                filer_id=_person_id(filer),
                basis=str(subject.basis),
                basis_ref=subject.basis_ref,
                answers={},
                prefilled={},
                created_at=now,
                updated_at=now,
                expires_at=now + dt.timedelta(days=definition.draft_days),
                idempotency_key=secrets.token_urlsafe(32),
                status=DraftStatus.DRAFT.value,
                open_key=key,
            )
            .on_conflict_do_nothing(index_elements=[Draft.open_key])
        )
        draft = await self._db.scalar(
            select(Draft).where(Draft.open_key == key).execution_options(populate_existing=True)
        )
        if draft is None:  # pragma: no cover - the row was inserted or already there, in this transaction
            raise DraftClosed()
        return draft

    async def find_open(
        self, definition: DraftTerms, subject: Subject, about: Subject | Person | uuid.UUID | None = None
    ) -> Draft | None:
        """The open, unexpired draft `open_or_resume` would resume, read without writing anything."""
        about_id = _person_id(about) if about is not None else None
        draft = await self._db.scalar(
            select(Draft).where(Draft.open_key == open_key(definition.slug, subject.person_id, about_id))
        )
        return None if draft is None or self._expired(draft) else draft

    async def open_of(self, person_id: uuid.UUID) -> list[Draft]:
        """The drafts not sent yet that a person applies in or that are about them (a child's benefit filed by a
        parent shows for both), the latest saved first."""
        drafts = await self._db.scalars(
            select(Draft)
            .where(
                Draft.status == DraftStatus.DRAFT.value,
                or_(Draft.applicant_id == person_id, Draft.about_person_id == person_id),
            )
            .order_by(Draft.updated_at.desc())
        )
        return list(drafts)

    async def get_for(self, draft_id: uuid.UUID, access: Access) -> Draft:
        """The draft, if the actor may act for its applicant in its agency's matters. Expired open drafts are not
        found."""
        draft = await self._db.get(Draft, draft_id, populate_existing=True)
        if draft is None or (draft.status == DraftStatus.DRAFT.value and self._expired(draft)):
            raise DraftNotFound()
        self.subject_for(draft, access)
        return draft

    @staticmethod
    def subject_for(draft: Draft, access: Access) -> Subject:
        """The applicant's subject, or NotPermitted. Representing the person a draft is about is not enough: a
        draft holds the applicant's own answers (their bank account, their income), and the child's other parent
        must not read them."""
        subject = access.find(draft.applicant_id)
        if subject is None or not _covers(subject, draft.agency):
            raise NotPermitted()
        return subject

    def _expired(self, draft: Draft) -> bool:
        return _utc(draft.expires_at) <= self._utcnow()

    async def save_page(
        self,
        draft: Draft,
        page: str,
        answers: dict[str, Any] | list[dict[str, Any]],
        prefilled: Mapping[str, Any] | None = None,
    ) -> Draft:
        """Replaces one page's answers (and its prefill provenance, when given) and starts the expiry term
        again from now."""
        if draft.status != DraftStatus.DRAFT.value:
            raise DraftClosed()
        now = self._utcnow()
        # The term the draft was opened with, kept as the distance between the two instants.
        term = _utc(draft.expires_at) - _utc(draft.updated_at)
        # New dicts, not in-place changes: a JSON column is only written when the attribute is replaced.
        draft.answers = {**draft.answers, page: answers}
        if prefilled is not None:
            draft.prefilled = {**draft.prefilled, page: dict(prefilled)}
        draft.updated_at = now
        draft.expires_at = now + term
        await self._db.flush()
        return draft

    async def delete(self, draft: Draft) -> None:
        """Deletes an open draft; a submitted one stays (it points at its submission)."""
        if draft.status != DraftStatus.DRAFT.value:
            raise DraftClosed()
        await self._db.delete(draft)
        await self._db.flush()

    async def submit(
        self,
        draft: Draft,
        outbox: OutboxService,
        today: dt.date,
        *,
        access: Access,
        answers: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Submission:
        """Submits the draft once, in the caller's transaction, filed by the actor for the draft's applicant;
        a second call (another click, another process) returns the same Submission. `answers` default to the
        draft's (a caller may leave out pages that no longer apply); `extra` goes to `OutboxService.submit`."""
        subject = access.find(draft.applicant_id)
        if subject is None or not _covers(subject, draft.agency):
            raise NotPermitted()
        if draft.agency is None:
            raise ValueError(f"{draft.service} goes to no agency: there is nothing to submit")
        now = self._utcnow()
        claim = await self._db.execute(
            update(Draft)
            .where(Draft.id == draft.id, Draft.status == DraftStatus.DRAFT.value, Draft.expires_at > now)
            .values(status=DraftStatus.SUBMITTED.value, open_key=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(claim, "rowcount", 0) != 1:
            return await self._submitted_already(draft)
        applicant = await self._person(draft.applicant_id)
        about = await self._person(draft.about_person_id) if draft.about_person_id else None
        filer = await self._person(access.actor.person_id)
        submission = await outbox.submit(
            agency=draft.agency,
            service=draft.service,
            applicant=applicant,
            filer=filer,
            basis=str(subject.basis),
            answers=draft.answers if answers is None else answers,
            about_person=about,
            today=today,
            extra=extra,
        )
        submission.idempotency_key = draft.idempotency_key
        await self._db.flush()
        await self._db.execute(
            update(Draft)
            .where(Draft.id == draft.id)
            .values(submission_id=submission.id)
            .execution_options(synchronize_session=False)
        )
        await AuditTrail(self._db, now=self._now).action(access.actor, subject, SUBMITTED_ACTION, submission.reference)
        await self._db.flush()
        await self._db.refresh(draft)
        log.info("draft.submitted", draft=str(draft.id), submission=str(submission.id), service=draft.service)
        return submission

    async def _submitted_already(self, draft: Draft) -> Submission:
        """The claim matched nothing: another submit won (return its Submission), or the draft is gone."""
        # Columns, not the ORM object: this session's copy of the draft predates the winner's commit.
        row = (await self._db.execute(select(Draft.status, Draft.submission_id).where(Draft.id == draft.id))).first()
        if row is None:
            raise DraftClosed()  # deleted meanwhile
        if row.status == DraftStatus.DRAFT.value:
            raise DraftNotFound()  # still open, so the claim failed on the expiry
        submission = await self._db.get(Submission, row.submission_id) if row.submission_id else None
        if submission is None:
            raise DraftClosed()
        await self._db.refresh(draft)
        return submission

    async def _person(self, person_id: uuid.UUID) -> Person:
        person = await self._db.get(Person, person_id)
        if person is None:
            raise NotPermitted()
        return person


class DraftSweeper:
    """The worker task that deletes open drafts past their expiry: what a person left unfinished is not kept."""

    name = "drafts"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def run_once(self, now: dt.datetime) -> int:
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                delete(Draft)
                .where(Draft.status == DraftStatus.DRAFT.value, Draft.expires_at <= _utc(now))
                .execution_options(synchronize_session=False)
            )
        swept = int(getattr(result, "rowcount", 0) or 0)
        if swept:
            log.info("drafts.swept", count=swept)
        return swept
