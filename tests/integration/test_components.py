"""The component gallery: every component rendered, the demo form validated on the server, the htmx round trip
through CSRF, and no gallery in production."""

from __future__ import annotations

import html
import re
import secrets
from pathlib import Path

from litestar.testing import TestClient

from portal.app import create_app
from portal.settings import Environment, Settings
from tests.conftest import production_agency_urls
from tests.integration.conftest import check_page
from tests.seal_files import production_seal

# One distinctive piece of markup per component, as its macro draws it.
COMPONENTS = {
    "button": 'class="button"',
    "secondary button": 'class="button button--secondary"',
    "warning button": 'class="button button--warning"',
    "disabled button": "button--disabled",
    "button as link": 'draggable="false"',
    "text input": 'class="input" id="example-text"',
    "textarea with character count": 'data-module="character-count" data-max-length="200"',
    "stacked radios": 'class="radios" data-module="conditional-reveal"',
    "inline radios": 'class="radios radios--inline"',
    "conditional reveal": 'aria-controls="contact-conditional"',
    "checkboxes": 'class="checkboxes__input"',
    "date input": 'name="example-date-month"',
    "select": '<select class="select"',
    "file upload": 'type="file"',
    "hint": 'id="example-hint" class="hint"',
    "error message": 'id="example-error" class="error-message"',
    "fieldset as heading": '<legend class="fieldset__legend fieldset__legend--heading"><h4',
    "summary list": 'class="summary-list__actions"',
    "task list": 'class="task-list"',
    "info banner": 'role="region" aria-labelledby="example-banner-info-title"',
    "success banner": 'id="example-banner-success" role="alert"',
    "tag": 'class="tag tag--green"',
    "details": '<details class="details"',
    "pagination": 'aria-current="page"',
    "back link": 'class="back-link"',
    "breadcrumbs": 'class="breadcrumbs"',
    "step counter": 'class="step-counter"',
    "timeout dialog": '<dialog class="timeout-dialog"',
    "htmx button": 'data-hx-post="/components/ping"',
}


