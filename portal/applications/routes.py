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

from portal.agencies import vdeavk as vdeavk_api
from portal.agencies.vdeavk import Vdeavk
from portal.agencies.vsaa_applications import Application, VsaaApplications
from portal.applications.drafts import DraftService
from portal.applications.outbox_models import DeliveryAgency, Submission
from portal.applications.status_routes import base_url
from portal.applications.status_service import (
    ApplicationTracker,
    Listed,
    listed,
    merged_rows,
    vdeavk_applications,
    vdeavk_source,
    vsaa_applications,
    vsaa_source,
)
from portal.auth.access import Access, Subject
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definitions
from portal.settings import Settings


def _covered(subject: Subject, agency: str | None) -> bool:
    return subject.covers(DeliveryAgency(agency).reference_code if agency else None)


async def _agency_lists(
    tracker: ApplicationTracker, subject: Subject, vsaa: VsaaApplications, vdeavk: Vdeavk
) -> tuple[Listed[Application] | None, Listed[vdeavk_api.Application] | None]:
    """The lists of the agencies the subject's basis covers (None for one it does not), asked at once."""
    sources = {
        agency: source
        for agency, source in (
            ("VSAA", vsaa_source(vsaa.applications_of)),
            ("VDEAVK", vdeavk_source(vdeavk.applications)),
        )
        if subject.covers(agency)
    }
    kept = dict(zip(sources, await tracker.lists(subject.person_id, list(sources.values())), strict=True))
    return (
        listed(kept["VSAA"], vsaa_applications) if "VSAA" in kept else None,
        listed(kept["VDEAVK"], vdeavk_applications) if "VDEAVK" in kept else None,
    )


@get("/applications", guards=[signed_in])
async def applications(
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
    vsaa_applications: NamedDependency[VsaaApplications],
    vdeavk: NamedDependency[Vdeavk],
    settings: NamedDependency[Settings],
) -> Template:
    # The subject's own applications and those about them (a child's benefit filed by a parent shows for both).
    person = subject.person_id
    drafts = await DraftService(db_session).open_of(person)
    submissions = await db_session.scalars(
        select(Submission)
        .where(or_(Submission.applicant_id == person, Submission.about_person_id == person))
        .order_by(Submission.created_at.desc())
    )
    tracker = ApplicationTracker(db_session, settings.agency_read_timeout)
    vsaa, vdeavk_list = await _agency_lists(tracker, subject, vsaa_applications, vdeavk)
    titles = {slug: definition.title for slug, definition in definitions.items()}
    rows = merged_rows(
        vsaa or Listed((), None, unavailable=False),
        [s for s in submissions if _covered(subject, s.agency)],
        titles,
        lambda reference: base_url(reference, subject),
        vdeavk_list,
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
            "vdeavk": vdeavk_list,
        },
        headers={"Cache-Control": "no-store"},
    )
