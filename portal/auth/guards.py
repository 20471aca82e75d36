"""Guards for pages that need a signed-in person."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER, HTTP_403_FORBIDDEN

from portal.auth.access import NoClientOpen, NotPermitted
from portal.web.errors import NOT_PERMITTED_TEXT, error_page


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.scope.get("state", {}).get("portal_session") is None:
        path = connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
        raise SignInRequired(path)


def sign_in_redirect(request: Request[Any, Any, Any], exc: SignInRequired) -> Response[Any]:
    """To the sign-in, and back to the same place afterwards; a lapsed session is explained first."""
    target = f"/login?next={quote(exc.next_path, safe='/')}"
    if request.scope.get("state", {}).get("session_lapsed"):
        target = f"/session-ended?next={quote(exc.next_path, safe='/')}"
    return Redirect(target, status_code=HTTP_303_SEE_OTHER, headers={"Cache-Control": "no-store"})


def staff_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Staff pages: a staff session, signed in through the staff client; a citizen is sent to sign in there."""
    session = connection.scope.get("state", {}).get("portal_session")
    if session is None or session.data.kind != "staff":
        raise StaffSignInRequired(connection.url.path)


class StaffSignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def staff_sign_in_redirect(request: Request[Any, Any, Any], exc: StaffSignInRequired) -> Response[Any]:
    target = f"/staff/login?next={quote(exc.next_path, safe='/')}"
    return Redirect(target, status_code=HTTP_303_SEE_OTHER, headers={"Cache-Control": "no-store"})


def not_permitted_page(request: Request[Any, Any, Any], exc: NotPermitted) -> Response[Any]:
    """Asking about someone the actor may not act for: the same plain page whether that person exists or not."""
    return error_page(request, HTTP_403_FORBIDDEN, NOT_PERMITTED_TEXT)


def no_client_redirect(request: Request[Any, Any, Any], exc: NoClientOpen) -> Response[Any]:
    return Redirect("/staff", status_code=HTTP_303_SEE_OTHER, headers={"Cache-Control": "no-store"})
