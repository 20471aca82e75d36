"""Reporting that VSAA's prefilled data is wrong, over HTTP with the live sandbox: the link on a question VSAA
filled in, the form, the report registered by VSAA's sandbox once, the audit trail, the confirmation on the
question page; empty and too-long text, VSAA down or refusing (the words kept), and another person's draft."""

from __future__ import annotations

import html
import re
import uuid

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from portal.agencies.errors import AgencyRefused
from portal.agencies.vsaa_data import HttpVsaaData
from portal.app import create_app
from portal.applications.data_reports import MAX_TEXT, REPORTED_ACTION
from portal.audit.models import AuditEvent
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_journey import ANNA, csrf, rows, start
from tests.integration.test_sign_in import JANIS, sign_in

QUESTION = "/pension-start"
REPORT = "/pension-start/report?question=claim_from"
WORDS = "I want the pension from my birthday, 2027-01-12; VSAA's date is three days late."


@pytest.fixture
def janis(live_client):
    sign_in(live_client, personal_code=JANIS)
    live_client.cookies.set("lang", "en", domain="127.0.0.1")
    return live_client


def reports(sandbox) -> list[dict[str, str]]:
    answer = httpx.get(f"{sandbox.url}/_control/vsaa-data-corrections/reports")
    answer.raise_for_status()
    return answer.json()["reports"]


def send(client, draft_id, text, path=REPORT):
    return client.post(
        f"/applications/{draft_id}{path}",
        data={"details": text, "_csrf_token": csrf(client, f"/applications/{draft_id}{path}")},
        follow_redirects=False,
    )


def fault(sandbox, mode):
    httpx.put(f"{sandbox.url}/_control/faults/vsaa", json={"mode": mode}).raise_for_status()


def audited(client) -> list[AuditEvent]:
    async def work():
        async with client.app.state.db_sessions() as db:
            return list((await db.scalars(select(AuditEvent).where(AuditEvent.action == REPORTED_ACTION))).all())

    return client.blocking_portal.call(work)


def test_a_question_vsaa_filled_in_links_to_the_report_form(janis):
    draft_id, _ = start(janis)
    page = janis.get(f"/applications/{draft_id}{QUESTION}").text
    link = f'href="/applications/{draft_id}/pension-start/report?question=claim_from"'
    assert link in page and "Report that this is wrong" in page
    form = janis.get(f"/applications/{draft_id}{REPORT}")
    assert form.status_code == 200
    assert "Report that VSAA's data is wrong</h1>" in html.unescape(form.text) and 'name="details"' in form.text
    assert "15 January 2027" in form.text  # what VSAA gave, shown as the answer reads
    assert f'action="/applications/{draft_id}{REPORT}"' in form.text
    # A question VSAA did not fill in, a page the answers skip, or no question at all: nothing to report.
    unreportable = ("/other-pension/report?question=receives_other_pension", "/pension-start/report?question=x")
    for path in (*unreportable, "/x/report"):
        assert janis.get(f"/applications/{draft_id}{path}").status_code == 404, path


def test_the_report_reaches_vsaa_once_and_the_page_says_so(janis, live_sandbox):
    draft_id, _ = start(janis)
    before = len(reports(live_sandbox))
    sent = send(janis, draft_id, f"  {WORDS}\n")
    assert sent.status_code == 303, sent.text[:2000]
    location = sent.headers["location"]
    match = re.fullmatch(rf"/applications/{draft_id}/pension-start\?reported=(VSAA-DL-\d{{4}}-\d{{6}})", location)
    assert match, location
    new = reports(live_sandbox)[before:]
    assert new == [{"id": match.group(1), "personal_code": JANIS, "about": "other", "text": WORDS}]
    # Sent again (a double click, the back button): VSAA registers nothing new and gives the same number.
    again = send(janis, draft_id, WORDS)
    assert again.headers["location"] == location
    assert len(reports(live_sandbox)) == before + 1
    page = janis.get(location)
    assert page.status_code == 200
    assert "notification-banner--success" in page.text and f"number {match.group(1)}." in page.text
    # The answer is still VSAA's, still marked, and still the person's to change.
    assert "From the data of VSAA, 20 November 2026." in page.text and 'value="2027"' in page.text
    events = [e for e in audited(janis) if e.record == match.group(1)]
    assert len(events) == 2  # each send is an action in the person's name, though VSAA registered one report
    assert all(e.actor_id == e.subject_id and e.basis == "self" for e in events)


def test_a_report_about_the_bank_account_is_about_payments(janis, live_sandbox):
    draft_id, _ = start(janis)
    before = len(reports(live_sandbox))
    page = janis.get(f"/applications/{draft_id}/bank-account").text
    assert "/bank-account/report?question=iban" in page
    assert send(janis, draft_id, "The account is closed.", "/bank-account/report?question=iban").status_code == 303
    (new,) = reports(live_sandbox)[before:]
    assert (new["about"], new["text"]) == ("payments", "The account is closed.")


