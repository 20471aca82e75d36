"""Questionnaires that end somewhere, over HTTP with the live servers: the support check lists the services its rules
match for the answers given (and says what to do when none does); the satisfaction survey, started from a
confirmation with the service, is sent once as an anonymous response and its draft deleted."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import httpx
import pytest
from sqlalchemy import select

from portal.applications.draft_models import Draft
from portal.applications.satisfaction_models import SatisfactionResponse
from tests.integration.test_filing_for import apply, draft_of, fill
from tests.integration.test_journey import DRAFT_URL, csrf, post
from tests.integration.test_representation import person_id
from tests.integration.test_sign_in import JANIS, sign_in

ANNA = "050694-14213"
ILZE, RASMA = "220470-16382", "011245-11123"
LISTED = re.compile(r'<h2 class="heading-s card__title"><a href="([^"]+)">')
NOT_A_DECISION = "This list is not a decision"
NO_MATCH = "No e-service matches your answers"


@pytest.fixture
def janis(live_client):
    sign_in(live_client, next_path="/overview")
    live_client.cookies.set("lang", "en", domain="127.0.0.1")
    return live_client


def start(client, slug, query=""):
    started = post(client, f"/questionnaires/{slug}{query}", {})
    assert started.status_code == 303, started.text[:500]
    draft_id, _ = DRAFT_URL.match(started.headers["location"]).groups()
    return draft_id


def answer(client, draft_id, page, data, status=303):
    response = post(client, f"/applications/{draft_id}/{page}?return=check", data)
    assert response.status_code == status, (page, response.status_code, response.text[:1000])
    return response


def send(client, draft_id):
    """Send as the check page's button does (any page's CSRF token will do: it is the cookie's)."""
    token = csrf(client, "/questionnaires/apmierinatiba")
    return client.post(f"/applications/{draft_id}/send", data={"_csrf_token": token}, follow_redirects=False)


def listed(client, draft_id):
    page = client.get(f"/applications/{draft_id}/results")
    assert page.status_code == 200, page.status_code
    assert NOT_A_DECISION in page.text
    return LISTED.findall(page.text), page.text


def _run(client, query):
    async def run():
        async with client.app.state.db_sessions() as db:
            return await query(db)

    return client.blocking_portal.call(run)


def responses(client):
    async def query(db):
        return list((await db.scalars(select(SatisfactionResponse))).all())

    return _run(client, query)


def draft_row(client, draft_id):
    async def query(db):
        return await db.get(Draft, uuid.UUID(draft_id))

    return _run(client, query)


# --- the support check -------------------------------------------------------------------------------------------


def test_the_support_check_lists_the_services_its_rules_match(janis):
    draft_id = start(janis, "atbalsta-parbaude")
    answer(janis, draft_id, "life-situation", {"situation": "retirement"})
    answer(janis, draft_id, "pension-age", {"pension_age": "yes"})
    answer(janis, draft_id, "help-at-home", {"household_can_help": "no"})
    check = janis.get(f"/applications/{draft_id}/check")
    assert f'href="/applications/{draft_id}/results"' in check.text
    links, page = listed(janis, draft_id)
    assert links == ["/services/vecuma-pensija", "/services/aprupe-majas"]
    assert "You have reached pension age and have enough years of social insurance." in page
    assert "there is no one in the household able to help." in page
    assert f'href="/applications/{draft_id}/check"' in page  # a way to change the answers
    assert NO_MATCH not in page

    # Disability whose term ends: the assessment first, then what VDEĀVK's opinions open; nothing for care.
    answer(janis, draft_id, "life-situation", {"situation": "disability"})
    answer(janis, draft_id, "disability-set", {"disability_set": "ending"})
    opinions = {"under_pension_age": "yes", "mobility_opinion": "no", "special_care_opinion": "yes"}
    answer(janis, draft_id, "disability-opinions", opinions)
    answer(janis, draft_id, "help-at-home", {"household_can_help": "yes"})
    assert listed(janis, draft_id)[0] == [
        "/services/vdeavk-invaliditates-ekspertize",
        "/services/invaliditates-pensija",
        "/services/invalida-kopsanas-pabalsts",
    ]

    # A guardian appointed by the court: both guardians' services, in the rules' order.
    answer(janis, draft_id, "life-situation", {"situation": "guardianship"})
    answer(janis, draft_id, "court-appointed", {"court_appointed": "yes"})
    assert listed(janis, draft_id)[0] == [
        "/services/pabalsts-aizbildnim-par-berna-uzturesanu",
        "/services/atlidziba-par-aizbildna-pienakumu-pildisanu",
    ]

    # Answers to pages the situation no longer asks (pension age, the opinions) are kept in the draft but count
    # for nothing: "not sure" about insurance still lists the unemployment benefit, and only it.
    answer(janis, draft_id, "life-situation", {"situation": "losing-a-job"})
    answer(janis, draft_id, "unemployment-insurance", {"insured_12_of_16": "not_sure"})
    assert listed(janis, draft_id)[0] == ["/services/bezdarbnieka-pabalsts"]


