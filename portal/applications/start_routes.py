"""Starting an application or questionnaire: for whom (asked when the actor may file for several, or which child),
the draft opened or resumed, and a new draft prefilled with what the agency knows."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.population_register import PopulationRegister
from portal.applications import engine
from portal.applications.draft_models import Draft
from portal.applications.drafts import DraftService
from portal.applications.prefill import PrefillSources, fill, gather
from portal.assistant.clients import FILED_FOR, ClientChild, ClientChildren
from portal.auth.access import Access, Basis, NotPermitted, Subject
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definition, Definitions
from portal.catalogue.endings import surveyed_service
from portal.clock import Clock
from portal.people.models import Person
from portal.people.service import PersonDirectory

NO_STORE = {"Cache-Control": "no-store"}
# Which child a person filed for applies about (`?for=` names that person, the applicant).
ABOUT_PARAM = "about"
log = structlog.get_logger("portal.applications")


# Who may file, in a definition's words, for each basis on which the actor reaches the applicant.
FILER_OF_BASIS = {
    Basis.SELF: "self",
    Basis.PARENT: "representative",
    Basis.GUARDIAN: "representative",
    Basis.MANDATE: "representative",
    Basis.ASSISTANT: "assistant",
}


CHILD_BASES = frozenset({Basis.PARENT, Basis.GUARDIAN})


def _is_child(subject: Subject) -> bool:
    # A guardian of an adult (aizgādnis) acts for that adult, who is nobody's child in these services.
    return subject.basis in CHILD_BASES and subject.guardian_kind != "aizgadnis"


def _see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


def _definition(definitions: Definitions, slug: str, kind: str = "application") -> Definition:
    definition = definitions.get(slug)
    if definition is None or definition.kind != kind:
        raise NotFoundException()
    return definition


def may_file(definition: Definition, subject: Subject) -> bool:
    return FILER_OF_BASIS.get(subject.basis) in definition.filers and subject.covers(
        definition.agency.upper() if definition.agency else None
    )


def _base_of(draft_id: object) -> str:
    return f"/applications/{draft_id}"


def _for_whom(
    definition: Definition,
    people: Sequence[Subject | ClientChild],
    subject: Subject,
    *,
    children: bool,
    applicant: Subject | None = None,
    unavailable: bool = False,
) -> Template:
    """The page that asks for whom (or about which child); `applicant` is the person filed for, whose child it
    is (absent when the actor applies about their own child)."""
    return Template(
        "pages/services/for_whom.html",
        context={
            "definition": definition,
            "people": people,
            "subject": subject,
            "children": children,
            "applicant": applicant,
            "unavailable": unavailable,
        },
        status_code=HTTP_503_SERVICE_UNAVAILABLE if unavailable else HTTP_200_OK,
        headers=NO_STORE,
    )


async def _applicant_and_about(
    definition: Definition,
    access: Access,
    subject: Subject,
    request: Request[Any, Any, Any],
    children: ClientChildren,
) -> tuple[Subject, Subject | uuid.UUID | None] | Template:
    """Who applies and whom the application is about, or the page that asks for whom (or about which child)."""
    if definition.about == "child":
        return await _applicant_and_child(definition, access, subject, request.query_params.get(ABOUT_PARAM), children)
    eligible = [s for s in access.subjects if may_file(definition, s)]
    if "for" not in request.query_params and len(eligible) > 1:
        return _for_whom(definition, eligible, subject, children=False)
    if not may_file(definition, subject):
        raise NotPermitted()
    return subject, None


async def _applicant_and_child(
    definition: Definition, access: Access, subject: Subject, about: str | None, children: ClientChildren
) -> tuple[Subject, Subject | uuid.UUID] | Template:
    """Who applies and which child the application is about, or the page that asks which child."""
    if subject.basis in FILED_FOR:
        return await _filed_for_and_child(definition, subject, about, children)
    # The parent or guardian applies for themselves about a child the register names; ?for= picks the child.
    applicant = access.find(access.actor.person_id)
    eligible = [s for s in access.subjects if _is_child(s)]
    if applicant is None or not may_file(definition, applicant):
        raise NotPermitted()
    chosen = subject if _is_child(subject) else (eligible[0] if len(eligible) == 1 else None)
    if chosen is None:
        return _for_whom(definition, eligible, subject, children=True)
    return applicant, chosen


async def _filed_for_and_child(
    definition: Definition, applicant: Subject, about: str | None, children: ClientChildren
) -> tuple[Subject, uuid.UUID] | Template:
    """An assistant (or a mandate holder) files in the applicant's name about one of the applicant's children
    (?about= picks one). The register must name the child as the applicant's; the child is only the
    about-person, never the actor's subject."""
    if not may_file(definition, applicant):
        raise NotPermitted()
    try:
        if about is not None:
            child = await children.find(applicant, _person_id(about))
            if child is None:
                raise NotPermitted()
            return applicant, child.person_id
        found = await children.of(applicant)
    except AgencyUnavailable:
        log.warning("children_unknown_register_unavailable", service=definition.slug)
        return _for_whom(definition, [], applicant, children=True, applicant=applicant, unavailable=True)
    if len(found) == 1:
        return applicant, found[0].person_id
    return _for_whom(definition, found, applicant, children=True, applicant=applicant)


