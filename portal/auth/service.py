"""Signing in and out: the rules, with no HTTP in them."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass

from litestar.stores.base import Store

from portal.auth.backchannel import logout_subject
from portal.auth.oidc import LOA_SUBSTANTIAL, LoginAttempt, OidcClient, SignInFailed
from portal.auth.sessions import LoadedSession, SessionStore

ATTEMPT_SECONDS = 600
DEFAULT_NEXT = "/overview"
_SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_\-.~%?=&;:@!$'()*+,]{0,500}$")


def safe_next(value: str | None) -> str:
    """Only the portal's own paths: anything that could leave the site becomes the overview."""
    if value and _SAFE_PATH.match(value) and "//" not in value and "\\" not in value:
        return value
    return DEFAULT_NEXT


@dataclass(frozen=True)
class Urls:
    callback: str
    after_logout: str


class SignInService:
    def __init__(self, oidc: OidcClient, sessions: SessionStore, attempts: Store, urls: Urls, kind: str) -> None:
        self._oidc = oidc
        self._sessions = sessions
        self._attempts = attempts
        self._urls = urls
        self._kind = kind

    async def begin(self, next_path: str | None, locale: str) -> tuple[str, str]:
        """Returns the provider URL and the id of this attempt (kept in a short-lived cookie)."""
        url, attempt = await self._oidc.begin(self._urls.callback, safe_next(next_path), LOA_SUBSTANTIAL, locale)
        attempt_id = secrets.token_urlsafe(24)
        await self._attempts.set(f"login:{attempt_id}", json.dumps(attempt.to_dict()), expires_in=ATTEMPT_SECONDS)
        return url, attempt_id

    async def finish(
        self, attempt_id: str | None, params: dict[str, str], current_session: str | None
    ) -> tuple[LoadedSession, str]:
        """A new session and where to go; raises SignInFailed and creates nothing when anything is wrong."""
        if not attempt_id or len(attempt_id) > 64:
            raise SignInFailed("no login attempt cookie")
        raw = await self._attempts.get(f"login:{attempt_id}")
        # One use only: a replayed callback finds nothing.
        await self._attempts.delete(f"login:{attempt_id}")
        if raw is None:
            raise SignInFailed("unknown or used login attempt")
        attempt = LoginAttempt(**json.loads(raw))
        identity = await self._oidc.complete(attempt, params, self._urls.callback)
        if self._kind == "staff" and not identity.role:
            raise SignInFailed("not staff")
        claims = {
            "personal_code": identity.personal_code,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "acr": identity.acr,
            "id_token": identity.id_token,
            "sid": identity.session_id,
            "role": identity.role,
            "organisation": identity.organisation,
        }
        session = await self._sessions.start(identity.subject, self._kind, claims, replaces=current_session)
        return session, attempt.next_path

    async def sign_out(self, session: LoadedSession | None, locale: str) -> str:
        """Ends the portal session first, then returns where the provider ends its own."""
        if session is None:
            return "/"
        await self._sessions.end(session.id)
        url = await self._oidc.logout_url(str(session.data.claims.get("id_token", "")), self._urls.after_logout, locale)
        return url or "/"

    async def logout_subject(self, logout_token: str) -> str:
        return await logout_subject(logout_token, self._oidc, await self._oidc.jwks(), self._attempts)

    async def end_all_for(self, subject: str) -> int:
        return await self._sessions.end_all_for(subject)
