"""The queries behind kept answers and sync requests.

Every query about an answer's content names the person it is about. The worker's own queries (which persons
are due, the retention sweep) read ids and times only, never a payload.

Retention: a kept answer is a personal record. It lives while it is used (a sign-in of the person or of someone
acting for them, or a page showing it, moves `used_at`, at most once per `USE_MARK_INTERVAL` so reads do not
all become writes); the worker's sweep deletes answers unused for `RETENTION`. A person who comes back after
that simply gets their data fetched again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.sync.models import KeptAnswer, SyncRequest

RETENTION = dt.timedelta(days=30)
USE_MARK_INTERVAL = dt.timedelta(hours=1)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes for what was stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def utc(value: dt.datetime) -> dt.datetime:
    """What is stored is UTC: SQLite drops the offset without converting, so 08:00+02:00 would come back 08:00Z."""
    return aware(value).astimezone(dt.UTC)


@dataclass(frozen=True)
class Kept:
    """A kept answer as a page uses it: the payload and how current it is."""

    payload: Any
    as_of: dt.datetime
    fetched_at: dt.datetime
    checked_at: dt.datetime  # later than fetched_at when the last attempt failed


class KeptAnswers:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def _row(self, person_id: uuid.UUID, agency: str, kind: str, key: str) -> KeptAnswer | None:
        result = await self._db.execute(
            select(KeptAnswer).where(
                KeptAnswer.person_id == person_id,
                KeptAnswer.agency == agency,
                KeptAnswer.kind == kind,
                KeptAnswer.key == key,
            )
        )
        return result.scalar_one_or_none()

    async def keep(
        self,
        person_id: uuid.UUID,
        agency: str,
        kind: str,
        payload: Any,
        as_of: dt.datetime,
        now: dt.datetime,
        key: str = "",
    ) -> None:
        """Replaces the kept answer (or keeps the first one); a new answer counts as used."""
        as_of, now = utc(as_of), utc(now)
        row = await self._row(person_id, agency, kind, key)
        if row is None:
            row = KeptAnswer(
                id=uuid.uuid4(),
                person_id=person_id,
                agency=agency,
                kind=kind,
                key=key,
                payload=payload,
                as_of=as_of,
                fetched_at=now,
                checked_at=now,
                used_at=now,
            )
            try:
                async with self._db.begin_nested():
                    self._db.add(row)
                return
            except IntegrityError:
                # Kept at the same moment by another request or worker: update theirs.
                row = await self._row(person_id, agency, kind, key)
                assert row is not None
        row.payload, row.as_of, row.fetched_at, row.checked_at = payload, as_of, now, now
        row.used_at = max(aware(row.used_at), now)

    async def latest(
        self, person_id: uuid.UUID, agency: str, kind: str, key: str = "", used_at: dt.datetime | None = None
    ) -> Kept | None:
        """The kept answer, or None. `used_at`: a page shows it now, which keeps it from the retention sweep."""
        row = await self._row(person_id, agency, kind, key)
        if row is None:
            return None
        if used_at is not None and used_at - aware(row.used_at) >= USE_MARK_INTERVAL:
            row.used_at = used_at
        return Kept(row.payload, aware(row.as_of), aware(row.fetched_at), aware(row.checked_at))

    async def checked(self, person_id: uuid.UUID, agency: str, kind: str, now: dt.datetime, key: str = "") -> None:
        """An attempt that failed: the kept answer stays as it was, and waits a refresh interval to be tried again."""
        await self._db.execute(
            update(KeptAnswer)
            .where(
                KeptAnswer.person_id == person_id,
                KeptAnswer.agency == agency,
                KeptAnswer.kind == kind,
                KeptAnswer.key == key,
            )
            .values(checked_at=now)
        )

    async def mark_used(self, person_id: uuid.UUID, now: dt.datetime) -> None:
        await self._db.execute(update(KeptAnswer).where(KeptAnswer.person_id == person_id).values(used_at=now))

    async def due(self, checked_before: dt.datetime, limit: int) -> list[uuid.UUID]:
        """Persons with an answer not checked since `checked_before`, the longest waiting first. Keyed answers
        are left out: the page that keeps them refreshes them (portal/sync/service.py, `Source.key`)."""
        result = await self._db.execute(
            select(KeptAnswer.person_id)
            .where(KeptAnswer.checked_at < checked_before, KeptAnswer.key == "")
            .group_by(KeptAnswer.person_id)
            .order_by(func.min(KeptAnswer.checked_at))
            .limit(limit)
        )
        return list(result.scalars())

    async def sweep(self, unused_since: dt.datetime) -> int:
        """Deletes answers nobody has used since `unused_since`; returns how many."""
        result = await self._db.execute(
            delete(KeptAnswer).where(KeptAnswer.used_at < unused_since).returning(KeptAnswer.id)
        )
        return len(result.all())


class SyncRequests:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def request(self, person_id: uuid.UUID, now: dt.datetime) -> None:
        """Asks the worker to sync this person soon; a request already waiting is renewed, not doubled.

        One upsert statement, not read-then-write: the worker may delete the row (done) between a read and the
        flush, which would make the flush fail (StaleDataError) and the sign-in with it. A new sign-in is a new
        reason to try, so the count of failed attempts starts again; a lease (not_before) stays, so a worker busy
        with this person is not joined by a second one."""
        insert = pg_insert if self._db.bind.dialect.name == "postgresql" else sqlite_insert
        await self._db.execute(
            insert(SyncRequest)
            .values(person_id=person_id, requested_at=now, not_before=None, attempts=0)
            .on_conflict_do_update(index_elements=[SyncRequest.person_id], set_={"requested_at": now, "attempts": 0})
        )

    async def claim(self, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[uuid.UUID]:
        """Takes up to `limit` waiting requests for `lease`: a request is taken by exactly one worker (the
        conditional update), and one whose lease lapsed, its worker gone, is taken again."""
        waiting = await self._db.execute(
            select(SyncRequest.person_id)
            .where(or_(SyncRequest.not_before.is_(None), SyncRequest.not_before <= now))
            .order_by(SyncRequest.requested_at)
            .limit(limit)
        )
        taken = []
        for person_id in waiting.scalars():
            result = await self._db.execute(
                update(SyncRequest)
                .where(
                    SyncRequest.person_id == person_id,
                    or_(SyncRequest.not_before.is_(None), SyncRequest.not_before <= now),
                )
                .values(not_before=now + lease, attempts=SyncRequest.attempts + 1)
                .returning(SyncRequest.person_id)
            )
            if result.first() is not None:
                taken.append(person_id)
        return taken

    async def done(self, person_id: uuid.UUID) -> None:
        await self._db.execute(delete(SyncRequest).where(SyncRequest.person_id == person_id))

    async def retry_later(self, person_id: uuid.UUID, at: dt.datetime, max_attempts: int) -> bool:
        """After a failed sync: try again at `at`, or give the request up after `max_attempts` (the refresh
        interval takes over for whatever was kept). Returns whether it will be tried again."""
        row = await self._db.get(SyncRequest, person_id)
        if row is None:
            return False
        if row.attempts >= max_attempts:
            await self._db.delete(row)
            return False
        row.not_before = at
        return True
