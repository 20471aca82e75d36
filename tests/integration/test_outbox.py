"""The outbox on a migrated database (SQLite, and PostgreSQL in its tier): accepting, claiming with a lease,
outcomes, backoff on the moved clock, and several workers at once. A fake agency here counts calls and catches
overlapping deliveries; the tests at the end do the same against the VSAA sandbox over HTTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.applications.delivery import Receipt
from portal.applications.outbox import DeliveryPolicy, OutboxDelivery, OutboxService
from portal.applications.outbox_models import ReferenceCounter, Submission
from portal.db.engine import create_engine, session_factory
from portal.people.models import Person
from portal.people.service import PersonDirectory

pytestmark = pytest.mark.postgres

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 20)
POLICY = DeliveryPolicy(backoff_base=5, backoff_cap=300, lease_seconds=30, batch_size=50)


class FakeAgency:
    """A deliverer that registers each idempotency key once, as the agencies do, and notes any delivery of a key
    that starts while another delivery of the same key is still under way."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.calls: Counter[str] = Counter()
        self.registered: dict[str, str] = {}
        self.overlaps: list[str] = []
        self._in_flight: set[str] = set()

    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt:
        self.calls[idempotency_key] += 1
        if idempotency_key in self._in_flight:
            self.overlaps.append(idempotency_key)
        self._in_flight.add(idempotency_key)
        try:
            for _ in range(5):  # an agency call takes a while: let other workers run meanwhile
                await asyncio.sleep(0)
            if self.mode == "down":
                raise AgencyUnavailable("vsaa: answered 503", "vsaa")
            if self.mode == "refuse":
                raise AgencyRefused("vsaa: refused (422)", "vsaa", 422, "Pakalpojums nav zināms.")
            if self.mode == "broken":
                raise ValueError(f"cannot build a request from {payload['applicant']}")
            self.registered.setdefault(idempotency_key, f"{payload['reference']}")
            return Receipt(self.registered[idempotency_key])
        finally:
            self._in_flight.discard(idempotency_key)


@pytest.fixture
async def sessions(migrated) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated.database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def people(sessions) -> dict[str, Person]:
    async with sessions() as db, db.begin():
        directory = PersonDirectory(db)
        return {
            "janis": await directory.meet("150162-12342", "Jānis", "Bērziņš"),
            "anna": await directory.meet("050694-14213", "Anna", "Kalniņa"),
            "elza": await directory.meet("329011-52842", "Elza", "Kalniņa"),
        }


async def submit(db: AsyncSession, people: dict[str, Person], agency: str = "vsaa", **overrides: Any) -> Submission:
    fields: dict[str, Any] = {
        "agency": agency,
        "service": "vecuma-pensija",
        "applicant": people["janis"],
        "filer": people["janis"],
        "basis": "self",
        "answers": {"start_date": "2027-01-15"},
        "today": TODAY,
        **overrides,
    }
    return await OutboxService(db, now=lambda: T0).submit(**fields)


async def submit_committed(sessions, people, count: int) -> list[Submission]:
    async with sessions() as db, db.begin():
        return [await submit(db, people) for _ in range(count)]


async def rows(sessions) -> list[Submission]:
    async with sessions() as db:
        return list((await db.execute(select(Submission).order_by(Submission.reference))).scalars())


def worker(sessions, agency: FakeAgency, owner: str = "w1", policy: DeliveryPolicy = POLICY) -> OutboxDelivery:
    return OutboxDelivery(sessions, {"vsaa": agency}, policy, owner=owner, rng=random.Random(3))


