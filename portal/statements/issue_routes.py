"""Issuing a statement "as of now" and downloading it: `POST /statements/<kind>/issue` asks VSAA, keeps its
answer as a document and sends the browser (303) to `/statements/<kind>/<id>.pdf`, which shows a "being
prepared" page until the worker has rendered and sealed it, then the PDF, always the same stored bytes.

`issued_documents(db, subject, kind)` is the context of the macro in templates/components/issued_documents.html
(issue anew, the latest, the history), for any page that shows a statement kind.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.vsaa_data import STATEMENT_KINDS, VsaaData
from portal.audit.service import AuditTrail
from portal.auth.access import Access, NotPermitted, Subject, subject_url
from portal.auth.guards import signed_in
from portal.documents.models import Document
from portal.documents.statements import Issued, StatementDocuments
from portal.people.models import Person
from portal.statements.presenters import statement_name
from portal.web.i18n import current_locale

PREPARING = "pages/documents/statement_preparing.html"
STATUS = "pages/documents/_statement_status.html"
UNAVAILABLE = "pages/documents/statement_unavailable.html"
NO_STORE = {"Cache-Control": "private, no-store"}
ISSUED_ACTION = "statement.issued"
# htmx stops polling when it gets this status (and swaps in the answer).
STOP_POLLING = 286
_PDF_NAME = re.compile(r"^([0-9a-fA-F-]{36})\.pdf$")


def pdf_url(subject: Subject, kind: str, document_id: uuid.UUID) -> str:
    return subject_url(f"/statements/{kind}/{document_id}.pdf", subject)


def _kind(kind: str) -> str:
    if kind not in STATEMENT_KINDS:
        raise NotFoundException()
    return kind


def _vsaa(subject: Subject) -> Subject:
    """Statements are VSAA's: a mandate for other agencies' matters does not reach them."""
    if not subject.covers("VSAA"):
        raise NotPermitted()
    return subject


def _listed(subject: Subject, issued: Issued) -> dict[str, Any]:
    return {
        "issued_at": issued.issued_at,
        "ready": issued.ready,
        "url": pdf_url(subject, issued.statement_kind, issued.id),
    }


async def issued_documents(db: AsyncSession, subject: Subject, kind: str) -> dict[str, Any]:
    """The macro's context for one kind: where to issue anew, the person's issued statements newest first."""
    history = [_listed(subject, issued) for issued in await StatementDocuments(db).history(subject.person_id, kind)]
    return {"kind": kind, "issue_url": subject_url(f"/statements/{kind}/issue", subject), "history": history}


async def latest_issued(db: AsyncSession, subject: Subject) -> dict[str, dict[str, Any]]:
    """The newest issued statement of each kind, for a page that lists every kind (its link only)."""
    latest = await StatementDocuments(db).latest_by_kind(subject.person_id)
    return {kind: _listed(subject, issued) for kind, issued in latest.items()}


@post("/statements/{kind:str}/issue", guards=[signed_in], status_code=HTTP_303_SEE_OTHER)
async def issue_statement(
    kind: FromPath[str],
    subject: NamedDependency[Subject],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    audit: NamedDependency[AuditTrail],
) -> Redirect | Template:
    kind, subject = _kind(kind), _vsaa(subject)
    documents = StatementDocuments(db_session)
    if pending := await documents.being_prepared(subject.person_id, kind):
        return Redirect(pdf_url(subject, kind, pending.id), status_code=HTTP_303_SEE_OTHER)
    person = await db_session.get_one(Person, subject.person_id)
    try:
        statement = await vsaa_data.statement(person.personal_code, kind)  # type: ignore[arg-type]
    except AgencyUnavailable:
        # Nothing is issued; the last one issued (if any) is offered, marked with its date.
        context = {
            "subject": subject,
            "statement_name": statement_name,
            **await issued_documents(db_session, subject, kind),
        }
        return Template(UNAVAILABLE, context=context, status_code=HTTP_503_SERVICE_UNAVAILABLE, headers=NO_STORE)
    document = await documents.request(subject.person_id, statement, current_locale())
    await audit.action(access.actor, subject, ISSUED_ACTION, f"document:{document.id}")
    return Redirect(pdf_url(subject, kind, document.id), status_code=HTTP_303_SEE_OTHER)


async def _document(db: AsyncSession, subject: Subject, kind: str, document_id: uuid.UUID) -> Document:
    document = await StatementDocuments(db).find(_vsaa(subject).person_id, _kind(kind), document_id)
    if document is None:
        # Someone else's statement answers exactly like a missing one: its existence is not told.
        raise NotFoundException()
    return document


def _preparing(subject: Subject, kind: str, document: Document, template: str = PREPARING, **extra: Any) -> Template:
    context = {
        "kind": kind,
        "statement_name": statement_name,
        "ready": document.sha256 is not None,
        "pdf_url": pdf_url(subject, kind, document.id),
        "status_url": subject_url(f"/statements/{kind}/{document.id}/status", subject),
        "statements_url": subject_url("/statements", subject),
    }
    headers = {**NO_STORE, "Vary": "HX-Request"}
    return Template(template, context=context, headers=headers, **extra)


@get("/statements/{kind:str}/{file:str}", guards=[signed_in])
async def statement_pdf(
    kind: FromPath[str],
    file: FromPath[str],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
) -> Response[bytes] | Template:
    match = _PDF_NAME.match(file)
    if match is None:
        raise NotFoundException()
    document = await _document(db_session, subject, kind, uuid.UUID(match.group(1)))
    if document.content is None:
        # Not rendered yet: the page that says so and refreshes to the link (never a 404).
        return _preparing(subject, kind, document)
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            **NO_STORE,
            "Content-Disposition": f'inline; filename="{kind}-{document.requested_at:%Y%m%d-%H%M}.pdf"',
            "ETag": f'"{document.sha256}"',
        },
    )


@get("/statements/{kind:str}/{document_id:uuid}/status", guards=[signed_in])
async def statement_status(
    request: HTMXRequest,
    kind: FromPath[str],
    document_id: FromPath[uuid.UUID],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect | Response[None]:
    """htmx's poll: 204 (nothing to swap) while the worker is at it, then the link with 286 (polling stops).
    A browser without htmx is sent to the PDF's address, which shows the page or the file."""
    document = await _document(db_session, subject, kind, document_id)
    if not request.htmx:
        return Redirect(pdf_url(subject, kind, document.id), status_code=HTTP_303_SEE_OTHER)
    if document.content is None:
        return Response(None, status_code=204, headers={**NO_STORE, "Vary": "HX-Request"})
    return _preparing(subject, kind, document, STATUS, status_code=STOP_POLLING)


HANDLERS = [issue_statement, statement_pdf, statement_status]
