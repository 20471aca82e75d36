"""Who may act for whom, decided by AccessResolver from its sources (fakes here: this is a unit of one piece)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.population_register import RegisterPerson, Representation
from portal.auth.access import AccessResolver, Basis, NotPermitted, subject_url
from portal.auth.sessions import LoadedSession, SessionData
from portal.people.models import Person
from portal.representation.models import Mandate

TODAY = dt.date(2026, 11, 20)


class People:
    def __init__(self) -> None:
        self.by_id: dict[uuid.UUID, Person] = {}

    def add(self, code: str, given: str) -> Person:
        person = Person(id=uuid.uuid4(), personal_code=code, given_name=given, family_name="Liepa")
        self.by_id[person.id] = person
        return person

    async def get(self, person_id: uuid.UUID) -> Person | None:
        return self.by_id.get(person_id)

    async def many(self, ids):
        return {i: self.by_id[i] for i in ids if i in self.by_id}

    async def meet(self, code: str, given: str, family: str) -> Person:
        found = next((p for p in self.by_id.values() if p.personal_code == code), None)
        return found or self.add(code, given)


class Register:
    def __init__(self, relations=None, down: bool = False) -> None:
        self.relations = relations or {}
        self.down = down

    async def person(self, code: str):
        return None

    async def represented_by(self, code: str):
        if self.down:
            raise AgencyUnavailable("down")
        return self.relations.get(code, [])


class Mandates:
    def __init__(self, mandates=()) -> None:
        self.mandates = list(mandates)

    async def held_by(self, holder_id, today):
        return [m for m in self.mandates if m.holder_id == holder_id and m.valid_until >= today and not m.ended_at]


class NoIdentifications:
    async def open_identification(self, identification_id, assistant_id):
        return None


def session(person: Person, kind: str = "citizen", **values) -> LoadedSession:
    now = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    data = SessionData("sub", kind, now.isoformat(), now.isoformat(), claims={"person_id": str(person.id)})
    data.values.update(values)
    return LoadedSession("id", data, now, now)


@pytest.fixture
def family():
    people = People()
    ilze, kristaps, rasma, stranger = (people.add(c, n) for c, n in [
        ("220470-16382", "Ilze"), ("327512-84427", "Kristaps"), ("011245-11123", "Rasma"), ("080890-17710", "Laura"),
    ])  # fmt: skip
    guardian = Representation(
        relation="guardian", guardian_kind="aizbildnis",
        person=RegisterPerson(
            personal_code=kristaps.personal_code, given_name="Kristaps", family_name="Liepa", birth_date=None
        ),
    )  # fmt: skip
    mandate = Mandate(
        id=uuid.uuid4(), grantor_id=rasma.id, holder_id=ilze.id, agencies=["VSAA"], valid_until=dt.date(2027, 12, 31)
    )
    return people, {ilze.personal_code: [guardian]}, mandate, (ilze, kristaps, rasma, stranger)


async def test_ilze_acts_for_herself_kristaps_as_guardian_and_rasma_in_vsaa_matters_only(family):
    people, relations, mandate, (ilze, kristaps, rasma, stranger) = family
    resolver = AccessResolver(people, Register(relations), Mandates([mandate]), NoIdentifications())
    access = await resolver.resolve(session(ilze), TODAY, "ref")
    assert [(s.given_name, s.basis) for s in access.subjects] == [
        ("Ilze", Basis.SELF), ("Kristaps", Basis.GUARDIAN), ("Rasma", Basis.MANDATE),
    ]  # fmt: skip
    assert access.require(kristaps.id).guardian_kind == "aizbildnis"
    assert access.require(rasma.id, agency="VSAA").basis_code == f"mandate:{mandate.id}"
    for agency in ("VDEAVK", "PASV"):
        with pytest.raises(NotPermitted):
            access.require(rasma.id, agency=agency)
    with pytest.raises(NotPermitted):
        access.require(stranger.id)
    assert subject_url("/applications", access.require(rasma.id)) == f"/applications?for={rasma.id}"
    assert subject_url("/applications", access.require(ilze.id)) == "/applications"


async def test_an_ended_or_lapsed_mandate_gives_nothing(family):
    people, relations, mandate, (ilze, _, rasma, _) = family
    lapsed = AccessResolver(people, Register(relations), Mandates([mandate]), NoIdentifications())
    assert (await lapsed.resolve(session(ilze), dt.date(2028, 1, 1), "ref")).find(rasma.id) is None
    mandate.ended_at = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)
    assert (await lapsed.resolve(session(ilze), TODAY, "ref")).find(rasma.id) is None


async def test_a_register_outage_keeps_self_and_mandates_and_says_so(family):
    people, _, mandate, (ilze, kristaps, rasma, _) = family
    resolver = AccessResolver(people, Register(down=True), Mandates([mandate]), NoIdentifications())
    access = await resolver.resolve(session(ilze), TODAY, "ref")
    assert access.register_unavailable
    assert access.find(kristaps.id) is None and access.find(rasma.id) is not None


async def test_an_assistant_without_an_open_identification_may_act_for_nobody(family):
    people, relations, mandate, (ilze, _, _, _) = family
    resolver = AccessResolver(people, Register(relations), Mandates([mandate]), NoIdentifications())
    access = await resolver.resolve(session(ilze, kind="staff", client_identification=str(uuid.uuid4())), TODAY, "r")
    assert access.subjects == ()
    with pytest.raises(NotPermitted):
        access.require(ilze.id)
