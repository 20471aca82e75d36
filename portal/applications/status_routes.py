"""A sent application's page, `/applications/sent/<reference>`, for me or for the person I act for (`?for=`).

The timeline, the decision-due date, the agency's information request with a form to answer it, withdrawal
(a confirmation page, then POST), and the decision with how to contest it and its document, fetched from VSAA
through the portal. Every route finds the reference in the subject's own VSAA list (status_service.py), so
another person's reference, or one that does not exist, gets the same 403 page; a mandate that does not cover
VSAA reaches none of these pages. Drafts keep `/applications/<draft id>` (journey_routes.py).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import ExceptionHandlersMap
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.vdeavk import Vdeavk
from portal.agencies.vsaa_applications import REFERENCE, Application, VsaaApplications
from portal.applications import status_vdeavk
from portal.applications.outbox_models import Submission
from portal.applications.status_answers import (
    MAX_TEXT,
    VSAA_FILE_LIMITS,
    CheckedAnswer,
    answer_key,
    check_answer,
    withdrawal_key,
)
from portal.applications.status_service import (
    ApplicationTracker,
    Listed,
    contest_by,
    decision_due,
)
from portal.applications.upload_routes import EXCEPTION_HANDLERS, FORM_OVERHEAD, close_files
from portal.applications.uploads import Refusal, refusal_text, scanner_for
from portal.audit.service import AuditTrail
from portal.auth.access import Access, NotPermitted, Subject, subject_url
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definitions
from portal.people.service import PersonDirectory
from portal.settings import Settings
from portal.web.errors import ErrorText, error_page
from portal.web.i18n import N_, gettext

NO_STORE = {"Cache-Control": "no-store"}
PAGE = "pages/applications/sent.html"
PATH = "/applications/sent/{reference:str}"
UNAVAILABLE = N_(
    "VSAA's system is not answering right now, so your answer has not been sent. Try again in a few minutes."
)
REFUSED = N_("VSAA did not accept it. It said: %(reason)s")
ANSWERED_ACTION, WITHDRAWN_ACTION = "application.information_answered", "application.withdrawn"


class VsaaUnreachable(Exception):
    """VSAA did not answer and nothing about this application was kept: the page cannot be shown now."""


UNREACHABLE = ErrorText(
    N_("VSAA's system is not answering"),
    N_("VSAA's system is not answering right now, so this page cannot be shown. Try again in a few minutes."),
)


VDEAVK_UNREACHABLE = ErrorText(
    N_("VDEĀVK's system is not answering"),
    N_("VDEĀVK's system is not answering right now, so this page cannot be shown. Try again in a few minutes."),
)
VDEAVK_PREFIX = "VDEAVK-"


def unreachable_page(request: Request[Any, Any, Any], _: VsaaUnreachable) -> Response[Any]:
    return error_page(request, HTTP_503_SERVICE_UNAVAILABLE, UNREACHABLE)


def vdeavk_unreachable_page(request: Request[Any, Any, Any], _: status_vdeavk.VdeavkUnreachable) -> Response[Any]:
    return error_page(request, HTTP_503_SERVICE_UNAVAILABLE, VDEAVK_UNREACHABLE)


HANDLED: ExceptionHandlersMap = {
    VsaaUnreachable: unreachable_page,
    status_vdeavk.VdeavkUnreachable: vdeavk_unreachable_page,
}


def base_url(reference: str, subject: Subject) -> str:
    return subject_url(f"/applications/sent/{reference}", subject)


def _with(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


async def _find(
    reference: str, subject: Subject, db: AsyncSession, vsaa: VsaaApplications, settings: Settings
) -> tuple[Application, Listed[Application]]:
    # A mandate for other agencies' matters does not reach VSAA's applications.
    if not subject.covers("VSAA") or not REFERENCE.fullmatch(reference):
        raise NotPermitted()
    tracker = ApplicationTracker(db, settings.agency_read_timeout)
    listed = await tracker.vsaa_list(subject.person_id, vsaa.applications_of)
    application = listed.find(reference)
    if application is None:
        if listed.unavailable and listed.as_of is None:
            raise VsaaUnreachable()
        raise NotPermitted()
    return application, listed


async def _receipt_href(db: AsyncSession, reference: str, subject: Subject) -> str | None:
    """The portal's receipt, when the application was sent through the portal (documents/routes.py serves it)."""
    submission = await db.scalar(
        select(Submission).where(Submission.reference == reference, Submission.applicant_id == subject.person_id)
    )
    return f"/applications/{submission.id}/receipt.pdf" if submission else None


