"""After the start (start_routes.py): question pages, check your answers, the declaration, the confirmation.

Handlers are short: the engine (portal/applications/engine.py) decides pages and parses answers, DraftService
keeps and submits the draft. Every /applications/<id>/... route loads the draft through `DraftService.get_for`,
so another person's draft id is refused with the plain 403 page (NotPermitted), whether it exists or not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications import engine
from portal.applications.data_reports import report_reference
from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.drafts import DraftNotFound, DraftService
from portal.applications.outbox import OutboxService
from portal.applications.outbox_models import Submission
from portal.applications.payload import agency_request
from portal.applications.prefill import shown_sources, still_prefilled
from portal.applications.questionnaire_routes import sent_here
from portal.applications.start_routes import apply, start_questionnaire
from portal.applications.uploads import EicarStandIn, UploadService, file_rows, limits_of, refusal_text
from portal.auth.access import Access
from portal.auth.guards import signed_in
from portal.catalogue.conditions import effective_answers
from portal.catalogue.definitions import Definition, Definitions, Page
from portal.clock import RIGA, Clock
from portal.documents.service import DocumentService, receipt_details
from portal.settings import Settings
from portal.web.i18n import N_, current_locale

NO_STORE = {"Cache-Control": "no-store"}
DECLARATION_MISSING = N_("Confirm the declaration to send the application.")


def _see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


async def _open(
    db: AsyncSession, definitions: Definitions, draft_id: uuid.UUID, access: Access
) -> tuple[Draft, Definition]:
    draft = await DraftService(db).get_for(draft_id, access)
    definition = definitions.get(draft.service)
    if definition is None:  # a service taken out of the catalogue after its draft was made
        raise NotFoundException()
    return draft, definition


def _base(draft: Draft) -> str:
    return f"/applications/{draft.id}"


@get("/applications/{draft_id:uuid}", guards=[signed_in])
async def status(
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template | Redirect:
    draft, definition = await _open(db_session, definitions, draft_id, access)
    if draft.status == DraftStatus.SUBMITTED.value:
        return _see_other(f"{_base(draft)}/confirmation")
    tasks = engine.task_list(definition, draft.answers, _base(draft))
    return Template(
        "pages/applications/status.html",
        context={
            "definition": definition,
            "draft": draft,
            "tasks": tasks,
            "next": engine.first_incomplete(definition, draft.answers) or engine.CHECK,
            "subject": DraftService.subject_for(draft, access),
        },
        headers=NO_STORE,
    )


async def _page_context(
    db: AsyncSession,
    draft: Draft,
    definition: Definition,
    page: Page,
    page_input: engine.PageInput,
    access: Access,
    settings: Settings,
    returning: bool,
    upload_error: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    back = engine.CHECK if returning else engine.previous_step(definition, draft.answers, page.name)
    # Listing only: the scanner is never used here (UploadService.accept is the upload route's).
    uploads = UploadService(db, settings.uploads_path, EicarStandIn())
    files = {
        q.name: {
            "rows": file_rows(await uploads.list_for(draft.id, f"{page.name}.{q.name}")),
            "max": limits_of(q, settings.upload_max_bytes).max_files,
            "error": refusal_text(upload_error[0], limits_of(q, settings.upload_max_bytes))
            if upload_error[1] == q.name
            else None,
        }
        for q in page.questions
        if q.type == "file" and page.repeat is None  # files are not taken item by item
    }
    # Where an answer came from: shown while the answer is still the agency's (a changed answer is the person's).
    sources = shown_sources(draft.prefilled.get(page.name) or {}, page_input.problems)
    return {
        "definition": definition,
        "draft": draft,
        "page": page,
        "sources": sources,
        "input": page_input,
        "errors": engine.error_summary(page, page_input),
        "problems": {name: problem.text() for name, problem in page_input.problems.items()},
        "back_href": f"{_base(draft)}/{back}" if back else f"/services/{definition.slug}",
        "action": f"{_base(draft)}/{quote(page.name)}" + ("?return=check" if returning else ""),
        "files": files,
        "access": access,
        "subject": DraftService.subject_for(draft, access),
    }


@get("/applications/{draft_id:uuid}/{page_name:str}", guards=[signed_in])
async def question_page(
    request: Request[Any, Any, Any],
    draft_id: FromPath[uuid.UUID],
    page_name: FromPath[str],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    settings: NamedDependency[Settings],
    upload_error: FromQuery[str | None] = None,
    question: FromQuery[str | None] = None,
    reported: FromQuery[str | None] = None,
) -> Template | Redirect:
    draft, definition = await _open(db_session, definitions, draft_id, access)
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"{_base(draft)}/confirmation")
    page = engine.find_page(definition, draft.answers, page_name)
    if page is None:
        raise NotFoundException()
    page_input = engine.stored_input(page, draft.answers)
    returning = request.query_params.get("return") == "check"
    context = await _page_context(
        db_session, draft, definition, page, page_input, access, settings, returning, (upload_error, question)
    )
    context["reported"] = report_reference(reported)  # VSAA's number of a report just sent (report_routes.py)
    return Template("pages/applications/question.html", context=context, headers=NO_STORE)


@post("/applications/{draft_id:uuid}/{page_name:str}", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def answer_page(
    request: Request[Any, Any, Any],
    draft_id: FromPath[uuid.UUID],
    page_name: FromPath[str],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    draft, definition = await _open(db_session, definitions, draft_id, access)
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"{_base(draft)}/confirmation")
    page = engine.find_page(definition, draft.answers, page_name)
    if page is None:  # a page the conditions skip takes no answers, whatever is posted to it
        raise NotFoundException()
    form = await request.form()
    raw: dict[str, list[str]] = {key: [str(v) for v in form.getall(key)] for key in form}
    returning = request.query_params.get("return") == "check"
    if page.repeat is not None:
        removed = raw.pop("remove", [""])[0]
        raw = {key: values for key, values in raw.items() if not key.startswith(f"{removed}-")} if removed else raw
        page_input = engine.parse_repeat(page, raw, await clock.today())
        if removed or "add" in raw:
            # Adding or removing an item draws the page again; nothing is refused or saved until Continue.
            drawn = list(page_input.raw) + ([{}] if "add" in raw and len(page_input.raw) < page.repeat.max else [])
            again = engine.PageInput(raw=drawn)
            context = await _page_context(db_session, draft, definition, page, again, access, settings, returning)
            return Template("pages/applications/question.html", context=context, headers=NO_STORE)
    else:
        stored = draft.answers.get(page.name) or {}
        for q in page.questions:
            if q.type == "file":  # files are added by the upload routes: a posted list of ids is never trusted
                raw[q.name] = list(stored.get(q.name) or [])
        page_input = engine.parse_page(page, raw, await clock.today())
    if not page_input.valid:
        context = await _page_context(db_session, draft, definition, page, page_input, access, settings, returning)
        return Template(
            "pages/applications/question.html", context=context, status_code=HTTP_400_BAD_REQUEST, headers=NO_STORE
        )
    if page.repeat is not None:
        await DraftService(db_session).save_page(draft, page.name, page_input.items)
    else:
        marks = still_prefilled(draft.prefilled.get(page.name) or {}, page_input.answers)
        await DraftService(db_session).save_page(draft, page.name, page_input.answers, marks)
    if returning:
        return _see_other(f"{_base(draft)}/{engine.next_step(definition, draft.answers, page.name)}")
    return _see_other(f"{_base(draft)}/{engine.following_page(definition, draft.answers, page.name)}")


@post("/applications/{draft_id:uuid}/{page_name:str}/autosave", guards=[signed_in], status_code=HTTP_200_OK)
async def autosave(
    request: HTMXRequest,
    draft_id: FromPath[uuid.UUID],
    page_name: FromPath[str],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    """Saves as the person types (htmx, debounced): every answer that passes its checks is kept, the others stay
    as they were, and nothing is refused out loud until Continue. Counts as activity, unlike status polling."""
    draft, definition = await _open(db_session, definitions, draft_id, access)
    page = engine.find_page(definition, draft.answers, page_name)
    if page is None or page.repeat is not None or draft.status != DraftStatus.DRAFT.value:
        raise NotFoundException()
    if not request.htmx:  # a browser without htmx never posts here; answer it with the page
        return _see_other(f"{_base(draft)}/{page.name}")
    form = await request.form()
    stored = dict(draft.answers.get(page.name) or {})
    raw: dict[str, list[str]] = {key: [str(v) for v in form.getall(key)] for key in form}
    for q in page.questions:
        if q.type == "file":
            raw[q.name] = list(stored.get(q.name) or [])
    page_input = engine.parse_page(page, raw, await clock.today())
    answers = {**{k: v for k, v in stored.items() if k in page_input.problems}, **page_input.answers}
    marks = still_prefilled(draft.prefilled.get(page.name) or {}, answers)
    await DraftService(db_session).save_page(draft, page.name, answers, marks)
    saved_at = dt.datetime.now(RIGA).strftime("%H:%M")
    return Template("pages/applications/_autosaved.html", context={"saved_at": saved_at}, headers=NO_STORE)


@get("/applications/{draft_id:uuid}/check", guards=[signed_in])
async def check(
    request: Request[Any, Any, Any],
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    try:
        draft, definition = await _open(db_session, definitions, draft_id, access)
    except DraftNotFound:
        if sent := sent_here(request, settings, draft_id):  # back from a survey's thank-you page
            return _see_other(f"/questionnaires/{sent}/thanks")
        raise
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"{_base(draft)}/confirmation")
    if missing := engine.first_incomplete(definition, draft.answers):
        return _see_other(f"{_base(draft)}/{missing}")
    context = {
        "definition": definition,
        "draft": draft,
        "rows": engine.check_rows(definition, draft.answers, _base(draft)),
        "back_href": f"{_base(draft)}/{engine.previous_step(definition, draft.answers, engine.CHECK)}",
        "subject": DraftService.subject_for(draft, access),
    }
    return Template("pages/applications/check.html", context=context, headers=NO_STORE)


def _declaration(draft: Draft, definition: Definition, access: Access, error: str | None = None) -> dict[str, Any]:
    return {
        "definition": definition,
        "draft": draft,
        "error": error,
        "back_href": f"{_base(draft)}/check",
        "access": access,
        "subject": DraftService.subject_for(draft, access),
    }


@get("/applications/{draft_id:uuid}/declaration", guards=[signed_in])
async def declaration(
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template | Redirect:
    draft, definition = await _open(db_session, definitions, draft_id, access)
    if definition.kind != "application":  # a questionnaire ends at its check page; nothing is sent
        raise NotFoundException()
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"{_base(draft)}/confirmation")
    if missing := engine.first_incomplete(definition, draft.answers):
        return _see_other(f"{_base(draft)}/{missing}")
    return Template(
        "pages/applications/declaration.html", context=_declaration(draft, definition, access), headers=NO_STORE
    )


@post("/applications/{draft_id:uuid}/declaration", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def submit(
    request: Request[Any, Any, Any],
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    """Sends the application once: a second post (double click, back button, another tab) lands on the same
    confirmation, because DraftService.submit returns the submission the first one made."""
    draft, definition = await _open(db_session, definitions, draft_id, access)
    if definition.kind != "application":  # a questionnaire ends at its check page; nothing is sent
        raise NotFoundException()
    if draft.status == DraftStatus.DRAFT.value:
        if missing := engine.first_incomplete(definition, draft.answers):
            return _see_other(f"{_base(draft)}/{missing}")
        form = await request.form()
        if form.get("confirm") != "yes":
            context = _declaration(draft, definition, access, DECLARATION_MISSING)
            return Template(
                "pages/applications/declaration.html",
                context=context,
                status_code=HTTP_400_BAD_REQUEST,
                headers=NO_STORE,
            )
    today = await clock.today()
    # The agency gets its own shape: flat answers of the pages that apply, plus its top-level fields.
    answers, extra = agency_request(definition, draft.answers)
    submission = await DraftService(db_session).submit(
        draft, OutboxService(db_session), today, access=access, answers=answers, extra=extra
    )
    # The receipt is asked for in the same transaction and rendered by the worker, once.
    details = receipt_details(definition, effective_answers(definition, draft.answers), today)
    await DocumentService(db_session).request_receipt(submission, details, current_locale())
    return _see_other(f"{_base(draft)}/confirmation")


@get("/applications/{draft_id:uuid}/confirmation", guards=[signed_in])
async def confirmation(
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    clock: NamedDependency[Clock],
) -> Template | Redirect:
    draft, definition = await _open(db_session, definitions, draft_id, access)
    submission = await db_session.get(Submission, draft.submission_id) if draft.submission_id else None
    if submission is None:
        return _see_other(f"{_base(draft)}/check")
    due = await submitted_on(submission, clock) + dt.timedelta(days=definition.decision_term_days or 0)
    return Template(
        "pages/applications/confirmation.html",
        context={
            "definition": definition,
            "submission": submission,
            "due": due,
            "definitions": definitions,
            "subject": DraftService.subject_for(draft, access),
        },
        headers=NO_STORE,
    )


@get("/applications/{draft_id:uuid}/delete", guards=[signed_in])
async def confirm_delete(
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template | Redirect:
    draft, definition = await _open(db_session, definitions, draft_id, access)
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"{_base(draft)}/confirmation")
    context = {"definition": definition, "draft": draft, "subject": DraftService.subject_for(draft, access)}
    return Template("pages/applications/delete.html", context=context, headers=NO_STORE)


@post("/applications/{draft_id:uuid}/delete", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def delete_draft(
    draft_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Redirect:
    """Deletes the draft and its answers; a submitted application cannot be deleted (it has gone to the agency)."""
    draft, _ = await _open(db_session, definitions, draft_id, access)
    if draft.status != DraftStatus.DRAFT.value:
        return _see_other(f"{_base(draft)}/confirmation")
    await DraftService(db_session).delete(draft)
    return _see_other("/applications")


async def submitted_on(submission: Submission, clock: Clock) -> dt.date:
    """The business day the submission was made, so the decision-due date stays put when the page is seen again.

    The business clock may stand apart from the wall clock (the sandbox's is moved by tests): the days passed since
    the submission, by the wall clock, are counted back from the business today."""
    created = submission.created_at if submission.created_at.tzinfo else submission.created_at.replace(tzinfo=dt.UTC)
    passed = dt.datetime.now(RIGA).date() - created.astimezone(RIGA).date()
    return await clock.today() - passed


HANDLERS = [
    apply,
    start_questionnaire,
    status,
    confirm_delete,
    delete_draft,
    question_page,
    answer_page,
    autosave,
    check,
    declaration,
    submit,
    confirmation,
]
