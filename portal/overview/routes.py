"""The signed-in home, for me or for the person I act for: what needs the person first (unread notices, drafts
not sent yet), then the ways into their statements, applications and inbox. Everything here is the portal's own
data: the page never waits on an agency."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications.drafts import DraftService
from portal.auth.access import Access, Subject
from portal.auth.guards import signed_in
from portal.auth.service import safe_next
from portal.catalogue.definitions import Definitions
from portal.notices.presenters import shown
from portal.notices.routes import notice_agencies
from portal.notices.store import NoticeStore

# The overview lists a few; the inbox and the applications page have them all.
SHOWN = 3


@get("/overview", guards=[signed_in])
async def overview(
    access: NamedDependency[Access],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template:
    titles = {slug: definition.title for slug, definition in definitions.items()}
    notices = await NoticeStore(db_session).of_person(subject.person_id, notice_agencies(subject))
    unread = [shown(n, subject, titles) for n in notices if n.read_at is None]
    drafts = await DraftService(db_session).open_of(subject.person_id)
    context = {
        "access": access,
        "subject": subject,
        "unread": unread[:SHOWN],
        "unread_count": len(unread),
        # A mandate for VSAA's matters does not show the person's drafts for other agencies.
        "drafts": [d for d in drafts if d.service in titles and subject.covers(d.agency.upper() if d.agency else None)][
            :SHOWN
        ],
        "titles": titles,
    }
    return Template("pages/overview.html", context=context, headers={"Cache-Control": "no-store"})


@get("/session-ended", sync_to_thread=False)
def session_ended(next: FromQuery[str | None] = None) -> Template:
    return Template("pages/auth/session_ended.html", context={"next_path": safe_next(next)})
