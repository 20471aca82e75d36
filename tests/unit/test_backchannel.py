"""Back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0, 2.6): what is accepted, what is not.

A self-made provider key and JWKS; the `jti` memory is a real Litestar MemoryStore, as the portal's stores are.
Each refusal differs from the accepted token in one thing only.
"""

import hashlib
import hmac
import json
import time

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from litestar.stores.memory import MemoryStore

from portal.auth.backchannel import EVENT, logout_subject
from portal.auth.oidc import CITIZEN_SCOPE, OidcClient, SignInFailed
from tests.rogue_idp import b64url

ISSUER = "https://idp.example.lv"
CLIENT_ID = "portal"
SUBJECT = "6f1f7d8e-0000-4000-8000-000000000001"
KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-1"})
JWKS = {"keys": [KEY.as_dict(private=False)]}
DROP = object()


@pytest.fixture
def oidc():
    return OidcClient(ISSUER, CLIENT_ID, "secret", CITIZEN_SCOPE)


@pytest.fixture
def seen():
    return MemoryStore()


def claims(**changes):
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": now,
        "exp": now + 120,
        "jti": f"jti-{time.monotonic_ns()}",
        "sub": SUBJECT,
        "sid": "idp-session-1",
        "events": {EVENT: {}},
    }
    for name, value in changes.items():
        if value is DROP:
            base.pop(name, None)
        else:
            base[name] = value
    return base


def token(key=KEY, **changes):
    return jwt.encode({"alg": "RS256", "kid": "idp-1", "typ": "logout+jwt"}, claims(**changes), key)


async def refused(value, oidc, seen, reason=None):
    with pytest.raises(SignInFailed, match=reason):
        await logout_subject(value, oidc, JWKS, seen)


async def test_a_genuine_token_names_the_subject(oidc, seen):
    assert await logout_subject(token(), oidc, JWKS, seen) == SUBJECT


async def test_a_replayed_token_is_refused(oidc, seen):
    same = token()
    assert await logout_subject(same, oidc, JWKS, seen) == SUBJECT
    await refused(same, oidc, seen, "replayed")
    # A fresh token for the same person still works: it is the jti that is remembered, not the subject.
    assert await logout_subject(token(), oidc, JWKS, seen) == SUBJECT


async def test_the_jti_is_remembered_in_the_store_and_forgotten_later(oidc, seen):
    value = token(jti="once")
    await logout_subject(value, oidc, JWKS, seen)
    assert await seen.exists("logout-jti:once")
    assert 0 < await seen.expires_in("logout-jti:once") <= 600


async def test_a_forged_signature_is_refused(oidc, seen):
    await refused(token(key=OTHER_KEY), oidc, seen)
    header, payload, _ = token().split(".")
    altered = b64url(json.dumps(claims(sub="someone-else")).encode())
    await refused(f"{header}.{altered}.{token().split('.')[2]}", oidc, seen)
    await refused(f"{header}.{payload}.", oidc, seen)


async def test_alg_none_and_hs256_with_the_public_key_are_refused(oidc, seen):
    payload = b64url(json.dumps(claims()).encode())
    none = b64url(json.dumps({"alg": "none"}).encode())
    await refused(f"{none}.{payload}.", oidc, seen)
    hs = b64url(json.dumps({"alg": "HS256", "kid": "idp-1"}).encode())
    mac = hmac.new(KEY.as_pem(private=False), f"{hs}.{payload}".encode(), hashlib.sha256).digest()
    await refused(f"{hs}.{payload}.{b64url(mac)}", oidc, seen)


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://evil.example"},
        {"iss": DROP},
        {"aud": "someone-else"},
        {"aud": DROP},
    ],
    ids=["another issuer", "no issuer", "another audience", "no audience"],
)
async def test_another_issuer_or_audience_is_refused(oidc, seen, changes):
    await refused(token(**changes), oidc, seen)


async def test_an_expired_or_stale_token_is_refused(oidc, seen):
    now = int(time.time())
    await refused(token(exp=now - 120, iat=now - 240), oidc, seen)  # expired beyond the 30 s leeway
    await refused(token(iat=now - 600, exp=now + 60), oidc, seen, "too old")  # not expired, but issued long ago
    await refused(token(iat=now + 3600, exp=now + 3700), oidc, seen)  # issued in the future
    await refused(token(iat=DROP), oidc, seen)


@pytest.mark.parametrize(
    "events",
    [DROP, {}, {"http://schemas.openid.net/event/something-else": {}}, [EVENT], EVENT, {EVENT: "yes"}],
    ids=["no events", "empty events", "another event", "a list", "a string", "a member that is no object"],
)
async def test_without_the_back_channel_logout_event_it_is_refused(oidc, seen, events):
    """An ID token is signed by the same key: without this member it must never pass for a logout token."""
    await refused(token(events=events), oidc, seen)


async def test_a_token_with_a_nonce_is_refused(oidc, seen):
    await refused(token(nonce="n-0S6_WzA2Mj"), oidc, seen, "nonce")


async def test_a_token_naming_no_one_is_refused(oidc, seen):
    await refused(token(sub=DROP, sid=DROP), oidc, seen)
    await refused(token(sub="", sid=DROP), oidc, seen)


async def test_no_jti_is_refused(oidc, seen):
    await refused(token(jti=DROP), oidc, seen)


async def test_nothing_or_too_much_is_refused_before_any_parsing(oidc, seen):
    await refused("", oidc, seen, "no logout token")
    await refused("a" * 9000, oidc, seen, "no logout token")
    await refused("not-a-jwt", oidc, seen)


async def test_a_refused_token_leaves_no_jti_behind(oidc, seen):
    await refused(token(jti="bad", nonce="x"), oidc, seen)
    assert not await seen.exists("logout-jti:bad")


class RotatingProvider(OidcClient):
    """The provider's keys as the portal fetched them first, and as they are after a rotation."""

    def __init__(self, before, after):
        super().__init__(ISSUER, CLIENT_ID, "secret", CITIZEN_SCOPE)
        self.before, self.after, self.fetches = before, after, 0

    async def jwks(self, refresh=False):
        self.fetches += refresh
        return self.after if refresh else self.before


def service(provider, seen):
    from portal.auth.service import SignInService, Urls
    from portal.auth.sessions import SessionStore

    return SignInService(provider, SessionStore(seen), seen, Urls("/cb", "/"), kind="citizen")


async def test_after_a_key_rotation_the_keys_are_fetched_again_but_at_most_once_a_minute(seen):
    rotated = {"keys": [OTHER_KEY.as_dict(private=False)]}
    provider = RotatingProvider(before=JWKS, after=rotated)
    sign_in = service(provider, seen)
    assert await sign_in.logout_subject(token(key=OTHER_KEY)) == SUBJECT
    assert provider.fetches == 1
    # A flood of bad tokens does not make the portal hammer the provider.
    for _ in range(3):
        with pytest.raises(SignInFailed):
            await sign_in.logout_subject(token(key=RSAKey.generate_key(2048, parameters={"kid": "idp-1"})))
    assert provider.fetches == 1
