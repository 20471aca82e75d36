"""The request's actor, the subjects they may act for, and the one subject a request is about.

`access` is resolved once per request (Litestar caches a dependency within a request). `subject` reads the
subject from the URL (`?for=<person id>`), falls back to the "acting for" default kept in the session, checks
it against `access`, and records the read in the audit trail when the actor is not the subject.
Every route that touches personal data depends on `subject` (or on `access` when it is about the actor
alone); tests/integration/test_access_routes.py fails when one does not.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.population_register import PopulationRegister
from portal.assistant.service import IdentificationService
from portal.audit.service import AuditTrail
from portal.auth.access import Access, AccessResolver, Basis, NoClientOpen, NotPermitted, Subject
from portal.auth.guards import SignInRequired
from portal.auth.sessions import LoadedSession
from portal.clock import Clock
from portal.people.service import PersonDirectory
from portal.representation.service import MandateService

SUBJECT_PARAM = "for"
ACTING_FOR = "acting_for"  # the session value behind the "acting for" switch


def session_ref(session: LoadedSession) -> str:
    """Names a session in the audit trail without storing its id, which is a bearer secret."""
    return hashlib.sha256(session.id.encode()).hexdigest()[:32]


def signed_in_session(request: Request[Any, Any, Any]) -> LoadedSession:
    session: LoadedSession | None = request.scope.get("state", {}).get("portal_session")
    if session is None:
        raise SignInRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return session


async def provide_access(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    population_register: NamedDependency[PopulationRegister],
    clock: NamedDependency[Clock],
) -> Access:
    session = signed_in_session(request)
    resolver = AccessResolver(
        PersonDirectory(db_session), population_register, MandateService(db_session), IdentificationService(db_session)
    )
    return await resolver.resolve(session, await clock.today(), session_ref(session))


def provide_audit(db_session: NamedDependency[AsyncSession]) -> AuditTrail:
    return AuditTrail(db_session)


def default_subject(access: Access, session: LoadedSession) -> Subject:
    """Whom a request without `?for=` is about: the switch's choice if still allowed, else the actor."""
    chosen = session.data.values.get(ACTING_FOR)
    if chosen:
        try:
            found = access.find(uuid.UUID(str(chosen)))
        except ValueError:
            found = None
        if found:
            return found
    own = next((s for s in access.subjects if s.basis in (Basis.SELF, Basis.ASSISTANT)), None)
    if own is None:
        raise NoClientOpen()
    return own


async def provide_subject(
    request: Request[Any, Any, Any], access: NamedDependency[Access], audit: NamedDependency[AuditTrail]
) -> Subject:
    wanted = request.query_params.get(SUBJECT_PARAM)
    if wanted is None:
        subject = default_subject(access, signed_in_session(request))
    else:
        try:
            subject = access.require(uuid.UUID(wanted))
        except ValueError as error:
            raise NotPermitted() from error
    if request.method == "GET":
        await audit.read(access.actor, subject, request.url.path)
    return subject