async def test_submitting_assigns_references_per_agency_and_year_and_keeps_what_is_sent(sessions, people):
    async with sessions() as db, db.begin():
        first = await submit(db, people)
        second = await submit(db, people)
        other_agency = await submit(db, people, agency="pasv", service="aprupe-majas")
        next_year = await submit(db, people, today=dt.date(2027, 1, 2))
        for_elza = await submit(
            db,
            people,
            service="berna-piedzimsanas-pabalsts",
            applicant=people["anna"],
            about_person=people["elza"],
            filer=people["anna"],
        )
    assert [first.reference, second.reference] == ["VSAA-2026-000001", "VSAA-2026-000002"]
    assert other_agency.reference == "PASV-2026-000001"
    assert next_year.reference == "VSAA-2027-000001"
    assert for_elza.reference == "VSAA-2026-000003"
    assert first.idempotency_key != second.idempotency_key and len(first.idempotency_key) >= 32
    assert for_elza.payload == {
        "reference": "VSAA-2026-000003",
        "service": "berna-piedzimsanas-pabalsts",
        "applicant": {"personal_code": "050694-14213"},
        "about_person": {"personal_code": "329011-52842"},
        "filer": {"personal_code": "050694-14213", "basis": "self"},
        "answers": {"start_date": "2027-01-15"},
        "submitted_at": "2026-11-20T09:00:00Z",
    }
    stored = {row.reference: row for row in await rows(sessions)}
    assert stored["VSAA-2026-000003"].about_person_id == people["elza"].id
    assert {row.status for row in stored.values()} == {"sending"}
    assert {row.attempts for row in stored.values()} == {0}


async def test_an_agencys_own_fields_travel_in_the_payload_but_never_replace_the_common_ones(sessions, people):
    async with sessions() as db, db.begin():
        renewal = await submit(
            db, people, agency="vdeavk", service="vdeavk-invaliditates-ekspertize", extra={"kind": "renewal"}
        )
        with pytest.raises(ValueError, match="reference"):
            await submit(db, people, extra={"reference": "VSAA-2026-999999"})
        assert (await submit(db, people)).reference == "VSAA-2026-000001", "the refused one took no number"
    assert (renewal.reference, renewal.payload["kind"]) == ("VDEAVK-2026-000001", "renewal")


async def test_a_submission_exists_only_once_the_callers_transaction_commits(sessions, people):
    async with sessions() as db, db.begin():
        await submit(db, people)
        async with sessions() as other:  # the worker's view while the request is still running
            assert (await other.execute(select(func.count()).select_from(Submission))).scalar_one() == 0
        await db.rollback()
    assert await rows(sessions) == []
    async with sessions() as db:
        assert (await db.execute(select(func.count()).select_from(ReferenceCounter))).scalar_one() == 0
    async with sessions() as db, db.begin():
        assert (await submit(db, people)).reference == "VSAA-2026-000001", "a rolled-back number is given again"


async def test_concurrent_submissions_get_distinct_references(sessions, people):
    async def one() -> str:
        async with sessions() as db, db.begin():
            return (await submit(db, people)).reference

    references = await asyncio.gather(*(one() for _ in range(10)))
    assert sorted(references) == [f"VSAA-2026-{n:06d}" for n in range(1, 11)]


async def test_an_unknown_basis_or_agency_is_refused_before_anything_is_written(sessions, people):
    async with sessions() as db, db.begin():
        with pytest.raises(ValueError, match="basis"):
            await submit(db, people, basis="neighbour")
        with pytest.raises(ValueError):
            await submit(db, people, agency="pmlp")
    assert await rows(sessions) == []


async def test_a_receipt_makes_the_submission_received(sessions, people):
    [submission] = await submit_committed(sessions, people, 1)
    agency = FakeAgency()
    assert await worker(sessions, agency).run_once(T0) == 1
    [row] = await rows(sessions)
    assert (row.status, row.agency_reference, row.attempts) == ("received", "VSAA-2026-000001", 1)
    assert (row.lease_until, row.lease_owner, row.last_error) == (None, None, None)
    assert row.delivered_at is not None
    assert agency.calls == {submission.idempotency_key: 1}
    assert await worker(sessions, agency).run_once(T0 + dt.timedelta(hours=1)) == 0, "received is final"


async def test_while_the_agency_is_down_rows_wait_with_backoff_and_are_delivered_once_it_is_back(sessions, people):
    await submit_committed(sessions, people, 20)
    agency = FakeAgency("down")
    delivery = worker(sessions, agency)
    assert await delivery.run_once(T0) == 20
    waiting = await rows(sessions)
    assert {(row.status, row.attempts, row.lease_owner) for row in waiting} == {("sending", 1, None)}
    assert {row.last_error for row in waiting} == {"vsaa: answered 503"}
    delays = {(row.next_attempt_at.replace(tzinfo=dt.UTC) - T0).total_seconds() for row in waiting}
    assert all(2.5 <= delay <= 5 for delay in delays) and len(delays) > 1, "first backoff, jittered"

    assert await delivery.run_once(T0 + dt.timedelta(seconds=2)) == 0, "nothing is due before its backoff"
    assert await delivery.run_once(T0 + dt.timedelta(seconds=5)) == 20
    assert {row.attempts for row in await rows(sessions)} == {2}

    agency.mode = "ok"
    assert await delivery.run_once(T0 + dt.timedelta(minutes=1)) == 20
    delivered = await rows(sessions)
    assert {row.status for row in delivered} == {"received"}
    assert sorted(agency.registered.values()) == [row.reference for row in delivered]
    assert set(agency.calls.values()) == {3}, "two failed attempts and one that registered"