def _page(
    application: Application,
    listed: Listed[Application],
    subject: Subject,
    definitions: Definitions,
    *,
    answer: CheckedAnswer | None = None,
    notice: str | None = None,
    status_code: int = HTTP_200_OK,
    done: str | None = None,
    receipt: str | None = None,
) -> Template:
    definition = definitions.get(application.service)
    decision = application.decision
    return Template(
        PAGE,
        context={
            "subject": subject,
            "application": application,
            "title": definition.title if definition else None,
            "listed": listed,
            "due": decision_due(application, definition.decision_term_days if definition else None),
            "contest_by": contest_by(decision.decided_at) if decision else None,
            "base": f"/applications/sent/{application.reference}",
            "answer": answer,
            "notice": notice,
            "done": done if done in ("answered", "withdrawn") else None,
            "max_length": MAX_TEXT,
            "receipt": receipt,
        },
        status_code=status_code,
        headers=NO_STORE,
    )


@get(PATH, guards=[signed_in], exception_handlers=HANDLED)
async def sent_application(
    reference: FromPath[str],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_applications: NamedDependency[VsaaApplications],
    vdeavk: NamedDependency[Vdeavk],
    definitions: NamedDependency[Definitions],
    settings: NamedDependency[Settings],
    done: FromQuery[str | None] = None,
    upload_error: FromQuery[str | None] = None,
) -> Template:
    if reference.startswith(VDEAVK_PREFIX):
        found = await status_vdeavk.find(reference, subject, db_session, vdeavk, settings.agency_read_timeout)
        return status_vdeavk.page(*found, subject, definitions)
    application, listed = await _find(reference, subject, db_session, vsaa_applications, settings)
    # A file too large to read came back here as ?upload_error= (the too-large handler below).
    file_error = refusal_text(upload_error, VSAA_FILE_LIMITS)
    answer = CheckedAnswer("", (), file_error=file_error) if file_error else None
    receipt = await _receipt_href(db_session, reference, subject)
    return _page(application, listed, subject, definitions, answer=answer, done=done, receipt=receipt)


def answer_handler(settings: Settings) -> HTTPRouteHandler:
    """Built with the settings: the body limit (one file VSAA takes, and the form) and the scanner."""
    scanner = scanner_for(settings)

    @post(
        f"{PATH}/information",
        guards=[signed_in],
        request_max_body_size=VSAA_FILE_LIMITS.max_bytes + FORM_OVERHEAD,
        exception_handlers={**EXCEPTION_HANDLERS, RequestEntityTooLarge: _too_large, **HANDLED},
        status_code=HTTP_303_SEE_OTHER,
    )
    async def answer_information(
        request: Request[Any, Any, Any],
        reference: FromPath[str],
        access: NamedDependency[Access],
        subject: NamedDependency[Subject],
        db_session: NamedDependency[AsyncSession],
        vsaa_applications: NamedDependency[VsaaApplications],
        definitions: NamedDependency[Definitions],
        audit: NamedDependency[AuditTrail],
    ) -> Template | Redirect:
        """Sends the answer to VSAA once, then back to the application's page, which shows the new status."""
        try:
            form = await request.form()
            file = form.get("file")
            upload = file if isinstance(file, UploadFile) else None
            data = await upload.read() if upload else b""
            filename = upload.filename if upload else None
            text, request_id = str(form.get("text") or ""), str(form.get("request_id") or "")
        finally:
            close_files(request.scope)
        application, listed = await _find(reference, subject, db_session, vsaa_applications, settings)
        here = base_url(reference, subject)
        open_request = application.information_request
        if application.status != "needs_info" or open_request is None or open_request.id != request_id:
            return Redirect(here, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)  # answered meanwhile
        answer = await check_answer(text, filename, data, scanner)
        if not answer.ok:
            return _page(application, listed, subject, definitions, answer=answer, status_code=HTTP_400_BAD_REQUEST)
        person = await PersonDirectory(db_session).get(subject.person_id)
        assert person is not None  # the subject was resolved from this row
        try:
            await vsaa_applications.answer_information(
                person.personal_code,
                reference,
                request_id,
                answer.text,
                answer.files,
                answer_key(reference, request_id, answer),
            )
        except (AgencyUnavailable, AgencyRefused) as error:
            notice = _failure(error)
            code = HTTP_503_SERVICE_UNAVAILABLE if isinstance(error, AgencyUnavailable) else HTTP_400_BAD_REQUEST
            return _page(application, listed, subject, definitions, answer=answer, notice=notice, status_code=code)
        await audit.action(access.actor, subject, ANSWERED_ACTION, reference)
        return Redirect(_with(here, "done=answered"), status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)

    return answer_information


