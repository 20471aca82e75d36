"""The children a client applies about (a birth benefit, a guardian's benefit) when someone files in their name.

An assistant acts for the client alone, and a mandate holder for the grantor alone: portal.auth.access gives
neither access to that person's children. An application *about* a child still has to name one, so the
population register is asked whom the applicant represents, and the child chosen is recorded as the
application's about-person, nothing more. The children found here never become subjects of anyone's requests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from portal.agencies.population_register import PopulationRegister
from portal.auth.access import Basis, Subject
from portal.people.service import PersonDirectory

# Whose children are looked up here: those of a person filed for by an assistant or under a mandate. A citizen's
# own children come with their access, and a child has none in these services.
FILED_FOR = frozenset({Basis.ASSISTANT, Basis.MANDATE})


@dataclass(frozen=True)
class ClientChild:
    """A child the applicant is a parent or the guardian (aizbildnis) of, by the register's answer today."""

    person_id: uuid.UUID
    full_name: str


class ClientChildren:
    def __init__(self, people: PersonDirectory, register: PopulationRegister) -> None:
        self._people = people
        self._register = register

    async def of(self, applicant: Subject) -> list[ClientChild]:
        """The children of a person filed for (FILED_FOR); anyone else gets none. Raises AgencyUnavailable
        when the register does not answer."""
        if applicant.basis not in FILED_FOR:
            return []
        person = await self._people.get(applicant.person_id)
        if person is None:
            return []
        children = []
        for relation in await self._register.represented_by(person.personal_code):
            # A guardian of an adult (aizgādnis) acts for that adult, who is nobody's child in these services.
            if relation.guardian_kind == "aizgadnis":
                continue
            found = relation.person
            child = await self._people.meet(found.personal_code, found.given_name, found.family_name)
            children.append(ClientChild(child.id, child.full_name))
        return children

    async def find(self, applicant: Subject, wanted: uuid.UUID) -> ClientChild | None:
        """The child with this person id, if it is one of the applicant's."""
        return next((child for child in await self.of(applicant) if child.person_id == wanted), None)
