"""Every page of the inventory is valid HTML, in Latvian and English, by the W3C Nu checker (vnu.jar).

Valid markup is what assistive technology relies on (duplicate ids, misnested elements and broken ARIA
references are read out wrong). All pages go to one checker run (tests/vnu.py): the JVM starts once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from a11y.inventory import LANGUAGES, Entry, load_inventory
from portal.app import create_app
from portal.settings import Settings
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_activity_page import rasma_after_ilze_read_her_data
from tests.integration.test_assistant import open_client, staff_sign_in
from tests.integration.test_journey import DRAFT_URL, csrf, post
from tests.integration.test_journey_repeat import CHILDREN, child
from tests.integration.test_sign_in import sign_in
from tests.vnu import CheckerUnavailable, html_errors

ILZE, RASMA, EDGARS, PETERIS = "220470-16382", "011245-11123", "328804-19324", "300978-15174"
# Jānis's old-age pension over HTTP, by page: what the next page the portal names is answered with.
PENSION_ANSWERS: dict[str, dict[str, str]] = {
    "pension-start": {"claim_from-day": "1", "claim_from-month": "12", "claim_from-year": "2026"},
    "payment": {"payment_method": "account"},
    "bank-account": {"iban": "LV80BANK0000435195001"},
    "employment": {"employed_on_claim_date": "no"},
    "other-pension": {"receives_other_pension": "no"},
    "insurance-abroad": {"insured_abroad": "no"},
    "second-pillar": {"pillar2_capital_use": "add_to_pillar1"},
    "work-documents": {},
    "pensioner-card": {"pensioner_card": "no"},
    "decision-delivery": {"decision_delivery": "portals"},
}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _act_for_rasma(client: TestClient[Litestar]) -> None:
    sign_in(client, personal_code=ILZE)
    page = client.get("/representation").text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    rasma = re.search(r'name="person" value="([0-9a-f-]{36})">\s*<button[^>]*>[^<]*Rasma', page)
    assert token and rasma, "Ilze's representation page offers to act for Rasma"
    client.post("/representation/acting-for", data={"_csrf_token": token.group(1), "person": rasma.group(1)})


def _start(client: TestClient[Litestar], page: str, action: str) -> str:
    """Presses the start button of `page` (its form posts to `action`) and returns the new draft's id."""
    started = client.post(action, data={"_csrf_token": csrf(client, page)}, follow_redirects=False)
    match = DRAFT_URL.match(started.headers.get("location", ""))
    assert started.status_code == 303 and match, f"{action}: HTTP {started.status_code}"
    return match.group(1)


def _answer_to_the_end(client: TestClient[Litestar], draft_id: str) -> None:
    """Answers each page the portal sends Jānis to, adding a file where one is asked for, until the check page."""
    location = f"/applications/{draft_id}/pension-start"
    while not location.endswith("/check"):
        page = location.rsplit("/", 1)[1]
        if page == "work-documents":
            token = csrf(client, location)
            added = client.post(
                f"{location}/files?question=work_documents",
                data={"_csrf_token": token},
                files={"file": ("darba-gramata.pdf", PDF, "application/pdf")},
                follow_redirects=False,
            )
            assert added.status_code == 303 and "upload_error" not in added.headers["location"]
        answered = post(client, location, PENSION_ANSWERS[page])
        assert answered.status_code == 303, f"{location}: HTTP {answered.status_code}"
        location = answered.headers["location"]


def janis_pension_drafts(made: dict[str, str], client: TestClient[Litestar]) -> Mapping[str, str]:
    """Jānis signed in; the first time in a test, one old-age pension sent, a second answered but not sent, and
    the self-assessment questionnaire started (the browser tier's setup of the same name makes the same)."""
    sign_in(client)
    if not made:
        sent = _start(client, "/services/vecuma-pensija", "/services/vecuma-pensija/apply")
        _answer_to_the_end(client, sent)
        assert post(client, f"/applications/{sent}/declaration", {"confirm": "yes"}).status_code == 303
        draft = _start(client, "/services/vecuma-pensija", "/services/vecuma-pensija/apply")
        assert draft != sent
        _answer_to_the_end(client, draft)
        questionnaire = _start(client, "/questionnaires/pasnovertejuma-anketa", "/questionnaires/pasnovertejuma-anketa")
        made.update(sent=sent, draft=draft, questionnaire=questionnaire)
    return made


