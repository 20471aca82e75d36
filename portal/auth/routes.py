"""Sign-in, sign-out and the provider's callbacks. Handlers parse, call the sign-in service, and redirect."""

from __future__ import annotations

from typing import Any

import httpx
import structlog
from litestar import MediaType, Request, Response, get, post, route
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import ServiceUnavailableException
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from portal.auth.middleware import SESSION_COOKIE
from portal.auth.oidc import LOA_HIGH, LOA_SUBSTANTIAL, SignInFailed
from portal.auth.service import ATTEMPT_SECONDS, SignInService
from portal.auth.sessions import LoadedSession, SessionStore
from portal.people.service import PersonDirectory
from portal.settings import Settings
from portal.sync.service import request_sync
from portal.web.i18n import current_locale

ATTEMPT_COOKIE = "portal_login"
log = structlog.get_logger("portal.auth")


def current_session(request: Request[Any, Any, Any]) -> LoadedSession | None:
    session: LoadedSession | None = request.scope.get("state", {}).get("portal_session")
    return session


def _cookie(settings: Settings, key: str, value: str, max_age: int) -> Cookie:
    # SameSite=Lax: the provider's redirect back to us is a top-level GET, which Lax cookies accompany.
    return Cookie(key=key, value=value, max_age=max_age, httponly=True, samesite="lax", secure=settings.cookie_secure)


def _after_sign_in(settings: Settings, session: LoadedSession | None) -> list[Cookie]:
    cookies = [_cookie(settings, ATTEMPT_COOKIE, "", 0)]
    if session:
        # The server enforces the idle limit; the cookie lives no longer than the absolute limit.
        lifetime = int(SessionStore.limits(session.data.kind).absolute.total_seconds())
        cookies.append(_cookie(settings, SESSION_COOKIE, session.id, lifetime))
    return cookies


async def _begin(service: SignInService, settings: Settings, next_path: str | None, minimum_acr: str) -> Redirect:
    try:
        url, attempt_id = await service.begin(next_path, current_locale(), minimum_acr)
    except httpx.HTTPError as error:
        log.error("identity_provider_unreachable", error=type(error).__name__)
        raise ServiceUnavailableException() from error
    cookie = _cookie(settings, ATTEMPT_COOKIE, attempt_id, ATTEMPT_SECONDS)
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, cookies=[cookie], headers={"Cache-Control": "no-store"})


@get("/login")
async def login(
    sign_in: NamedDependency[SignInService], settings: NamedDependency[Settings], next: FromQuery[str | None] = None
) -> Redirect:
    return await _begin(sign_in, settings, next, LOA_SUBSTANTIAL)


@get("/auth/step-up")
async def step_up(
    sign_in: NamedDependency[SignInService], settings: NamedDependency[Settings], next: FromQuery[str | None] = None
) -> Redirect:
    """Sign in again at high assurance before a weighty act (granting or ending a mandate)."""
    return await _begin(sign_in, settings, next, LOA_HIGH)


@get("/staff/login")
async def staff_login(
    staff_sign_in: NamedDependency[SignInService],
    settings: NamedDependency[Settings],
    next: FromQuery[str | None] = None,
) -> Redirect:
    return await _begin(staff_sign_in, settings, next, LOA_SUBSTANTIAL)


async def _finish(
    request: Request[Any, Any, Any], service: SignInService, settings: Settings, db_session: AsyncSession
) -> Response[Any]:
    params = {k: v for k, v in request.query_params.items() if k in ("code", "state", "error", "iss")}
    current = current_session(request)
    try:
        session, next_path = await service.finish(
            request.cookies.get(ATTEMPT_COOKIE), params, current.id if current else None, PersonDirectory(db_session)
        )
    except SignInFailed as failure:
        log.warning("sign_in_failed", reason=failure.reason)
        return Template(
            "pages/auth/sign_in_failed.html", status_code=400, cookies=_after_sign_in(settings, None),
            headers={"Cache-Control": "no-store"},
        )  # fmt: skip
    log.info("signed_in", kind=session.data.kind)
    await request_sync(db_session, session)  # the worker fetches their agencies' data; sign-in does not wait
    return Redirect(next_path, status_code=HTTP_303_SEE_OTHER, cookies=_after_sign_in(settings, session))


@get("/auth/callback")
async def callback(
    request: Request[Any, Any, Any],
    sign_in: NamedDependency[SignInService],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    return await _finish(request, sign_in, settings, db_session)


@get("/staff/auth/callback")
async def staff_callback(
    request: Request[Any, Any, Any],
    staff_sign_in: NamedDependency[SignInService],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Response[Any]:
    return await _finish(request, staff_sign_in, settings, db_session)


@route("/logout", http_method=["GET", "POST"])
async def logout(
    request: Request[Any, Any, Any],
    sign_in: NamedDependency[SignInService],
    staff_sign_in: NamedDependency[SignInService],
    settings: NamedDependency[Settings],
) -> Redirect:
    session = current_session(request)
    # The provider ends its session for the client that signed this person in.
    service = staff_sign_in if session and session.data.kind == staff_sign_in.kind else sign_in
    url = await service.sign_out(session, current_locale())
    return Redirect(url, status_code=HTTP_303_SEE_OTHER, cookies=[_cookie(settings, SESSION_COOKIE, "", 0)])


@post("/auth/backchannel-logout", media_type=MediaType.TEXT)
async def backchannel_logout(
    request: Request[Any, Any, Any],
    sign_in: NamedDependency[SignInService],
    staff_sign_in: NamedDependency[SignInService],
) -> Response[str]:
    form = await request.form()
    token = str(form.get("logout_token", ""))
    try:
        try:
            subject = await sign_in.logout_subject(token)
        except SignInFailed:
            # Not the citizen client's token: it may be the staff client's (its audience differs).
            subject = await staff_sign_in.logout_subject(token)
    except SignInFailed as failure:
        log.warning("backchannel_logout_refused", reason=failure.reason)
        return Response("invalid logout token", status_code=400, headers={"Cache-Control": "no-store"})
    ended = await sign_in.end_all_for(subject)
    log.info("backchannel_logout", sessions=ended)
    return Response("", status_code=200, headers={"Cache-Control": "no-store"})
