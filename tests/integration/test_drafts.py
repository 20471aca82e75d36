"""Drafts on a migrated database (SQLite, and PostgreSQL in its tier): one open draft per service, applicant and
about-person; saving pages; expiry and the sweeper on an injected clock; who may open someone's draft (Access
built as AccessResolver builds it from the personas' relations); drafts surviving a restart."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.draft_models import Draft, DraftStatus, open_key
from portal.applications.drafts import DraftNotFound, DraftService, DraftSweeper
from portal.auth.access import Access, Actor, Basis, NotPermitted, Subject
from portal.db.engine import create_engine, session_factory
from portal.people.models import Person
from portal.people.service import PersonDirectory

pytestmark = pytest.mark.postgres

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
PERSONAS = {
    "janis": ("150162-12342", "Jānis", "Bērziņš"),
    "anna": ("050694-14213", "Anna", "Kalniņa"),
    "elza": ("329011-52842", "Elza", "Kalniņa"),
    "ilze": ("220470-16382", "Ilze", "Liepa"),
    "kristaps": ("327512-84427", "Kristaps", "Liepa"),
    "rasma": ("011245-11123", "Rasma", "Liepa"),
    "dace": ("190583-11654", "Dace", "Egle"),
    "roberts": ("321450-77313", "Roberts", "Egle"),
    "laura": ("080890-17710", "Laura", "Zariņa"),
    "assistant": ("010180-10006", "Vija", "Palīga"),
}
MANDATE_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
IDENTIFICATION_ID = uuid.UUID("00000000-0000-4000-8000-000000000002")


@dataclass(frozen=True)
class Terms:
    slug: str
    agency: str | None
    draft_days: int = 90


PENSION = Terms("vecuma-pensija", "vsaa")
CHILD_BENEFIT = Terms("berna-kopsanas-pabalsts", "vsaa")
HOME_CARE = Terms("aprupe-majas", "pasv")
DISABILITY = Terms("invaliditates-ekspertize", "vdeavk")


class Clock:
    """An injected `now` that tests move."""

    def __init__(self, at: dt.datetime = T0) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


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


def accesses(people: dict[str, Person]) -> dict[str, Access]:
    """Who may act for whom, as AccessResolver resolves it from sandbox/personas.yaml (the register's parents
    and guardians, Ilze's VSAA-only mandate from Rasma) and for an assistant who has identified Laura."""

    def citizen(name: str, *others: Subject) -> Access:
        me = people[name]
        actor = Actor(me.id, me.given_name, me.family_name, "citizen", f"session-{name}")
        return Access(actor, (Subject.of(me, Basis.SELF), *others))

    assistant = people["assistant"]
    staff = Actor(assistant.id, assistant.given_name, assistant.family_name, "staff", "session-staff", "VPVKAC")
    return {
        "janis": citizen("janis"),
        "anna": citizen("anna", Subject.of(people["elza"], Basis.PARENT)),
        "ilze": citizen(
            "ilze",
            Subject.of(people["kristaps"], Basis.GUARDIAN, guardian_kind="aizbildnis"),
            Subject.of(people["rasma"], Basis.MANDATE, MANDATE_ID, frozenset({"VSAA"}), dt.date(2027, 12, 31)),
        ),
        "rasma": citizen("rasma"),
        "dace": citizen("dace", Subject.of(people["roberts"], Basis.PARENT)),
        "laura": citizen("laura"),
        "elza": citizen("elza"),
        "assistant": Access(staff, (Subject.of(people["laura"], Basis.ASSISTANT, IDENTIFICATION_ID),)),
    }


def subject(access: Access, person: Person) -> Subject:
    found = access.find(person.id)
    assert found is not None
    return found


async def open_draft(sessions, terms: Terms, access: Access, applicant: Person, about: Person | None = None, now=None):
    async with sessions() as db, db.begin():
        service = DraftService(db, now=now or Clock())
        return await service.open_or_resume(terms, subject(access, applicant), access.actor, about)


async def test_resume_returns_the_one_open_draft_per_service_applicant_and_about_person(sessions, people):
    anna = accesses(people)["anna"]
    first = await open_draft(sessions, PENSION, anna, people["anna"])
    assert (first.status, first.answers, first.basis, first.filer_id) == ("draft", {}, "self", people["anna"].id)
    assert first.expires_at.replace(tzinfo=dt.UTC) == T0 + dt.timedelta(days=90)
    assert (await open_draft(sessions, PENSION, anna, people["anna"])).id == first.id
    about_elza = await open_draft(sessions, CHILD_BENEFIT, anna, people["anna"], about=people["elza"])
    assert about_elza.about_person_id == people["elza"].id
    assert (await open_draft(sessions, CHILD_BENEFIT, anna, people["anna"], about=people["elza"])).id == about_elza.id
    other_service = await open_draft(sessions, CHILD_BENEFIT, anna, people["anna"])
    assert len({first.id, about_elza.id, other_service.id}) == 3
    assert len({first.idempotency_key, about_elza.idempotency_key, other_service.idempotency_key}) == 3


async def test_the_database_refuses_a_second_open_draft(sessions, people):
    anna = people["anna"]
    draft = await open_draft(sessions, PENSION, accesses(people)["anna"], anna)
    row = {
        "id": uuid.uuid4(),
        "service": PENSION.slug,
        "agency": "vsaa",
        "applicant_id": anna.id,
        "filer_id": anna.id,
        "basis": "self",
        "answers": {},
        "prefilled": {},
        "created_at": T0,
        "updated_at": T0,
        "expires_at": T0,
        "idempotency_key": "another",
        "status": "draft",
        "open_key": open_key(PENSION.slug, anna.id, None),
    }
    assert draft.open_key == row["open_key"]
    with pytest.raises(IntegrityError):
        async with sessions() as db, db.begin():
            await db.execute(insert(Draft).values(**row))


async def test_two_tabs_starting_at_once_get_the_same_draft(sessions, people):
    anna = accesses(people)["anna"]
    drafts = await asyncio.gather(*(open_draft(sessions, PENSION, anna, people["anna"]) for _ in range(6)))
    assert len({d.id for d in drafts}) == 1
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(Draft)) == 1


