"""While a page waits on an agency it holds no database write lock: on SQLite there is one for the whole file, and
every other request (sign-ins, session activity, submissions) would queue behind a slow agency."""

from __future__ import annotations

import datetime as dt
import sqlite3

from pydantic import BaseModel
from sqlalchemy.engine import make_url

from portal.audit.models import AuditEvent
from portal.db.engine import create_engine, session_factory
from portal.people.service import PersonDirectory
from portal.sync.service import Source, fetch_and_keep

NOW = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


class Answer(BaseModel):
    as_of: dt.datetime = NOW


async def test_pending_writes_wait_until_the_agency_has_answered(migrated):
    assert migrated.is_sqlite, "the one write lock is SQLite's (this test is not marked for the PostgreSQL tier)"
    path = make_url(migrated.database_url).database
    engine = create_engine(migrated.database_url)
    sessions = session_factory(engine)
    async with sessions() as db, db.begin():
        person = await PersonDirectory(db).meet("150162-12342", "Jānis", "Bērziņš")
    others_could_write: list[bool] = []

    async def agency(personal_code: str) -> Answer:
        # Another request wanting to write right now, without waiting.
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            others_could_write.append(True)
        except sqlite3.OperationalError:
            others_could_write.append(False)
        finally:
            other.close()
        return Answer()

    try:
        async with sessions() as db, db.begin():
            # A request that has something to write already (the audit trail's row for this read).
            db.add(AuditEvent(occurred_at=NOW, actor_id=person.id, subject_id=person.id, action="read", basis="self"))
            await fetch_and_keep(db, person.id, [Source("vsaa", "test", agency)], NOW, within=1)
    finally:
        await engine.dispose()
    assert others_could_write == [True]


class Prefill(BaseModel):
    as_of: dt.datetime = NOW
    answers: dict[str, object] = {"iban": "LV80BANK0000435195001"}


async def test_starting_an_application_asks_the_agencies_before_writing_the_draft(migrated):
    """POST /services/<slug>/apply on a new draft: VSAA's prefill is asked while nothing is written yet."""
    from portal.applications.prefill import PrefillSources
    from portal.applications.start_routes import _open_prefilled
    from portal.auth.access import Access, Actor, Basis, Subject
    from portal.catalogue.definitions import load_definitions
    from portal.clock import WallClock
    from portal.settings import PROJECT_ROOT

    path = make_url(migrated.database_url).database
    engine = create_engine(migrated.database_url)
    sessions = session_factory(engine)
    async with sessions() as db, db.begin():
        person = await PersonDirectory(db).meet("150162-12342", "Jānis", "Bērziņš")
    definitions = load_definitions(PROJECT_ROOT / "forms")
    others_could_write: list[bool] = []

    class Vsaa:
        async def prefill(self, personal_code: str, service: str) -> Prefill:
            other = sqlite3.connect(path, timeout=0)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                others_could_write.append(True)
            except sqlite3.OperationalError:
                others_could_write.append(False)
            finally:
                other.close()
            return Prefill()

    me = Subject.of(person, Basis.SELF)
    access = Access(Actor(person.id, "Jānis", "Bērziņš", "citizen", "session"), (me,))
    try:
        async with sessions() as db, db.begin():
            sources = PrefillSources(Vsaa(), None, db, definitions)  # type: ignore[arg-type]
            draft, new = await _open_prefilled(
                db, definitions["vecuma-pensija"], me, access, None, sources, WallClock()
            )
    finally:
        await engine.dispose()
    assert others_could_write == [True]
    assert new and draft.prefilled["bank-account"]["iban"]["source"] == "vsaa"
