"""Attacks carried by the ID token, through the whole portal: /login, a real provider over HTTP, /auth/callback.

The provider is tests/rogue_idp.py: honest in everything but the ID token it returns, which each test crafts.
A refused token must end on the Latvian sign-in-failed page (400, no stack trace) with no session cookie and
no session stored. The control test shows that the same path with an honest token signs Jānis in, so every
refusal below is the ID token's doing. (A replayed callback URL and a forged state are covered in
test_sign_in.py; here the code itself is replayed into a fresh attempt and reaches the token endpoint.)
"""

import time
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select

from portal.app import create_app
from portal.db.store import StoreEntry
from tests.conftest import agency_urls
from tests.integration.conftest import PORTAL_URL, check_page
from tests.rogue_idp import DROP, LOA_LOW, Scenario, running_rogue_idp

AUTHLIB_LEEWAY_S = 120
FAILED = "Pieslēgties neizdevās"


@pytest.fixture(scope="module")
def rogue():
    with running_rogue_idp() as idp:
        yield idp


@pytest.fixture
def portal(migrated, rogue):
    rogue.scenario = Scenario()
    # No agency sandbox: the wall clock, and no population register; nothing here asks an agency.
    settings = {"oidc_issuer": rogue.url, "public_url": PORTAL_URL, "sandbox_url": "", **agency_urls(None)}
    app = create_app(migrated.model_copy(update=settings))
    with TestClient(app, base_url=PORTAL_URL) as client:
        client.event_hooks["response"].append(check_page)
        yield client


def stored_sessions(client):
    """Sessions in the portal's own store, however they got there: a cookie is not the only evidence."""

    async def count():
        async with client.app.state.db_sessions() as db:
            return await db.scalar(select(func.count()).where(StoreEntry.key.like("sessions:session:%")))

    return client.blocking_portal.call(count)


def callback_from_provider(client):
    """/login, then the provider's authorize endpoint; returns the callback URL it sends the browser to."""
    start = client.get("/login", params={"next": "/overview"}, follow_redirects=False)
    assert start.status_code == 303
    back = httpx.get(start.headers["location"], follow_redirects=False)
    assert back.status_code == 302 and back.headers["location"].startswith(f"{PORTAL_URL}/auth/callback?")
    return back.headers["location"]


def sign_in_with(client, rogue, scenario):
    rogue.scenario = scenario
    before = len(rogue.token_requests)
    response = client.get(callback_from_provider(client), follow_redirects=False)
    # The portal did redeem the code: what follows is about the ID token it got back.
    assert [status for _, status in rogue.token_requests[before:]] == [200]
    return response


def assert_refused(client, response):
    assert response.status_code == 400, response.text
    assert FAILED in response.text and 'lang="lv"' in response.text
    assert "Traceback" not in response.text
    assert response.headers["cache-control"] == "no-store"
    issued = [c for c in response.headers.get_list("set-cookie") if c.startswith("portal_session=")]
    assert issued == [], "a refused sign-in set a session cookie"
    assert not client.cookies.get("portal_session")
    assert stored_sessions(client) == 0, "a refused sign-in stored a session"
    assert client.get("/overview", follow_redirects=False).headers["location"] == "/login?next=/overview"


def test_an_honest_token_signs_janis_in(portal, rogue):
    """The control: the same path with the provider's honest ID token works."""
    response = sign_in_with(portal, rogue, Scenario())
    assert response.status_code == 303 and response.headers["location"] == "/overview"
    assert any(c.startswith("portal_session=") for c in response.headers.get_list("set-cookie"))
    assert stored_sessions(portal) == 1
    page = portal.get("/overview")
    assert page.status_code == 200 and "Sveiki, Jānis!" in page.text