async def test_saving_a_page_merges_it_and_restarts_the_expiry_term(sessions, people):
    anna = accesses(people)["anna"]
    draft = await open_draft(sessions, PENSION, anna, people["anna"])
    later = Clock(T0 + dt.timedelta(days=80))
    async with sessions() as db, db.begin():
        service = DraftService(db, now=later)
        loaded = await service.get_for(draft.id, anna)
        await service.save_page(loaded, "bank-account", {"iban": "LV80BANK0000435195001"})
        await service.save_page(
            loaded, "start", {"date": "2027-01-15"}, prefilled={"date": {"source": "vsaa", "as_of": "2026-11-20"}}
        )
        await service.save_page(loaded, "bank-account", {"iban": "LV97HABA0012345678910"})
    async with sessions() as db:
        saved = await DraftService(db, now=later).get_for(draft.id, anna)
    assert saved.answers == {"bank-account": {"iban": "LV97HABA0012345678910"}, "start": {"date": "2027-01-15"}}
    assert saved.prefilled == {"start": {"date": {"source": "vsaa", "as_of": "2026-11-20"}}}
    assert saved.updated_at.replace(tzinfo=dt.UTC) == later.at
    assert saved.expires_at.replace(tzinfo=dt.UTC) == later.at + dt.timedelta(days=90)


async def test_an_expired_draft_is_not_resumed_and_is_swept(sessions, people):
    anna = accesses(people)["anna"]
    old = await open_draft(sessions, PENSION, anna, people["anna"])
    async with sessions() as db, db.begin():
        await DraftService(db, now=Clock()).save_page(await db.get_one(Draft, old.id), "start", {"date": "2027-01-15"})
    kept = await open_draft(sessions, CHILD_BENEFIT, anna, people["anna"], now=Clock(T0 + dt.timedelta(days=30)))
    expiry = T0 + dt.timedelta(days=PENSION.draft_days)

    async with sessions() as db:
        just_before = DraftService(db, now=Clock(expiry - dt.timedelta(seconds=1)))
        assert (await just_before.get_for(old.id, anna)).answers == {"start": {"date": "2027-01-15"}}
        with pytest.raises(DraftNotFound):
            await DraftService(db, now=Clock(expiry)).get_for(old.id, anna)

    fresh = await open_draft(sessions, PENSION, anna, people["anna"], now=Clock(expiry))
    assert fresh.id != old.id and fresh.answers == {}

    sweeper = DraftSweeper(sessions)
    assert await sweeper.run_once(expiry + dt.timedelta(days=20)) == 0  # fresh and kept are within their terms
    assert await sweeper.run_once(expiry + dt.timedelta(days=91)) == 2
    async with sessions() as db:
        assert await db.get(Draft, kept.id) is None


