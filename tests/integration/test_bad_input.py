"""What a visitor or an attacker can send gets a clear 4xx page in their language, never a 500."""

import re

import pytest

FORM_PATH = "/components"


def _token(client) -> str:
    html = client.get(FORM_PATH).text
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


def test_an_oversized_body_gets_the_413_page(client, settings):
    token = _token(client)
    body = "_csrf_token=" + token + "&full_name=" + "a" * (settings.max_body_bytes + 10)
    response = client.post(FORM_PATH, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert "Nosūtītais ir pārāk liels" in response.text


def test_an_oversized_multipart_body_gets_the_413_page(client, settings):
    token = _token(client)
    files = {"upload": ("big.pdf", b"%PDF" + b"0" * (settings.max_body_bytes + 10), "application/pdf")}
    response = client.post(FORM_PATH, data={"_csrf_token": token}, files=files)
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"%%%&&&===%zz%00\xff\xfe"),
        ("multipart/form-data; boundary=nothing-here", b"--wrong\r\n\r\n\xff"),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b'{"full_name": '),
        ("text/plain", b"\x00\x01\x02"),
    ],
)
def test_malformed_bodies_are_refused_clearly(client, content_type, body):
    _token(client)
    response = client.post(FORM_PATH, content=body, headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text
    assert '<html lang="lv">' in response.text


def test_a_malformed_body_with_a_valid_token_still_gets_no_500(client):
    token = _token(client)
    body = f"_csrf_token={token}&full_name=%ff%fe&dob-day=%00&choice=<script>".encode()
    response = client.post(FORM_PATH, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (303, 400)
    assert "<script>" not in response.text