def test_a_forged_report_number_in_the_address_is_not_shown(janis):
    draft_id, _ = start(janis)
    page = janis.get(f"/applications/{draft_id}{QUESTION}?reported=Your+account+is+blocked")
    assert page.status_code == 200
    assert "notification-banner--success" not in page.text and "Report sent" not in page.text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n ", "Describe what is wrong."),
        ("x" * (MAX_TEXT + 1), f"Describe what is wrong in {MAX_TEXT} characters or fewer."),
        ("wrong\x07", "The answer contains characters that cannot be typed; remove them and try again."),
    ],
)
def test_empty_or_too_long_words_are_refused_with_a_message(janis, live_sandbox, text, message):
    draft_id, _ = start(janis)
    before = len(reports(live_sandbox))
    refused = send(janis, draft_id, text)
    assert refused.status_code == 400
    assert "<title>Error:" in refused.text and 'href="#details"' in refused.text and message in refused.text
    if text.strip():
        assert text[:50] in refused.text  # what was typed stays in the box
    assert len(reports(live_sandbox)) == before


def test_vsaa_down_keeps_the_words_and_sends_nothing(janis, live_sandbox):
    draft_id, _ = start(janis)
    before = len(reports(live_sandbox))
    fault(live_sandbox, "down")
    try:
        down = send(janis, draft_id, WORDS)
    finally:
        fault(live_sandbox, "ok")
    assert down.status_code == 503
    assert "your report has not been sent" in down.text and WORDS in html.unescape(down.text)
    assert len(reports(live_sandbox)) == before and audited(janis) == []
    # Sent again once VSAA is back: registered.
    assert send(janis, draft_id, WORDS).status_code == 303
    assert len(reports(live_sandbox)) == before + 1


def test_the_gateway_refusing_the_portal_is_vsaa_not_answering(janis, live_sandbox):
    draft_id, _ = start(janis)
    fault(live_sandbox, "refuse")  # a 403 to the portal itself: nothing the person can put right
    try:
        refused = send(janis, draft_id, WORDS)
    finally:
        fault(live_sandbox, "ok")
    assert refused.status_code == 503 and WORDS in html.unescape(refused.text)


def test_vsaa_refusing_the_report_keeps_the_words_and_gives_its_reason(janis, monkeypatch):
    # VSAA refuses a report only for what the form checks first (its text), so its refusal is made here.
    reason = "Aprakstiet, kas ir nepareizi."

    async def refusing(self, personal_code, about, text, idempotency_key):
        raise AgencyRefused("vsaa: refused (422)", "vsaa", status=422, reason=reason)

    draft_id, _ = start(janis)
    monkeypatch.setattr(HttpVsaaData, "report_wrong_data", refusing)
    refused = send(janis, draft_id, WORDS)
    assert refused.status_code == 400
    shown = html.unescape(refused.text)
    assert f"VSAA did not accept your report. It said: {reason}" in shown and WORDS in shown
    assert audited(janis) == []


def test_another_persons_draft_is_refused(live_settings, janis, live_sandbox):
    draft_id, _ = start(janis)
    before = len(reports(live_sandbox))
    with TestClient(create_app(live_settings), base_url=PORTAL_URL) as anna:
        anna.event_hooks["response"].append(check_page)
        sign_in(anna, personal_code=ANNA)
        assert anna.get(f"/applications/{draft_id}{REPORT}").status_code == 403
        token = csrf(anna, "/services/vecuma-pensija")
        forged = anna.post(f"/applications/{draft_id}{REPORT}", data={"_csrf_token": token, "details": WORDS})
        assert forged.status_code == 403
        unknown = anna.get(f"/applications/{uuid.uuid4()}{REPORT}")
        assert unknown.status_code == 403
    assert len(reports(live_sandbox)) == before
    draft, _ = rows(janis, draft_id)
    assert draft.prefilled["pension-start"]["claim_from"]["source"] == "vsaa"


def test_without_the_csrf_token_nothing_is_sent(janis, live_sandbox):
    draft_id, _ = start(janis)
    before = len(reports(live_sandbox))
    response = janis.post(f"/applications/{draft_id}{REPORT}", data={"details": WORDS}, follow_redirects=False)
    assert response.status_code == 403
    assert len(reports(live_sandbox)) == before


def test_a_changed_answer_has_no_vsaa_mark_and_no_link(janis):
    draft_id, _ = start(janis)
    changed = {"claim_from-day": "1", "claim_from-month": "12", "claim_from-year": "2026"}
    token = csrf(janis, f"/applications/{draft_id}{QUESTION}")
    janis.post(f"/applications/{draft_id}{QUESTION}", data={**changed, "_csrf_token": token})
    page = janis.get(f"/applications/{draft_id}{QUESTION}").text
    assert "/report?question=claim_from" not in page
    assert janis.get(f"/applications/{draft_id}{REPORT}").status_code == 404