def csrf_token(page: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert match, "the page has no CSRF field"
    return match.group(1)


def test_gallery_shows_every_component_in_latvian(client):
    response = client.get("/components")
    assert response.status_code == 200
    assert '<html lang="lv">' in response.text
    assert '<h1 class="heading-xl">Komponentes</h1>' in response.text
    missing = [name for name, marker in COMPONENTS.items() if marker not in response.text]
    assert not missing
    assert "2. solis no 5" in response.text
    assert '<span class="visually-hidden">Kļūda: </span>' in response.text


def test_gallery_in_english(client):
    page = client.get("/components?lang=en").text
    assert '<html lang="en">' in page
    assert "Step 2 of 5" in page
    assert '<span class="visually-hidden">Error: </span>' in page
    assert '<span aria-hidden="true">Change</span><span class="visually-hidden">Change your full name</span>' in page
    missing = [name for name, marker in COMPONENTS.items() if marker not in page]
    assert not missing


def test_gallery_has_no_inline_script_style_or_event_handlers(client):
    page = client.get("/components").text
    assert "<style" not in page
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert not re.search(r"\shx-[a-z]+=", page), "htmx attributes must be written as data-hx-*"


def test_invalid_post_shows_the_error_summary_and_keeps_values(client):
    token = csrf_token(client.get("/components?lang=en").text)
    response = client.post(
        "/components",
        data={
            "_csrf_token": token,
            "full_name": "Anna Bērziņa",
            "date_of_birth-day": "27",
            "date_of_birth-month": "",
            "date_of_birth-year": "1985",
            "contact": "email",
            "email": "",
        },
    )
    assert response.status_code == 400
    page = response.text
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("Error: ")
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert 'tabindex="-1"' in summary and "role=" not in summary
    assert re.findall(r'href="#([^"]+)"', summary) == ["date_of_birth-month", "email"]
    assert "The date must include a month." in summary
    # The links lead to real fields, and what was typed is still there.
    assert 'id="date_of_birth-month"' in page and 'id="email"' in page
    assert 'value="Anna Bērziņa"' in page
    assert 'name="date_of_birth-day"' in page and 'value="27"' in page and 'value="1985"' in page
    assert re.search(r'id="contact" name="contact" type="radio" value="email" checked', page)
    month = re.search(r'<input[^>]*id="date_of_birth-month"[^>]*>', page).group(0)
    day = re.search(r'<input[^>]*id="date_of_birth-day"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in month and 'aria-invalid="true"' not in day


def test_empty_post_lists_every_required_field_in_latvian(client):
    token = csrf_token(client.get("/components").text)
    response = client.post("/components", data={"_csrf_token": token})
    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', summary) == ["full_name", "date_of_birth-day", "contact"]
    assert "Ievadiet savu vārdu un uzvārdu." in summary
    assert "<title>Kļūda: " in response.text


def test_impossible_date_is_refused(client):
    token = csrf_token(client.get("/components?lang=en").text)
    data = {
        "_csrf_token": token,
        "full_name": "Anna",
        "date_of_birth-day": "31",
        "date_of_birth-month": "2",
        "date_of_birth-year": "1985",
        "contact": "post",
    }
    response = client.post("/components", data=data)
    assert response.status_code == 400
    assert html.escape("The date must be a real date, for example 27 3 1985.") in response.text


def test_post_without_csrf_token_is_refused(client):
    client.get("/components")
    response = client.post("/components", data={"full_name": "Anna"})
    assert response.status_code == 403


def test_valid_post_redirects_to_the_success_banner(client):
    token = csrf_token(client.get("/components?lang=en").text)
    data = {
        "_csrf_token": token,
        "full_name": "Anna Bērziņa",
        "date_of_birth-day": "27",
        "date_of_birth-month": "3",
        "date_of_birth-year": "1985",
        "contact": "email",
        "email": "anna@example.lv",
    }
    response = client.post("/components", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/components?sent=1"
    page = client.get(response.headers["location"]).text
    banner = re.search(r'<div class="notification-banner notification-banner--success"[^>]*>', page).group(0)
    assert 'role="alert"' in banner and 'id="notification-banner"' in banner
    assert "The server accepted the demonstration form." in page
    assert "error-summary" not in page


def test_htmx_ping_without_a_form_passes_csrf_by_header(client):
    page = client.get("/components").text
    token = re.search(r"data-hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page).group(1)
    button = re.search(r"<button[^>]*data-hx-post=\"/components/ping\"[^>]*>", page).group(0)
    assert 'type="button"' in button and 'data-hx-target="#ping-result"' in button
    # The htmx button is not inside a form, so the token can only travel in the header.
    before_button = page[: page.index(button)]
    assert before_button.count("<form") == before_button.count("</form>")
    response = client.post("/components/ping", headers={"HX-Request": "true", "x-csrftoken": token})
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    assert "<html" not in response.text
    assert "Serveris saņēma jūsu pieprasījumu un atbildēja." in response.text


def test_htmx_ping_without_the_header_token_is_refused(client):
    client.get("/components")
    assert client.post("/components/ping", headers={"HX-Request": "true"}).status_code == 403


def test_plain_ping_redirects_back_to_the_full_page(client):
    token = csrf_token(client.get("/components").text)
    response = client.post("/components/ping", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["vary"] == "HX-Request"
    assert response.headers["location"] == "/components?pinged=1#htmx-demo"
    page = client.get(response.headers["location"]).text
    result = re.search(r'<div id="ping-result"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert "Serveris saņēma jūsu pieprasījumu" in result


def test_timeout_dialog_is_a_labelled_modal_that_only_script_opens(client):
    page = client.get("/components?lang=en").text
    dialog = re.search(r"<dialog[^>]*>.*?</dialog>", page, re.S).group(0)
    assert " open" not in dialog.split(">", 1)[0]
    assert 'aria-labelledby="timeout-dialog-title"' in dialog and 'aria-describedby="timeout-dialog-text"' in dialog
    assert 'data-expires-in="1800"' in dialog and 'data-warn-seconds="120"' in dialog
    assert "data-timeout-continue" in dialog and ">Continue<" in dialog
    assert re.search(r'<form [^>]*action="/logout" method="post">.*>Sign out</button>', dialog, re.S)
    assert "sign you out after 30 minutes without activity" in page
    assert "js/timeout-dialog.js" in page


def test_gallery_is_not_in_production(tmp_path: Path, settings: Settings):
    production = Settings(
        environment=Environment.PRODUCTION,
        secret_key=secrets.token_urlsafe(30)[:40],
        oidc_issuer="https://idp.example.lv",
        sandbox_url="",
        **production_agency_urls(),
        cookie_secure=True,
        oidc_client_secret="registered-with-the-provider",
        oidc_staff_client_secret="staff-registered-with-the-provider",
        var_dir=tmp_path / "production-var",
        database_url=settings.database_url,
        **production_seal(tmp_path / "seal"),
    )
    with TestClient(create_app(production), base_url="http://127.0.0.1:8000") as client:
        client.event_hooks["response"].append(check_page)
        assert client.get("/components").status_code == 404
        assert client.get("/components?lang=en").status_code == 404
        assert client.get("/accessibility").status_code == 200


def test_stylesheet_stays_under_40_kb():
    css = Path(__file__).resolve().parents[2] / "static" / "css" / "portal.css"
    assert css.stat().st_size < 40_000
