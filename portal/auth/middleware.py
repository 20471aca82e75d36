"""Loads the signed-in session (if any) for every request, 404s included, so the header knows who is there."""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth.sessions import LoadedSession, SessionStore
from portal.web.cookies import cookie_value

SESSION_COOKIE = "portal_session"
# Requests a page makes by itself (status polling) send this header; they do not keep a session alive.
PASSIVE_HEADER = b"x-portal-passive"
# Paths that are never activity, header or not: asking how long the session has left must not lengthen it.
SESSION_STATUS_PATH = "/session/status"
PASSIVE_PATHS = frozenset({SESSION_STATUS_PATH})


def session_cookie(value: str, max_age: int, secure: bool) -> bytes:
    attributes = f"{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    return (attributes + ("; Secure" if secure else "")).encode()


class SessionMiddleware:
    def __init__(self, app: ASGIApp, *, secure_cookie: bool) -> None:
        self.app = app
        self.secure_cookie = secure_cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        state: dict[str, Any] = scope.setdefault("state", {})
        session_id = cookie_value(headers.get(b"cookie", b"").decode("latin-1"), SESSION_COOKIE)
        session: LoadedSession | None = None
        if session_id:
            sessions: SessionStore = scope["app"].state.sessions
            passive = PASSIVE_HEADER in headers or scope["path"] in PASSIVE_PATHS
            session = await sessions.load(session_id, activity=not passive)
        state["portal_session"] = session
        state["session_lapsed"] = bool(session_id) and session is None

        async def send_clearing_lapsed(message: Message) -> None:
            # A cookie naming a session that has ended is removed, unless the response set a new one.
            if message["type"] == "http.response.start" and state["session_lapsed"]:
                names = [v for k, v in message.get("headers", []) if k == b"set-cookie"]
                if not any(v.startswith(SESSION_COOKIE.encode() + b"=") for v in names):
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"set-cookie", session_cookie("", 0, self.secure_cookie)),
                    ]
            await send(message)

        await self.app(scope, receive, send_clearing_lapsed)
