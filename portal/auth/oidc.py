"""OpenID Connect with the state authenticator, through Authlib's framework-neutral async client.

Authlib has no Litestar glue; its mixins give discovery, PKCE, the token exchange and ID-token validation. The
per-attempt values (state, nonce, PKCE verifier, where to go next) are kept server-side under a random
"login attempt" cookie, so that no session exists before a person has signed in.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import asdict, dataclass
from typing import Any

from authlib.integrations.base_client import BaseApp, OAuthError
from authlib.integrations.base_client.async_app import AsyncOAuth2Mixin
from authlib.integrations.base_client.async_openid import AsyncOpenIDMixin

with warnings.catch_warnings():
    # Authlib nudges towards httpx2; the portal keeps one HTTP stack, httpx (STACK.md).
    warnings.filterwarnings("ignore", message="The httpx module is deprecated", category=DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc.errors import JoseError
from joserfc.jws import extract_compact

from portal.agencies.http import DEFAULT_TIMEOUT

LOA_LOW = "http://eidas.europa.eu/LoA/low"
LOA_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
LOA_HIGH = "http://eidas.europa.eu/LoA/high"
LEVELS = (LOA_LOW, LOA_SUBSTANTIAL, LOA_HIGH)
CITIZEN_SCOPE = "openid profile personal_code"
STAFF_SCOPE = "openid profile personal_code staff"
# Authlib accepts whatever algorithms discovery advertises, and discovery may list "none" (OpenID Connect
# Discovery allows it for the code flow): the portal decides which signatures it accepts.
ID_TOKEN_ALGORITHMS = ("RS256", "PS256", "ES256")


class SignInFailed(Exception):
    """The provider's answer could not be accepted; `reason` is for the log, never for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LoginAttempt:
    state: str
    nonce: str
    code_verifier: str
    next_path: str
    minimum_acr: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Identity:
    subject: str
    personal_code: str
    given_name: str
    family_name: str
    acr: str
    id_token: str
    session_id: str | None
    role: str | None = None
    organisation: str | None = None


class _AuthlibApp(AsyncOAuth2Mixin, AsyncOpenIDMixin, BaseApp):  # type: ignore[misc]
    client_cls = AsyncOAuth2Client


def levels_from(minimum: str) -> list[str]:
    return list(LEVELS[LEVELS.index(minimum) :])


class OidcClient:
    def __init__(self, issuer: str, client_id: str, client_secret: str, scope: str) -> None:
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self._app = _AuthlibApp(
            framework=None,
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": scope, "code_challenge_method": "S256", "timeout": DEFAULT_TIMEOUT},
        )

    async def metadata(self) -> dict[str, Any]:
        metadata: dict[str, Any] = await self._app.load_server_metadata()
        return metadata

    async def jwks(self, refresh: bool = False) -> dict[str, Any]:
        keys: dict[str, Any] = await self._app.fetch_jwk_set(force=refresh)
        return keys

    async def begin(
        self, redirect_uri: str, next_path: str, minimum_acr: str, ui_locales: str, force: bool = False
    ) -> tuple[str, LoginAttempt]:
        """The provider's URL to send the browser to, and what must be remembered until it comes back."""
        # acr_values alone would come back with the level of the live provider session; an essential acr claim
        # makes the provider ask again when the level is too low (a step-up).
        levels = levels_from(minimum_acr)
        claims = json.dumps({"id_token": {"acr": {"essential": True, "values": levels}}})
        extra = {"ui_locales": ui_locales, "claims": claims, "acr_values": " ".join(levels)}
        if force:
            extra["prompt"] = "login"
        result = await self._app.create_authorization_url(redirect_uri, **extra)
        attempt = LoginAttempt(
            state=result["state"],
            nonce=result["nonce"],
            code_verifier=result["code_verifier"],
            next_path=next_path,
            minimum_acr=minimum_acr,
        )
        return str(result["url"]), attempt

    async def complete(self, attempt: LoginAttempt, params: dict[str, str], redirect_uri: str) -> Identity:
        if params.get("error"):
            raise SignInFailed(f"provider error {params.get('error')!r}")
        if not params.get("state") or params.get("state") != attempt.state:
            raise SignInFailed("state does not match the attempt")
        if not params.get("code"):
            raise SignInFailed("no code")
        try:
            token = await self._app.fetch_access_token(
                redirect_uri=redirect_uri, code=params["code"], code_verifier=attempt.code_verifier
            )
            if "id_token" in token:
                alg = extract_compact(str(token["id_token"]).encode()).headers().get("alg")
                if alg not in ID_TOKEN_ALGORITHMS:
                    raise SignInFailed(f"ID token signed with {alg!r}")
            claims = await self._app.parse_id_token(
                token,
                nonce=attempt.nonce,
                claims_options={
                    # Authlib checks the issuer only when no claims_options are given: name it here too.
                    "iss": {"essential": True, "values": [self.issuer]},
                    "aud": {"essential": True, "values": [self.client_id]},
                    "acr": {"essential": True, "values": levels_from(attempt.minimum_acr)},
                    "sub": {"essential": True},
                },
            )
        except (OAuthError, JoseError, ValueError, KeyError) as error:
            raise SignInFailed(f"{type(error).__name__}: {error}") from error
        if claims is None or not claims.get("personal_code"):
            raise SignInFailed("no ID token or no personal code")
        return Identity(
            subject=str(claims["sub"]),
            personal_code=str(claims["personal_code"]),
            given_name=str(claims.get("given_name", "")),
            family_name=str(claims.get("family_name", "")),
            acr=str(claims["acr"]),
            id_token=str(token["id_token"]),
            session_id=claims.get("sid"),
            role=claims.get("role"),
            organisation=claims.get("organisation"),
        )

    async def logout_url(self, id_token: str, post_logout_redirect_uri: str, ui_locales: str) -> str | None:
        metadata = await self.metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        result = await self._app.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            ui_locales=ui_locales,
            client_id=self.client_id,
        )
        return str(result["url"])
