"""Sync: a sign-in leaves a request, the worker task keeps the agencies' answers for the person and everyone
they act for, refreshes them on an interval, leaves them in place when an agency fails, and sweeps unused ones.

The first tests run the task on a real (migrated) database with small fake agencies and a fixed `now`; the
last ones sign in through the dev IdP and let the task ask the sandbox's VSAA over HTTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.population_register import RegisterPerson, Representation
from portal.db.engine import create_engine, session_factory
from portal.people.service import PersonDirectory
from portal.representation.service import Grant, MandateService
from portal.settings import Settings
from portal.sync.models import KeptAnswer, SyncRequest
from portal.sync.service import (
    APPLICATIONS,
    DISABILITY_STATUS,
    ENTITLEMENTS,
    STATEMENT_SUMMARY,
    VSAA,
    vsaa_sources,
)
from portal.sync.store import KeptAnswers, SyncRequests, aware
from portal.sync.worker import SyncPolicy, SyncTask, sync_sources
from tests.integration.test_representation import person_id
from tests.integration.test_sign_in import sign_in

# Claiming (leases, conditional updates) must hold on PostgreSQL as on SQLite: this module runs in both tiers.
pytestmark = pytest.mark.postgres

ANNA, ELZA = "050694-14213", "329011-52842"
ILZE, KRISTAPS, RASMA = "220470-16382", "327512-84427", "011245-11123"
JANIS = "150162-12342"
T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
KINDS = {STATEMENT_SUMMARY, APPLICATIONS, ENTITLEMENTS}


class Answer(BaseModel):
    as_of: dt.datetime
    about: str
    version: int


class FakeVsaa:
    """VSAA's three read-only questions; counts calls, and fails every one while `down`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.down = False
        self.version = 1

    async def _answer(self, kind: str, code: str) -> Answer:
        self.calls.append((kind, code))
        if self.down:
            raise AgencyUnavailable("vsaa: answered 503", "vsaa")
        return Answer(as_of=T0 - dt.timedelta(hours=1), about=code, version=self.version)

    async def statement_summary(self, personal_code: str) -> Answer:
        return await self._answer(STATEMENT_SUMMARY, personal_code)

    async def entitlements(self, personal_code: str) -> Answer:
        return await self._answer(ENTITLEMENTS, personal_code)

    async def applications_of(self, personal_code: str) -> Answer:
        return await self._answer(APPLICATIONS, personal_code)


CHILDREN = {ANNA: [(ELZA, "Elza", "Kalniņa")], ILZE: [(KRISTAPS, "Kristaps", "Liepa")]}


class FakeRegister:
    """Anna is Elza's parent and Ilze Kristaps's guardian; `down` makes the register fail."""

    def __init__(self) -> None:
        self.down = False

    async def person(self, personal_code: str) -> RegisterPerson | None:
        return None

    async def represented_by(self, personal_code: str) -> list[Representation]:
        if self.down:
            raise AgencyUnavailable("pmlp: answered 503", "pmlp")
        return [
            Representation(
                relation="parent" if code == ELZA else "guardian",
                guardian_kind=None if code == ELZA else "aizbildnis",
                person=RegisterPerson(personal_code=code, given_name=given, family_name=family, birth_date=None),
            )
            for code, given, family in CHILDREN.get(personal_code, [])
        ]


class FixedClock:
    async def today(self) -> dt.date:
        return dt.date(2026, 11, 20)


@pytest.fixture
async def db_sessions(migrated: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated.database_url)
    yield session_factory(engine)
    await engine.dispose()


@pytest.fixture
def vsaa() -> FakeVsaa:
    return FakeVsaa()


@pytest.fixture
def register() -> FakeRegister:
    return FakeRegister()


@pytest.fixture
def task(db_sessions: async_sessionmaker[AsyncSession], vsaa: FakeVsaa, register: FakeRegister) -> SyncTask:
    return SyncTask(db_sessions, vsaa_sources(vsaa, vsaa), register, FixedClock(), SyncPolicy(max_attempts=2))


async def meet(db_sessions: async_sessionmaker[AsyncSession], code: str, given: str = "Persona") -> uuid.UUID:
    async with db_sessions() as db, db.begin():
        return (await PersonDirectory(db).meet(code, given, code[-5:])).id