def _person_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as error:
        raise NotPermitted() from error


@post("/services/{slug:str}/apply", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def apply(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    prefill_sources: NamedDependency[PrefillSources],
    clock: NamedDependency[Clock],
    population_register: NamedDependency[PopulationRegister],
) -> Redirect | Template:
    """Start or resume the application for the subject; ask for whom first when the actor may file for several."""
    definition = _definition(definitions, slug)
    children = ClientChildren(PersonDirectory(db_session), population_register)
    whom = await _applicant_and_about(definition, access, subject, request, children)
    if isinstance(whom, Template):
        return whom
    subject, about = whom
    draft, new = await _open_prefilled(db_session, definition, subject, access, about, prefill_sources, clock)
    if new:  # start at the first page, whatever the agencies filled in
        return _see_other(f"{_base_of(draft.id)}/{engine.pages(definition, draft.answers)[0].name}")
    return _see_other(f"{_base_of(draft.id)}/{engine.first_incomplete(definition, draft.answers) or engine.CHECK}")


async def _open_prefilled(
    db: AsyncSession,
    definition: Definition,
    subject: Subject,
    access: Access,
    about: Subject | uuid.UUID | None,
    sources: PrefillSources,
    clock: Clock,
) -> tuple[Draft, bool]:
    """The open draft, or a new one filled with what the agencies know (and whether it is new). The agencies are
    asked before anything is written: on SQLite a write takes the one lock of the whole database, and every other
    request would wait for a slow agency."""
    drafts = DraftService(db)
    open_draft = await drafts.find_open(definition, subject, about)
    found = None
    if open_draft is None or not open_draft.answers:
        person = await db.get(Person, subject.person_id)
        if person is not None:
            found = await gather(definition, person.personal_code, subject.person_id, sources)
    draft = await drafts.open_or_resume(definition, subject, access.actor, about)
    new = not draft.answers
    if new and found is not None:
        await fill(drafts, draft, definition, found, await clock.today())
    return draft, new


@post("/questionnaires/{slug:str}", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def start_questionnaire(
    slug: FromPath[str],
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    service: FromQuery[str | None] = None,
) -> Redirect:
    """A questionnaire is filled in like an application, for the subject (?for= as usual). A satisfaction survey
    keeps the e-service it is about (?service=, checked against the catalogue; the latest start names it)."""
    definition = _definition(definitions, slug, "questionnaire")
    if not may_file(definition, subject):
        raise NotPermitted()
    draft = await DraftService(db_session).open_or_resume(definition, subject, access.actor)
    if surveyed := surveyed_service(definitions, slug, service):
        draft.context = surveyed
    return _see_other(f"{_base_of(draft.id)}/{engine.first_incomplete(definition, draft.answers) or engine.CHECK}")
