"""The outbox: a submission is accepted by writing a row, and delivered only from that row, by the worker.

`OutboxService.submit` writes the `Submission` in the caller's transaction (the request's), with its reference
and a random idempotency key, and never calls the agency: once the request commits, the submission exists even
if the process dies the next instant, and until it commits, nothing has been sent.

`OutboxDelivery` is the worker's task. It claims due rows with a *lease*: one conditional UPDATE sets
`lease_until`/`lease_owner` only where the row is still `sending`, due, and not leased (or its lease lapsed), and
the rows it returns are the ones this worker holds. On PostgreSQL the candidates are chosen with
`FOR UPDATE SKIP LOCKED` so that concurrent workers pick different rows instead of colliding; on SQLite writers
are serialised anyway. A worker that dies holding a lease loses it when the lease lapses, and another worker
takes the row again. The agency registers a re-delivered submission once because every attempt carries the
row's idempotency key. Outcomes: a receipt → `received`; the agency unavailable → `sending` again, due after an
exponential backoff with jitter (capped); the agency refusing it (4xx) → `not_delivered` with its reason.

Why a lease in the portal's own table rather than a queue library: the row the request commits *is* the queue,
so there is no second store to keep consistent with the database (no "committed but never enqueued" or
"enqueued but rolled back"); the same SQL works on SQLite (embedded) and PostgreSQL (services), where queue
libraries need Redis or PostgreSQL-only features; and the person's application status is that same row.
The lease must outlast one agency call (settings: `outbox_lease_seconds` > connect + read timeout), so that a
live worker never has its row taken from under it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.applications.delivery import Deliverer, Receipt
from portal.applications.outbox_models import DeliveryAgency, ReferenceCounter, Submission, SubmissionStatus
from portal.people.models import Person

log = structlog.get_logger("portal.outbox")
RIGA = ZoneInfo("Europe/Riga")
BASES = ("self", "parent", "guardian", "mandate", "assistant")
LAST_ERROR_MAX = 300
# What every agency's submission carries (the VSAA contract's shape); `extra` adds an agency's own fields.
COMMON_FIELDS = frozenset({"reference", "service", "applicant", "about_person", "filer", "answers", "submitted_at"})


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite keeps no offset, so every instant the outbox writes or compares is in UTC.
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class OutboxService:
    """Accepting submissions, in the caller's transaction (a request's `db_session`)."""

    def __init__(self, db: AsyncSession, now: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    async def submit(
        self,
        *,
        agency: DeliveryAgency | str,
        service: str,
        applicant: Person,
        filer: Person,
        basis: str,
        answers: Mapping[str, Any],
        about_person: Person | None = None,
        today: dt.date | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Submission:
        """Accepts a submission: assigns its reference, writes the row and flushes it; the caller's transaction
        commits it, and the worker delivers it after that. `today` is the business date (the reference's year;
        default: now in Riga). `answers` must be JSON (they travel to the agency as they are); `extra` holds an
        agency's own top-level request fields (VDEĀVK: `kind`, `self_assessment`; PASV: `municipality`)."""
        agency = DeliveryAgency(agency)
        if basis not in BASES:
            raise ValueError(f"unknown filing basis {basis!r}")
        if clash := set(extra or {}) & COMMON_FIELDS:
            raise ValueError(f"extra fields may not replace {sorted(clash)}")
        now = _utc(self._now())
        year = (today or now.astimezone(RIGA).date()).year
        reference = await self._next_reference(agency, year)
        payload = {
            "reference": reference,
            "service": service,
            "applicant": {"personal_code": applicant.personal_code},
            "about_person": {"personal_code": about_person.personal_code} if about_person else None,
            "filer": {"personal_code": filer.personal_code, "basis": basis},
            "answers": dict(answers),
            "submitted_at": now.isoformat().replace("+00:00", "Z"),
        }
        payload.update(extra or {})
        submission = Submission(
            id=uuid.uuid4(),
            agency=agency.value,
            service=service,
            reference=reference,
            idempotency_key=secrets.token_urlsafe(32),
            payload=payload,
            applicant_id=applicant.id,
            about_person_id=about_person.id if about_person else None,
            filer_id=filer.id,
            basis=basis,
            status=SubmissionStatus.SENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self._db.add(submission)
        await self._db.flush()
        log.info("outbox.accepted", submission=str(submission.id), agency=agency.value, service=service)
        return submission

    async def _next_reference(self, agency: DeliveryAgency, year: int) -> str:
        """One statement that creates or increments the counter row and returns the new number: atomic on
        SQLite (one writer) and PostgreSQL (the row stays locked until the caller's transaction ends)."""
        insert = pg_insert if self._db.bind.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(ReferenceCounter)
            .values(agency=agency.value, year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[ReferenceCounter.agency, ReferenceCounter.year],
                set_={"last_number": ReferenceCounter.last_number + 1},
            )
            .returning(ReferenceCounter.last_number)
        )
        number = (await self._db.execute(statement)).scalar_one()
        return f"{agency.reference_code}-{year}-{number:06d}"


@dataclass(frozen=True)
class DeliveryPolicy:
    """`lease_seconds` must outlast one agency call; `batch_size` rows are claimed and delivered at once."""

    backoff_base: float = 5.0
    backoff_cap: float = 900.0
    lease_seconds: float = 60.0
    batch_size: int = 20


