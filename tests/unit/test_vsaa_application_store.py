"""The sandbox's VSAA applications without HTTP: working days, the status timeline, pauses in needs_info,
answers, withdrawals and refusals, on dates given by the test."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sandbox.agencies.vsaa_application_store import ApplicationStore, NotFound, Refusal
from sandbox.agencies.vsaa_calendar import RIGA, add_working_days, business_now, working_days_between

JANIS, DACE, ROBERTS, EDGARS, LAURA = "150162-12342", "190583-11654", "321450-77313", "328804-19324", "080890-17710"
FRIDAY = dt.date(2026, 11, 20)


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=RIGA)


def submission(reference: str = "VSAA-2026-000001", applicant: str = JANIS, **changes: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "service": "vecuma-pensija",
        "applicant": {"personal_code": applicant},
        "about_person": None,
        "filer": {"personal_code": applicant, "basis": "self"},
        "answers": {"decision_delivery": "e-adrese"},
        "submitted_at": "2026-11-20T10:00:00+02:00",
        **changes,
    }


def test_working_days_skip_weekends_and_fixed_holidays():
    assert add_working_days(FRIDAY, 1) == dt.date(2026, 11, 23)
    assert add_working_days(dt.date(2026, 11, 17), 1) == dt.date(2026, 11, 19)  # 18 November
    assert add_working_days(dt.date(2026, 12, 23), 1) == dt.date(2026, 12, 28)  # Christmas
    assert add_working_days(FRIDAY, 22) == dt.date(2026, 12, 22)
    assert working_days_between(dt.date(2026, 11, 6), FRIDAY) == 9  # 18 November off
    assert working_days_between(FRIDAY, FRIDAY) == 0


def test_business_now_is_the_business_day_at_the_wall_clocks_time_in_riga():
    now = business_now(FRIDAY, dt.datetime(2031, 3, 1, 8, 30, 15, 999, tzinfo=dt.UTC))
    assert now == dt.datetime(2026, 11, 20, 10, 30, 15, tzinfo=RIGA)


def test_a_submission_moves_on_working_days_to_a_granted_decision():
    store = ApplicationStore.seeded()
    receipt = store.submit(submission(), at("2026-11-20"))
    assert receipt["decision_due"] == "2026-12-22" and receipt["status"] == "received"
    application = store.applications["VSAA-2026-000001"]
    assert [application.status(dt.date(2026, 11, day)) for day in (20, 22, 23, 24, 25)] == [
        "received",
        "received",
        "in_progress",
        "in_progress",
        "decided",
    ]
    decision = application.decision(dt.date(2026, 11, 25))
    assert decision is not None and decision.outcome == "granted"
    assert store.decided(application.document_id, dt.date(2026, 11, 24)) is None
    assert store.decided(application.document_id, dt.date(2026, 11, 25)) is application


def test_an_applicant_outside_the_services_eligible_list_is_refused_in_the_decision():
    store = ApplicationStore.seeded()
    store.submit(submission(applicant=LAURA), at("2026-11-20"))
    decision = store.applications["VSAA-2026-000001"].decision(dt.date(2026, 11, 25))
    assert decision is not None and decision.outcome == "refused"


def test_needs_info_stops_the_decision_term_and_an_answer_restarts_it():
    store = ApplicationStore.seeded()
    body = submission(applicant=DACE, service="apgadnieka-zaudejuma-pensija", about_person={"personal_code": ROBERTS})
    store.submit(body, at("2026-11-20"))
    application = store.applications["VSAA-2026-000001"]
    asked = application.as_json(dt.date(2026, 11, 24))
    assert asked["status"] == "needs_info" and asked["decision_due"] is None
    assert asked["information_request"]["deadline"] == "2026-12-08"
    assert application.status(dt.date(2027, 6, 1)) == "needs_info"  # nothing happens until answered
    answer = {"personal_code": DACE, "request_id": "VSAA-2026-000001-1", "text": "Pievienoju.", "files": []}
    store.answer("VSAA-2026-000001", answer, at("2026-11-26", "07:00"))
    answered = application.as_json(dt.date(2026, 11, 26))
    assert [h["status"] for h in answered["history"]] == ["received", "in_progress", "needs_info", "in_progress"]
    assert answered["decision_due"] == "2026-12-28" and answered["information_request"] is None
    assert application.status(dt.date(2026, 12, 1)) == "decided"


def test_an_answer_is_refused_when_nothing_is_asked_or_not_this_request_or_empty():
    store = ApplicationStore.seeded()
    answer = {"personal_code": EDGARS, "request_id": "VSAA-2026-903118-1", "text": "", "files": []}
    with pytest.raises(Refusal, match="empty"):
        store.answer("VSAA-2026-903118", answer, at("2026-11-20"))
    with pytest.raises(Refusal, match="open information request"):
        store.answer("VSAA-2026-903118", {**answer, "text": "x", "request_id": "other"}, at("2026-11-20"))
    with pytest.raises(Refusal, match="not accepted"):
        bad = {"name": "a.pdf", "content_type": "application/pdf", "content_base64": "not base64!"}
        store.answer("VSAA-2026-903118", {**answer, "files": [bad]}, at("2026-11-20"))
    with pytest.raises(NotFound):
        store.answer("VSAA-2026-903118", {**answer, "personal_code": JANIS}, at("2026-11-20"))
    store.answer("VSAA-2026-903118", {**answer, "text": "Izziņa."}, at("2026-11-20"))
    with pytest.raises(Refusal, match="No information is asked for"):
        store.answer("VSAA-2026-903118", {**answer, "text": "Vēlreiz."}, at("2026-11-20"))


def test_a_withdrawal_drops_what_was_planned_and_comes_after_what_happened_that_day():
    store = ApplicationStore.seeded()
    store.submit(submission(), at("2026-11-20"))
    withdrawn = store.withdraw("VSAA-2026-000001", JANIS, at("2026-11-23", "06:00"))
    history = withdrawn.as_json(dt.date(2026, 12, 31))["history"]
    # In progress at 08:00 that day, so the 06:00 withdrawal is put just after it; no decision follows.
    assert [h["status"] for h in history] == ["received", "in_progress", "withdrawn"]
    assert history[2]["at"] == "2026-11-23T08:00:01+02:00"
    with pytest.raises(Refusal, match="cannot be withdrawn"):
        store.withdraw("VSAA-2026-000001", JANIS, at("2026-11-24"))


@pytest.mark.parametrize(
    ("changes", "problem_type", "status"),
    [
        ({"service": "nav-tada"}, "unknown-service", 422),
        ({"applicant": "320000-00000"}, "unknown-person", 422),
        ({"applicant": "150162-12343"}, "malformed-personal-code", 422),
        ({"service": "berna-piedzimsanas-pabalsts"}, "missing-about-person", 422),
        ({"answers": {"decision_delivery": " "}}, "missing-answers", 422),
        ({"reference": "VSAA-2026-903118"}, "reference-taken", 409),
    ],
)
def test_refusals(changes, problem_type, status):
    store = ApplicationStore.seeded()
    with pytest.raises(Refusal) as refused:
        store.submit(submission(**changes), at("2026-11-20"))
    assert (refused.value.problem_type, refused.value.status) == (problem_type, status)
    assert refused.value.detail


def test_each_store_has_its_own_copy_of_the_seeded_applications():
    changed, fresh = ApplicationStore.seeded(), ApplicationStore.seeded()
    answer = {"personal_code": EDGARS, "request_id": "VSAA-2026-903118-1", "text": "Izziņa.", "files": []}
    changed.answer("VSAA-2026-903118", answer, at("2026-11-20"))
    assert fresh.applications["VSAA-2026-903118"].status(FRIDAY) == "needs_info"


def test_applications_of_a_person_are_newest_first_and_only_theirs():
    store = ApplicationStore.seeded()
    store.submit(submission(), at("2026-11-20"))
    assert [a.reference for a in store.applications_of(JANIS)] == ["VSAA-2026-000001", "VSAA-2023-901877"]
    assert store.applications_of(LAURA) == []
