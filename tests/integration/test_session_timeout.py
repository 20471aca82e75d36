"""The session timeout warning (WCAG 2.2.1) over HTTP: asking how long is left is never activity, "Continue"
renews the session at once, signed-in pages carry the warning, and forms can state the limit without JavaScript.

Sign-in goes through the real dev identity provider (the overview asks the agency sandbox); the session
store's clock is replaced by one the tests move, so half an hour passes in no time.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.stores.memory import MemoryStore
from litestar.testing import TestClient

from portal.app import create_app
from portal.auth.sessions import SessionStore
from portal.settings import Settings
from portal.web import i18n
from portal.web.templating import create_environment
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_sign_in import sign_in

CITIZEN_IDLE = 30 * 60
SIGNED_OUT = {"signed_in": False, "expires_in": 0}


class Clock:
    def __init__(self) -> None:
        # Real time to start with: the provider's tokens and the database store's own expiry use the wall clock.
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(live_settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Litestar:
    app = create_app(live_settings)
    # One store serves the sign-in, the middleware and keep-alive; its clock is the one thing replaced.
    monkeypatch.setattr(app.state.sessions, "_now", clock)
    return app


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url=PORTAL_URL) as test_client:
        test_client.event_hooks["response"].append(check_page)
        yield test_client


def csrf_header(client: TestClient[Litestar]) -> dict[str, str]:
    """The header htmx and the warning's script send: the token from `<body data-hx-headers>`."""
    page = client.get("/accessibility").text
    token = re.search(r"data-hx-headers='\{\"x-csrftoken\": \"([^\"]+)\"\}'", page)
    assert token, "the page gives scripts no CSRF token"
    return {"x-csrftoken": token.group(1)}


def status(client: TestClient[Litestar], **headers: str) -> dict[str, object]:
    response = client.get("/session/status", headers=headers)
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body: dict[str, object] = response.json()
    return body


def dialog_of(page: str) -> str:
    match = re.search(r'<dialog[^>]*id="session-timeout".*?</dialog>', page, re.S)
    assert match, "the signed-in page has no timeout warning"
    return match.group(0)


