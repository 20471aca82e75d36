"""An e-service's start page (`/services/<slug>`): what it is, who may apply, the decision term, what you need.

Public: a person can read about a service before signing in. "Start now" is a POST (with CSRF) to
/services/<slug>/apply, which asks for sign-in when there is none, then opens or resumes the draft.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from portal.catalogue.definitions import Definitions
from portal.catalogue.endings import surveyed_service
from portal.web.i18n import N_

FILER_TEXTS = {
    "self": N_("You can apply for yourself."),
    "representative": N_("A parent, a guardian or a person with your mandate can apply for you."),
    "assistant": N_("An assistant at a state and municipal one-stop service centre can apply for you."),
}
AGENCY_NAMES = {
    "vsaa": N_("State Social Insurance Agency (VSAA)"),
    "vdeavk": N_("State Medical Commission for the Assessment of Health Condition and Working Ability (VDEĀVK)"),
    "pasv": N_("Your municipality's social service"),
}


@get("/services/{slug:str}", sync_to_thread=False)
def service_start(
    slug: FromPath[str],
    definitions: NamedDependency[Definitions],
    for_: Annotated[str | None, QueryParameter(name="for")] = None,
) -> Template:
    return _start_page(definitions, slug, "application", f"/services/{slug}/apply", {"for": for_})


@get("/questionnaires/{slug:str}", sync_to_thread=False)
def questionnaire_start(
    slug: FromPath[str],
    definitions: NamedDependency[Definitions],
    for_: Annotated[str | None, QueryParameter(name="for")] = None,
    service: FromQuery[str | None] = None,
) -> Template:
    """`?service=` names the e-service a satisfaction survey is about (the confirmation page links it); it is
    carried to the start, which checks it against the catalogue again."""
    about = surveyed_service(definitions, slug, service)
    query = {"for": for_, "service": about}
    surveyed = definitions[about].title if about else None
    return _start_page(definitions, slug, "questionnaire", f"/questionnaires/{slug}", query, surveyed)


def _start_page(
    definitions: Definitions, slug: str, kind: str, path: str, query: dict[str, str | None], surveyed: str | None = None
) -> Template:
    definition = definitions.get(slug)
    if definition is None or definition.kind != kind:
        raise NotFoundException()
    # Start now posts for the person the page was opened for (?for=), as every page names them.
    given = urlencode({key: value for key, value in query.items() if value})
    action = f"{path}?{given}" if given else path
    documents = [q.label for page in definition.pages for q in page.questions if q.type == "file"]
    return Template(
        "pages/services/start.html",
        context={
            "definition": definition,
            "filers": [FILER_TEXTS[filer] for filer in definition.filers],
            "agency": AGENCY_NAMES.get(definition.agency or ""),
            "documents": documents,
            "action": action,
            "surveyed": surveyed,
        },
    )
