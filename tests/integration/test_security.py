"""Security headers on every kind of response, and CSRF on every unsafe route."""

import re

import pytest
from litestar.handlers import HTTPRouteHandler

from portal.app import CSRF_EXEMPT

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/healthz"])
def test_strict_headers_everywhere(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["permissions-policy"]
    assert "strict-transport-security" not in headers  # HSTS only in production, behind TLS


def test_static_files_are_versioned_immutable_and_protected(client):
    html = client.get("/").text
    css = re.search(r'href="(/static/[0-9a-f]{12}/css/portal\.css)"', html).group(1)
    response = client.get(css)
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"] and "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["content-security-policy"]
    assert "set-cookie" not in response.headers, "no cookie on a publicly cached file"
    htmx = re.search(r'src="(/static/htmx/2\.\d+\.\d+/htmx\.min\.js)"', html).group(1)
    assert client.get(htmx).status_code == 200


def test_pages_are_compressed(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"


def test_htmx_is_configured_for_a_strict_csp_and_shared_computers(client):
    html = client.get("/").text
    config = re.search(r'<meta name="htmx-config" content="([^"]+)"', html).group(1).replace("&#34;", '"')
    for setting in (
        '"includeIndicatorStyles":false',
        '"allowEval":false',
        '"allowScriptTags":false',
        '"historyCacheSize":0',
    ):
        assert setting in config


def test_csrf_cookie_is_httponly_and_lax(client):
    cookie = client.get("/").headers.get("set-cookie", "")
    assert "csrftoken=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()


def _unsafe_routes(app):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            unsafe = UNSAFE & set(getattr(handler, "http_methods", ()))
            if isinstance(handler, HTTPRouteHandler) and unsafe and route.path not in CSRF_EXEMPT:
                yield route.path, sorted(unsafe)


def test_every_unsafe_route_refuses_a_request_without_a_csrf_token(app, client):
    routes = list(_unsafe_routes(app))
    assert routes, "the app has unsafe routes to protect"
    client.get("/")  # holds a valid csrftoken cookie, but sends no token
    for path, methods in routes:
        for method in methods:
            # Path parameters get a well-formed value, so the request reaches the route and its CSRF check.
            concrete = re.sub(r"\{[^}:]+:uuid\}", "00000000-0000-4000-8000-000000000000", path)
            response = client.request(method, concrete, data={"x": "1"})
            assert response.status_code == 403, (method, path)
            assert "Veidlapu nevarēja pieņemt" in response.text