def attribute(markup: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', markup)
    assert match, f"no {name}"
    return html.unescape(match.group(1))


def test_without_a_session_status_says_signed_out_and_sets_no_cookie(client: TestClient[Litestar]) -> None:
    response = client.get("/session/status", headers={"x-portal-passive": "1"})
    assert response.status_code == 200 and response.json() == SIGNED_OUT
    assert response.headers["cache-control"] == "no-store"
    assert not any(c.startswith("portal_session=") for c in response.headers.get_list("set-cookie"))


def test_keep_alive_without_a_session_is_refused_with_401(client: TestClient[Litestar]) -> None:
    response = client.post("/session/keep-alive", headers=csrf_header(client))
    assert response.status_code == 401 and response.json() == SIGNED_OUT
    assert response.headers["cache-control"] == "no-store"


def test_keep_alive_needs_the_csrf_token(client: TestClient[Litestar]) -> None:
    sign_in(client)
    assert client.post("/session/keep-alive").status_code == 403
    assert client.post("/session/keep-alive", headers={"x-csrftoken": "forged"}).status_code == 403
    assert client.post("/session/keep-alive", headers=csrf_header(client)).status_code == 200


def test_status_tells_the_time_left_and_asking_is_never_activity(client: TestClient[Litestar], clock: Clock) -> None:
    sign_in(client)
    assert status(client) == {"signed_in": True, "expires_in": CITIZEN_IDLE}
    clock.advance(minutes=5)
    assert status(client)["expires_in"] == CITIZEN_IDLE - 300, "asking without the passive header is passive too"
    clock.advance(minutes=5)
    assert status(client, **{"x-portal-passive": "1"})["expires_in"] == CITIZEN_IDLE - 600
    assert client.get("/overview").status_code == 200  # the person's own request
    assert status(client)["expires_in"] == CITIZEN_IDLE


def test_keep_alive_renews_at_once_even_within_the_activity_write_interval(
    client: TestClient[Litestar], clock: Clock
) -> None:
    sign_in(client)
    headers = csrf_header(client)
    clock.advance(seconds=30)
    client.get("/overview")  # activity, but the store writes it at most once a minute
    assert status(client)["expires_in"] == CITIZEN_IDLE - 30
    response = client.post("/session/keep-alive", headers=headers)
    assert response.status_code == 200 and response.json() == {"signed_in": True, "expires_in": CITIZEN_IDLE}
    assert response.headers["cache-control"] == "no-store"
    assert status(client)["expires_in"] == CITIZEN_IDLE


def test_continue_keeps_the_session_past_the_idle_limit_and_then_it_ends(
    client: TestClient[Litestar], clock: Clock
) -> None:
    sign_in(client)
    headers = csrf_header(client)
    clock.advance(minutes=29)
    assert client.post("/session/keep-alive", headers=headers).json()["expires_in"] == CITIZEN_IDLE
    clock.advance(minutes=29)
    assert status(client) == {"signed_in": True, "expires_in": 60}
    clock.advance(seconds=61)
    response = client.get("/session/status")
    assert response.json() == SIGNED_OUT
    assert any(c.startswith("portal_session=;") for c in response.headers.get_list("set-cookie"))
    assert client.post("/session/keep-alive", headers=headers).status_code == 401


def test_signed_in_pages_carry_the_warning_with_the_time_the_server_counts(
    client: TestClient[Litestar], clock: Clock
) -> None:
    assert 'id="session-timeout"' not in client.get("/").text, "anonymous pages have no session to warn about"
    sign_in(client)
    clock.advance(seconds=30)  # within the write interval: the page says what the server really has left
    dialog = dialog_of(client.get("/overview?lang=en").text)
    assert " open" not in dialog.split(">", 1)[0]
    assert 'aria-labelledby="session-timeout-title"' in dialog
    assert 'aria-describedby="session-timeout-text"' in dialog
    assert attribute(dialog, "data-expires-in") == str(CITIZEN_IDLE - 30)
    assert attribute(dialog, "data-idle-seconds") == str(CITIZEN_IDLE)
    assert attribute(dialog, "data-warn-seconds") == "120"
    assert attribute(dialog, "data-status-url") == "/session/status"
    assert attribute(dialog, "data-keep-alive-url") == "/session/keep-alive"
    assert attribute(dialog, "data-ended-url") == "/session-ended?next=/overview%3Flang%3Den"
    assert ">You are about to be signed out<" in dialog and ">Continue<" in dialog
    assert "we will sign you out in 2 minutes if you do nothing" in dialog
    assert re.search(r'<form [^>]*action="/logout" method="post">\s*<input[^>]*name="_csrf_token"', dialog)
    assert attribute(dialog, "data-seconds-one") == (
        "For your security, we will sign you out in {count} second if you do nothing."
    )


def test_the_scripts_texts_come_in_every_latvian_plural_form(client: TestClient[Litestar]) -> None:
    sign_in(client)
    dialog = dialog_of(client.get("/overview").text)
    forms = {key: attribute(dialog, f"data-minutes-{key}") for key in ("one", "other", "zero")}
    assert forms["one"] == "Jūsu drošībai mēs jūs atslēgsim pēc {count} minūtes, ja neko nedarīsiet."
    assert forms["other"] == "Jūsu drošībai mēs jūs atslēgsim pēc {count} minūtēm, ja neko nedarīsiet."
    assert "{count} sekundēm" in attribute(dialog, "data-seconds-other")
    assert "Drīz jūs atslēgsim" in dialog and ">Turpināt<" in dialog and ">Atslēgties<" in dialog


def test_the_gallery_shows_the_limit_in_words_and_a_warning_without_a_server(client: TestClient[Litestar]) -> None:
    page = client.get("/components?lang=en").text
    assert "For your security, we sign you out after 30 minutes without activity." in page
    assert "For your security, we sign you out after 15 minutes without activity." in page
    dialog = re.search(r'<dialog[^>]*id="timeout-dialog".*?</dialog>', page, re.S)
    assert dialog and 'data-expires-in="1800"' in dialog.group(0)
    assert "data-status-url" not in dialog.group(0) and "data-keep-alive-url" not in dialog.group(0)


async def test_the_limits_in_words_and_in_the_warning_are_the_session_stores(settings: Settings) -> None:
    """components/session_limit.html writes the minutes down; they must stay those of portal/auth/sessions.py."""
    env = create_environment(settings, "/static", "/htmx")
    macro = env.from_string('{% from "components/session_limit.html" import session_limit %}{{ session_limit(k) }}')
    sessions = SessionStore(MemoryStore())
    i18n.set_locale("en")
    try:
        for kind in ("citizen", "staff"):
            idle = SessionStore.limits(kind).idle
            minutes = int(idle.total_seconds()) // 60
            assert f"after {minutes} minutes without activity" in macro.render(k=kind)
            session = await sessions.start(f"sub-{kind}", kind, {})
            assert session.idle_seconds == session.expires_in == int(idle.total_seconds())
    finally:
        i18n.set_locale(i18n.DEFAULT)
