"""VPVKAC assistant mode (`/staff`): open an identified client, work in their name, close the client.

Only staff sessions come here (`staff_only`); the client's own pages (/overview, /applications) are the citizen
pages, reached with `?for=<client id>` and checked by portal.auth.access against the open identification.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Request, Router, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.population_register import PopulationRegister
from portal.assistant.forms import DOCUMENT_NAMES, OpenClientForm, open_client_context
from portal.assistant.service import IdentificationService
from portal.assistant.workflow import (
    AssistantWorkflow,
    ClientRefused,
    Identification,
    RegisterUnavailable,
    current_client,
)
from portal.audit.service import AuditTrail
from portal.auth.access import Access
from portal.auth.dependencies import signed_in_session
from portal.auth.guards import staff_only
from portal.auth.sessions import SessionStore

# The session value portal.auth.access reads: the id of the identification the assistant works under.
CLIENT_IDENTIFICATION = "client_identification"
NO_STORE = {"Cache-Control": "no-store"}
log = structlog.get_logger("portal.assistant")


def _see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


async def _remember(request: Request[Any, Any, Any], db_session: AsyncSession, identification_id: str | None) -> None:
    """Points the staff session at the identification (or at none). The request's transaction is committed first:
    the session store writes through its own connection, which on SQLite would wait for this transaction's write
    lock, and a session must never point at an identification that was not saved."""
    await db_session.commit()
    session = signed_in_session(request)
    if identification_id:
        session.data.values[CLIENT_IDENTIFICATION] = identification_id
    else:
        session.data.values.pop(CLIENT_IDENTIFICATION, None)
    sessions: SessionStore = request.app.state.sessions
    await sessions.update(session)


async def _page(
    access: Access, db_session: AsyncSession, form: dict[str, Any] | None, status_code: int = HTTP_200_OK
) -> Template:
    """The staff home: the open client (who, how identified, their pages, closing), or the form to open one."""
    client = current_client(access)
    identification = None
    if client and client.basis_ref:
        identification = await IdentificationService(db_session).open_identification(
            client.basis_ref, access.actor.person_id
        )
    context = {"client": client, "identification": identification, "document_names": DOCUMENT_NAMES, "form": form}
    return Template("pages/staff/home.html", context=context, status_code=status_code, headers=NO_STORE)


@get("/")
async def home(access: NamedDependency[Access], db_session: NamedDependency[AsyncSession]) -> Template:
    form = None if current_client(access) else open_client_context(OpenClientForm())
    return await _page(access, db_session, form)


@post("/clients", status_code=HTTP_200_OK)
async def open_client(
    request: Request[Any, Any, Any],
    access: NamedDependency[Access],
    audit: NamedDependency[AuditTrail],
    db_session: NamedDependency[AsyncSession],
    population_register: NamedDependency[PopulationRegister],
) -> Template | Redirect:
    form = OpenClientForm(await request.form())
    refusal = unavailable = None
    if form.validate():
        identification = Identification(
            personal_code=form.personal_code.data or "",
            document_type=form.document_type.data or "",
            document_last_digits=form.document_last_digits.data or "",
            present_in_person=bool(form.present_in_person.data),
        )
        try:
            client = await AssistantWorkflow(db_session, population_register, audit).open(access, identification)
        except ClientRefused as refused:
            refusal = refused.reason
        except RegisterUnavailable as error:
            log.warning("client_not_opened_register_unavailable")
            unavailable = error.reason
        else:
            await _remember(request, db_session, str(client.basis_ref))
            log.info("client_opened", identification=str(client.basis_ref))
            return _see_other(f"/overview?for={client.person_id}")
    status = HTTP_503_SERVICE_UNAVAILABLE if unavailable else HTTP_400_BAD_REQUEST
    return await _page(access, db_session, open_client_context(form, refusal, unavailable), status)


@post("/client/close", status_code=HTTP_200_OK)
async def close_client(
    request: Request[Any, Any, Any],
    access: NamedDependency[Access],
    audit: NamedDependency[AuditTrail],
    db_session: NamedDependency[AsyncSession],
    population_register: NamedDependency[PopulationRegister],
) -> Redirect:
    closed = await AssistantWorkflow(db_session, population_register, audit).close(access)
    await _remember(request, db_session, None)
    if closed:
        log.info("client_closed", identification=str(closed.basis_ref))
    return _see_other("/staff")


staff = Router("/staff", route_handlers=[home, open_client, close_client], guards=[staff_only])
