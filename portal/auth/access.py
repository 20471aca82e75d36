"""Who may act for whom: resolved once per request, then checked for every subject a request names.

An actor (the signed-in person) may act for a set of subjects: themselves; the minor children and the persons
under their guardianship that the population register names; the grantors of their live mandates; and, for a
VPVKAC assistant, only the client they have identified and not yet closed. Nothing else, in any mode.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import structlog

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.population_register import PopulationRegister
from portal.assistant.models import ClientIdentification
from portal.auth.sessions import LoadedSession
from portal.people.models import Person
from portal.people.service import PersonDirectory
from portal.representation.models import Mandate

log = structlog.get_logger("portal.access")


class Basis(StrEnum):
    SELF = "self"
    PARENT = "parent"
    GUARDIAN = "guardian"
    MANDATE = "mandate"
    ASSISTANT = "assistant"


class NotPermitted(Exception):
    """The actor may not act for the subject a request names (or not in that agency's matters)."""


class NoClientOpen(Exception):
    """A VPVKAC assistant asked for a client's page without an open client identification."""


@dataclass(frozen=True)
class Subject:
    """A person the actor may act for, and why."""

    person_id: uuid.UUID
    given_name: str
    family_name: str
    basis: Basis
    basis_ref: uuid.UUID | None = None  # the mandate or the client identification
    agencies: frozenset[str] = frozenset()  # the agencies a mandate covers; empty means all matters
    valid_until: dt.date | None = None
    guardian_kind: str | None = None  # aizbildnis (a child) | aizgadnis (an adult)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def basis_code(self) -> str:
        """How the audit trail names the basis: `mandate:<id>` and `assistant:<id>` point at the record."""
        return f"{self.basis}:{self.basis_ref}" if self.basis_ref else str(self.basis)

    @classmethod
    def of(
        cls,
        person: Person,
        basis: Basis,
        basis_ref: uuid.UUID | None = None,
        agencies: frozenset[str] = frozenset(),
        valid_until: dt.date | None = None,
        guardian_kind: str | None = None,
    ) -> Subject:
        return cls(
            person.id, person.given_name, person.family_name, basis, basis_ref, agencies, valid_until, guardian_kind
        )

    def covers(self, agency: str | None) -> bool:
        return agency is None or not self.agencies or agency in self.agencies


@dataclass(frozen=True)
class Actor:
    person_id: uuid.UUID
    given_name: str
    family_name: str
    kind: str  # citizen | staff
    session_ref: str
    organisation: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass(frozen=True)
class Access:
    actor: Actor
    subjects: tuple[Subject, ...] = ()
    # The register did not answer: parents and guardians are missing from `subjects` for this request.
    register_unavailable: bool = False
    others: tuple[Subject, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "others", tuple(s for s in self.subjects if s.basis is not Basis.SELF))

    def find(self, person_id: uuid.UUID) -> Subject | None:
        return next((s for s in self.subjects if s.person_id == person_id), None)

    def require(self, person_id: uuid.UUID, agency: str | None = None) -> Subject:
        subject = self.find(person_id)
        if subject is None or not subject.covers(agency):
            raise NotPermitted()
        return subject


class MandateSource(Protocol):
    async def held_by(self, holder_id: uuid.UUID, today: dt.date) -> Sequence[Mandate]: ...


class IdentificationSource(Protocol):
    async def open_identification(
        self, identification_id: uuid.UUID, assistant_id: uuid.UUID
    ) -> ClientIdentification | None: ...


class AccessResolver:
    def __init__(
        self,
        people: PersonDirectory,
        register: PopulationRegister,
        mandates: MandateSource,
        identifications: IdentificationSource,
    ) -> None:
        self._people = people
        self._register = register
        self._mandates = mandates
        self._identifications = identifications

    async def resolve(self, session: LoadedSession, today: dt.date, session_ref: str) -> Access:
        claims = session.data.claims
        actor = Actor(
            person_id=uuid.UUID(str(claims["person_id"])),
            given_name=str(claims.get("given_name", "")),
            family_name=str(claims.get("family_name", "")),
            kind=session.data.kind,
            session_ref=session_ref,
            organisation=claims.get("organisation"),
        )
        if actor.kind == "staff":
            return Access(actor, await self._client_of(actor, session.data.values.get("client_identification")))
        me = await self._people.get(actor.person_id)
        if me is None:
            return Access(actor)
        subjects = [Subject.of(me, Basis.SELF)]
        register_unavailable = False
        try:
            for relation in await self._register.represented_by(me.personal_code):
                found = relation.person
                person = await self._people.meet(found.personal_code, found.given_name, found.family_name)
                basis = Basis.PARENT if relation.relation == "parent" else Basis.GUARDIAN
                subjects.append(Subject.of(person, basis, guardian_kind=relation.guardian_kind))
        except AgencyUnavailable:
            log.warning("register_unavailable_for_access")
            register_unavailable = True
        held = await self._mandates.held_by(actor.person_id, today)
        grantors = await self._people.many(m.grantor_id for m in held)
        for mandate in held:
            if mandate.grantor_id in grantors and not any(s.person_id == mandate.grantor_id for s in subjects):
                subjects.append(
                    Subject.of(
                        grantors[mandate.grantor_id],
                        Basis.MANDATE,
                        basis_ref=mandate.id,
                        agencies=frozenset(mandate.agencies),
                        valid_until=mandate.valid_until,
                    )
                )
        return Access(actor, tuple(subjects), register_unavailable)

    async def _client_of(self, actor: Actor, identification_id: object) -> tuple[Subject, ...]:
        """An assistant sees a client only while the identification they recorded is open."""
        try:
            wanted = uuid.UUID(str(identification_id))
        except ValueError:
            return ()
        identification = await self._identifications.open_identification(wanted, actor.person_id)
        client = await self._people.get(identification.client_id) if identification else None
        if identification is None or client is None:
            return ()
        return (Subject.of(client, Basis.ASSISTANT, basis_ref=identification.id),)


def subject_url(path: str, subject: Subject | None) -> str:
    """A link that keeps naming its subject, so two tabs acting for two people never mix."""
    if subject is None or subject.basis is Basis.SELF:
        return path
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}for={subject.person_id}"
