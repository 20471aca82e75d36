"""Opening and closing a client for a VPVKAC assistant, with the audit trail written as it happens.

An assistant sees a client only through an open ClientIdentification (portal.auth.access): opening one records
how the client, present in person, was identified; closing it ends the assistant's view of the client.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.population_register import PopulationRegister
from portal.assistant.models import ClientIdentification
from portal.audit.service import AuditTrail
from portal.auth.access import Access, Basis, Subject
from portal.people.service import PersonDirectory
from portal.web.i18n import N_

OPENED = "client.opened"
CLOSED = "client.closed"
DOCUMENT_TYPES = ("passport", "id_card", "residence_permit")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ClientRefused(Exception):
    """The client cannot be opened; `reason` is a message id for the personal code field."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RegisterUnavailable(Exception):
    """The population register gave no answer: nothing was opened, and the assistant may try again."""

    reason = N_("We cannot check the personal code with the population register right now. Try again later.")


@dataclass(frozen=True)
class Identification:
    """How the assistant identified the client; the form has checked every part."""

    personal_code: str
    document_type: str
    document_last_digits: str
    present_in_person: bool


def current_client(access: Access) -> Subject | None:
    """The client an assistant works for now: the one open identification the request's access resolved."""
    if access.actor.kind != "staff":
        return None
    return next((s for s in access.subjects if s.basis is Basis.ASSISTANT), None)


def _record(subject: Subject) -> str:
    return f"identification:{subject.basis_ref}"


class AssistantWorkflow:
    def __init__(
        self,
        db: AsyncSession,
        register: PopulationRegister,
        audit: AuditTrail,
        now: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._db = db
        self._people = PersonDirectory(db)
        self._register = register
        self._audit = audit
        self._now = now

    async def open(self, access: Access, identification: Identification) -> Subject:
        """Records the identification and returns the client, ready to be worked for; the previous client (if
        any) is closed first, so an assistant never has two clients at once.

        Raises ClientRefused (with a message id) and RegisterUnavailable; nothing changes when either is raised.
        """
        if access.actor.kind != "staff":
            raise ClientRefused(N_("Only service centre assistants can open a client."))
        if not identification.present_in_person:
            raise ClientRefused(N_("Confirm that the client is here in person."))
        if identification.document_type not in DOCUMENT_TYPES:
            raise ClientRefused(N_("Choose the document the client showed you."))
        try:
            found = await self._register.person(identification.personal_code)
        except AgencyUnavailable as error:
            raise RegisterUnavailable() from error
        if found is None:
            raise ClientRefused(N_("There is no person with this personal code in the population register."))
        client = await self._people.meet(found.personal_code, found.given_name, found.family_name)
        if client.id == access.actor.person_id:
            raise ClientRefused(
                N_("You cannot open yourself as a client. Sign in as a citizen to see your own matters.")
            )
        await self.close(access)
        record = ClientIdentification(
            id=uuid.uuid4(),
            assistant_id=access.actor.person_id,
            client_id=client.id,
            organisation=access.actor.organisation or "",
            document_type=identification.document_type,
            document_last_digits=identification.document_last_digits,
            present_in_person=True,
            opened_at=self._now(),
            closed_at=None,
        )
        self._db.add(record)
        await self._db.flush()
        subject = Subject.of(client, Basis.ASSISTANT, basis_ref=record.id)
        await self._audit.action(access.actor, subject, OPENED, _record(subject))
        return subject

    async def close(self, access: Access) -> Subject | None:
        """Closes the open client of this request's access, if there is one, and returns who it was."""
        subject = current_client(access)
        if subject is None or subject.basis_ref is None:
            return None
        identification = await self._db.get(ClientIdentification, subject.basis_ref)
        if identification is None or identification.closed_at is not None:
            return None
        identification.closed_at = self._now()
        await self._audit.action(access.actor, subject, CLOSED, _record(subject))
        return subject
