"""A small, real OpenID provider over HTTP whose ID tokens are crafted per test: for attacks on sign-in.

It behaves like a provider in everything but the ID token: discovery, JWKS, an authorize endpoint that sends the
browser straight back with a code and the state, and a token endpoint that checks the client's secret, the
redirect URI and PKCE, and accepts each code once. What the token endpoint returns is decided by `scenario`:
the claims to change or drop, and how to sign (the published key, a key not published, `alg: none`, or HS256
with the published public key as the HMAC secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

LOA_LOW = "http://eidas.europa.eu/LoA/low"
LOA_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
CLIENT_ID = "portal"
CLIENT_SECRET = "portal-dev-secret"  # the portal's default in dev and test
JANIS = {
    "sub": "6f1f7d8e-0000-4000-8000-000000000001",
    "personal_code": "150162-12342",
    "given_name": "Jānis",
    "family_name": "Bērziņš",
}
DROP = object()  # a claim set to DROP is left out of the ID token


@dataclass
class Scenario:
    """What the next ID token looks like. `claims` overrides the honest ones (DROP removes one)."""

    claims: dict[str, Any] = field(default_factory=dict)
    signing: str = "published"  # published | unpublished | unpublished-same-kid | none | hs256-public-key
    id_token: bool = True
    algorithms: list[str] = field(default_factory=lambda: ["RS256"])  # what discovery advertises


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    used: bool = False


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class RogueIdp:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published", "use": "sig", "alg": "RS256"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "unpublished"})
        self.scenario = Scenario()
        self.grants: dict[str, Grant] = {}
        self.token_requests: list[tuple[str, int]] = []  # (code, status) for every token request
        self.url = ""
        self._lock = threading.Lock()

    # --- what the endpoints answer -------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": self.scenario.algorithms,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "acr_values_supported": [LOA_LOW, LOA_SUBSTANTIAL, "http://eidas.europa.eu/LoA/high"],
            "claims_parameter_supported": True,
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, query: dict[str, str]) -> str:
        """Signs the person in at once and returns where to send the browser (the portal's callback)."""
        code = secrets.token_urlsafe(24)
        with self._lock:
            self.grants[code] = Grant(
                client_id=query.get("client_id", ""),
                redirect_uri=query.get("redirect_uri", ""),
                nonce=query.get("nonce"),
                code_challenge=query.get("code_challenge"),
            )
        back = {"code": code, "iss": self.url}
        if "state" in query:
            back["state"] = query["state"]
        return f"{query.get('redirect_uri', '')}?{urlencode(back)}"

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization and authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        code = form.get("code", "")
        with self._lock:
            grant = self.grants.get(code)
            reused = grant is not None and grant.used
            if grant is not None:
                grant.used = True
        if form.get("grant_type") != "authorization_code" or grant is None or reused:
            return 400, {"error": "invalid_grant", "error_description": "the code is unknown or was used"}
        if grant.client_id != client_id or form.get("redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri or client mismatch"}
        verifier = form.get("code_verifier", "")
        if not grant.code_challenge or b64url(hashlib.sha256(verifier.encode()).digest()) != grant.code_challenge:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        answer: dict[str, Any] = {"access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300}
        if self.scenario.id_token:
            answer["id_token"] = self.id_token(grant)
        return 200, answer

    # --- the ID token --------------------------------------------------------------------------------------

    def honest_claims(self, grant: Grant) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "acr": LOA_SUBSTANTIAL,
            "amr": ["mfa", "otp"],
            "sid": secrets.token_urlsafe(16),
            **JANIS,
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return claims

    def id_token(self, grant: Grant) -> str:
        claims = self.honest_claims(grant)
        for name, value in self.scenario.claims.items():
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        return self.sign(claims, self.scenario.signing)

    def sign(self, claims: dict[str, Any], signing: str) -> str:
        if signing == "published":
            return jwt.encode({"alg": "RS256", "kid": "published", "typ": "JWT"}, claims, self.key)
        if signing == "unpublished":
            return jwt.encode({"alg": "RS256", "kid": "unpublished", "typ": "JWT"}, claims, self.other_key)
        if signing == "unpublished-same-kid":
            return jwt.encode({"alg": "RS256", "kid": "published", "typ": "JWT"}, claims, self.other_key)
        payload = b64url(json.dumps(claims).encode())
        if signing == "none":
            return f"{b64url(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{payload}."
        if signing == "hs256-public-key":
            # The classic key-confusion attack: HMAC with the provider's public key, which anyone can fetch.
            header = b64url(json.dumps({"alg": "HS256", "kid": "published", "typ": "JWT"}).encode())
            secret = self.key.as_pem(private=False)
            signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            return f"{header}.{payload}.{b64url(signature)}"
        raise ValueError(f"unknown signing {signing!r}")


class _Handler(BaseHTTPRequestHandler):
    idp: RogueIdp

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/.well-known/openid-configuration":
            self._json(200, self.idp.metadata())
        elif parts.path == "/jwks":
            self._json(200, self.idp.jwks())
        elif parts.path == "/authorize":
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            self.send_response(302)
            self.send_header("location", self.idp.authorize(query))
            self.send_header("content-length", "0")
            self.end_headers()
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
        if urlsplit(self.path).path != "/token":
            self._json(404, {"error": "not_found"})
            return
        form = {k: v[0] for k, v in parse_qs(body).items()}
        status, answer = self.idp.token(form, self.headers.get("authorization"))
        self.idp.token_requests.append((form.get("code", ""), status))
        self._json(status, answer)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("cache-control", "no-store")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def running_rogue_idp() -> Iterator[RogueIdp]:
    """The rogue provider on a free loopback port, in a thread, for as long as the block runs."""
    idp = RogueIdp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"idp": idp}))
    server.daemon_threads = True
    idp.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="rogue-idp", daemon=True)
    thread.start()
    try:
        yield idp
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
