"""The signed-in home."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from portal.auth.guards import signed_in
from portal.auth.routes import current_session
from portal.auth.service import safe_next


@get("/overview", guards=[signed_in])
async def overview(request: Request[Any, Any, Any]) -> Template:
    return Template("pages/overview.html", context={"person": current_session(request)})


@get("/session-ended", sync_to_thread=False)
def session_ended(next: FromQuery[str | None] = None) -> Template:
    return Template("pages/auth/session_ended.html", context={"next_path": safe_next(next)})
