"""The audit trail on a migrated database, SQLite and PostgreSQL: actions, read dedup, by_others, append-only."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.audit.models import AuditEvent
from portal.audit.service import READ_WINDOW, AuditTrail
from portal.auth.access import Actor, Basis, Subject
from portal.db.engine import create_engine, session_factory
from portal.people.models import Person
from portal.people.service import PersonDirectory

pytestmark = pytest.mark.postgres

START = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
MANDATE_ID = uuid.UUID("6f1c1a34-8d4e-4d7b-9a55-0c6a3f3e2b11")


class Clock:
    """A moment that tests move, injected as AuditTrail's `now`."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, by: dt.timedelta) -> None:
        self.moment += by


@pytest.fixture
async def db(migrated) -> AsyncIterator[AsyncSession]:
    engine = create_engine(migrated.database_url)
    try:
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


@pytest.fixture
async def people(db: AsyncSession) -> dict[str, Person]:
    directory = PersonDirectory(db)
    found = {
        "ilze": await directory.meet("220470-16382", "Ilze", "Liepa"),
        "rasma": await directory.meet("011245-11123", "Rasma", "Liepa"),
        "janis": await directory.meet("150162-12342", "Jānis", "Bērziņš"),
    }
    await db.commit()
    return found


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def trail(db: AsyncSession, clock: Clock) -> AuditTrail:
    return AuditTrail(db, now=clock)


def actor(person: Person, session_ref: str = "session-1") -> Actor:
    return Actor(person.id, person.given_name, person.family_name, "citizen", session_ref)


def by_mandate(person: Person) -> Subject:
    return Subject.of(person, Basis.MANDATE, basis_ref=MANDATE_ID, agencies=frozenset({"VSAA"}))


async def rows(db: AsyncSession) -> list[AuditEvent]:
    await db.flush()
    return list((await db.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars())


async def test_an_action_is_one_row_with_who_what_and_on_what_basis(db, people, trail):
    await trail.action(actor(people["ilze"]), by_mandate(people["rasma"]), "mandate.ended", f"mandate:{MANDATE_ID}")
    (row,) = await rows(db)
    assert (row.actor_id, row.subject_id) == (people["ilze"].id, people["rasma"].id)
    assert (row.action, row.record, row.basis) == ("mandate.ended", f"mandate:{MANDATE_ID}", f"mandate:{MANDATE_ID}")
    assert row.session_ref == "session-1"
    assert row.occurred_at.replace(tzinfo=row.occurred_at.tzinfo or dt.UTC) == START


async def test_actions_are_never_deduplicated(db, people, trail):
    for _ in range(2):
        await trail.action(actor(people["ilze"]), by_mandate(people["rasma"]), "mandate.ended", "mandate:x")
    assert len(await rows(db)) == 2


async def test_the_same_read_within_five_minutes_is_one_row(db, people, trail, clock):
    ilze, rasma = actor(people["ilze"]), by_mandate(people["rasma"])
    assert await trail.read(ilze, rasma, "/overview") is True
    await db.flush()
    clock.advance(READ_WINDOW - dt.timedelta(seconds=1))
    assert await trail.read(ilze, rasma, "/overview") is False
    (row,) = await rows(db)
    assert (row.action, row.record, row.basis) == ("read", "/overview", f"mandate:{MANDATE_ID}")


async def test_the_same_read_after_five_minutes_is_a_second_row(db, people, trail, clock):
    ilze, rasma = actor(people["ilze"]), by_mandate(people["rasma"])
    await trail.read(ilze, rasma, "/overview")
    await db.flush()
    clock.advance(READ_WINDOW + dt.timedelta(seconds=1))
    assert await trail.read(ilze, rasma, "/overview") is True
    assert len(await rows(db)) == 2


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: (actor(p["ilze"], "session-2"), by_mandate(p["rasma"]), "/overview"), id="session"),
        pytest.param(lambda p: (actor(p["ilze"]), by_mandate(p["rasma"]), "/applications"), id="record"),
        pytest.param(lambda p: (actor(p["ilze"]), Subject.of(p["janis"], Basis.PARENT), "/overview"), id="subject"),
        pytest.param(lambda p: (actor(p["janis"]), by_mandate(p["rasma"]), "/overview"), id="actor"),
    ],
)
async def test_a_read_differing_in_session_record_subject_or_actor_is_a_second_row(db, people, trail, change):
    await trail.read(actor(people["ilze"]), by_mandate(people["rasma"]), "/overview")
    await db.flush()
    assert await trail.read(*change(people)) is True
    assert len(await rows(db)) == 2


async def test_reading_your_own_data_is_not_recorded(db, people, trail):
    rasma = people["rasma"]
    assert await trail.read(actor(rasma), Subject.of(rasma, Basis.SELF), "/overview") is False
    assert await rows(db) == []


async def test_by_others_leaves_out_what_the_person_did_themselves(db, people, trail, clock):
    rasma, ilze = people["rasma"], people["ilze"]
    await trail.action(actor(rasma), Subject.of(rasma, Basis.SELF), "mandate.granted", "mandate:x")
    clock.advance(dt.timedelta(minutes=1))
    await trail.read(actor(ilze), by_mandate(rasma), "/overview")
    clock.advance(dt.timedelta(minutes=1))
    await trail.read(actor(rasma), by_mandate(ilze), "/overview")  # Rasma reading someone else's data
    await db.flush()
    found = await trail.by_others(rasma.id, page=1)
    assert [(e.actor_id, e.action) for e in found.events] == [(ilze.id, "read")]
    assert (found.total, found.page, found.pages) == (1, 1, 1)


async def test_by_others_is_newest_first_and_paged(db, people, trail, clock):
    rasma, ilze = people["rasma"], people["ilze"]
    for minute in range(45):
        await trail.read(actor(ilze), by_mandate(rasma), f"/applications/{minute}")
        clock.advance(dt.timedelta(minutes=1))
    await db.flush()

    first = await trail.by_others(rasma.id, page=1, per_page=20)
    assert (first.total, first.page, first.pages) == (45, 1, 3)
    assert [e.record for e in first.events] == [f"/applications/{m}" for m in range(44, 24, -1)]
    last = await trail.by_others(rasma.id, page=3, per_page=20)
    assert [e.record for e in last.events] == [f"/applications/{m}" for m in range(4, -1, -1)]
    assert (await trail.by_others(rasma.id, page=999, per_page=20)).page == 3
    assert (await trail.by_others(rasma.id, page=-2, per_page=20)).page == 1


async def test_by_others_with_nothing_is_one_empty_page(people, trail):
    found = await trail.by_others(people["janis"].id, page=5)
    assert (list(found.events), found.total, found.page, found.pages) == ([], 0, 1, 1)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"],
    ids=["update", "delete"],
)
async def test_the_database_refuses_to_change_or_remove_audit_rows(db, people, trail, statement):
    await trail.action(actor(people["ilze"]), by_mandate(people["rasma"]), "mandate.ended", "mandate:x")
    await db.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        await db.execute(text(statement))
    await db.rollback()
    (row,) = await rows(db)
    assert row.action == "mandate.ended"
