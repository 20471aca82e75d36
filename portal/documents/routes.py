"""`/applications/<id>/receipt.pdf`: the stored receipt, the same bytes every time, for those who may see it."""

from __future__ import annotations

import datetime as dt
import uuid

from litestar import Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications.draft_models import Draft
from portal.applications.outbox_models import Submission
from portal.auth.access import Access
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definitions
from portal.clock import RIGA
from portal.documents.service import DocumentService, receipt_details
from portal.web.i18n import current_locale

PREPARING = "pages/documents/preparing.html"
# A receipt carries personal data: only the person's own browser may keep it, and only for its own use.
NO_STORE = {"Cache-Control": "private, no-store"}


def may_see(access: Access, submission: Submission) -> bool:
    """Whoever may act for the applicant now, in the agency's matters: the applicant, their parents or
    guardians, the holder of a live mandate, an assistant while the client is open. Having filed it once is not
    enough (a mandate ends, a client is closed), and neither is representing the person it is about (the receipt
    holds the applicant's own answers), as for drafts (portal/applications/drafts.py)."""
    subject = access.find(submission.applicant_id)
    return subject is not None and subject.covers(submission.agency.upper())


def received_on(submission: Submission) -> dt.date:
    """The day the portal received it, in Riga (SQLite gives the stored UTC moment back without its zone)."""
    moment = submission.created_at
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(RIGA).date()


async def _submission(db: AsyncSession, application_id: uuid.UUID) -> Submission | None:
    """`<id>` is the submission's, or the submitted draft's (the status pages' id before and after submit)."""
    if submission := await db.get(Submission, application_id):
        return submission
    draft = await db.get(Draft, application_id)
    if draft is None or draft.submission_id is None:
        return None
    return await db.get(Submission, draft.submission_id)


@get("/applications/{application_id:uuid}/receipt.pdf", guards=[signed_in])
async def receipt_pdf(
    application_id: FromPath[uuid.UUID],
    access: NamedDependency[Access],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Response[bytes] | Template:
    submission = await _submission(db_session, application_id)
    if submission is None or not may_see(access, submission):
        # Someone else's application answers exactly like a missing one: its existence is not told.
        raise NotFoundException()
    service = DocumentService(db_session)
    document = await service.receipt_for(submission.id)
    if document is None and (definition := definitions.get(submission.service)) is not None:
        # Asked for when the application is submitted; one submitted without (before receipts existed) gets
        # it now, in the language the person reads in. Committed with this request; the worker renders it.
        answers = submission.payload.get("answers") or {}
        document = await service.request_receipt(
            submission, receipt_details(definition, answers, received_on(submission)), current_locale()
        )
    if document is None or document.content is None:
        # The worker has not rendered it yet: a page that says so, with a link to try again (never a 404: the
        # address is right, only the PDF is not there yet).
        context = {"pdf_url": f"/applications/{application_id}/receipt.pdf"}
        return Template(PREPARING, context=context, headers=NO_STORE)
    return Response(
        document.content,
        media_type="application/pdf",
        headers={
            **NO_STORE,
            "Content-Disposition": f'inline; filename="{submission.reference}.pdf"',
            "ETag": f'"{document.sha256}"',
        },
    )