def test_when_nothing_matches_the_check_says_whom_to_ask(janis):
    draft_id = start(janis, "atbalsta-parbaude")
    answer(janis, draft_id, "life-situation", {"situation": "birth-of-a-child"})
    answer(janis, draft_id, "birth-date", {"born_recently": "no"})
    answer(janis, draft_id, "parent-work", {"insured_parent": "no"})
    links, page = listed(janis, draft_id)
    assert links == []
    assert NO_MATCH in page and 'href="/contacts"' in page


def test_results_wait_for_a_complete_check_and_only_for_the_support_check(janis):
    draft_id = start(janis, "atbalsta-parbaude")
    answer(janis, draft_id, "life-situation", {"situation": "retirement"})
    early = janis.get(f"/applications/{draft_id}/results", follow_redirects=False)
    assert early.status_code == 303 and early.headers["location"] == f"/applications/{draft_id}/pension-age"
    survey = start(janis, "apmierinatiba")
    answer(janis, survey, "feedback", {"score": "5"})
    assert janis.get(f"/applications/{survey}/results").status_code == 404
    assert send(janis, draft_id).status_code == 404


def test_results_for_someone_else_keep_whom_they_are_for(live_client):
    sign_in(live_client, personal_code=ILZE)
    live_client.cookies.set("lang", "en", domain="127.0.0.1")
    rasma = person_id(live_client, RASMA)
    draft_id = start(live_client, "atbalsta-parbaude", f"?for={rasma}")
    assert draft_row(live_client, draft_id).applicant_id == rasma
    answer(live_client, draft_id, "life-situation", {"situation": "retirement"})
    answer(live_client, draft_id, "pension-age", {"pension_age": "not_sure"})
    answer(live_client, draft_id, "help-at-home", {"household_can_help": "yes"})
    assert listed(live_client, draft_id)[0] == [f"/services/vecuma-pensija?for={rasma}"]
    # The start page it leads to starts the application for Rasma.
    start_page = live_client.get(f"/services/vecuma-pensija?for={rasma}")
    assert f'action="/services/vecuma-pensija/apply?for={rasma}"' in start_page.text