Setup = Callable[[TestClient[Litestar]], Mapping[str, str] | None]


def _only(step: Callable[[TestClient[Litestar]], Any]) -> Setup:
    """A step that makes nothing the entry's path needs (signing in, choosing whom to act for)."""

    def setup(client: TestClient[Litestar]) -> None:
        step(client)

    return setup


def setups() -> dict[str, Setup]:
    """What each inventory setup step means for a test client (the browser tier has its own, in tests/browser);
    a step that makes records makes them once for the test (its database) and hands back their ids."""
    return {
        "signed-in-janis": _only(sign_in),
        "signed-in-ilze": _only(partial(sign_in, personal_code=ILZE)),
        "signed-in-rasma-high": _only(partial(sign_in, personal_code=RASMA, acr="high")),
        "ilze-acting-for-rasma": _only(_act_for_rasma),
        "rasma-after-ilze-read-her-data": _only(rasma_after_ilze_read_her_data),
        "staff-inese": _only(staff_sign_in),
        "staff-inese-with-client": _only(lambda client: (staff_sign_in(client), open_client(client))),
        "janis-pension-drafts": partial(janis_pension_drafts, {}),
        "signed-in-edgars": _only(partial(sign_in, personal_code=EDGARS)),
        "signed-in-peteris": _only(partial(sign_in, personal_code=PETERIS)),
    }


def fetch(client: TestClient[Litestar], entry: Entry, url: str) -> Any:
    """The entry's page: a GET, or for a POST entry the form sent with nothing but the CSRF token."""
    if entry.method == "POST":
        client.get("/")  # the CSRF cookie, as any page the form would be on sets it
        return client.post(url, data={"_csrf_token": client.cookies.get("csrftoken", "")}, follow_redirects=False)
    return client.get(url)


@pytest.fixture
def client(live_client: TestClient[Litestar]) -> TestClient[Litestar]:
    return live_client


def test_every_inventory_page_is_valid_html(client: TestClient[Litestar], tmp_path: Path) -> None:
    steps = setups()
    pages: dict[str, str] = {}
    for language in LANGUAGES:
        for entry in load_inventory().entries:
            client.cookies.clear()  # the language comes from the URL alone, never from an earlier cookie
            values = steps[entry.setup](client) if entry.setup else None
            url = entry.url(language, values)
            response = fetch(client, entry, url)
            assert response.status_code == entry.status, f"{entry.method} {url}: HTTP {response.status_code}"
            assert f'<html lang="{language}">' in response.text, f"{url} is not marked as {language}"
            pages[f"{entry.method} {url} ({entry.name})"] = response.text
    try:
        errors = html_errors(pages, tmp_path)
    except CheckerUnavailable as error:
        pytest.fail(str(error))
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_a_repeating_group_is_valid_html_in_each_of_its_states(live_settings: Settings, tmp_path: Path) -> None:
    """No shipped definition has a repeating group yet, so the inventory cannot name its page: the test service of
    tests/integration/test_journey_repeat.py draws it, one item, two after "add", and refused item by item."""
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "berni-tests.yaml").write_text(CHILDREN, encoding="utf-8")
    app = create_app(live_settings.model_copy(update={"forms_dir": forms}))
    pages: dict[str, str] = {}
    with TestClient(app, base_url=PORTAL_URL) as client:
        client.event_hooks["response"].append(check_page)
        sign_in(client)
        path = f"/applications/{_start(client, '/services/berni-tests', '/services/berni-tests/apply')}/children"
        for language in LANGUAGES:
            url = f"{path}?lang={language}"
            states = {
                "one item": client.get(url),
                "two items": post(client, url, {**child(0, "Līga", "1", "2", "2015"), "add": "yes"}),
                "refused": post(client, url, {**child(0, "Līga", "1", "2", "2015"), **child(1, "Ēriks", "", "", "")}),
            }
            for state, response in states.items():
                assert response.status_code == (400 if state == "refused" else 200), f"{state}: {response.status_code}"
                pages[f"{url} ({state})"] = response.text
    try:
        errors = html_errors(pages, tmp_path / "html")
    except CheckerUnavailable as error:
        pytest.fail(str(error))
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