async def test_the_sweeper_leaves_open_drafts_within_their_term_and_submitted_ones(sessions, people):
    anna = accesses(people)["anna"]
    expiring = await open_draft(sessions, PENSION, anna, people["anna"])
    live = await open_draft(sessions, CHILD_BENEFIT, anna, people["anna"], now=Clock(T0 + dt.timedelta(days=10)))
    async with sessions() as db, db.begin():
        # A submitted draft keeps its row (it points at its submission), however old it is.
        done = await DraftService(db, now=Clock()).open_or_resume(HOME_CARE, subject(anna, people["anna"]), anna.actor)
        done.status, done.open_key = DraftStatus.SUBMITTED.value, None
    assert await DraftSweeper(sessions).run_once(T0 + dt.timedelta(days=95)) == 1
    async with sessions() as db:
        remaining = set((await db.execute(select(Draft.id))).scalars())
    assert remaining == {live.id, done.id}
    assert expiring.id not in remaining


# Whose draft, opened by whom, for whom; the personas who must not reach it.
REFUSED = [
    ("anna", "anna", None, PENSION, ["janis", "ilze", "dace", "laura", "elza", "rasma", "assistant"]),
    ("anna", "anna", "elza", CHILD_BENEFIT, ["janis", "ilze", "dace", "laura", "assistant"]),
    ("ilze", "kristaps", None, DISABILITY, ["anna", "dace", "rasma", "janis", "assistant"]),
    ("ilze", "rasma", None, PENSION, ["anna", "dace", "janis", "laura", "assistant"]),
    ("rasma", "rasma", None, HOME_CARE, ["ilze", "anna", "janis", "assistant"]),
    ("dace", "roberts", None, DISABILITY, ["anna", "ilze", "janis", "laura", "assistant"]),
    ("laura", "laura", None, PENSION, ["anna", "ilze", "dace", "janis", "rasma"]),
]


@pytest.mark.parametrize(("opener", "applicant", "about", "terms", "refused"), REFUSED)
async def test_another_persons_draft_is_refused(sessions, people, opener, applicant, about, terms, refused):
    every = accesses(people)
    about_person = people[about] if about else None
    draft = await open_draft(sessions, terms, every[opener], people[applicant], about=about_person)
    allowed = set(every) - set(refused)
    async with sessions() as db:
        service = DraftService(db, now=Clock())
        for name in sorted(allowed):
            if every[name].find(people[applicant].id):
                assert (await service.get_for(draft.id, every[name])).id == draft.id, name
        for name in refused:
            with pytest.raises(NotPermitted):
                await service.get_for(draft.id, every[name])
    assert every[opener].find(people[applicant].id) is not None


async def test_a_vsaa_only_mandate_may_not_open_or_reach_a_pasv_draft_for_the_grantor(sessions, people):
    every = accesses(people)
    ilze, rasma = every["ilze"], people["rasma"]
    with pytest.raises(NotPermitted):
        await open_draft(sessions, HOME_CARE, ilze, rasma)
    pension = await open_draft(sessions, PENSION, ilze, rasma)
    assert (pension.basis, pension.basis_ref, pension.filer_id) == ("mandate", MANDATE_ID, people["ilze"].id)
    rasmas_own = await open_draft(sessions, HOME_CARE, every["rasma"], rasma)
    async with sessions() as db:
        service = DraftService(db, now=Clock())
        assert (await service.get_for(pension.id, ilze)).id == pension.id
        assert (await service.get_for(pension.id, every["rasma"])).id == pension.id
        with pytest.raises(NotPermitted):
            await service.get_for(rasmas_own.id, ilze)
    async with sessions() as db:
        assert await db.scalar(select(func.count()).where(Draft.service == HOME_CARE.slug)) == 1


async def test_an_unknown_draft_is_refused_like_another_persons(sessions, people):
    async with sessions() as db:
        with pytest.raises(NotPermitted):
            await DraftService(db).get_for(uuid.uuid4(), accesses(people)["anna"])


async def test_deleting_a_draft_lets_a_new_one_open(sessions, people):
    anna = accesses(people)["anna"]
    draft = await open_draft(sessions, PENSION, anna, people["anna"])
    async with sessions() as db, db.begin():
        service = DraftService(db, now=Clock())
        await service.delete(await service.get_for(draft.id, anna))
    async with sessions() as db:
        with pytest.raises(DraftNotFound):
            await DraftService(db, now=Clock()).get_for(draft.id, anna)
    assert (await open_draft(sessions, PENSION, anna, people["anna"])).id != draft.id