def test_another_persons_check_or_survey_is_refused(live_client):
    sign_in(live_client)
    check = start(live_client, "atbalsta-parbaude")
    answer(live_client, check, "life-situation", {"situation": "guardianship"})
    answer(live_client, check, "court-appointed", {"court_appointed": "yes"})
    survey = start(live_client, "apmierinatiba", "?service=vecuma-pensija")
    answer(live_client, survey, "feedback", {"score": "2"})
    token = csrf(live_client, f"/applications/{survey}/check")
    sign_in(live_client, personal_code=ANNA)
    assert live_client.get(f"/applications/{check}/results").status_code == 403
    refused = live_client.post(f"/applications/{survey}/send", data={"_csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403
    # Nothing stored, nothing deleted, and a made-up id is refused the same way.
    assert responses(live_client) == [] and draft_row(live_client, survey) is not None
    assert live_client.get(f"/applications/{uuid.uuid4()}/results").status_code == 403


# --- the satisfaction survey -------------------------------------------------------------------------------------


def test_the_confirmation_carries_the_service_into_the_survey(live_client, live_sandbox):
    sign_in(live_client, personal_code=ANNA)  # a parent: the childbirth benefit asks only choices and an account
    live_client.cookies.set("lang", "en", domain="127.0.0.1")
    definition = live_client.app.state.definitions["berna-piedzimsanas-pabalsts"]
    draft_id = draft_of(apply(live_client, definition.slug))
    fill(live_client, definition, draft_id)
    sent = post(live_client, f"/applications/{draft_id}/declaration", {"confirm": "yes"})
    confirmation = live_client.get(sent.headers["location"])
    link = re.search(r'href="(/questionnaires/apmierinatiba[^"]*)"', confirmation.text).group(1)
    assert link == "/questionnaires/apmierinatiba?service=berna-piedzimsanas-pabalsts"
    start_page = live_client.get(link)
    assert "You are telling us about the e-service: Childbirth benefit." in start_page.text
    action = re.search(r'<form method="post" action="([^"]+)"', start_page.text).group(1)
    assert action == link
    survey = start(live_client, "apmierinatiba", "?service=berna-piedzimsanas-pabalsts")
    assert draft_row(live_client, survey).context == "berna-piedzimsanas-pabalsts"


def test_the_survey_is_sent_once_without_the_person(janis, live_sandbox):
    today = dt.date.fromisoformat(httpx.get(f"{live_sandbox.url}/_control/clock").json()["today"])
    draft_id = start(janis, "apmierinatiba", "?service=vecuma-pensija")
    assert draft_row(janis, draft_id).context == "vecuma-pensija"
    comment = "Ērti. Mans kods 150162-12342, <script>alert(1)</script>"
    answer(janis, draft_id, "feedback", {"score": "4", "comment": comment})
    check = janis.get(f"/applications/{draft_id}/check")
    assert f'action="/applications/{draft_id}/send"' in check.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in check.text and "<script>alert" not in check.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', check.text).group(1)

    sent = janis.post(f"/applications/{draft_id}/send", data={"_csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/questionnaires/apmierinatiba/thanks"
    thanks = janis.get(sent.headers["location"])
    assert thanks.status_code == 200 and "Thank you for your answers" in thanks.text
    (row,) = responses(janis)
    assert (row.service, row.score, row.answered_on, row.language) == ("vecuma-pensija", 4, today, "en")
    assert row.comment == "Ērti. Mans kods [personas kods], <script>alert(1)</script>"
    # Nothing in the row names Jānis, his draft or when of the day he answered.
    assert set(SatisfactionResponse.__table__.columns.keys()) == {
        "id", "service", "score", "comment", "answered_on", "language",
    }  # fmt: skip
    janis_id = person_id(janis, JANIS)
    assert not {str(janis_id), draft_id, JANIS} & {str(value) for value in vars(row).values()}
    assert draft_row(janis, draft_id) is None
    assert janis.get("/applications").text.count(draft_id) == 0

    # Sent again (a double click, the back button): the same thank-you page, still one response.
    again = janis.post(f"/applications/{draft_id}/send", data={"_csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/questionnaires/apmierinatiba/thanks"
    assert len(responses(janis)) == 1
    # The back button from the thank-you page shows the check page again: it leads to the thanks.
    back = janis.get(f"/applications/{draft_id}/check", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == "/questionnaires/apmierinatiba/thanks"
    # Without this browser's mark of having sent it, the gone draft is like any other unknown id.
    janis.cookies.delete("survey_sent")
    assert janis.post(f"/applications/{draft_id}/send", data={"_csrf_token": token}).status_code == 403
    assert janis.get(f"/applications/{draft_id}/check").status_code == 403
    assert len(responses(janis)) == 1


def test_a_forged_service_is_ignored(janis):
    for forged in ("nav-tada", "atbalsta-parbaude", "%3Cscript%3E"):
        page = janis.get(f"/questionnaires/apmierinatiba?service={forged}")
        assert page.status_code == 200 and 'action="/questionnaires/apmierinatiba"' in page.text
        assert "You are telling us about" not in page.text
        draft_id = start(janis, "apmierinatiba", f"?service={forged}")
        assert draft_row(janis, draft_id).context is None
    # The latest start with a real service names it; the survey is still the one open draft.
    assert start(janis, "apmierinatiba", "?service=bezdarbnieka-pabalsts") == draft_id
    assert draft_row(janis, draft_id).context == "bezdarbnieka-pabalsts"
    answer(janis, draft_id, "feedback", {"score": "1"})
    send(janis, draft_id)
    assert [(r.service, r.score) for r in responses(janis)] == [("bezdarbnieka-pabalsts", 1)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select one of the options."),
        ({"score": "9"}, None),
        ({"score": "4", "comment": "x" * 5000}, "The answer must be 1200 characters or fewer."),
        ({"score": "4", "comment": "bad\x00byte"}, "The answer contains characters that cannot be typed"),
    ],
    ids=["no score", "score of 9", "5000 characters", "control character"],
)
def test_bad_answers_get_the_engines_error_page_and_nothing_is_sent(janis, data, message):
    draft_id = start(janis, "apmierinatiba", "?service=vecuma-pensija")
    refused = answer(janis, draft_id, "feedback", data, status=400)
    assert "<title>Error:" in refused.text and 'class="error-summary"' in refused.text
    if message:
        assert message in refused.text
    # Send before the survey is complete goes back to the question; nothing is stored.
    early = send(janis, draft_id)
    assert early.status_code == 303 and early.headers["location"] == f"/applications/{draft_id}/feedback"
    assert responses(janis) == [] and draft_row(janis, draft_id) is not None