async def request(db_sessions: async_sessionmaker[AsyncSession], person_id: uuid.UUID, now: dt.datetime) -> None:
    async with db_sessions() as db, db.begin():
        await SyncRequests(db).request(person_id, now)


async def kept(db_sessions: async_sessionmaker[AsyncSession], person_id: uuid.UUID) -> dict[str, KeptAnswer]:
    async with db_sessions() as db:
        rows = await db.execute(select(KeptAnswer).where(KeptAnswer.person_id == person_id))
        return {row.kind: row for row in rows.scalars()}


async def waiting_requests(db_sessions: async_sessionmaker[AsyncSession]) -> int:
    async with db_sessions() as db:
        return int((await db.execute(select(func.count()).select_from(SyncRequest))).scalar_one())


def utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def test_a_sign_in_request_syncs_the_person_and_whom_they_act_for(db_sessions, task, vsaa):
    anna = await meet(db_sessions, ANNA, "Anna")
    await request(db_sessions, anna, T0)
    assert await task.run_once(T0) >= 1
    elza = (await person_by_code(db_sessions, ELZA)).id
    for subject, code in ((anna, ANNA), (elza, ELZA)):
        answers = await kept(db_sessions, subject)
        assert set(answers) == KINDS
        for answer in answers.values():
            assert answer.agency == VSAA and answer.payload["about"] == code
            assert utc(answer.as_of) == T0 - dt.timedelta(hours=1) and utc(answer.fetched_at) == T0
    assert sorted(code for _, code in vsaa.calls) == sorted([ANNA] * 3 + [ELZA] * 3)
    assert await waiting_requests(db_sessions) == 0, "a done request is gone"


async def person_by_code(db_sessions, code):
    async with db_sessions() as db:
        person = await PersonDirectory(db).by_code(code)
        assert person is not None, f"{code} was never met"
        return person


async def test_a_mandate_reaches_only_the_agencies_it_covers(db_sessions, task, vsaa):
    ilze = await meet(db_sessions, ILZE, "Ilze")
    rasma = await meet(db_sessions, RASMA, "Rasma")
    janis = await meet(db_sessions, JANIS, "Jānis")
    async with db_sessions() as db, db.begin():
        mandates = MandateService(db)
        await mandates.grant(rasma, Grant(ilze, ("VSAA",), dt.date(2027, 12, 31)), dt.date(2026, 11, 20))
        await mandates.grant(janis, Grant(ilze, ("VDEAVK",), dt.date(2027, 12, 31)), dt.date(2026, 11, 20))
    await request(db_sessions, ilze, T0)
    await task.run_once(T0)
    asked = {code for _, code in vsaa.calls}
    assert asked == {ILZE, KRISTAPS, RASMA}, "a VDEĀVK-only mandate must not fetch VSAA data"
    assert set(await kept(db_sessions, rasma)) == KINDS and not await kept(db_sessions, janis)


async def test_the_refresh_interval_is_honoured(db_sessions, task, vsaa):
    janis = await meet(db_sessions, JANIS, "Jānis")
    await request(db_sessions, janis, T0)
    await task.run_once(T0)
    vsaa.calls.clear()
    vsaa.version = 2
    assert await task.run_once(T0 + dt.timedelta(minutes=29)) == 0
    assert vsaa.calls == [], "refreshed before the interval"
    assert (await kept(db_sessions, janis))[STATEMENT_SUMMARY].payload["version"] == 1
    await task.run_once(T0 + dt.timedelta(minutes=31))
    assert len(vsaa.calls) == 3
    answers = await kept(db_sessions, janis)
    assert all(a.payload["version"] == 2 for a in answers.values())
    assert all(utc(a.fetched_at) == T0 + dt.timedelta(minutes=31) for a in answers.values())


async def test_a_refresh_asks_only_for_what_was_kept(db_sessions, task, vsaa):
    """A refresh never widens what is held about a person (say, a grantor first synced for one agency only)."""
    janis = await meet(db_sessions, JANIS, "Jānis")
    async with db_sessions() as db, db.begin():
        await KeptAnswers(db).keep(janis, VSAA, STATEMENT_SUMMARY, {"v": 1}, T0, T0)
    await task.run_once(T0 + dt.timedelta(minutes=31))
    assert vsaa.calls == [(STATEMENT_SUMMARY, JANIS)]
    assert set(await kept(db_sessions, janis)) == {STATEMENT_SUMMARY}


