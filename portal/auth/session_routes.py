"""How long the session has left, and "I am still here", for the timeout warning (static/js/timeout-dialog.js).

`GET /session/status` is never activity: the session middleware treats its path as passive whether or not the
request carries `x-portal-passive` (the script sends it anyway), so asking cannot keep a session alive.
`POST /session/keep-alive` is activity the person chose ("Continue" in the warning): it renews the session at
once, even within the minute in which ordinary requests skip the write. Like every unsafe route it needs the
CSRF token (header `x-csrftoken`). Both answer `{"signed_in": bool, "expires_in": seconds}` and are never
cached; without a live session, status says so with 200 and keep-alive refuses with 401.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.status_codes import HTTP_200_OK, HTTP_401_UNAUTHORIZED

from portal.auth.middleware import SESSION_STATUS_PATH
from portal.auth.routes import current_session
from portal.auth.sessions import LoadedSession, SessionStore

NO_STORE = {"Cache-Control": "no-store"}


def _session_store(state: State) -> SessionStore:
    sessions: SessionStore = state.sessions
    return sessions


def _status(session: LoadedSession | None, status_code: int = HTTP_200_OK) -> Response[dict[str, Any]]:
    body = {"signed_in": session is not None, "expires_in": session.expires_in if session else 0}
    return Response(body, status_code=status_code, headers=NO_STORE)


@get(SESSION_STATUS_PATH, sync_to_thread=False)
def session_status(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    return _status(current_session(request))


@post("/session/keep-alive", dependencies={"sessions": Provide(_session_store, sync_to_thread=False)})
async def keep_alive(
    request: Request[Any, Any, Any], sessions: NamedDependency[SessionStore]
) -> Response[dict[str, Any]]:
    session = current_session(request)
    if session is None:
        return _status(None, HTTP_401_UNAUTHORIZED)
    return _status(await sessions.renew(session))
