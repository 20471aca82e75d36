"""The worker's sync task: keeps the agencies' answers fresh so that pages do not wait on an agency.

Each pass (`run_once(now)`):
1. takes the sync requests that sign-ins left, resolves whom each person may act for (the same rules as a
   request: portal.auth.access) and refreshes them all;
2. refreshes the persons whose kept answers were last checked longer than `refresh_interval` ago;
3. deletes kept answers unused for `retention` (the retention rule of portal/sync/store.py).

Agency calls happen outside database transactions, so a slow agency never holds a database lock. Several
workers may run it at once: a sync request is taken with a lease, and a due person by moving their answers'
`checked_at` in one conditional update.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.agencies.population_register import PopulationRegister
from portal.agencies.registry import Agencies
from portal.assistant.service import IdentificationService
from portal.auth.access import AccessResolver
from portal.auth.sessions import LoadedSession, SessionData
from portal.clock import Clock
from portal.people.service import PersonDirectory
from portal.representation.service import MandateService
from portal.sync.models import KeptAnswer
from portal.sync.service import Source, fetch_all, keep_all, vdeavk_sources, vsaa_sources
from portal.sync.store import RETENTION, KeptAnswers, SyncRequests

log = structlog.get_logger("portal.sync")


@dataclass(frozen=True)
class SyncPolicy:
    refresh_interval: dt.timedelta = dt.timedelta(minutes=30)
    retention: dt.timedelta = RETENTION
    # Longer than a person's sync can take (three agency calls at once, each within the agency timeout).
    lease: dt.timedelta = dt.timedelta(minutes=2)
    retry_delay: dt.timedelta = dt.timedelta(minutes=1)
    max_attempts: int = 5
    batch_size: int = 20


def sync_sources(agencies: Agencies) -> tuple[Source, ...]:
    """What the worker keeps fresh: VSAA's statement summary, applications and unclaimed entitlements, and
    VDEĀVK's disability term."""
    return vsaa_sources(agencies.vsaa_data, agencies.vsaa_applications) + vdeavk_sources(agencies.vdeavk)


@dataclass(frozen=True)
class _Target:
    person_id: uuid.UUID
    personal_code: str


def _session_of(person_id: uuid.UUID, now: dt.datetime) -> LoadedSession:
    """AccessResolver reads the actor from a session; the worker has none, so it describes the citizen who
    signed in. Only `person_id` matters to the resolver, and nothing here is stored."""
    at = now.isoformat()
    data = SessionData(subject="", kind="citizen", started_at=at, last_active=at, claims={"person_id": str(person_id)})
    return LoadedSession(id="", data=data, expires_at=now, loaded_at=now)


class SyncTask:
    name = "sync"

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sources: Sequence[Source],
        register: PopulationRegister,
        clock: Clock,
        policy: SyncPolicy = SyncPolicy(),
    ) -> None:
        self._sessions = sessions
        self._sources = tuple(sources)
        self._register = register
        self._clock = clock
        self.policy = policy

    async def run_once(self, now: dt.datetime) -> int:
        handled = await self._requests(now)
        handled += await self._refreshes(now)
        async with self._sessions() as db, db.begin():
            swept = await KeptAnswers(db).sweep(now - self.policy.retention)
        if swept:
            log.info("sync_swept", answers=swept)
        return handled + swept

    async def _requests(self, now: dt.datetime) -> int:
        async with self._sessions() as db, db.begin():
            taken = await SyncRequests(db).claim(now, self.policy.lease, self.policy.batch_size)
        for actor_id in taken:
            failed = await self._sync_actor(actor_id, now)
            async with self._sessions() as db, db.begin():
                requests = SyncRequests(db)
                if not failed:
                    await requests.done(actor_id)
                elif not await requests.retry_later(actor_id, now + self.policy.retry_delay, self.policy.max_attempts):
                    log.warning("sync_request_given_up")
        return len(taken)

    async def _sync_actor(self, actor_id: uuid.UUID, now: dt.datetime) -> bool:
        """Refreshes the actor and everyone they may act for; True when any agency failed."""
        today = await self._clock.today()
        async with self._sessions() as db, db.begin():
            people = PersonDirectory(db)
            resolver = AccessResolver(people, self._register, MandateService(db), IdentificationService(db))
            access = await resolver.resolve(_session_of(actor_id, now), today, session_ref="sync")
            wanted = [s.person_id for s in access.subjects]
            found = await people.many(wanted)
            targets = [_Target(pid, found[pid].personal_code) for pid in wanted if pid in found]
            # Each source is asked only for subjects whose basis covers its agency (a mandate for VSAA only).
            covered = {
                s.person_id: {src.agency for src in self._sources if s.covers(src.agency.upper())}
                for s in access.subjects
            }
            answers = KeptAnswers(db)
            for target in targets:
                await answers.mark_used(target.person_id, now)  # a sign-in is a use of everyone's answers
        failed = access.register_unavailable
        for target in targets:
            sources = [src for src in self._sources if src.agency in covered.get(target.person_id, set())]
            failed |= await self._refresh(target, sources, now)
        return failed

    async def _refreshes(self, now: dt.datetime) -> int:
        """Refreshes what is due, and only that: a person's answers are fetched again only for the kinds kept for
        them (whose basis allowed it when they were first fetched), never more."""
        cutoff = now - self.policy.refresh_interval
        async with self._sessions() as db, db.begin():
            due = await KeptAnswers(db).due(cutoff, self.policy.batch_size)
            taken = {pid: kinds for pid in due if (kinds := await _take(db, pid, cutoff, now))}
            found = await PersonDirectory(db).many(taken)
        for person_id, kinds in taken.items():
            sources = [s for s in self._sources if (s.agency, s.kind) in kinds]
            if person_id in found:
                await self._refresh(_Target(person_id, found[person_id].personal_code), sources, now)
        return len(taken)

    async def _refresh(self, target: _Target, sources: Sequence[Source], now: dt.datetime) -> bool:
        """Asks the sources about one person and keeps what they answered; True when any failed."""
        if not sources:
            return False
        results = await fetch_all(sources, target.personal_code, now)
        async with self._sessions() as db, db.begin():
            await keep_all(KeptAnswers(db), target.person_id, results, now)
        return any(result.error is not None for result in results)


async def _take(db: AsyncSession, person_id: uuid.UUID, cutoff: dt.datetime, now: dt.datetime) -> set[tuple[str, str]]:
    """Claims a person's due answers for this worker (whoever moves their `checked_at` first refreshes them);
    returns their (agency, kind), empty when another worker was first. Keyed answers are not the worker's: moving
    their `checked_at` without asking would make their page say the agency failed."""
    result = await db.execute(
        update(KeptAnswer)
        .where(KeptAnswer.person_id == person_id, KeptAnswer.checked_at < cutoff, KeptAnswer.key == "")
        .values(checked_at=now)
        .returning(KeptAnswer.agency, KeptAnswer.kind)
    )
    return {(agency, kind) for agency, kind in result.all()}
