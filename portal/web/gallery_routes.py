"""The component gallery (`/components`): every component in every state, a server-validated demo form and
an htmx round trip. Not in production: a guard answers 404 there."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER, HTTP_400_BAD_REQUEST

from portal.web.gallery_forms import demo_context, validated

PAGE = "pages/components.html"
VARY = {"Vary": "HX-Request"}


def page_context(demo: dict[str, Any], **flags: bool) -> dict[str, Any]:
    return {"demo": demo, **flags}


def not_in_production(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.app.state.settings.is_production:
        raise NotFoundException()


@get("/", sync_to_thread=False)
def show(sent: FromQuery[bool] = False, pinged: FromQuery[bool] = False) -> Template:
    return Template(PAGE, context=page_context(demo_context(), sent=sent, pinged=pinged))


@post("/", status_code=HTTP_200_OK)
async def submit(request: Request[Any, Any, Any]) -> Template | Redirect:
    valid, demo = validated(await request.form())
    if valid:
        return Redirect("/components?sent=1", status_code=HTTP_303_SEE_OTHER)
    return Template(PAGE, context=page_context(demo, sent=False, pinged=False), status_code=HTTP_400_BAD_REQUEST)


@post("/ping", status_code=HTTP_200_OK, sync_to_thread=False)
def ping(request: HTMXRequest) -> Template | Redirect:
    """Answers htmx with a fragment and a plain form post with the whole page again (303)."""
    if request.htmx:
        return Template("pages/gallery/_ping.html", headers=VARY)
    return Redirect("/components?pinged=1#htmx-demo", status_code=HTTP_303_SEE_OTHER, headers=VARY)


gallery = Router("/components", route_handlers=[show, submit, ping], guards=[not_in_production])
