"""Signing in and out: the rules, with no HTTP in them."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from litestar.stores.base import Store

from portal.auth.backchannel import logout_subject
from portal.auth.oidc import LOA_HIGH, LOA_SUBSTANTIAL, LoginAttempt, OidcClient, SignInFailed
from portal.auth.sessions import LoadedSession, SessionStore
from portal.people.service import PersonDirectory

ATTEMPT_SECONDS = 600
KEY_REFRESH_SECONDS = 60.0
DEFAULT_NEXT = "/overview"
_SAFE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_\-.~%?=&;:@!$'()*+,]{0,500}$")


def safe_next(value: str | None, default: str = DEFAULT_NEXT) -> str:
    """Only the portal's own paths: anything that could leave the site becomes the default (the overview)."""
    if value and _SAFE_PATH.match(value) and "//" not in value and "\\" not in value:
        return value
    return default


@dataclass(frozen=True)
class Urls:
    callback: str
    after_logout: str


class SignInService:
    def __init__(
        self,
        oidc: OidcClient,
        sessions: SessionStore,
        attempts: Store,
        urls: Urls,
        kind: str,
        default_next: str = DEFAULT_NEXT,
    ) -> None:
        self._oidc = oidc
        self._sessions = sessions
        self._attempts = attempts
        self._urls = urls
        self.kind = kind
        self._default_next = default_next
        self._keys_refreshed_at = -KEY_REFRESH_SECONDS

    async def begin(self, next_path: str | None, locale: str, minimum_acr: str = LOA_SUBSTANTIAL) -> tuple[str, str]:
        """Returns the provider URL and the id of this attempt (kept in a short-lived cookie).

        A higher `minimum_acr` is a step-up: the provider asks the person again at that level."""
        next_path = safe_next(next_path, self._default_next)
        # A step-up also asks with prompt=login: with a live provider session the essential acr claim alone did
        # not make the dev provider ask again (found in tests/browser/test_representation_browser.py).
        step_up = minimum_acr != LOA_SUBSTANTIAL
        url, attempt = await self._oidc.begin(self._urls.callback, next_path, minimum_acr, locale, force=step_up)
        attempt_id = secrets.token_urlsafe(24)
        await self._attempts.set(f"login:{attempt_id}", json.dumps(attempt.to_dict()), expires_in=ATTEMPT_SECONDS)
        return url, attempt_id

    async def finish(
        self, attempt_id: str | None, params: dict[str, str], current_session: str | None, people: PersonDirectory
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
        if self.kind == "staff" and not identity.role:
            raise SignInFailed("not staff")
        person = await people.meet(identity.personal_code, identity.given_name, identity.family_name)
        claims = {
            "person_id": str(person.id),
            "personal_code": identity.personal_code,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "acr": identity.acr,
            "authenticated_at": self._sessions.now().isoformat(),
            "id_token": identity.id_token,
            "sid": identity.session_id,
            "role": identity.role,
            "organisation": identity.organisation,
        }
        carried = await self._values_to_carry(current_session, identity.subject)
        session = await self._sessions.start(identity.subject, self.kind, claims, replaces=current_session)
        if carried:
            session.data.values.update(carried)
            await self._sessions.update(session)
        return session, attempt.next_path

    async def _values_to_carry(self, current_session: str | None, subject: str) -> dict[str, Any]:
        """A step-up by the same person keeps their choices (whom they act for); anyone else starts afresh."""
        if not current_session:
            return {}
        current = await self._sessions.load(current_session, activity=False)
        if current is None or current.data.subject != subject or current.data.kind != self.kind:
            return {}
        return dict(current.data.values)

    async def sign_out(self, session: LoadedSession | None, locale: str) -> str:
        """Ends the portal session first, then returns where the provider ends its own."""
        if session is None:
            return "/"
        await self._sessions.end(session.id)
        url = await self._oidc.logout_url(str(session.data.claims.get("id_token", "")), self._urls.after_logout, locale)
        return url or "/"

    async def logout_subject(self, logout_token: str) -> str:
        try:
            return await logout_subject(logout_token, self._oidc, await self._oidc.jwks(), self._attempts)
        except SignInFailed:
            # The provider may have rotated its keys since they were fetched. The route is open to anyone, so
            # the keys are fetched again at most once a minute, however many bad tokens arrive.
            now = time.monotonic()
            if now - self._keys_refreshed_at < KEY_REFRESH_SECONDS:
                raise
            self._keys_refreshed_at = now
            return await logout_subject(logout_token, self._oidc, await self._oidc.jwks(refresh=True), self._attempts)

    async def end_all_for(self, subject: str) -> int:
        return await self._sessions.end_all_for(subject)


STEP_UP_WINDOW = dt.timedelta(minutes=15)


def recently_high(session: LoadedSession, now: dt.datetime) -> bool:
    """Signed in at high assurance within STEP_UP_WINDOW: what granting or ending a mandate requires."""
    claims = session.data.claims
    at = claims.get("authenticated_at")
    if claims.get("acr") != LOA_HIGH or not at:
        return False
    return now - dt.datetime.fromisoformat(str(at)) <= STEP_UP_WINDOW