ATTACKS = {
    "another nonce": Scenario(claims={"nonce": "from-another-attempt"}),
    "no nonce": Scenario(claims={"nonce": DROP}),
    "another issuer": Scenario(claims={"iss": "https://evil.example"}),
    "another audience": Scenario(claims={"aud": "someone-else"}),
    "another audience, naming us as authorised party": Scenario(claims={"aud": "someone-else", "azp": "portal"}),
    "another audience first, with ours": Scenario(claims={"aud": ["someone-else", "portal"]}),
    "expired beyond the leeway": Scenario(
        claims={"exp": int(time.time()) - AUTHLIB_LEEWAY_S - 60, "iat": int(time.time()) - 600}
    ),
    "issued in the far future": Scenario(claims={"iat": int(time.time()) + 86_400, "exp": int(time.time()) + 90_000}),
    "no subject": Scenario(claims={"sub": DROP}),
    "signed with a key not in the JWKS": Scenario(signing="unpublished"),
    "signed with another key under the published kid": Scenario(signing="unpublished-same-kid"),
    "alg none": Scenario(signing="none"),
    "alg none, advertised by discovery": Scenario(signing="none", algorithms=["RS256", "none"]),
    "HS256 with the public key as secret": Scenario(signing="hs256-public-key"),
    "HS256 with the public key, advertised": Scenario(signing="hs256-public-key", algorithms=["RS256", "HS256"]),
    "acr low when substantial is needed": Scenario(claims={"acr": LOA_LOW}),
    "acr unknown": Scenario(claims={"acr": "urn:example:loa:whatever"}),
    "no acr": Scenario(claims={"acr": DROP}),
    "no personal code": Scenario(claims={"personal_code": DROP}),
    "an empty personal code": Scenario(claims={"personal_code": ""}),
    "no ID token at all": Scenario(id_token=False),
}


@pytest.mark.parametrize("scenario", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_bad_id_token_is_refused_and_creates_no_session(portal, rogue, scenario):
    assert_refused(portal, sign_in_with(portal, rogue, scenario))


def test_a_used_code_injected_into_a_fresh_attempt_is_refused(portal, rogue):
    """An attacker who saw Jānis's code starts an attempt of their own and hands the portal that code with their
    own state: the state matches, the provider refuses the second use, and the portal must show its failure
    page rather than an error (and store nothing)."""
    victim = urlsplit(callback_from_provider(portal))
    code = parse_qs(victim.query)["code"][0]
    assert portal.get(f"{victim.path}?{victim.query}", follow_redirects=False).status_code == 303
    assert stored_sessions(portal) == 1
    portal.cookies.clear()  # from here on, the attacker's browser

    own = parse_qs(urlsplit(callback_from_provider(portal)).query)
    before = len(rogue.token_requests)
    injected = {"code": code, "state": own["state"][0], "iss": rogue.url}
    response = portal.get(f"/auth/callback?{urlencode(injected)}", follow_redirects=False)
    assert rogue.token_requests[before:] == [(code, 400)], "the portal did not take the code to the provider"
    assert response.status_code == 400 and FAILED in response.text and "Traceback" not in response.text
    assert not portal.cookies.get("portal_session")
    assert stored_sessions(portal) == 1, "only Jānis's own session"


def test_a_replayed_callback_with_its_attempt_cookie_never_reaches_the_provider(portal, rogue):
    """test_sign_in.py replays the callback without its cookie; here the attacker has copied the cookie too. The
    attempt is used up at the first callback, so the portal refuses before redeeming the code again."""
    callback = callback_from_provider(portal)
    attempt = portal.cookies.get("portal_login")
    assert portal.get(callback, follow_redirects=False).status_code == 303
    portal.cookies.clear()
    portal.cookies.set("portal_login", attempt, domain="127.0.0.1")
    before = len(rogue.token_requests)
    response = portal.get(callback, follow_redirects=False)
    assert response.status_code == 400 and FAILED in response.text
    assert rogue.token_requests[before:] == [], "a used attempt was taken to the provider again"
    assert not portal.cookies.get("portal_session") and stored_sessions(portal) == 1
