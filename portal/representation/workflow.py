"""Granting, listing and ending mandates for the signed-in person, with the audit trail written as it happens."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.population_register import PopulationRegister
from portal.audit.service import AuditTrail
from portal.auth.access import Access, Basis, Subject
from portal.people.models import Person
from portal.people.service import PersonDirectory
from portal.representation.models import Mandate
from portal.representation.service import Grant, MandateRefused, MandateService
from portal.web.i18n import N_


@dataclass(frozen=True)
class MandateView:
    mandate: Mandate
    other: Person  # the holder of a mandate I granted, the grantor of one I hold


@dataclass(frozen=True)
class Mandates:
    granted: list[MandateView]
    held: list[MandateView]


class RepresentationWorkflow:
    def __init__(
        self, people: PersonDirectory, mandates: MandateService, register: PopulationRegister, audit: AuditTrail
    ) -> None:
        self._people = people
        self._mandates = mandates
        self._register = register
        self._audit = audit

    async def mandates_of(self, access: Access, today: dt.date) -> Mandates:
        me = access.actor.person_id
        granted = await self._mandates.granted_by(me, today)
        held = await self._mandates.held_by(me, today)
        people = await self._people.many([m.holder_id for m in granted] + [m.grantor_id for m in held])
        return Mandates(
            granted=[MandateView(m, people[m.holder_id]) for m in granted],
            held=[MandateView(m, people[m.grantor_id]) for m in held],
        )

    async def grant(
        self, access: Access, holder_code: str, agencies: tuple[str, ...], valid_until: dt.date, today: dt.date
    ) -> tuple[Mandate, Person]:
        """Raises MandateRefused with a message id for the page."""
        try:
            found = await self._register.person(holder_code)
        except AgencyUnavailable as error:
            raise MandateRefused(
                N_("We cannot check the personal code with the population register right now. Try again later.")
            ) from error
        if found is None:
            raise MandateRefused(N_("There is no person with this personal code in the population register."))
        holder = await self._people.meet(found.personal_code, found.given_name, found.family_name)
        mandate = await self._mandates.grant(access.actor.person_id, Grant(holder.id, agencies, valid_until), today)
        await self._audit.action(access.actor, self._own(access), "mandate.granted", f"mandate:{mandate.id}")
        return mandate, holder

    async def find_live(self, access: Access, mandate_id: uuid.UUID, today: dt.date) -> MandateView | None:
        mandates = await self.mandates_of(access, today)
        return next((v for v in mandates.granted + mandates.held if v.mandate.id == mandate_id), None)

    async def end(self, access: Access, mandate_id: uuid.UUID, today: dt.date) -> MandateView | None:
        view = await self.find_live(access, mandate_id, today)
        if view is None:
            return None
        # The trail names the grantor as the subject: the mandate was theirs, whichever side ended it.
        if view.mandate.grantor_id == access.actor.person_id:
            subject = self._own(access)
        else:
            subject = Subject.of(view.other, Basis.MANDATE, basis_ref=view.mandate.id)
        await self._mandates.end(mandate_id, access.actor.person_id, today)
        await self._audit.action(access.actor, subject, "mandate.ended", f"mandate:{mandate_id}")
        return view

    @staticmethod
    def _own(access: Access) -> Subject:
        return next(s for s in access.subjects if s.basis is Basis.SELF)
