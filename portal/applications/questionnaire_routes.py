"""How a questionnaire ends after its check page (an application ends with the declaration, journey_routes.py):
the support check's personal, non-binding list of services, and the satisfaction survey's Send and thank-you page.

A definition's `ending` says which (portal/catalogue/endings.py). Drafts are loaded through `DraftService.get_for`,
so another person's draft id is refused with the plain 403 page, whether it exists or not.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications import engine
from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.drafts import DraftNotFound, DraftService
from portal.applications.satisfaction import SatisfactionService
from portal.auth.access import Access
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definition, Definitions
from portal.catalogue.endings import matching_results
from portal.clock import Clock
from portal.settings import Settings
from portal.web.i18n import current_locale

NO_STORE = {"Cache-Control": "no-store"}
# Set on the answer to Send, for that draft's URLs only: a second Send (double click, back button) of a survey
# this browser has just sent gets the thank-you page again. Signed, so it cannot be made for another's draft id
# (which would tell whether that draft exists); it names no person, and the response row names no draft.
SENT_COOKIE = "survey_sent"
SENT_COOKIE_SECONDS = 3600


def _see_other(path: str, cookies: list[Cookie] | None = None) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE, cookies=cookies or [])


async def _ending(
    db: AsyncSession, definitions: Definitions, draft_id: uuid.UUID, access: Access, ending: str
) -> tuple[Draft, Definition]:
    draft = await DraftService(db).get_for(draft_id, access)
    definition = definitions.get(draft.service)
    if definition is None or definition.ending != ending or draft.status != DraftStatus.DRAFT.value:
        raise NotFoundException()
    return draft, definition


@get("/applications/{draft_id:uuid}/results", guards=[signed_in])
async def results(
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template | Redirect:
    """The services the answers point to, in the rules' order, each with its plain reason and its start page."""
    draft, definition = await _ending(db_session, definitions, draft_id, access, "results")
    if missing := engine.first_incomplete(definition, draft.answers):
        return _see_other(f"/applications/{draft.id}/{missing}")
    subject = DraftService.subject_for(draft, access)
    # Starting a listed service for the person the check was done for, as every page names them: ?for=.
    query = "" if subject.person_id == access.actor.person_id else f"?for={subject.person_id}"
    # Every rule's service is in the catalogue: the results are checked against it at start-up.
    services = [
        {"title": definitions[rule.service].title, "hint": rule.hint, "href": f"/services/{rule.service}{query}"}
        for rule in matching_results(definition, draft.answers)
    ]
    context = {"definition": definition, "draft": draft, "services": services, "subject": subject}
    return Template("pages/applications/results.html", context=context, headers=NO_STORE)


def _sent_mark(settings: Settings, draft_id: uuid.UUID, slug: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    signature = hmac.new(key, f"{SENT_COOKIE}:{draft_id}:{slug}".encode(), hashlib.sha256).hexdigest()
    return f"{slug}.{signature[:32]}"


def sent_here(request: Request[Any, Any, Any], settings: Settings, draft_id: uuid.UUID) -> str | None:
    """The survey's slug when this browser has just sent this draft (the back button from the thank-you page
    returns to the check page: journey_routes.check sends it on to the thanks again)."""
    mark = request.cookies.get(SENT_COOKIE, "")
    slug = mark.partition(".")[0]
    return slug if slug and hmac.compare_digest(mark, _sent_mark(settings, draft_id, slug)) else None


@post("/applications/{draft_id:uuid}/send", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def send(
    request: Request[Any, Any, Any],
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
) -> Redirect:
    """Sends a satisfaction survey once: one anonymous response, the draft deleted, then the thank-you page."""
    try:
        draft, definition = await _ending(db_session, definitions, draft_id, access, "satisfaction")
    except DraftNotFound:
        if sent := sent_here(request, settings, draft_id):
            return _see_other(f"/questionnaires/{sent}/thanks")
        raise
    if missing := engine.first_incomplete(definition, draft.answers):
        return _see_other(f"/applications/{draft.id}/{missing}")
    await SatisfactionService(db_session).send(draft, definition, await clock.today(), current_locale())
    mark = Cookie(
        key=SENT_COOKIE,
        value=_sent_mark(settings, draft_id, definition.slug),
        path=f"/applications/{draft_id}",
        max_age=SENT_COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return _see_other(f"/questionnaires/{definition.slug}/thanks", cookies=[mark])


@get("/questionnaires/{slug:str}/thanks", sync_to_thread=False)
def thanks(slug: FromPath[str], definitions: NamedDependency[Definitions]) -> Template:
    """Public and the same for everyone: it shows nothing of the response, which is no longer anybody's."""
    definition = definitions.get(slug)
    if definition is None or definition.ending != "satisfaction":
        raise NotFoundException()
    return Template("pages/applications/thanks.html", context={"definition": definition})


HANDLERS = [results, send, thanks]