async def test_a_refusal_is_not_delivered_with_the_agencys_reason_and_never_retried(sessions, people):
    await submit_committed(sessions, people, 1)
    agency = FakeAgency("refuse")
    await worker(sessions, agency).run_once(T0)
    [row] = await rows(sessions)
    assert (row.status, row.refusal_reason, row.agency_reference) == ("not_delivered", "Pakalpojums nav zināms.", None)
    assert row.lease_owner is None
    agency.mode = "ok"
    assert await worker(sessions, agency).run_once(T0 + dt.timedelta(days=1)) == 0


async def test_an_unexpected_error_is_retried_later_and_its_text_is_not_kept(sessions, people):
    await submit_committed(sessions, people, 1)
    await worker(sessions, FakeAgency("broken")).run_once(T0)
    [row] = await rows(sessions)
    assert (row.status, row.last_error) == ("sending", "vsaa: ValueError")
    assert row.next_attempt_at.replace(tzinfo=dt.UTC) > T0


async def test_a_held_lease_is_left_alone_and_a_lapsed_one_is_taken_again(sessions, people):
    [submission] = await submit_committed(sessions, people, 1)
    agency = FakeAgency()
    crashed = worker(sessions, agency, owner="crashed")
    [claimed] = await crashed.claim(T0)  # took the row, then died before delivering
    assert claimed.idempotency_key == submission.idempotency_key

    other = worker(sessions, agency, owner="other")
    assert await other.run_once(T0 + dt.timedelta(seconds=29)) == 0, "the lease still holds"
    assert agency.calls == {}
    assert await other.run_once(T0 + dt.timedelta(seconds=31)) == 1
    [row] = await rows(sessions)
    assert (row.status, row.attempts) == ("received", 2)
    assert agency.calls == {submission.idempotency_key: 1}


async def test_a_worker_whose_lease_was_taken_over_leaves_the_outcome_to_the_new_holder(sessions, people):
    await submit_committed(sessions, people, 1)
    slow = worker(sessions, FakeAgency("down"), owner="slow")
    [claimed] = await slow.claim(T0)
    fast = worker(sessions, FakeAgency(), owner="fast")
    assert await fast.run_once(T0 + dt.timedelta(seconds=31)) == 1
    # The slow worker's call finally fails; its outcome must not undo the delivery.
    await slow._retry_later(claimed, T0 + dt.timedelta(seconds=32), "vsaa: timed out")
    [row] = await rows(sessions)
    assert (row.status, row.last_error) == ("received", None)


async def test_several_workers_at_once_never_deliver_a_row_twice(migrated, sessions, people):
    await submit_committed(sessions, people, 40)
    agency = FakeAgency()
    engines = [create_engine(migrated.database_url) for _ in range(4)]
    try:
        # Each worker with its own engine and connections, as separate processes would have.
        # Small batches, so that the workers keep choosing among the same remaining rows.
        small = DeliveryPolicy(lease_seconds=30, batch_size=3)
        workers = [worker(session_factory(e), agency, owner=f"w{n}", policy=small) for n, e in enumerate(engines)]
        claimed = await asyncio.gather(*(w.run_once(T0) for w in workers))
        while sum(claimed) < 40:
            claimed += await asyncio.gather(*(w.run_once(T0) for w in workers))
    finally:
        for engine in engines:
            await engine.dispose()
    assert agency.overlaps == []
    assert sum(claimed) == 40
    assert sum(1 for count in claimed if count) > 4, "the workers took turns"
    assert set(agency.calls.values()) == {1} and len(agency.calls) == 40
    assert {row.status for row in await rows(sessions)} == {"received"}
