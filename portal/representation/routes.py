"""Acting for someone (`/representation`): whom I act for and why, the "acting for" switch, and mandates."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.population_register import PopulationRegister
from portal.audit.service import AuditTrail
from portal.auth.access import Access, Basis, NotPermitted
from portal.auth.dependencies import ACTING_FOR, signed_in_session
from portal.auth.guards import signed_in
from portal.auth.service import recently_high
from portal.auth.sessions import SessionStore
from portal.clock import Clock
from portal.people.service import PersonDirectory
from portal.representation.forms import AGENCY_NAMES, MandateForm, mandate_form_context
from portal.representation.service import MandateRefused, MandateService
from portal.representation.workflow import RepresentationWorkflow

NO_STORE = {"Cache-Control": "no-store"}


def provide_workflow(
    db_session: NamedDependency[AsyncSession],
    population_register: NamedDependency[PopulationRegister],
    audit: NamedDependency[AuditTrail],
) -> RepresentationWorkflow:
    return RepresentationWorkflow(PersonDirectory(db_session), MandateService(db_session), population_register, audit)


def _see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


def _citizen(access: Access) -> None:
    # Staff act only for an identified client, from the assistant's pages; mandates are between citizens.
    if access.actor.kind != "citizen":
        raise NotPermitted()


def _step_up(request: Request[Any, Any, Any], path: str) -> Redirect | None:
    """Granting or ending a mandate needs a recent sign-in at high assurance; None when there is one."""
    sessions: SessionStore = request.app.state.sessions
    if recently_high(signed_in_session(request), sessions.now()):
        return None
    return _see_other(f"/auth/step-up?next={path}")


@get("/")
async def show(
    access: NamedDependency[Access],
    workflow: NamedDependency[RepresentationWorkflow],
    clock: NamedDependency[Clock],
    request: Request[Any, Any, Any],
    done: FromQuery[str | None] = None,
) -> Template:
    _citizen(access)
    mandates = await workflow.mandates_of(access, await clock.today())
    acting_for = signed_in_session(request).data.values.get(ACTING_FOR)
    return Template(
        "pages/representation/index.html",
        context={
            "access": access,
            "mandates": mandates,
            "acting_for": acting_for,
            "agency_names": AGENCY_NAMES,
            "done": done if done in ("granted", "ended", "switched") else None,
        },
        headers=NO_STORE,
    )


@post("/acting-for", status_code=HTTP_200_OK)
async def switch(request: Request[Any, Any, Any], access: NamedDependency[Access]) -> Redirect:
    """The "acting for" switch: sets whom pages are about by default; each page still names its subject."""
    _citizen(access)
    form = await request.form()
    wanted = str(form.get("person", ""))
    session = signed_in_session(request)
    if wanted == "self":
        session.data.values.pop(ACTING_FOR, None)
        target = "/overview"
    else:
        try:
            subject = access.require(uuid.UUID(wanted))
        except ValueError as error:
            raise NotPermitted() from error
        session.data.values[ACTING_FOR] = None if subject.basis is Basis.SELF else str(subject.person_id)
        target = f"/overview?for={subject.person_id}"
    sessions: SessionStore = request.app.state.sessions
    await sessions.update(session)
    return _see_other(target)


@get("/mandates/new")
async def new_mandate(request: Request[Any, Any, Any], access: NamedDependency[Access]) -> Template | Redirect:
    _citizen(access)
    if step_up := _step_up(request, "/representation/mandates/new"):
        return step_up
    return Template("pages/representation/grant.html", context={"form": mandate_form_context(MandateForm())})


@post("/mandates/new", status_code=HTTP_200_OK)
async def grant_mandate(
    request: Request[Any, Any, Any],
    access: NamedDependency[Access],
    workflow: NamedDependency[RepresentationWorkflow],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    _citizen(access)
    form = MandateForm(await request.form())
    refusal: MandateRefused | None = None
    if form.validate():
        if step_up := _step_up(request, "/representation/mandates/new"):
            return step_up
        assert form.valid_until.data is not None
        try:
            await workflow.grant(
                access, form.holder_code.data or "", tuple(form.agencies.data or ()), form.valid_until.data,
                await clock.today(),
            )  # fmt: skip
        except MandateRefused as refused:
            refusal = refused
        else:
            return _see_other("/representation?done=granted")
    context = {"form": mandate_form_context(form, refusal)}
    return Template("pages/representation/grant.html", context=context, status_code=HTTP_400_BAD_REQUEST)


@get("/mandates/{mandate_id:uuid}/end")
async def confirm_end(
    request: Request[Any, Any, Any],
    mandate_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    workflow: NamedDependency[RepresentationWorkflow],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    _citizen(access)
    view = await workflow.find_live(access, mandate_id, await clock.today())
    if view is None:
        raise NotPermitted()
    if step_up := _step_up(request, f"/representation/mandates/{mandate_id}/end"):
        return step_up
    granted = view.mandate.grantor_id == access.actor.person_id
    return Template("pages/representation/end.html", context={"view": view, "granted": granted})


@post("/mandates/{mandate_id:uuid}/end", status_code=HTTP_200_OK)
async def end_mandate(
    request: Request[Any, Any, Any],
    mandate_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    workflow: NamedDependency[RepresentationWorkflow],
    clock: NamedDependency[Clock],
) -> Redirect:
    _citizen(access)
    if step_up := _step_up(request, f"/representation/mandates/{mandate_id}/end"):
        return step_up
    ended = await workflow.end(access, mandate_id, await clock.today())
    if ended is None:
        raise NotPermitted()
    return _see_other("/representation?done=ended")


representation = Router(
    "/representation",
    route_handlers=[show, switch, new_mandate, grant_mandate, confirm_end, end_mandate],
    guards=[signed_in],
    dependencies={"workflow": Provide(provide_workflow, sync_to_thread=False)},
)
