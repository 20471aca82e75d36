"""A VDEĀVK application's page under `/applications/sent/<reference>` (status_routes.py hands VDEĀVK's references
here): the timeline, the decision-due date, and the decision (the disability term it set) with how to contest it
and its document, fetched from VDEĀVK through the portal. VDEĀVK's interface has no information requests or
withdrawals, so the page offers neither.

Access as for VSAA's: the reference must be in the subject's own VDEĀVK list (a kept answer, portal/sync), and the
decision's document is served only for a decision of one of those applications, since VDEĀVK gives a document to
whoever names its id.
"""

from __future__ import annotations

import re

from litestar.response import Response, Template
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies import vdeavk as api
from portal.agencies.errors import AgencyError
from portal.applications.status_service import (
    ApplicationTracker,
    Listed,
    contest_by_day,
    decision_due,
    listed,
    vdeavk_applications,
    vdeavk_decisions,
    vdeavk_decisions_source,
    vdeavk_source,
)
from portal.auth.access import NotPermitted, Subject
from portal.catalogue.definitions import Definitions

REFERENCE = re.compile(r"^VDEAVK-[0-9]{4}-[0-9]{6}$")
SERVICE = "vdeavk-invaliditates-ekspertize"
NO_STORE = {"Cache-Control": "no-store"}


class VdeavkUnreachable(Exception):
    """VDEĀVK did not answer and nothing about this application was kept."""


async def find(
    reference: str, subject: Subject, db: AsyncSession, vdeavk: api.Vdeavk, within: float
) -> tuple[api.Application, Listed[api.Application], api.Decision | None]:
    if not subject.covers("VDEAVK") or not REFERENCE.fullmatch(reference):
        raise NotPermitted()
    tracker = ApplicationTracker(db, within)
    kept_applications, kept_decisions = await tracker.lists(
        subject.person_id, [vdeavk_source(vdeavk.applications), vdeavk_decisions_source(vdeavk.decisions)]
    )
    applications = listed(kept_applications, vdeavk_applications)
    application = applications.find(reference)
    if application is None:
        if applications.unavailable and applications.as_of is None:
            raise VdeavkUnreachable()
        raise NotPermitted()
    decisions = listed(kept_decisions, vdeavk_decisions).applications
    decision = next((d for d in decisions if d.reference == reference), None)
    return application, applications, decision


def page(
    application: api.Application,
    applications: Listed[api.Application],
    decision: api.Decision | None,
    subject: Subject,
    definitions: Definitions,
) -> Template:
    definition = definitions.get(SERVICE)
    return Template(
        "pages/applications/sent_vdeavk.html",
        context={
            "subject": subject,
            "application": application,
            "title": definition.title if definition else None,
            "listed": applications,
            "decision": decision,
            "due": decision_due(application, definition.decision_term_days if definition else None),
            "contest_by": contest_by_day(decision.decided_on) if decision else None,
            "base": f"/applications/sent/{application.reference}",
        },
        headers=NO_STORE,
    )


async def document(application: api.Application, vdeavk: api.Vdeavk) -> Response[bytes]:
    if application.decision_document_id is None:
        raise NotPermitted()
    try:
        pdf = await vdeavk.decision_document(application.decision_document_id)
    except AgencyError as error:
        raise VdeavkUnreachable() from error
    if pdf is None:
        raise NotPermitted()
    disposition = f'attachment; filename="{application.reference}-lemums.pdf"'
    return Response(pdf, media_type="application/pdf", headers={**NO_STORE, "Content-Disposition": disposition})