async def test_a_failing_agency_leaves_the_kept_answer(db_sessions, task, vsaa):
    janis = await meet(db_sessions, JANIS, "Jānis")
    await request(db_sessions, janis, T0)
    await task.run_once(T0)
    vsaa.down, vsaa.version = True, 2
    later = T0 + dt.timedelta(minutes=31)
    await task.run_once(later)
    answers = await kept(db_sessions, janis)
    assert set(answers) == KINDS
    for answer in answers.values():
        assert answer.payload["version"] == 1 and utc(answer.fetched_at) == T0, "the old answer stays"
        assert utc(answer.checked_at) == later, "the attempt is recorded"
    vsaa.calls.clear()
    await task.run_once(later + dt.timedelta(minutes=5))
    assert vsaa.calls == [], "a failing agency is not asked again before the interval"


async def test_a_failed_sync_request_is_retried_then_given_up(db_sessions, task, vsaa):
    laura = await meet(db_sessions, "080890-17710", "Laura")
    vsaa.down = True
    await request(db_sessions, laura, T0)
    await task.run_once(T0)
    assert await waiting_requests(db_sessions) == 1, "kept for another try"
    vsaa.calls.clear()
    await task.run_once(T0 + dt.timedelta(seconds=30))
    assert vsaa.calls == [], "retried before its delay"
    vsaa.down = False
    await task.run_once(T0 + dt.timedelta(minutes=2))
    assert set(await kept(db_sessions, laura)) == KINDS and await waiting_requests(db_sessions) == 0
    vsaa.down = True
    await request(db_sessions, laura, T0 + dt.timedelta(minutes=3))
    for minute in (3, 5, 7):
        await task.run_once(T0 + dt.timedelta(minutes=minute))
    assert await waiting_requests(db_sessions) == 0, "given up after max_attempts"


async def test_the_register_down_keeps_the_request_for_another_try(db_sessions, task, vsaa, register):
    anna = await meet(db_sessions, ANNA, "Anna")
    register.down = True
    await request(db_sessions, anna, T0)
    await task.run_once(T0)
    assert set(await kept(db_sessions, anna)) == KINDS, "Anna herself is synced"
    assert await waiting_requests(db_sessions) == 1, "Elza is not known yet: the request waits"
    register.down = False
    await task.run_once(T0 + dt.timedelta(minutes=2))
    assert set(await kept(db_sessions, (await person_by_code(db_sessions, ELZA)).id)) == KINDS


async def test_unused_answers_are_swept_and_used_ones_kept(db_sessions, task):
    janis, anna = await meet(db_sessions, JANIS), await meet(db_sessions, ANNA)
    async with db_sessions() as db, db.begin():
        answers = KeptAnswers(db)
        await answers.keep(janis, VSAA, STATEMENT_SUMMARY, {"v": 1}, T0, T0)
        await answers.keep(anna, VSAA, STATEMENT_SUMMARY, {"v": 1}, T0, T0)
    async with db_sessions() as db, db.begin():
        # Janis opens his statements 20 days later: that is a use.
        assert await KeptAnswers(db).latest(janis, VSAA, STATEMENT_SUMMARY, used_at=T0 + dt.timedelta(days=20))
    task.policy = SyncPolicy(refresh_interval=dt.timedelta(days=365))
    await task.run_once(T0 + dt.timedelta(days=31))
    assert await kept(db_sessions, janis) and not await kept(db_sessions, anna)


async def test_every_kept_answer_query_names_its_person(db_sessions):
    janis, anna = await meet(db_sessions, JANIS), await meet(db_sessions, ANNA)
    async with db_sessions() as db, db.begin():
        answers = KeptAnswers(db)
        await answers.keep(janis, VSAA, STATEMENT_SUMMARY, {"who": "janis"}, T0, T0)
        assert await answers.latest(anna, VSAA, STATEMENT_SUMMARY) is None
        await answers.keep(janis, VSAA, STATEMENT_SUMMARY, {"who": "janis", "v": 2}, T0, T0)
        found = await answers.latest(janis, VSAA, STATEMENT_SUMMARY)
        assert found is not None and found.payload == {"who": "janis", "v": 2}
    assert len(await kept(db_sessions, janis)) == 1, "one row per (person, agency, kind, key)"