def _too_large(request: Request[Any, Any, Any], _: RequestEntityTooLarge) -> Response[Any]:
    """Larger than VSAA takes: back to the page with the size message (the page checks access itself)."""
    close_files(request.scope)
    target = f"{request.url.path.removesuffix('/information')}?upload_error={Refusal.TOO_LARGE.value}"
    subject = request.query_params.get("for")
    target += f"&for={subject}" if subject and subject.replace("-", "").isalnum() else ""
    return Redirect(f"{target}#answer-file", status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


def _failure(error: AgencyUnavailable | AgencyRefused) -> str:
    if isinstance(error, AgencyRefused):
        return gettext(REFUSED) % {"reason": error.reason or error.status}
    return gettext(UNAVAILABLE)


@get(f"{PATH}/withdraw", guards=[signed_in], exception_handlers=HANDLED)
async def withdraw_form(
    reference: FromPath[str],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_applications: NamedDependency[VsaaApplications],
    definitions: NamedDependency[Definitions],
    settings: NamedDependency[Settings],
) -> Template | Redirect:
    application, _ = await _find(reference, subject, db_session, vsaa_applications, settings)
    if application.status not in ("received", "in_progress", "needs_info"):
        return Redirect(base_url(reference, subject), status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)
    return _withdraw_page(application, subject, definitions)


def _withdraw_page(
    application: Application, subject: Subject, definitions: Definitions, notice: str | None = None
) -> Template:
    definition = definitions.get(application.service)
    return Template(
        "pages/applications/withdraw.html",
        context={
            "subject": subject,
            "application": application,
            "title": definition.title if definition else None,
            "base": f"/applications/sent/{application.reference}",
            "notice": notice,
        },
        status_code=HTTP_503_SERVICE_UNAVAILABLE if notice else HTTP_200_OK,
        headers=NO_STORE,
    )


@post(f"{PATH}/withdraw", guards=[signed_in], exception_handlers=HANDLED, status_code=HTTP_303_SEE_OTHER)
async def withdraw(
    reference: FromPath[str],
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_applications: NamedDependency[VsaaApplications],
    definitions: NamedDependency[Definitions],
    settings: NamedDependency[Settings],
    audit: NamedDependency[AuditTrail],
) -> Template | Redirect:
    application, _ = await _find(reference, subject, db_session, vsaa_applications, settings)
    here = base_url(reference, subject)
    if application.status not in ("received", "in_progress", "needs_info"):
        return Redirect(here, status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)
    person = await PersonDirectory(db_session).get(subject.person_id)
    assert person is not None
    try:
        await vsaa_applications.withdraw(person.personal_code, reference, withdrawal_key(reference))
    except (AgencyUnavailable, AgencyRefused) as error:
        return _withdraw_page(application, subject, definitions, notice=_failure(error))
    await audit.action(access.actor, subject, WITHDRAWN_ACTION, reference)
    return Redirect(_with(here, "done=withdrawn"), status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


@get(f"{PATH}/decision", guards=[signed_in], exception_handlers=HANDLED)
async def decision_document(
    reference: FromPath[str],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_applications: NamedDependency[VsaaApplications],
    vdeavk: NamedDependency[Vdeavk],
    settings: NamedDependency[Settings],
) -> Response[bytes]:
    """The agency's sealed decision, the bytes it gave, for the person whose application it is."""
    if reference.startswith(VDEAVK_PREFIX):
        found, _, _ = await status_vdeavk.find(reference, subject, db_session, vdeavk, settings.agency_read_timeout)
        return await status_vdeavk.document(found, vdeavk)
    application, _ = await _find(reference, subject, db_session, vsaa_applications, settings)
    if application.decision is None:
        raise NotPermitted()
    try:
        pdf = await vsaa_applications.decision_pdf(application.decision.document_id)
    except (AgencyUnavailable, AgencyRefused) as error:
        raise VsaaUnreachable() from error
    disposition = f'attachment; filename="{reference}-lemums.pdf"'
    return Response(pdf, media_type="application/pdf", headers={**NO_STORE, "Content-Disposition": disposition})


def handlers(settings: Settings) -> list[HTTPRouteHandler]:
    return [sent_application, answer_handler(settings), withdraw_form, withdraw, decision_document]
