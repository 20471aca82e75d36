"""Submitting a draft exactly once (SQLite, and PostgreSQL in its tier): the outbox row it makes, the audit
entry, a second submit returning the first one's Submission, and N submits at once from separate engines (as
from separate processes) making one Submission that all of them return."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.draft_models import Draft
from portal.applications.drafts import SUBMITTED_ACTION, DraftClosed, DraftNotFound, DraftService
from portal.applications.outbox import OutboxService
from portal.applications.outbox_models import Submission
from portal.audit.models import AuditEvent
from portal.auth.access import Access, NotPermitted
from portal.db.engine import create_engine, session_factory
from portal.people.models import Person
from portal.people.service import PersonDirectory
from tests.integration.test_drafts import (
    CHILD_BENEFIT,
    MANDATE_ID,
    PENSION,
    PERSONAS,
    T0,
    Clock,
    Terms,
    accesses,
    open_draft,
)

pytestmark = pytest.mark.postgres

TODAY = dt.date(2026, 11, 20)
ANSWERS = {"start": {"date": "2027-01-15"}, "bank-account": {"iban": "LV80BANK0000435195001"}}
PARALLEL = 8


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
        return {name: await directory.meet(*persona) for name, persona in PERSONAS.items()}


async def filled_draft(sessions, access: Access, applicant: Person, terms: Terms = PENSION, about=None) -> Draft:
    draft = await open_draft(sessions, terms, access, applicant, about=about)
    async with sessions() as db, db.begin():
        service = DraftService(db, now=Clock())
        loaded = await service.get_for(draft.id, access)
        for page, answers in ANSWERS.items():
            await service.save_page(loaded, page, answers)
    return draft


async def submit(sessions, draft_id: uuid.UUID, access: Access, now: Clock | None = None) -> Submission:
    """What the declaration page's POST does: in one transaction, the draft as the actor may see it, submitted."""
    clock = now or Clock()
    async with sessions() as db, db.begin():
        service = DraftService(db, now=clock)
        draft = await service.get_for(draft_id, access)
        return await service.submit(draft, OutboxService(db, now=clock), TODAY, access=access)


async def counts(sessions) -> tuple[int, int]:
    async with sessions() as db:
        submissions = await db.scalar(select(func.count()).select_from(Submission))
        audited = await db.scalar(select(func.count()).where(AuditEvent.action == SUBMITTED_ACTION))
    return submissions or 0, audited or 0


async def test_submitting_writes_one_outbox_row_and_an_audit_entry(sessions, people):
    anna = accesses(people)["anna"]
    draft = await filled_draft(sessions, anna, people["anna"], CHILD_BENEFIT, about=people["elza"])
    submission = await submit(sessions, draft.id, anna)
    assert submission.reference == "VSAA-2026-000001"
    assert (submission.service, submission.basis, submission.status) == (CHILD_BENEFIT.slug, "self", "sending")
    assert (submission.applicant_id, submission.about_person_id) == (people["anna"].id, people["elza"].id)
    assert submission.payload["answers"] == ANSWERS
    assert submission.payload["about_person"] == {"personal_code": people["elza"].personal_code}
    # The agency registers it under the key the draft was made with.
    assert submission.idempotency_key == draft.idempotency_key
    async with sessions() as db:
        stored = await db.get_one(Draft, draft.id)
        assert (stored.status, stored.submission_id, stored.open_key) == ("submitted", submission.id, None)
        event = await db.scalar(select(AuditEvent).where(AuditEvent.action == SUBMITTED_ACTION))
    assert event is not None
    assert (event.actor_id, event.subject_id, event.basis, event.record) == (
        people["anna"].id,
        people["anna"].id,
        "self",
        submission.reference,
    )


async def test_a_second_submit_returns_the_first_submission(sessions, people):
    anna = accesses(people)["anna"]
    draft = await filled_draft(sessions, anna, people["anna"])
    first = await submit(sessions, draft.id, anna)
    again = await submit(sessions, draft.id, anna, now=Clock(T0 + dt.timedelta(minutes=5)))
    assert (again.id, again.reference) == (first.id, first.reference)
    assert await counts(sessions) == (1, 1)


