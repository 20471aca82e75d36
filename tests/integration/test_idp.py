"""The dev identity provider (sandbox/idp, npm oidc-provider) as its own process, driven with httpx: no browser.

The IdP's default clients point at a stand-in portal (a tiny HTTP server in this process), so the back-channel
logout it sends to 127.0.0.1 can be caught; redirects to the portal are never followed, only read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
import yaml
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from portal.settings import PROJECT_ROOT
from tests.ports import free_port
from tests.servers import Server, start_server

LOW, SUBSTANTIAL, HIGH = (f"http://eidas.europa.eu/LoA/{level}" for level in ("low", "substantial", "high"))
CITIZEN = ("portal", "portal-dev-secret", "/auth/callback", "openid profile personal_code")
STAFF = ("portal-staff", "portal-staff-dev-secret", "/staff/auth/callback", "openid profile personal_code staff")
PERSONAS = yaml.safe_load((PROJECT_ROOT / "sandbox" / "personas.yaml").read_text(encoding="utf-8"))["personas"]


class _Portal(BaseHTTPRequestHandler):
    """Stands in for the portal's back-channel logout endpoint."""

    received: list[str]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
        if self.path == "/auth/backchannel-logout":
            self.received.append(parse_qs(body)["logout_token"][0])
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Idp:
    server: Server
    portal_url: str
    logout_tokens: list[str]

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Idp]:
    received: list[str] = []
    handler = type("Portal", (_Portal,), {"received": received})
    portal = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=portal.serve_forever, daemon=True).start()
    portal_url = f"http://127.0.0.1:{portal.server_address[1]}"
    state = tmp_path_factory.mktemp("idp")
    port = free_port()
    server = start_server(
        "dev identity provider",
        [shutil.which("node") or "node", "sandbox/idp/server.mjs"],
        f"http://127.0.0.1:{port}",
        "/.well-known/openid-configuration",
        state / "idp.log",
        env={"IDP_PORT": str(port), "IDP_STATE_DIR": str(state / "var"), "IDP_PORTAL_URL": portal_url},
    )
    try:
        yield Idp(server, portal_url, received)
    finally:
        server.stop()
        portal.shutdown()
        portal.server_close()
    log = server.output()
    for persona in PERSONAS:
        assert persona["personal_code"] not in log, "the IdP logged a personal code"


class _Form(HTMLParser):
    """The facts of the sign-in page that the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.action: str | None = None
        self.labels: dict[str, str] = {}
        self.options: list[tuple[str, str]] = []
        self.radios: dict[str, bool] = {}
        self.legend = ""
        self.buttons: list[str] = []
        self._label_for: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "form":
            self.action = a.get("action")
        elif tag == "label":
            self._label_for = a.get("for") or ""
            self.labels[self._label_for] = ""
        elif tag in ("option", "legend", "button"):
            self._in = tag
            if tag == "option":
                self.options.append((a.get("value") or "", ""))
            elif tag == "button":
                self.buttons.append("")
        elif tag == "input" and a.get("type") == "radio":
            self.radios[a.get("value") or ""] = "checked" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_for = None
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self.labels[self._label_for] += data
        if self._in == "option":
            self.options[-1] = (self.options[-1][0], self.options[-1][1] + data)
        elif self._in == "legend":
            self.legend += data
        elif self._in == "button":
            self.buttons[-1] += data


def parse_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_claims(idp: Idp, token: str) -> dict[str, Any]:
    """The JWT's claims after checking its RS256 signature against the IdP's JWKS."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    assert header["alg"] == "RS256"
    jwks = httpx.get(f"{idp.url}/jwks").json()
    (jwk,) = [k for k in jwks["keys"] if k["kid"] == header["kid"]]
    numbers = rsa.RSAPublicNumbers(int.from_bytes(b64url_decode(jwk["e"])), int.from_bytes(b64url_decode(jwk["n"])))
    numbers.public_key().verify(
        b64url_decode(signature_b64), f"{header_b64}.{payload_b64}".encode(), padding.PKCS1v15(), hashes.SHA256()
    )  # raises InvalidSignature
    claims: dict[str, Any] = json.loads(b64url_decode(payload_b64))
    return claims


@dataclass
class Flow:
    """One authorization request in flight: its browser, its PKCE verifier, its client."""

    browser: httpx.Client
    client_id: str
    secret: str
    redirect_uri: str
    verifier: str
    nonce: str
    state: str
    page: httpx.Response


def follow(browser: httpx.Client, response: httpx.Response, stop_at: str) -> httpx.Response:
    """Follows the IdP's own redirects; stops before leaving for `stop_at` (the portal is not there)."""
    for _ in range(10):
        location = response.headers.get("location")
        if not response.is_redirect or location is None or location.startswith(stop_at):
            return response
        response = browser.get(urljoin(str(response.url), location))
    raise AssertionError("too many redirects")


_BROWSERS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_browsers() -> Iterator[None]:
    yield
    while _BROWSERS:
        _BROWSERS.pop().close()


