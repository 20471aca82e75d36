"""My applications (drafts included), or those of the person I act for.

Drafts and submissions are the portal's; VSAA's own list (portal or office, status_service.py) is merged in, each
of its rows marked with how current it is. A mandate shows only the applications of the agencies it covers.
"""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.vsaa_applications import VsaaApplications
from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.outbox_models import DeliveryAgency, Submission
from portal.applications.status_routes import base_url
from portal.applications.status_service import ApplicationTracker, Listed, merged_rows, vsaa_source
from portal.auth.access import Access, Subject
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definitions
from portal.settings import Settings


def _covered(subject: Subject, agency: str | None) -> bool:
    return subject.covers(DeliveryAgency(agency).reference_code if agency else None)


@get("/applications", guards=[signed_in])
async def applications(
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    vsaa_applications: NamedDependency[VsaaApplications],
    settings: NamedDependency[Settings],
) -> Template:
    # The subject's own applications and those about them (a child's benefit filed by a parent shows for both).
    person = subject.person_id
    drafts = await db_session.scalars(
        select(Draft)
        .where(
            Draft.status == DraftStatus.DRAFT.value,
            or_(Draft.applicant_id == person, Draft.about_person_id == person),
        )
        .order_by(Draft.updated_at.desc())
    )
    submissions = await db_session.scalars(
        select(Submission)
        .where(or_(Submission.applicant_id == person, Submission.about_person_id == person))
        .order_by(Submission.created_at.desc())
    )
    vsaa = None
    if subject.covers("VSAA"):
        tracker = ApplicationTracker(
            db_session, vsaa_source(vsaa_applications.applications_of), settings.agency_read_timeout
        )
        vsaa = await tracker.vsaa_list(person)
    titles = {slug: definition.title for slug, definition in definitions.items()}
    rows = merged_rows(
        vsaa or Listed((), None, unavailable=False),
        [s for s in submissions if _covered(subject, s.agency)],
        titles,
        lambda reference: base_url(reference, subject),
    )
    return Template(
        "pages/applications/index.html",
        context={
            "access": access,
            "subject": subject,
            "drafts": [d for d in drafts if d.service in titles and _covered(subject, definitions[d.service].agency)],
            "rows": rows,
            "titles": titles,
            "vsaa": vsaa,
        },
        headers={"Cache-Control": "no-store"},
    )
