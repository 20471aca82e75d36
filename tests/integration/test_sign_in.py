"""Signing in and out through the real dev identity provider, driven over HTTP, and the attacks on it."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from litestar.testing import TestClient

from portal.app import create_app
from tests.integration.conftest import PORTAL_URL, check_page

JANIS = "150162-12342"


@pytest.fixture
def client(live_settings):
    with TestClient(create_app(live_settings), base_url=PORTAL_URL) as test_client:
        test_client.event_hooks["response"].append(check_page)
        yield test_client


def provider_round_trip(client, next_path="/overview", personal_code=JANIS, acr="substantial", start_at="/login"):
    """Starts at /login (or /auth/step-up, /staff/login), signs in on the provider's page, and returns the
    callback URL it sends back."""
    start = client.get(start_at, params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303
    with httpx.Client(timeout=5) as browser:
        response = browser.get(start.headers["location"])
        for _ in range(10):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(PORTAL_URL):
                    return location
                response = browser.get(location)
            else:
                action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
                response = browser.post(
                    urljoin(str(response.url), action), data={"personal_code": personal_code, "acr": acr}
                )
    raise AssertionError("the provider never sent the browser back")


def sign_in(client, **kwargs):
    callback = provider_round_trip(client, **kwargs)
    return client.get(callback, follow_redirects=False)


def test_janis_signs_in_and_lands_where_he_was_going(client):
    assert client.get("/applications", follow_redirects=False).headers["location"] == "/login?next=/applications"
    done = sign_in(client, next_path="/applications")
    assert done.status_code == 303 and done.headers["location"] == "/applications"
    cookie = done.headers.get_list("set-cookie")
    assert any(c.startswith("portal_session=") and "HttpOnly" in c for c in cookie)
    page = client.get("/overview")
    assert page.status_code == 200 and "Sveiki, Jānis!" in page.text and "Jānis Bērziņš" in page.text
    assert JANIS not in page.text


def _issued_session_id(response):
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if c.startswith("portal_session=")]
    return cookie.split(";")[0].split("=", 1)[1]


def test_the_session_id_is_new_at_every_sign_in(client):
    first = _issued_session_id(sign_in(client))
    second = _issued_session_id(sign_in(client))
    assert len(first) >= 40 and second != first
    client.cookies.clear()
    client.cookies.set("portal_session", first, domain="127.0.0.1")
    assert client.get("/overview", follow_redirects=False).status_code == 303, "the replaced session still works"


def test_a_fixed_session_id_is_not_adopted(client):
    client.cookies.set("portal_session", "fixed-by-an-attacker", domain="127.0.0.1")
    assert _issued_session_id(sign_in(client)) != "fixed-by-an-attacker"


def test_a_wrong_state_is_refused_and_creates_no_session(client):
    callback = provider_round_trip(client)
    forged = re.sub(r"state=[^&]+", "state=forged", callback)
    response = client.get(forged, follow_redirects=False)
    assert response.status_code == 400 and "Pieslēgties neizdevās" in response.text
    assert not client.cookies.get("portal_session")
    assert client.get("/overview", follow_redirects=False).status_code == 303


def test_a_replayed_callback_is_refused(client):
    callback = provider_round_trip(client)
    assert client.get(callback, follow_redirects=False).status_code == 303
    client.cookies.clear()
    assert client.get(callback, follow_redirects=False).status_code == 400


def test_a_callback_without_its_attempt_cookie_is_refused(client):
    callback = provider_round_trip(client)
    client.cookies.delete("portal_login")
    assert client.get(callback, follow_redirects=False).status_code == 400


def test_a_too_low_level_of_assurance_gets_no_code(client):
    """The portal asks for substantial as an essential claim, so the provider refuses low before any code."""
    with pytest.raises(AssertionError, match="never sent the browser back"):
        provider_round_trip(client, acr="low")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_an_off_site_next_becomes_the_overview(client, target):
    assert sign_in(client, next_path=target).headers["location"] == "/overview"


def test_sign_out_ends_the_portal_session_first_then_goes_to_the_provider(client, live_idp):
    sign_in(client)
    page = client.get("/overview")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/logout", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == live_idp.url
    assert "id_token_hint" in parse_qs(location.query)
    assert client.get("/overview", follow_redirects=False).status_code == 303


def test_sign_out_by_post_needs_the_csrf_token(client):
    sign_in(client)
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/overview").status_code == 200


def test_a_forged_back_channel_logout_is_refused(client):
    done = sign_in(client)
    assert done.status_code == 303
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."
    response = client.post("/auth/backchannel-logout", data={"logout_token": forged})
    assert response.status_code == 400
    assert client.get("/overview").status_code == 200


def test_protected_pages_need_sign_in(client):
    for path in ("/overview", "/applications"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"


def test_a_sign_in_journey_leaves_no_personal_code_in_the_portal_log(capfd, client):
    sign_in(client, next_path="/applications")
    client.get("/overview")
    client.get("/logout", follow_redirects=False)
    captured = capfd.readouterr()
    assert '"signed_in"' in captured.err
    assert JANIS not in captured.out + captured.err


def test_sign_in_while_the_provider_is_down_is_a_clear_503(migrated):
    settings = migrated.model_copy(update={"oidc_issuer": "http://127.0.0.1:1"})
    with TestClient(create_app(settings), base_url=PORTAL_URL) as down:
        response = down.get("/login?next=/overview", follow_redirects=False)
    assert response.status_code == 503 and "Pakalpojums pašlaik nav pieejams" in response.text
