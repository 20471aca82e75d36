"""Back-channel logout: the provider tells us a person signed out elsewhere; we end all their sessions.

Authlib does not validate logout tokens, so this does (OpenID Connect Back-Channel Logout 1.0, section 2.6):
signature against the provider's keys, iss, aud, a recent iat, the back-channel event, sub, no nonce, and a
jti never seen before.
"""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from litestar.stores.base import Store

from portal.auth.oidc import OidcClient, SignInFailed

EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_AGE_SECONDS = 300
ALGORITHMS = ["RS256", "PS256", "ES256"]


async def logout_subject(token: str, oidc: OidcClient, jwks: dict[str, Any], seen: Store) -> str:
    """The subject whose sessions must end; raises SignInFailed for any token that is not genuine and fresh."""
    if not token or len(token) > 8192:
        raise SignInFailed("no logout token")
    try:
        claims = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=ALGORITHMS).claims  # type: ignore[arg-type]
        JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": oidc.issuer},
            aud={"essential": True, "value": oidc.client_id},
            iat={"essential": True},
            jti={"essential": True},
            sub={"essential": True},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as error:
        raise SignInFailed(f"logout token: {type(error).__name__}") from error
    if "nonce" in claims:
        raise SignInFailed("logout token carries a nonce")
    events = claims.get("events")
    # A JSON object with this member, whose value is a JSON object (2.4): not a list or a string that mentions it.
    if not isinstance(events, dict) or not isinstance(events.get(EVENT), dict):
        raise SignInFailed("logout token without the back-channel event")
    if abs(time.time() - int(claims["iat"])) > MAX_AGE_SECONDS:
        raise SignInFailed("logout token too old")
    jti_key = f"logout-jti:{claims['jti']}"
    if await seen.exists(jti_key):
        raise SignInFailed("logout token replayed")
    await seen.set(jti_key, "1", expires_in=MAX_AGE_SECONDS * 2)
    return str(claims["sub"])