async def test_drafts_survive_a_restart(migrated, people, sessions):
    anna = accesses(people)["anna"]
    draft = await open_draft(sessions, PENSION, anna, people["anna"])
    async with sessions() as db, db.begin():
        service = DraftService(db, now=Clock())
        await service.save_page(await service.get_for(draft.id, anna), "start", {"date": "2027-01-15"})
    # A new engine on the same database, as after the portal restarts.
    engine = create_engine(migrated.database_url)
    try:
        async with session_factory(engine)() as db:
            resumed = await DraftService(db, now=Clock()).open_or_resume(
                PENSION, subject(anna, people["anna"]), anna.actor
            )
            assert (resumed.id, resumed.answers) == (draft.id, {"start": {"date": "2027-01-15"}})
    finally:
        await engine.dispose()


async def test_the_worker_sweeps_expired_drafts(migrated, sessions, people):
    from portal.agencies.registry import build_agencies
    from portal.clock import WallClock
    from portal.worker.tasks import WorkerContext, build_tasks

    agencies = build_agencies(migrated)
    try:
        tasks = build_tasks(WorkerContext(migrated, sessions, agencies, WallClock()))
    finally:
        await agencies.aclose()
    sweeper = next(task for task in tasks if task.name == "drafts")
    await open_draft(sessions, PENSION, accesses(people)["anna"], people["anna"])
    assert await sweeper.run_once(T0 + dt.timedelta(days=PENSION.draft_days)) == 1


# Each draft (opened by, applicant, about, service) and who reaches it when AccessResolver asks the real register
# sandbox and the seeded mandates; everyone else among the personas is refused.
RESOLVED = [
    ("anna", "anna", None, PENSION, {"anna"}),
    ("anna", "elza", None, DISABILITY, {"anna", "elza"}),
    # Elza is what the draft is about, not its applicant: her other representatives never see Anna's own answers.
    ("anna", "anna", "elza", CHILD_BENEFIT, {"anna"}),
    ("ilze", "kristaps", None, DISABILITY, {"ilze", "kristaps"}),
    ("ilze", "rasma", None, PENSION, {"rasma", "ilze"}),
    ("rasma", "rasma", None, HOME_CARE, {"rasma"}),
    ("dace", "roberts", None, DISABILITY, {"dace", "roberts"}),
    ("laura", "laura", None, PENSION, {"laura"}),
]


async def test_access_resolved_from_the_register_and_mandates_reaches_only_related_drafts(
    migrated, sessions, live_sandbox
):
    from portal.agencies.registry import build_agencies
    from portal.auth.access import AccessResolver
    from portal.auth.sessions import LoadedSession, SessionData
    from portal.representation.seed import load_personas, seed_mandates
    from portal.representation.service import MandateService
    from tests.conftest import agency_urls

    class NoIdentifications:
        async def open_identification(self, identification_id, assistant_id):
            return None

    personas = load_personas()
    agencies = build_agencies(migrated.model_copy(update=agency_urls(live_sandbox.url)))
    resolved: dict[str, Access] = {}
    try:
        async with sessions() as db, db.begin():
            await seed_mandates(db, personas)
            directory = PersonDirectory(db)
            resolver = AccessResolver(directory, agencies.population_register, MandateService(db), NoIdentifications())
            for persona in personas["personas"]:
                me = await directory.meet(persona["personal_code"], persona["given_name"], persona["family_name"])
                data = SessionData("sub", "citizen", T0.isoformat(), T0.isoformat(), claims={"person_id": str(me.id)})
                session = LoadedSession("id", data, T0, T0)
                resolved[persona["given_name"].lower()] = await resolver.resolve(
                    session, dt.date.fromisoformat(personas["today"]), "ref"
                )
    finally:
        await agencies.aclose()
    assert not any(access.register_unavailable for access in resolved.values())
    ids = {name: access.actor.person_id for name, access in resolved.items()}
    for opened_by, applicant, about, terms, allowed in RESOLVED:
        async with sessions() as db, db.begin():
            opener = resolved[opened_by]
            draft = await DraftService(db, now=Clock()).open_or_resume(
                terms, subject(opener, await db.get_one(Person, ids[applicant])), opener.actor, ids.get(about or "")
            )
        async with sessions() as db:
            service = DraftService(db, now=Clock())
            for name, access in resolved.items():
                if name in allowed:
                    assert (await service.get_for(draft.id, access)).id == draft.id, (name, terms.slug)
                else:
                    with pytest.raises(NotPermitted):
                        await service.get_for(draft.id, access)
