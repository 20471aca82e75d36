"""VDEĀVK's renewal prefill over HTTP with the live sandbox: Pēteris (a group II term that ends) starts the VDEĀVK
application and finds the renewal chosen and his latest application's answers and self-assessment filled in,
marked "From the data of VDEĀVK", each his to change; VDEĀVK down leaves the draft for him to fill; a completed
stand-alone self-assessment questionnaire stands in when VDEĀVK has no self-assessment, and only then."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import httpx
import pytest

from portal.clock import RIGA
from tests.integration.test_journey import PETERIS, answer, csrf, post, rows, start
from tests.integration.test_sign_in import sign_in

pytestmark = pytest.mark.postgres  # the questionnaire is found by a query of its own

SERVICE = "vdeavk-invaliditates-ekspertize"
QUESTIONNAIRE = "pasnovertejuma-anketa"
LAURA = "080890-17710"
AREAS = ("mobility", "self-care", "communication", "learning", "domestic-life", "relationships", "work-or-school")
AREAS += ("community-life",)
FROM_VDEAVK = "From the data of VDEĀVK, 20 November 2026."


def signed_in(client, personal_code):
    sign_in(client, personal_code=personal_code)
    client.cookies.set("lang", "en", domain="127.0.0.1")
    return client


def vdeavk_knows(sandbox, personal_code) -> dict[str, Any]:
    """What VDEĀVK's sandbox gives for a renewal, asked directly: other tests in the session may have sent
    Pēteris's applications, and the latest one is what the portal must show."""
    answer = httpx.post(f"{sandbox.url}/vdeavk/v1/renewal-prefill", json={"personal_code": personal_code})
    answer.raise_for_status()
    return answer.json()


def fault(sandbox, mode):
    httpx.put(f"{sandbox.url}/_control/faults/vdeavk", json={"mode": mode}).raise_for_status()


def fill_questionnaire(client, difficulties: dict[str, str]) -> None:
    started = post(client, f"/questionnaires/{QUESTIONNAIRE}", {})
    draft_id = started.headers["location"].split("/")[2]
    for area in AREAS:
        answer(client, draft_id, area, {"difficulty": difficulties[area], "helps": f"Help with {area}."})
    assert client.get(f"/applications/{draft_id}/check").status_code == 200  # complete


def test_peteris_finds_his_renewal_filled_in_from_vdeavk(live_client, live_sandbox):
    peteris = signed_in(live_client, PETERIS)
    known = vdeavk_knows(live_sandbox, PETERIS)
    assert known["current_status"]["valid_until"] is not None and known["self_assessment"]
    # His own questionnaire, answered otherwise than VDEĀVK knows: VDEĀVK's self-assessment comes first.
    other = {a: str((known["self_assessment"][a.replace("-", "_")]["difficulty"] + 1) % 5) for a in AREAS}
    fill_questionnaire(peteris, other)
    draft_id, first = start(peteris, SERVICE)
    assert first == "assessment-kind"
    kind = peteris.get(f"/applications/{draft_id}/assessment-kind").text
    assert FROM_VDEAVK in html.unescape(kind) and 'value="renewal" checked' in kind
    draft, _ = rows(peteris, draft_id)
    assert draft.answers["assessment-kind"] == {"kind": "renewal"}
    expected = {k: known["answers"][k] for k in ("phone", "address") if k in known["answers"]}
    assert draft.answers["contact"] == expected
    for area in AREAS:
        given = known["self_assessment"][area.replace("-", "_")]
        stored = draft.answers[area]
        assert stored["difficulty"] == str(given["difficulty"]), area
        assert stored.get("helps") == (given["helps"] or None), area
        assert draft.prefilled[area]["difficulty"]["source"] == "vdeavk"
    contact = peteris.get(f"/applications/{draft_id}/contact").text
    assert html.unescape(contact).count(FROM_VDEAVK) == len(expected)
    assert "/report?question=" not in contact  # reports of wrong data go to VSAA, about VSAA's data
    # Editable: another phone number is his, and its mark goes; the address stays VDEĀVK's.
    answer(peteris, draft_id, "contact", {"phone": "+371 29999999", "address": expected["address"]})
    draft, _ = rows(peteris, draft_id)
    assert draft.answers["contact"]["phone"] == "+371 29999999"
    assert set(draft.prefilled["contact"]) == {"address"}


def test_vdeavk_down_leaves_the_draft_for_the_person_to_fill(live_client, live_sandbox):
    peteris = signed_in(live_client, PETERIS)
    fault(live_sandbox, "down")
    try:
        draft_id, first = start(peteris, SERVICE)
        page = peteris.get(f"/applications/{draft_id}/{first}")
    finally:
        fault(live_sandbox, "ok")
    assert first == "assessment-kind" and page.status_code == 200
    assert "From the data of" not in page.text and " checked" not in page.text
    draft, _ = rows(peteris, draft_id)
    assert draft.answers == {} and draft.prefilled == {}


@pytest.mark.parametrize("vdeavk", ["ok", "down"])
def test_a_completed_questionnaire_stands_in_when_vdeavk_has_no_self_assessment(live_client, live_sandbox, vdeavk):
    laura = signed_in(live_client, LAURA)  # no history at VDEĀVK: nothing to renew
    assert vdeavk_knows(live_sandbox, LAURA)["self_assessment"] is None
    difficulties = {area: str(position % 5) for position, area in enumerate(AREAS)}
    fill_questionnaire(laura, difficulties)
    filled_on = dt.datetime.now(RIGA).date()
    fault(live_sandbox, vdeavk)
    try:
        draft_id, _ = start(laura, SERVICE)
    finally:
        fault(live_sandbox, "ok")
    draft, _ = rows(laura, draft_id)
    assert "assessment-kind" not in draft.answers and "contact" not in draft.answers  # the questionnaire has none
    for area in AREAS:
        assert draft.answers[area] == {"difficulty": difficulties[area], "helps": f"Help with {area}."}, area
        assert {mark["source"] for mark in draft.prefilled[area].values()} == {"questionnaire"}
    page = html.unescape(laura.get(f"/applications/{draft_id}/mobility").text)
    shown = f"From your self-assessment questionnaire of {filled_on.day} {filled_on:%B %Y}."
    assert shown in page and "/report?question=" not in page


def test_an_unfinished_questionnaire_is_not_used(live_client, live_sandbox):
    laura = signed_in(live_client, LAURA)
    started = post(laura, f"/questionnaires/{QUESTIONNAIRE}", {})
    questionnaire_id = started.headers["location"].split("/")[2]
    answer(laura, questionnaire_id, "mobility", {"difficulty": "3", "helps": ""})
    draft_id, _ = start(laura, SERVICE)
    draft, _ = rows(laura, draft_id)
    assert draft.answers == {} and draft.prefilled == {}
    assert csrf(laura, f"/applications/{draft_id}/mobility")  # the page is there to answer