def backoff_delay(attempts: int, base: float, cap: float, rng: random.Random) -> dt.timedelta:
    """Exponential in the attempts made (base, 2·base, 4·base, …, at most cap), jittered into its upper half
    so that rows that failed together do not all come back at the same instant."""
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class Claimed:
    id: uuid.UUID
    agency: str
    payload: dict[str, Any]
    idempotency_key: str
    attempts: int


class OutboxDelivery:
    """The worker task that delivers due submissions; several may run at once, in one process or many."""

    name = "outbox"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        deliverers: Mapping[str, Deliverer],
        policy: DeliveryPolicy | None = None,
        owner: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._sessions = sessions
        self._deliverers = dict(deliverers)
        self.policy = policy or DeliveryPolicy()
        self.owner = owner or f"outbox-{uuid.uuid4().hex[:12]}"
        # Jitter needs no secrecy: an unseeded PRNG is enough (and a seeded one makes tests repeatable).
        self._rng = rng or random.Random()  # noqa: S311

    async def run_once(self, now: dt.datetime) -> int:
        """Claims the due rows (up to a batch), delivers them concurrently, records each outcome; returns how
        many were claimed."""
        now = _utc(now)
        claimed = await self.claim(now)
        if claimed:
            await asyncio.gather(*(self._deliver(row, now) for row in claimed))
        return len(claimed)

    async def claim(self, now: dt.datetime) -> list[Claimed]:
        """Takes a lease on up to a batch of due rows; only the rows returned are this worker's to deliver."""
        now = _utc(now)
        async with self._sessions() as db, db.begin():
            candidates = select(Submission.id).where(_claimable(now)).order_by(Submission.next_attempt_at)
            candidates = candidates.limit(self.policy.batch_size)
            if db.bind.dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            ids = list((await db.execute(candidates)).scalars())
            if not ids:
                return []
            # The same condition again: between choosing and taking, another worker may have taken a row.
            statement = (
                update(Submission)
                .where(Submission.id.in_(ids), _claimable(now))
                .values(
                    lease_until=now + dt.timedelta(seconds=self.policy.lease_seconds),
                    lease_owner=self.owner,
                    attempts=Submission.attempts + 1,
                )
                .returning(
                    Submission.id,
                    Submission.agency,
                    Submission.payload,
                    Submission.idempotency_key,
                    Submission.attempts,
                )
                .execution_options(synchronize_session=False)
            )
            rows = (await db.execute(statement)).all()
        return [Claimed(row.id, row.agency, row.payload, row.idempotency_key, row.attempts) for row in rows]

    async def _deliver(self, row: Claimed, now: dt.datetime) -> None:
        deliverer = self._deliverers.get(row.agency)
        try:
            if deliverer is None:
                raise AgencyUnavailable(f"{row.agency}: no client configured", row.agency)
            receipt = await deliverer.deliver(row.payload, row.idempotency_key)
        except AgencyRefused as refusal:
            await self._settle(row, now, _refused(refusal))
            log.info("outbox.refused", submission=str(row.id), agency=row.agency, status=refusal.status)
        except AgencyUnavailable as exc:
            await self._retry_later(row, now, str(exc))
        except Exception as exc:
            # A defect (or a payload the client cannot build a request from): keep the row and retry, as for
            # an outage; the exception's text could quote the payload, so only its type is kept.
            log.exception("outbox.delivery_failed", submission=str(row.id), agency=row.agency)
            await self._retry_later(row, now, f"{row.agency}: {type(exc).__name__}")
        else:
            await self._settle(row, now, _received(receipt, now))
            log.info("outbox.delivered", submission=str(row.id), agency=row.agency, attempts=row.attempts)

    async def _retry_later(self, row: Claimed, now: dt.datetime, error: str) -> None:
        delay = backoff_delay(row.attempts, self.policy.backoff_base, self.policy.backoff_cap, self._rng)
        changes = {"next_attempt_at": now + delay, "last_error": error[:LAST_ERROR_MAX]}
        await self._settle(row, now, changes)
        log.info(
            "outbox.retry_later",
            submission=str(row.id),
            agency=row.agency,
            attempts=row.attempts,
            seconds=round(delay.total_seconds(), 1),
            error=error[:LAST_ERROR_MAX],
        )

    async def _settle(self, row: Claimed, now: dt.datetime, changes: dict[str, Any]) -> None:
        """Records an outcome and releases the lease, only while this worker still holds it: a worker whose
        lease lapsed and was taken over leaves the row to the one that holds it now."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Submission)
                .where(
                    Submission.id == row.id,
                    Submission.lease_owner == self.owner,
                    Submission.status == SubmissionStatus.SENDING.value,
                )
                .values(lease_until=None, lease_owner=None, **changes)
                .execution_options(synchronize_session=False)
            )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            log.warning("outbox.lease_lost", submission=str(row.id), agency=row.agency)


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return and_(
        Submission.status == SubmissionStatus.SENDING.value,
        Submission.next_attempt_at <= now,
        or_(Submission.lease_until.is_(None), Submission.lease_until < now),
    )


def _received(receipt: Receipt, now: dt.datetime) -> dict[str, Any]:
    return {
        "status": SubmissionStatus.RECEIVED.value,
        "agency_reference": receipt.agency_reference,
        "delivered_at": now,
        "last_error": None,
    }


def _refused(refusal: AgencyRefused) -> dict[str, Any]:
    return {
        "status": SubmissionStatus.NOT_DELIVERED.value,
        "refusal_reason": refusal.reason or str(refusal),
        "last_error": str(refusal)[:LAST_ERROR_MAX],
    }
