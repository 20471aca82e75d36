"""Reporting that VSAA's data is wrong, from a question page VSAA prefilled (portal/applications/data_reports.py).

GET `/applications/<id>/<page>/report?question=<name>` asks what is wrong; the POST sends it to VSAA and goes back
to the question page with VSAA's report number (`?reported=`), where the answer stays the person's to change.
VSAA down or refusing keeps the person's words on the form with a message saying what happened. The draft is
loaded through `DraftService.get_for`, so another person's draft is refused like everywhere else.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.vsaa_data import VsaaData
from portal.applications.data_reports import MAX_TEXT, Reportable, WrongDataReports, checked_text, reportable
from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.drafts import DraftService
from portal.applications.questions import answer_text
from portal.audit.service import AuditTrail
from portal.auth.access import Access
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definition, Definitions
from portal.people.models import Person
from portal.web.i18n import N_, gettext

NO_STORE = {"Cache-Control": "no-store"}
PATH = "/applications/{draft_id:uuid}/{page_name:str}/report"
UNAVAILABLE = N_(
    "VSAA's system is not answering right now, so your report has not been sent. What you wrote is kept below: "
    "try sending it again in a few minutes."
)
REFUSED = N_("VSAA did not accept your report. It said: %(reason)s")


def _see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


async def _open(
    db: AsyncSession, definitions: Definitions, draft_id: uuid.UUID, page: str, question: str | None, access: Access
) -> tuple[Draft, Definition, Reportable] | Redirect:
    draft = await DraftService(db).get_for(draft_id, access)
    definition = definitions.get(draft.service)
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"/applications/{draft.id}/confirmation")
    target = reportable(definition, draft, page, question) if definition else None
    if definition is None or target is None:
        raise NotFoundException()
    return draft, definition, target


def _form(
    draft: Draft,
    definition: Definition,
    target: Reportable,
    access: Access,
    *,
    text: str = "",
    error: str | None = None,
    notice: str | None = None,
    status_code: int = HTTP_200_OK,
) -> Template:
    question_page = f"/applications/{draft.id}/{quote(target.page.name)}"
    mark = draft.prefilled[target.page.name][target.question.name]
    return Template(
        "pages/applications/report.html",
        context={
            "definition": definition,
            "draft": draft,
            "question": target.question,
            "given": answer_text(target.question, mark.get("value")),
            "action": f"{question_page}/report?{urlencode({'question': target.question.name})}",
            "back_href": question_page,
            "text": text,
            "error": error,
            "notice": notice,
            "max_length": MAX_TEXT,
            "access": access,
            "subject": DraftService.subject_for(draft, access),
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@get(PATH, guards=[signed_in])
async def report_form(
    draft_id: FromPath[uuid.UUID],
    page_name: FromPath[str],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    question: FromQuery[str | None] = None,
) -> Template | Redirect:
    opened = await _open(db_session, definitions, draft_id, page_name, question, access)
    if isinstance(opened, Redirect):
        return opened
    return _form(*opened, access)


@post(PATH, guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def send_report(
    request: Request[Any, Any, Any],
    draft_id: FromPath[uuid.UUID],
    page_name: FromPath[str],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    vsaa_data: NamedDependency[VsaaData],
    audit: NamedDependency[AuditTrail],
    question: FromQuery[str | None] = None,
) -> Template | Redirect:
    """Sends the report to VSAA once (the same words again get the same receipt), then back to the question."""
    opened = await _open(db_session, definitions, draft_id, page_name, question, access)
    if isinstance(opened, Redirect):
        return opened
    draft, _, target = opened
    typed = str((await request.form()).get("details") or "")
    text, problem = checked_text(typed)
    if problem is not None:
        return _form(*opened, access, text=typed, error=problem.text(), status_code=HTTP_400_BAD_REQUEST)
    applicant = await db_session.get_one(Person, draft.applicant_id)
    try:
        receipt = await WrongDataReports(vsaa_data, audit).send(draft, applicant, target, text, access)
    except AgencyUnavailable:
        notice = gettext(UNAVAILABLE)
        return _form(*opened, access, text=typed, notice=notice, status_code=HTTP_503_SERVICE_UNAVAILABLE)
    except AgencyRefused as refused:
        notice = gettext(REFUSED) % {"reason": refused.reason or refused.status}
        return _form(*opened, access, text=typed, notice=notice, status_code=HTTP_400_BAD_REQUEST)
    return _see_other(f"/applications/{draft.id}/{quote(target.page.name)}?{urlencode({'reported': receipt.id})}")


HANDLERS = [report_form, send_report]
