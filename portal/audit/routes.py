"""`/account/activity`: who used my data. It is about the signed-in person alone, so it names no subject."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from portal.audit.activity import activity_of
from portal.audit.service import AuditTrail
from portal.auth.access import Access
from portal.auth.guards import signed_in

NO_STORE = {"Cache-Control": "no-store"}


def page_number(raw: str | None) -> int:
    """The page asked for; anything that is not a number means the first (the service clamps the rest)."""
    try:
        return int(raw or "1")
    except ValueError:
        return 1


@get("/account/activity", guards=[signed_in])
async def activity(
    access: NamedDependency[Access],
    audit: NamedDependency[AuditTrail],
    db_session: NamedDependency[AsyncSession],
    page: FromQuery[str | None] = None,
) -> Template | Redirect:
    # An assistant's own trail is not shown here: staff work in their clients' names, from the staff pages.
    if access.actor.kind != "citizen":
        return Redirect("/staff", status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)
    found = await activity_of(audit, db_session, access.actor.person_id, page_number(page))
    return Template("pages/account/activity.html", context={"activity": found}, headers=NO_STORE)
