"""My applications (drafts included), or those of the person I act for."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.outbox_models import Submission
from portal.auth.access import Access, Subject
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definitions


@get("/applications", guards=[signed_in])
async def applications(
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
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
    titles = {slug: definition.title for slug, definition in definitions.items()}
    return Template(
        "pages/applications/index.html",
        context={
            "access": access,
            "subject": subject,
            "drafts": [d for d in drafts if d.service in titles],
            "submissions": list(submissions),
            "titles": titles,
        },
    )