def start(idp: Idp, client: tuple[str, str, str, str], browser: httpx.Client | None = None, **extra: str) -> Flow:
    """Starts an authorization request (in a fresh cookie jar unless given one) and follows it to the sign-in page."""
    client_id, secret, path, scope = client
    if browser is None:
        browser = httpx.Client(timeout=5)
        _BROWSERS.append(browser)
    verifier, nonce, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect_uri = idp.portal_url + path
    query = {
        "client_id": client_id, "response_type": "code", "scope": scope, "redirect_uri": redirect_uri,
        "state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256", **extra,
    }  # fmt: skip
    page = follow(browser, browser.get(f"{idp.url}/auth?{urlencode(query)}"), redirect_uri)
    assert page.status_code == 200, page.text
    return Flow(browser, client_id, secret, redirect_uri, verifier, nonce, state, page)


def submit(flow: Flow, personal_code: str, acr: str) -> httpx.Response:
    action = parse_form(flow.page.text).action
    assert action
    response = flow.browser.post(urljoin(str(flow.page.url), action), data={"personal_code": personal_code, "acr": acr})
    return follow(flow.browser, response, flow.redirect_uri)


def redeem(idp: Idp, flow: Flow, code: str) -> httpx.Response:
    return httpx.post(
        f"{idp.url}/token",
        auth=(flow.client_id, flow.secret),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirect_uri,
              "code_verifier": flow.verifier},
    )  # fmt: skip


