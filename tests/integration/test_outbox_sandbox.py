"""The outbox delivering to VSAA in the agency sandbox over HTTP, through the real client: VSAA down while
submissions pile up, several workers at once, refusals. The sandbox's registration book
(`GET /_control/vsaa/registrations`) says what VSAA registered; a wrapper around the deliverer counts the calls.

These tests file many applications for the personas; they get a sandbox of their own so that the session's
sandbox still shows the personas as other tests expect (Jānis's pension not yet claimed, …).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import random
import secrets
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.agencies.registry import Agencies, build_agencies
from portal.app import create_app
from portal.applications.delivery import Deliverer, Receipt, deliverers
from portal.applications.outbox import DeliveryPolicy, OutboxDelivery
from portal.applications.outbox_models import ReferenceCounter
from portal.db.engine import create_engine, session_factory
from portal.people.models import Person
from portal.people.service import PersonDirectory
from portal.settings import Settings
from tests.conftest import agency_urls
from tests.integration.test_outbox import T0, rows, submit
from tests.ports import free_port
from tests.servers import Server, start_server

pytestmark = pytest.mark.postgres

POLICY = DeliveryPolicy(backoff_base=5, backoff_cap=300, lease_seconds=30, batch_size=50)
ANSWERS = {"decision_delivery": "portal", "start_date": "2027-01-15"}


def private_sandbox(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    return start_server(
        "private agency sandbox",
        [sys.executable, "-m", "sandbox.agencies", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/healthz",
        tmp_path_factory.mktemp("outbox-sandbox") / "sandbox.log",
        env=env,
    )


@pytest.fixture(scope="module")
def outbox_sandbox(tmp_path_factory) -> Iterator[Server]:
    server = private_sandbox(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def outbox_settings(migrated: Settings, outbox_sandbox) -> Settings:
    # The breaker is not under test here: it would keep failing calls for its cooldown after VSAA is back.
    return migrated.model_copy(
        update={
            "sandbox_url": outbox_sandbox.url,
            **agency_urls(outbox_sandbox.url),
            "agency_breaker_failures": 10_000,
        }
    )


@pytest.fixture
def sandbox(outbox_sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=outbox_sandbox.url, timeout=10) as client:
        yield client
        client.put("/_control/faults/vsaa", json={"mode": "ok"}).raise_for_status()


@pytest.fixture
async def agencies(outbox_settings) -> AsyncIterator[Agencies]:
    built = build_agencies(outbox_settings)
    yield built
    await built.aclose()


REFERENCE_BLOCKS = itertools.count(100_000 + 1_000 * secrets.randbelow(300), 1_000)


@pytest.fixture
async def sessions(outbox_settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(outbox_settings.database_url)
    try:
        factory = session_factory(engine)
        async with factory() as db, db.begin():
            # The sandbox outlives this database and remembers every reference: start where no test has been,
            # each test of this process in a block of its own.
            start = next(REFERENCE_BLOCKS)
            for agency in ("vsaa", "vdeavk", "pasv"):
                db.add(ReferenceCounter(agency=agency, year=2026, last_number=start))
        yield factory
    finally:
        await engine.dispose()


@pytest.fixture
async def people(sessions) -> dict[str, Person]:
    async with sessions() as db, db.begin():
        directory = PersonDirectory(db)
        return {
            "janis": await directory.meet("150162-12342", "Jānis", "Bērziņš"),
            "peteris": await directory.meet("300978-15174", "Pēteris", "Ozols"),
            "rasma": await directory.meet("011245-11123", "Rasma", "Liepa"),
        }


class Counting:
    """The real deliverer, with every call counted and any overlapping delivery of one key noted."""

    def __init__(self, inner: Deliverer) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self.overlaps: list[str] = []
        self._in_flight: set[str] = set()

    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt:
        self.calls[idempotency_key] += 1
        if idempotency_key in self._in_flight:
            self.overlaps.append(idempotency_key)
        self._in_flight.add(idempotency_key)
        try:
            return await self.inner.deliver(payload, idempotency_key)
        finally:
            self._in_flight.discard(idempotency_key)


async def submit_committed(sessions, people, count: int, **overrides: Any) -> list[Any]:
    async with sessions() as db, db.begin():
        return [await submit(db, people, answers=ANSWERS, **overrides) for _ in range(count)]


def registered(sandbox: httpx.Client, keys: set[str]) -> Counter[str]:
    book = sandbox.get("/_control/vsaa/registrations").json()
    return Counter(entry["idempotency_key"] for entry in book["registered"] if entry["idempotency_key"] in keys)


async def test_vsaa_down_while_20_are_submitted_none_lost_and_each_registered_once_when_back(
    sessions, people, agencies, sandbox
):
    submitted = await submit_committed(sessions, people, 20)
    keys = {s.idempotency_key for s in submitted}
    vsaa = Counting(deliverers(agencies)["vsaa"])
    worker = OutboxDelivery(sessions, {"vsaa": vsaa}, POLICY, rng=random.Random(5))

    sandbox.put("/_control/faults/vsaa", json={"mode": "down"}).raise_for_status()
    assert await worker.run_once(T0) == 20
    waiting = await rows(sessions)
    assert {(row.status, row.agency_reference) for row in waiting} == {("sending", None)}
    assert {row.last_error for row in waiting} == {"vsaa: answered 503"}
    assert registered(sandbox, keys) == Counter()

    sandbox.put("/_control/faults/vsaa", json={"mode": "ok"}).raise_for_status()
    assert await worker.run_once(T0 + dt.timedelta(seconds=1)) == 0, "backoff: nothing is due yet"
    assert await worker.run_once(T0 + dt.timedelta(minutes=10)) == 20
    delivered = await rows(sessions)
    assert {row.status for row in delivered} == {"received"}
    assert [row.agency_reference for row in delivered] == [row.reference for row in delivered]
    assert registered(sandbox, keys) == Counter(dict.fromkeys(keys, 1))
    assert vsaa.calls == Counter(dict.fromkeys(keys, 2)), "one refused by the outage, one registered"
    assert await worker.run_once(T0 + dt.timedelta(days=1)) == 0, "nothing is sent again"

    references = {row.reference for row in delivered}
    listed = await agencies.vsaa_applications.applications_of(people["janis"].personal_code)
    ours = Counter(a.reference for a in listed.applications if a.reference in references)
    assert ours == Counter(dict.fromkeys(references, 1)), "VSAA lists each once"


async def test_several_workers_at_once_deliver_each_submission_once(outbox_settings, sessions, people, sandbox):
    submitted = await submit_committed(sessions, people, 30)
    keys = {s.idempotency_key for s in submitted}
    # Four workers, each with its own database engine and its own agency clients, as four processes would be.
    engines = [create_engine(outbox_settings.database_url) for _ in range(4)]
    clients = [build_agencies(outbox_settings) for _ in engines]
    counters = [Counting(deliverers(a)["vsaa"]) for a in clients]
    small = DeliveryPolicy(lease_seconds=30, batch_size=4)
    workers = [
        OutboxDelivery(session_factory(e), {"vsaa": c}, small, owner=f"w{n}")
        for n, (e, c) in enumerate(zip(engines, counters, strict=True))
    ]
    try:
        claimed: list[int] = []
        while sum(claimed) < 30 and len(claimed) < 200:
            claimed += await asyncio.gather(*(w.run_once(T0) for w in workers))
    finally:
        for agencies_of_worker in clients:
            await agencies_of_worker.aclose()
        for engine in engines:
            await engine.dispose()
    calls = sum((c.calls for c in counters), Counter())
    assert calls == Counter(dict.fromkeys(keys, 1)), "each submission sent once, by one worker"
    assert sum(1 for c in counters if c.calls) > 1, "the workers shared the work"
    assert registered(sandbox, keys) == Counter(dict.fromkeys(keys, 1))
    assert {row.status for row in await rows(sessions)} == {"received"}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"service": "nav-tada-pakalpojuma"}, 'VSAA nepieņem iesniegumus pakalpojumam "nav-tada-pakalpojuma".'),
        ({"answers": {"start_date": "2027-01-15"}}, "Iesniegumā nav norādīts: kā saņemt lēmumu."),
    ],
)
async def test_a_refusal_is_kept_as_not_delivered_with_vsaas_reason(
    sessions, people, agencies, sandbox, overrides, reason
):
    async with sessions() as db, db.begin():
        submitted = await submit(db, people, **{"answers": ANSWERS, **overrides})
    worker = OutboxDelivery(sessions, deliverers(agencies), POLICY)
    assert await worker.run_once(T0) == 1
    [row] = await rows(sessions)
    assert (row.status, row.refusal_reason, row.agency_reference) == ("not_delivered", reason, None)
    assert registered(sandbox, {submitted.idempotency_key}) == Counter()
    assert await worker.run_once(T0 + dt.timedelta(days=1)) == 0, "a refusal is not retried"


async def test_vdeavk_and_the_municipal_social_service_take_their_applications_through_the_outbox(
    sessions, people, agencies, sandbox
):
    assessment = {"difficulty": 2, "helps": "Kruķi."}
    async with sessions() as db, db.begin():
        expertise = await submit(
            db,
            people,
            agency="vdeavk",
            service="vdeavk-invaliditates-ekspertize",
            applicant=people["peteris"],
            filer=people["peteris"],
            answers={"contact_phone": "+37120000000"},
            extra={"kind": "renewal", "self_assessment": {"mobility": assessment}},
        )
        home_care = await submit(
            db,
            people,
            agency="pasv",
            service="aprupe-majas",
            applicant=people["rasma"],
            filer=people["rasma"],
            answers={"contact_phone": "+37120000001"},
            extra={"municipality": "cesis"},
        )
    assert await OutboxDelivery(sessions, deliverers(agencies), POLICY).run_once(T0) == 2
    delivered = {row.agency: row for row in await rows(sessions)}
    assert (delivered["vdeavk"].status, delivered["vdeavk"].agency_reference) == ("received", expertise.reference)
    assert (delivered["pasv"].status, delivered["pasv"].agency_reference) == ("received", home_care.reference)
    for agency, submission in (("vdeavk", expertise), ("pasv", home_care)):
        book = sandbox.get(f"/_control/{agency}/registrations").json()["registered"]
        assert [e["idempotency_key"] for e in book].count(submission.idempotency_key) == 1


async def test_the_web_process_delivers_by_itself_in_the_embedded_topology(outbox_settings, sessions, people, sandbox):
    [submitted] = await submit_committed(sessions, people, 1)
    settings = outbox_settings.model_copy(update={"worker_in_web": True, "worker_poll_interval": 0.05})
    async with AsyncTestClient(create_app(settings)):
        for _ in range(200):  # the app's own worker polls every 0.05 s
            [row] = await rows(sessions)
            if row.status != "sending":
                break
            await asyncio.sleep(0.05)
    assert (row.status, row.agency_reference) == ("received", submitted.reference)
    assert registered(sandbox, {submitted.idempotency_key}) == Counter({submitted.idempotency_key: 1})


async def test_a_web_process_told_not_to_leaves_delivery_to_portal_worker(outbox_settings, sessions, people):
    await submit_committed(sessions, people, 1)
    settings = outbox_settings.model_copy(update={"worker_in_web": False})
    async with AsyncTestClient(create_app(settings)) as client:
        # A request's time is ample for an in-process worker's first pass, which starts with the app.
        assert (await client.get("/healthz")).status_code == 200
    assert [row.status for row in await rows(sessions)] == ["sending"]
