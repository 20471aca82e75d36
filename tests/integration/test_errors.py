"""Error pages: clear, in the user's language, never a stack trace, never a 500 for what a visitor sends."""

import pytest


def test_not_found_in_latvian_and_english(client):
    response = client.get("/nav-tādas-lapas")
    assert response.status_code == 404
    assert "Lapa nav atrasta" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert "Page not found" in client.get("/missing?lang=en").text


def test_method_not_allowed_is_a_page(client):
    response = client.request("PATCH", "/accessibility")
    assert response.status_code == 405
    assert "Šeit šo darbību veikt nevar" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/static/../pyproject.toml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/%00",
        "/" + "a" * 5000,
        "/static/xyz/css/portal.css",
        "/static/htmx/0.0.0/htmx.min.js",
    ],
)
def test_path_tricks_get_a_clear_4xx(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text and "[tool." not in response.text


def test_unexpected_failures_render_the_500_page_without_details(app, monkeypatch, client):
    from portal.catalogue import life_situations

    class Exploding:
        def __iter__(self):
            raise RuntimeError("secret detail 150162-12342")

    monkeypatch.setattr(life_situations, "LIFE_SITUATIONS", Exploding())
    from portal.catalogue import routes

    monkeypatch.setattr(routes, "LIFE_SITUATIONS", Exploding())
    response = client.get("/")
    assert response.status_code == 500
    assert "Atvainojiet, mūsu pusē radās kļūda" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