async def test_a_submitted_draft_is_closed_and_the_next_one_is_new(sessions, people):
    anna = accesses(people)["anna"]
    draft = await filled_draft(sessions, anna, people["anna"])
    await submit(sessions, draft.id, anna)
    async with sessions() as db, db.begin():
        service = DraftService(db, now=Clock())
        submitted = await service.get_for(draft.id, anna)
        with pytest.raises(DraftClosed):
            await service.save_page(submitted, "start", {"date": "2027-02-01"})
        with pytest.raises(DraftClosed):
            await service.delete(submitted)
    following = await open_draft(sessions, PENSION, anna, people["anna"])
    assert following.id != draft.id and following.answers == {}


async def test_a_mandate_holder_files_in_the_grantors_name(sessions, people):
    ilze = accesses(people)["ilze"]
    draft = await filled_draft(sessions, ilze, people["rasma"])
    submission = await submit(sessions, draft.id, ilze)
    assert (submission.applicant_id, submission.filer_id, submission.basis) == (
        people["rasma"].id,
        people["ilze"].id,
        "mandate",
    )
    async with sessions() as db:
        event = await db.scalar(select(AuditEvent).where(AuditEvent.action == SUBMITTED_ACTION))
    assert event is not None
    assert (event.actor_id, event.subject_id, event.basis) == (
        people["ilze"].id,
        people["rasma"].id,
        f"mandate:{MANDATE_ID}",
    )


async def test_someone_who_may_not_act_for_the_applicant_cannot_submit(sessions, people):
    every = accesses(people)
    draft = await filled_draft(sessions, every["anna"], people["anna"])
    async with sessions() as db, db.begin():
        loaded = await db.get_one(Draft, draft.id)
        with pytest.raises(NotPermitted):
            await DraftService(db, now=Clock()).submit(loaded, OutboxService(db), TODAY, access=every["janis"])
    assert await counts(sessions) == (0, 0)


async def test_an_expired_draft_cannot_be_submitted(sessions, people):
    anna = accesses(people)["anna"]
    draft = await filled_draft(sessions, anna, people["anna"])
    expired = Clock(T0 + dt.timedelta(days=PENSION.draft_days, seconds=1))
    async with sessions() as db, db.begin():
        loaded = await db.get_one(Draft, draft.id)
        with pytest.raises(DraftNotFound):
            await DraftService(db, now=expired).submit(loaded, OutboxService(db, now=expired), TODAY, access=anna)
    assert await counts(sessions) == (0, 0)


async def test_a_questionnaire_has_nothing_to_submit(sessions, people):
    anna = accesses(people)["anna"]
    draft = await open_draft(sessions, Terms("dzives-situacija", None), anna, people["anna"])
    with pytest.raises(ValueError, match="no agency"):
        await submit(sessions, draft.id, anna)


async def test_parallel_submits_from_separate_engines_make_one_submission(migrated, sessions, people):
    anna = accesses(people)["anna"]
    draft = await filled_draft(sessions, anna, people["anna"])
    engines = [create_engine(migrated.database_url) for _ in range(PARALLEL)]
    try:
        results = await asyncio.gather(*(submit(session_factory(e), draft.id, anna) for e in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    assert len({(s.id, s.reference) for s in results}) == 1
    assert await counts(sessions) == (1, 1)
    async with sessions() as db:
        assert (await db.get_one(Draft, draft.id)).submission_id == results[0].id


async def test_parallel_submits_of_different_drafts_each_make_their_own(migrated, sessions, people):
    every = accesses(people)
    drafts = [
        await filled_draft(sessions, every["anna"], people["anna"]),
        await filled_draft(sessions, every["ilze"], people["rasma"]),
        await filled_draft(sessions, every["janis"], people["janis"]),
    ]
    who = [every["anna"], every["ilze"], every["janis"]]
    engines = [create_engine(migrated.database_url) for _ in range(len(drafts) * 2)]
    try:
        results = await asyncio.gather(
            *(submit(session_factory(e), drafts[i % 3].id, who[i % 3]) for i, e in enumerate(engines))
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert len({s.id for s in results}) == 3
    assert [r.id for r in results[:3]] == [r.id for r in results[3:]]
    assert sorted(s.reference for s in results[:3]) == [f"VSAA-2026-{n:06d}" for n in (1, 2, 3)]
    assert await counts(sessions) == (3, 3)