async def test_two_workers_never_take_the_same_request(db_sessions):
    ids = [await meet(db_sessions, code) for code in (JANIS, ANNA, ILZE, RASMA)]
    for each in ids:
        await request(db_sessions, each, T0)

    async def claim() -> list[uuid.UUID]:
        async with db_sessions() as db, db.begin():
            return await SyncRequests(db).claim(T0, dt.timedelta(minutes=2), 10)

    first, second = await asyncio.gather(claim(), claim())
    assert sorted(first + second) == sorted(ids) and not set(first) & set(second)
    assert await claim() == [], "leased"
    async with db_sessions() as db, db.begin():
        assert len(await SyncRequests(db).claim(T0 + dt.timedelta(minutes=3), dt.timedelta(minutes=2), 10)) == 4


async def test_a_sign_in_renews_a_request_the_worker_finishes_meanwhile(db_sessions):
    """The sign-in's request and the worker's `done` for the same person interleave: the sign-in neither fails
    (once a StaleDataError: the row it had read was gone when it wrote) nor is lost."""
    janis = await meet(db_sessions, JANIS, "Jānis")
    await request(db_sessions, janis, T0)
    async with db_sessions() as signing_in, signing_in.begin():
        seen = await signing_in.get(SyncRequest, janis)  # read by this transaction, and held in its identity map
        assert seen is not None
        async with db_sessions() as worker, worker.begin():
            await SyncRequests(worker).done(janis)
        await SyncRequests(signing_in).request(janis, T0 + dt.timedelta(minutes=1))
    async with db_sessions() as db:
        row = await db.get(SyncRequest, janis)
        assert row is not None and aware(row.requested_at) == T0 + dt.timedelta(minutes=1) and row.attempts == 0


# Against the sandbox's agencies over HTTP, after a real sign-in.


@pytest.fixture
def live_settings(live_settings):
    """No worker in the web process: the test runs the task itself, with a fixed `now`."""
    return live_settings.model_copy(update={"worker_in_web": False})


@pytest.fixture
def vsaa_fault(live_sandbox):
    def set_mode(mode: str) -> None:
        httpx.put(f"{live_sandbox.url}/_control/faults/vsaa", json={"mode": mode}).raise_for_status()

    yield set_mode
    set_mode("ok")


def live_task(client) -> SyncTask:
    agencies = client.app.state.agencies
    return SyncTask(client.app.state.db_sessions, sync_sources(agencies), agencies.population_register, FixedClock())


def live_kept(client, code: str) -> dict[str, KeptAnswer]:
    return client.blocking_portal.call(kept, client.app.state.db_sessions, person_id(client, code))


def test_signing_in_fills_kept_answers_for_anna_and_elza(live_client):
    sign_in(live_client, personal_code=ANNA)
    sessions = live_client.app.state.db_sessions
    assert live_client.blocking_portal.call(waiting_requests, sessions) == 1, "sign-in left a request"
    assert not live_kept(live_client, ANNA), "and did not wait on an agency itself"
    live_client.blocking_portal.call(live_task(live_client).run_once, T0)
    for code in (ANNA, ELZA):
        answers = live_kept(live_client, code)
        assert set(answers) == KINDS | {DISABILITY_STATUS}, code
        summary = answers[STATEMENT_SUMMARY].payload
        assert len(summary["statements"]) == 12 and "applications" in answers[APPLICATIONS].payload
        assert all(utc(a.fetched_at) == T0 and a.as_of is not None for a in answers.values())
    assert live_client.blocking_portal.call(waiting_requests, sessions) == 0


def test_vsaa_down_leaves_the_kept_answers_and_the_others_are_refreshed(live_client, vsaa_fault):
    sign_in(live_client, personal_code=JANIS)
    task = live_task(live_client)
    live_client.blocking_portal.call(task.run_once, T0)
    before = live_kept(live_client, JANIS)
    vsaa_fault("down")
    later = T0 + dt.timedelta(hours=1)
    live_client.blocking_portal.call(task.run_once, later)
    after = live_kept(live_client, JANIS)
    for kind in KINDS:
        assert after[kind].payload == before[kind].payload and utc(after[kind].fetched_at) == T0, kind
        assert utc(after[kind].checked_at) == later
    assert utc(after[DISABILITY_STATUS].fetched_at) == later, "VDEĀVK answered, so its answer is fresh"
