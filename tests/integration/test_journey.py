"""Jānis applies for the old-age pension end to end over HTTP: start page, question pages, check, declaration,
confirmation, the outbox row and /applications; forged fields, skipped pages and another person's draft."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from portal.app import create_app
from portal.applications import engine
from portal.applications.draft_models import Draft
from portal.applications.outbox_models import Submission
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_assistant import open_client, staff_sign_in
from tests.integration.test_representation import person_id
from tests.integration.test_sign_in import sign_in

ANNA = "050694-14213"
PETERIS = "300978-15174"
ILZE, RASMA = "220470-16382", "011245-11123"
DRAFT_URL = re.compile(r"^/applications/([0-9a-f-]{36})/([a-z0-9-]+)$")


def csrf(client, path):
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)


def post(client, path, data):
    return client.post(path, data={**data, "_csrf_token": csrf(client, path)}, follow_redirects=False)


def start(client, slug="vecuma-pensija"):
    token = csrf(client, f"/services/{slug}")
    response = client.post(f"/services/{slug}/apply", data={"_csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text
    match = DRAFT_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1), match.group(2)


def answer(client, draft_id, page, data, expect=None):
    response = post(client, f"/applications/{draft_id}/{page}", data)
    assert response.status_code == 303, (page, response.status_code, response.text[:2000])
    location = response.headers["location"]
    if expect:
        assert location == f"/applications/{draft_id}/{expect}", (page, location)
    return location


async def _rows(app, draft_id):
    async with app.state.db_sessions() as db:
        draft = await db.scalar(select(Draft).where(Draft.id == draft_id))
        submission = await db.get(Submission, draft.submission_id) if draft.submission_id else None
        return draft, submission


async def deliver_due(app) -> None:
    from portal.applications.delivery import deliverers
    from portal.applications.outbox import OutboxDelivery
    from portal.worker.tasks import outbox_policy

    worker = OutboxDelivery(app.state.db_sessions, deliverers(app.state.agencies), outbox_policy(app.state.settings))
    await worker.run_once(dt.datetime.now(dt.UTC))


def rows(client, draft_id):
    import uuid

    return client.blocking_portal.call(_rows, client.app, uuid.UUID(draft_id))


@pytest.fixture
def janis(live_client):
    sign_in(live_client, next_path="/overview")
    live_client.cookies.set("lang", "en", domain="127.0.0.1")
    return live_client


def test_the_start_page_says_who_may_apply_and_how_long_it_takes(live_client):
    page = live_client.get("/services/vecuma-pensija?lang=en")
    assert page.status_code == 200
    assert "Old-age pension" in page.text and "30 days" in page.text
    assert 'action="/services/vecuma-pensija/apply"' in page.text
    assert live_client.get("/services/no-such-service").status_code == 404


def test_janis_applies_for_the_old_age_pension(janis, live_sandbox):
    draft_id, first = start(janis)
    assert first == "pension-start"
    # What VSAA knows is filled in and marked with its source and date (the sandbox's business day).
    prefilled = janis.get(f"/applications/{draft_id}/pension-start").text
    assert 'value="15"' in prefilled and 'value="2027"' in prefilled
    assert "From the data of VSAA, 20 November 2026." in prefilled
    # Bad answers are refused with a message, the title says so, and what was typed stays in the inputs.
    bad = post(janis, f"/applications/{draft_id}/pension-start", {"claim_from-day": "31", "claim_from-month": "2"})
    assert bad.status_code == 400
    assert "<title>Error:" in bad.text and 'href="#claim_from-year"' in bad.text and 'value="31"' in bad.text
    answer(
        janis,
        draft_id,
        "pension-start",
        {"claim_from-day": "1", "claim_from-month": "12", "claim_from-year": "2026"},
        "payment",
    )
    answer(janis, draft_id, "payment", {"payment_method": "home_delivery"}, "delivery-address")
    address = {"delivery_address-street": "Brīvības iela 1", "delivery_address-town": "Rīga"}
    answer(janis, draft_id, "delivery-address", {**address, "delivery_address-postcode": "1010"}, "employment")
    # Jānis changes his mind: the address page no longer applies. A forged field for another page (and for the
    # draft itself) is not stored.
    answer(
        janis,
        draft_id,
        "payment",
        {"payment_method": "account", "delivery_address-street": "Forged 1", "status": "submitted"},
        "bank-account",
    )
    # The page the answers skip takes no answers.
    skipped = post(janis, f"/applications/{draft_id}/payment", {"payment_method": "account"})
    assert skipped.status_code == 303
    assert janis.get(f"/applications/{draft_id}/delivery-address").status_code == 404
    bad_iban = post(janis, f"/applications/{draft_id}/bank-account", {"iban": "LV81BANK0000435195001"})
    assert bad_iban.status_code == 400 and "LV81BANK0000435195001" in bad_iban.text
    assert "From the data of VSAA" in janis.get(f"/applications/{draft_id}/bank-account").text
    answer(janis, draft_id, "bank-account", {"iban": "lv80 bank 0000 4351 9500 1"}, "employment")
    assert "From the data of VSAA" not in janis.get(f"/applications/{draft_id}/bank-account").text
    answer(janis, draft_id, "employment", {"employed_on_claim_date": "no"}, "other-pension")
    answer(janis, draft_id, "other-pension", {"receives_other_pension": "yes"}, "other-pension-details")
    script = "<script>alert('ā')</script> Vācija, Deutsche Rentenversicherung, kopš 2001"
    answer(janis, draft_id, "other-pension-details", {"other_pension_details": script}, "insurance-abroad")
    answer(janis, draft_id, "insurance-abroad", {"insured_abroad": "no"}, "second-pillar")
    answer(janis, draft_id, "second-pillar", {"pillar2_capital_use": "add_to_pillar1"}, "work-documents")
    # Upload ids cannot be posted with the page: only the upload route adds files.
    answer(janis, draft_id, "work-documents", {"work_documents": "0b6f3c0e-7d7a-4c1e-9a51-3f0f2c1d9e10"})
    answer(janis, draft_id, "pensioner-card", {"pensioner_card": "no"}, "decision-delivery")
    answer(janis, draft_id, "decision-delivery", {"decision_delivery": "portals"}, "check")

    check = janis.get(f"/applications/{draft_id}/check")
    assert check.status_code == 200
    assert "LV80BANK0000435195001" in check.text
    assert "&lt;script&gt;alert(&#39;ā&#39;)&lt;/script&gt; Vācija" in check.text and "<script>alert" not in check.text
    assert f'href="/applications/{draft_id}/payment?return=check"' in check.text
    assert "Forged 1" not in check.text and "Brīvības iela 1" not in check.text
    # A change from the check page returns to it.
    answer(janis, draft_id, "pensioner-card?return=check", {"pensioner_card": "yes"}, "check")

    missing = post(janis, f"/applications/{draft_id}/declaration", {})
    assert missing.status_code == 400 and "<title>Error:" in missing.text
    sent = post(janis, f"/applications/{draft_id}/declaration", {"confirm": "yes"})
    assert sent.status_code == 303 and sent.headers["location"] == f"/applications/{draft_id}/confirmation"
    confirmation = janis.get(sent.headers["location"])
    reference = re.search(r"VSAA-2026-[0-9]{6}", confirmation.text).group(0)
    assert "20 December 2026" in confirmation.text  # 30 days from the business clock's 20 November

    draft, submission = rows(janis, draft_id)
    assert draft.status == "submitted" and submission.reference == reference
    # VSAA gets flat answers by question, only from the pages that apply (portal/applications/payload.py).
    sent_answers = submission.payload["answers"]
    assert sent_answers["iban"] == "LV80BANK0000435195001"
    assert sent_answers["payment_method"] == "account"
    assert "delivery_address" not in sent_answers
    assert not sent_answers.get("work_documents")  # the posted upload id was ignored
    assert sent_answers["other_pension_details"].startswith("<script>alert('ā')")
    assert sent_answers["pensioner_card"] == "yes"
    # Sending again (back button, double click) shows the same confirmation and makes nothing new.
    again = post(janis, f"/applications/{draft_id}/declaration", {"confirm": "yes"})
    assert again.headers["location"] == f"/applications/{draft_id}/confirmation"
    assert rows(janis, draft_id)[1].id == submission.id
    assert reference in janis.get("/applications").text
    # The worker delivers it, and VSAA registers it once (the in-process worker may have been first).
    janis.blocking_portal.call(deliver_due, janis.app)
    assert rows(janis, draft_id)[1].status == "received"
    book = httpx.get(f"{live_sandbox.url}/_control/vsaa/registrations").json()["registered"]
    assert [entry["id"] for entry in book].count(reference) == 1


def test_another_persons_draft_is_refused(live_settings, janis):
    draft_id, _ = start(janis)
    with TestClient(create_app(live_settings), base_url=PORTAL_URL) as anna:
        anna.event_hooks["response"].append(check_page)
        sign_in(anna, personal_code=ANNA)
        for path in ("", "/pension-start", "/check", "/declaration", "/confirmation"):
            assert anna.get(f"/applications/{draft_id}{path}").status_code == 403, path
        token = csrf(anna, "/services/vecuma-pensija")
        forged = anna.post(
            f"/applications/{draft_id}/pension-start",
            data={"_csrf_token": token, "claim_from-day": "1", "claim_from-month": "1", "claim_from-year": "2027"},
        )
        assert forged.status_code == 403
        deleted = anna.post(f"/applications/{draft_id}/delete", data={"_csrf_token": token})
        assert deleted.status_code == 403
        assert draft_id not in anna.get("/applications").text
    draft, _ = rows(janis, draft_id)
    assert draft.answers["pension-start"] == {"claim_from": "2027-01-15"}  # VSAA's, not Anna's forged date
    # Jānis resumes it from his list.
    assert f'href="/applications/{draft_id}"' in janis.get("/applications").text
    assert f'href="/applications/{draft_id}/pension-start"' in janis.get(f"/applications/{draft_id}").text
    # And deletes it: it is gone from his list.
    gone = post(janis, f"/applications/{draft_id}/delete", {})
    assert gone.status_code == 303 and gone.headers["location"] == "/applications"
    assert draft_id not in janis.get("/applications").text
    assert janis.get(f"/applications/{draft_id}").status_code == 403


def test_anna_applies_about_elza_and_the_draft_records_both(live_client):
    sign_in(live_client, personal_code=ANNA)
    token = csrf(live_client, "/services/berna-piedzimsanas-pabalsts")
    started = live_client.post(
        "/services/berna-piedzimsanas-pabalsts/apply", data={"_csrf_token": token}, follow_redirects=False
    )
    assert started.status_code == 303, started.text[:2000]
    draft_id, page = DRAFT_URL.match(started.headers["location"]).groups()
    assert page == "role"
    draft, _ = rows(live_client, draft_id)
    assert draft.about_person_id is not None and draft.about_person_id != draft.applicant_id
    assert draft.applicant_id == draft.filer_id and draft.basis == "self"


def test_vsaa_down_leaves_the_new_draft_for_the_person_to_fill(live_client, live_sandbox):
    sign_in(live_client, personal_code=PETERIS)
    httpx.put(f"{live_sandbox.url}/_control/faults/vsaa", json={"mode": "down"}).raise_for_status()
    try:
        token = csrf(live_client, "/services/invaliditates-pensija")
        started = live_client.post(
            "/services/invaliditates-pensija/apply", data={"_csrf_token": token}, follow_redirects=False
        )
    finally:
        httpx.put(f"{live_sandbox.url}/_control/faults/vsaa", json={"mode": "ok"}).raise_for_status()
    assert started.status_code == 303
    draft_id, page = DRAFT_URL.match(started.headers["location"]).groups()
    assert page == "pension-start"
    draft, _ = rows(live_client, draft_id)
    assert draft.answers == {} and draft.prefilled == {}
    assert "From the data of" not in live_client.get(f"/applications/{draft_id}/payment?lang=en").text


def test_a_questionnaire_is_filled_with_the_same_engine_and_sent_nowhere(janis):
    page = janis.get("/questionnaires/apmierinatiba")
    assert page.status_code == 200 and 'action="/questionnaires/apmierinatiba"' in page.text
    assert janis.get("/questionnaires/vecuma-pensija").status_code == 404
    started = post(janis, "/questionnaires/apmierinatiba", {})
    draft_id, first = DRAFT_URL.match(started.headers["location"]).groups()
    assert first == "feedback"
    assert janis.get(f"/applications/{draft_id}/check", follow_redirects=False).status_code == 303  # none answered
    assert janis.get(f"/applications/{draft_id}/declaration").status_code == 404


def _start(client, slug):
    token = csrf(client, f"/services/{slug}")
    started = client.post(f"/services/{slug}/apply", data={"_csrf_token": token}, follow_redirects=False)
    if started.status_code == 200:  # asked for whom: the first is the person themselves
        action = re.search(r'action="(/services/[^"]+\?for=[^"]+)"', started.text).group(1)
        started = client.post(action, data={"_csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303, (slug, started.status_code)
    return DRAFT_URL.match(started.headers["location"]).group(1)


def test_every_page_of_every_application_draws_and_refuses_empty_answers(live_client):
    """Every question type of the catalogue through the templates: each page that applies before any answer is
    drawn, and an empty post gives the error summary (required questions) or moves on (optional ones)."""
    definitions = live_client.app.state.definitions
    sign_in(live_client, personal_code=ANNA)  # a parent, so the services about a child open too
    for slug, definition in sorted(definitions.items()):
        if definition.kind != "application" or "self" not in definition.filers:
            continue
        draft_id = _start(live_client, slug)
        for page in engine.pages(definition, {}):
            path = f"/applications/{draft_id}/{page.name}"
            assert live_client.get(path).status_code == 200, path
            empty = post(live_client, path, {})
            expected = 400 if any(q.required for q in page.questions) else 303
            assert empty.status_code == expected, (path, empty.status_code)
            if expected == 400:
                assert "<title>Kļūda:" in empty.text and 'class="error-summary"' in empty.text, path


def test_ilze_files_vsaa_services_for_rasma_but_not_home_care(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    token = csrf(live_client, "/services/vecuma-pensija")
    asked = live_client.post("/services/vecuma-pensija/apply", data={"_csrf_token": token}, follow_redirects=False)
    assert asked.status_code == 200 and f'action="/services/vecuma-pensija/apply?for={rasma}"' in asked.text
    started = live_client.post(
        f"/services/vecuma-pensija/apply?for={rasma}", data={"_csrf_token": token}, follow_redirects=False
    )
    draft_id = DRAFT_URL.match(started.headers["location"]).group(1)
    draft, _ = rows(live_client, draft_id)
    assert draft.applicant_id == rasma and draft.basis == "mandate" and draft.filer_id != rasma
    # Home care is the municipality's: the mandate does not reach it, neither offered nor taken.
    care = live_client.post("/services/aprupe-majas/apply", data={"_csrf_token": token}, follow_redirects=False)
    assert f"?for={rasma}" not in care.text
    refused = live_client.post(
        f"/services/aprupe-majas/apply?for={rasma}", data={"_csrf_token": token}, follow_redirects=False
    )
    assert refused.status_code == 403


def test_inese_files_for_her_identified_client_and_he_sees_it(live_client):
    assert staff_sign_in(live_client).status_code == 303
    assert open_client(live_client).status_code == 303
    draft_id = _start(live_client, "pabalsts-transporta-izdevumu-kompensesanai")
    page = live_client.get(f"/applications/{draft_id}/{first_page(live_client, draft_id)}")
    assert "15 minūtes" in page.text  # the staff session's limit, not the citizen's
    draft, _ = rows(live_client, draft_id)
    peteris = person_id(live_client, PETERIS)
    assert draft.applicant_id == peteris and draft.basis == "assistant" and draft.filer_id != peteris
    live_client.cookies.clear()
    sign_in(live_client, personal_code=PETERIS)
    assert f'href="/applications/{draft_id}"' in live_client.get("/applications").text


def first_page(client, draft_id):
    definition = client.app.state.definitions["pabalsts-transporta-izdevumu-kompensesanai"]
    return engine.pages(definition, rows(client, draft_id)[0].answers)[0].name


def test_answers_are_saved_as_the_person_types(janis):
    """htmx posts the page after a pause: what passes its checks is kept, nothing is refused out loud, the page
    does not move on; a browser without htmx never posts there and is sent back to the page."""
    draft_id, _ = start(janis)
    url = f"/applications/{draft_id}/payment/autosave"
    token = csrf(janis, f"/applications/{draft_id}/payment")
    htmx = {"HX-Request": "true"}
    saved = janis.post(url, data={"_csrf_token": token, "payment_method": "home_delivery"}, headers=htmx)
    assert saved.status_code == 200 and "Your answers were saved at" in saved.text
    draft, _ = rows(janis, draft_id)
    assert draft.answers["payment"] == {"payment_method": "home_delivery"}
    # A half-typed or wrong answer is not stored and does not wipe the one before.
    wrong = janis.post(url, data={"_csrf_token": token, "payment_method": "nonsense"}, headers=htmx)
    assert wrong.status_code == 200
    assert rows(janis, draft_id)[0].answers["payment"] == {"payment_method": "home_delivery"}
    plain = janis.post(url, data={"_csrf_token": token, "payment_method": "account"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/applications/{draft_id}/payment"
    assert rows(janis, draft_id)[0].answers["payment"] == {"payment_method": "home_delivery"}
