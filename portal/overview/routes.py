"""The signed-in home, for me or for the person I act for."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from portal.auth.access import Access, Subject
from portal.auth.guards import signed_in
from portal.auth.service import safe_next


@get("/overview", guards=[signed_in], sync_to_thread=False)
def overview(access: NamedDependency[Access], subject: NamedDependency[Subject]) -> Template:
    return Template("pages/overview.html", context={"access": access, "subject": subject})


@get("/session-ended", sync_to_thread=False)
def session_ended(next: FromQuery[str | None] = None) -> Template:
    return Template("pages/auth/session_ended.html", context={"next_path": safe_next(next)})