def sign_in(idp: Idp, client: tuple[str, str, str, str], personal_code: str, acr: str) -> tuple[Flow, str]:
    """The whole code flow; returns the flow and the authorization code that reached the redirect URI."""
    flow = start(idp, client)
    back = submit(flow, personal_code, acr)
    assert back.status_code in (302, 303), back.text
    location = urlsplit(back.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == flow.redirect_uri
    params = parse_qs(location.query)
    assert params["state"] == [flow.state] and params["iss"] == [idp.url]
    return flow, params["code"][0]


def test_discovery_lists_what_the_portal_relies_on(idp: Idp) -> None:
    meta = httpx.get(f"{idp.url}/.well-known/openid-configuration").json()
    assert meta["issuer"] == idp.url
    assert meta["acr_values_supported"] == [LOW, SUBSTANTIAL, HIGH]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["claims_parameter_supported"] is True
    assert meta["backchannel_logout_supported"] is True
    assert meta["end_session_endpoint"] == f"{idp.url}/session/end"
    assert {"personal_code", "given_name", "family_name", "acr", "amr", "role", "organisation"} <= set(
        meta["claims_supported"]
    )


def test_an_authorization_request_without_pkce_is_refused(idp: Idp) -> None:
    redirect_uri = idp.portal_url + "/auth/callback"
    query = {
        "client_id": "portal",
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": redirect_uri,
        "state": "s",
    }
    response = httpx.get(f"{idp.url}/auth?{urlencode(query)}")
    assert response.is_redirect
    location = response.headers["location"]
    assert location.startswith(redirect_uri)
    params = parse_qs(urlsplit(location).query)
    assert params["error"] == ["invalid_request"] and "code" not in params
    assert "PKCE" in params["error_description"][0]


def test_janis_signs_in_with_the_code_flow_and_the_code_works_once(idp: Idp) -> None:
    flow = start(idp, CITIZEN)
    page = parse_form(flow.page.text)
    assert page.lang == "lv"
    assert page.labels["personal_code"] == "Personas kods"
    expected = {(p["personal_code"], f"{p['given_name']} {p['family_name']} ({p['personal_code']})") for p in PERSONAS}
    assert {option for option in page.options if option[0]} == expected
    assert page.legend == "Uzticamības līmenis"
    assert page.radios == {LOW: False, SUBSTANTIAL: True, HIGH: False}  # būtisks by default
    assert page.buttons == ["Pieslēgties"]
    assert "Latvijas e-pakalpojumu portāls" in flow.page.text
    assert "default-src 'none'" in flow.page.headers["content-security-policy"]
    assert httpx.get(f"{idp.url}/idp.css").status_code == 200

    back = submit(flow, "150162-12342", SUBSTANTIAL)
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    tokens = redeem(idp, flow, code)
    assert tokens.status_code == 200, tokens.text
    claims = verified_claims(idp, tokens.json()["id_token"])
    janis = next(p for p in PERSONAS if p["personal_code"] == "150162-12342")
    assert claims["iss"] == idp.url and claims["aud"] == "portal" and claims["nonce"] == flow.nonce
    assert claims["sub"] == janis["sub"]
    assert claims["personal_code"] == "150162-12342"
    assert (claims["given_name"], claims["family_name"]) == ("Jānis", "Bērziņš")
    assert claims["acr"] == SUBSTANTIAL and claims["amr"]
    assert "role" not in claims and "organisation" not in claims

    again = redeem(idp, flow, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_the_staff_client_gets_role_and_organisation_for_inese_and_refuses_citizens(idp: Idp) -> None:
    flow, code = sign_in(idp, STAFF, "120385-13468", HIGH)
    claims = verified_claims(idp, redeem(idp, flow, code).json()["id_token"])
    assert claims["aud"] == "portal-staff" and claims["acr"] == HIGH
    assert (claims["role"], claims["organisation"]) == ("vpvkac_assistant", "VPVKAC Cēsis")
    assert claims["personal_code"] == "120385-13468"

    refused = start(idp, STAFF)
    again = submit(refused, "150162-12342", SUBSTANTIAL)
    assert again.status_code == 400
    assert "darbiniekiem" in again.text and 'role="alert"' in again.text and "Traceback" not in again.text


def test_inese_on_the_citizen_client_gets_no_staff_claims_even_when_it_asks(idp: Idp) -> None:
    flow, code = sign_in(idp, CITIZEN, "120385-13468", LOW)
    claims = verified_claims(idp, redeem(idp, flow, code).json()["id_token"])
    assert claims["acr"] == LOW and "role" not in claims and "organisation" not in claims

    asking = start(idp, CITIZEN, claims=json.dumps({"id_token": {"role": None, "organisation": {"essential": True}}}))
    back = submit(asking, "120385-13468", SUBSTANTIAL)
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    claims = verified_claims(idp, redeem(idp, asking, code).json()["id_token"])
    assert "role" not in claims and "organisation" not in claims


def test_bad_form_and_unknown_persona_reshow_the_page_with_an_error(idp: Idp) -> None:
    flow = start(idp, CITIZEN)
    unknown = submit(flow, "010101-00000", SUBSTANTIAL)
    assert unknown.status_code == 400 and 'role="alert"' in unknown.text
    assert parse_form(unknown.text).labels["personal_code"] == "Personas kods"
    bad_acr = submit(flow, "150162-12342", "very-high")
    assert bad_acr.status_code == 400 and "uzticamības līmeni" in bad_acr.text
    not_a_form = flow.browser.post(urljoin(str(flow.page.url), parse_form(flow.page.text).action or ""), content=b"{}")
    assert not_a_form.status_code == 400 and "Traceback" not in not_a_form.text


def test_a_step_up_to_high_asks_again_preselects_high_and_refuses_less(idp: Idp) -> None:
    first, _ = sign_in(idp, CITIZEN, "050694-14213", SUBSTANTIAL)  # a live IdP session at substantial
    claims = json.dumps({"id_token": {"acr": {"essential": True, "value": HIGH}}})
    flow = start(idp, CITIZEN, first.browser, claims=claims)
    assert parse_form(flow.page.text).radios == {LOW: False, SUBSTANTIAL: False, HIGH: True}
    assert submit(flow, "050694-14213", SUBSTANTIAL).status_code == 400
    back = submit(flow, "050694-14213", HIGH)
    code = parse_qs(urlsplit(back.headers["location"]).query)["code"][0]
    assert verified_claims(idp, redeem(idp, flow, code).json()["id_token"])["acr"] == HIGH


def test_english_pages_with_ui_locales_en(idp: Idp) -> None:
    flow = start(idp, CITIZEN, ui_locales="en")
    page = parse_form(flow.page.text)
    assert page.lang == "en" and page.labels["personal_code"] == "Personal code" and page.buttons == ["Sign in"]


def test_errors_are_plain_pages(idp: Idp) -> None:
    response = httpx.get(f"{idp.url}/auth?client_id=nobody&response_type=code&scope=openid")
    assert response.status_code == 400 and 'lang="lv"' in response.text
    assert "invalid_client" in response.text and "Error:" not in response.text
    assert "nav reģistrēts" in response.text
    gone = httpx.get(f"{idp.url}/interaction/doesnotexist")
    assert gone.status_code == 400 and "novecojis" in gone.text


def test_logout_page_and_back_channel_logout_reach_a_portal_on_loopback(idp: Idp) -> None:
    flow, code = sign_in(idp, CITIZEN, "080890-17710", SUBSTANTIAL)
    id_token = redeem(idp, flow, code).json()["id_token"]
    sid = verified_claims(idp, id_token)["sid"]
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": idp.portal_url + "/", "state": "bye"}
    page = flow.browser.get(f"{idp.url}/session/end?{urlencode(query)}")
    assert page.status_code == 200 and 'lang="lv"' in page.text and "Atslēgties" in page.text
    action = page.text.split('action="', 1)[1].split('"', 1)[0]
    xsrf = page.text.split('name="xsrf" value="', 1)[1].split('"', 1)[0]
    before = len(idp.logout_tokens)
    done = flow.browser.post(urljoin(str(page.url), action), data={"xsrf": xsrf, "logout": "yes"})
    assert done.is_redirect and done.headers["location"].startswith(idp.portal_url + "/?state=bye")
    assert len(idp.logout_tokens) == before + 1
    logout = verified_claims(idp, idp.logout_tokens[-1])
    assert logout["aud"] == "portal" and logout["sid"] == sid and "nonce" not in logout
    assert "http://schemas.openid.net/event/backchannel-logout" in logout["events"]
