"""Which notices a kept answer calls for on a business date (portal/notices/facts.py), without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.notices.facts import (
    MandateFacts,
    application_notices,
    entitlement_notices,
    mandate_notices,
    months_before,
    term_notices,
)

AS_OF = "2026-11-20T08:00:00Z"


def status(valid_until: str | None) -> dict[str, object]:
    term = {"group": "II", "since": "2024-02-11", "valid_until": valid_until, "functioning_limits": []}
    return {"as_of": AS_OF, "status": term}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2027-02-10", 3, "2026-11-10"),
        ("2027-02-10", 1, "2027-01-10"),
        ("2027-05-31", 3, "2027-02-28"),  # a shorter month: its last day
        ("2028-05-31", 3, "2028-02-29"),
        ("2027-01-15", 1, "2026-12-15"),  # across the year
    ],
)
def test_months_before(day: str, months: int, expected: str) -> None:
    assert months_before(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-11-09", []),  # more than three months before the end
        ("2026-11-10", [3]),
        ("2027-01-09", [3]),
        ("2027-01-10", [1]),  # a month before: the second reminder
        ("2027-02-10", [1]),  # the last day of the term
        ("2027-02-11", []),  # the term has ended: no reminder of an end already passed
    ],
)
def test_a_term_reminds_three_months_and_one_month_before_its_end(today: str, expected: list[int]) -> None:
    found = term_notices(status("2027-02-10"), dt.date.fromisoformat(today))
    assert [n.params["months"] for n in found] == expected
    assert len({n.fact for n in found}) == len(found)
    assert all(n.link == "/services/vdeavk-invaliditates-ekspertize" and n.agency == "vdeavk" for n in found)


def test_the_two_reminders_are_two_facts_and_a_new_term_a_third() -> None:
    three = term_notices(status("2027-02-10"), dt.date(2026, 11, 20))[0].fact
    one = term_notices(status("2027-02-10"), dt.date(2027, 1, 20))[0].fact
    renewed = term_notices(status("2029-02-10"), dt.date(2028, 11, 20))[0].fact
    assert len({three, one, renewed}) == 3


def test_no_reminder_for_a_term_for_life_none_at_all_or_an_unreadable_answer() -> None:
    today = dt.date(2026, 11, 20)
    assert term_notices(status(None), today) == []
    assert term_notices({"as_of": AS_OF, "status": None}, today) == []
    assert term_notices({"something": "else"}, today) == []


def right(code: str, service: str | None, about: str | None = None) -> dict[str, object]:
    person = {"personal_code": about, "given_name": "Elza", "family_name": "Kalniņa"} if about else None
    return {
        "code": code,
        "service": service,
        "since": "2026-11-02",
        "right_from": "2026-11-02",
        "apply_by": None,
        "about_person": person,
        "explanation": "VSAA teksts.",
    }


def test_each_entitlement_is_its_own_fact_and_keeps_no_personal_code() -> None:
    answer = {
        "as_of": AS_OF,
        "entitlements": [
            right("childbirth_benefit", "berna-piedzimsanas-pabalsts", about="329011-52842"),
            right("childbirth_benefit", "berna-piedzimsanas-pabalsts", about="321450-77313"),
            right("contribution_refund", None),
        ],
    }
    found = entitlement_notices(answer)
    assert len({n.fact for n in found}) == 3
    assert not any("329011" in n.fact or "329011" in str(n.params) for n in found)
    assert [n.link for n in found] == ["/services/berna-piedzimsanas-pabalsts"] * 2 + [None]
    assert entitlement_notices({"as_of": AS_OF}) == []


def application(reference: str, status: str, request: dict[str, str] | None, decided_at: str | None) -> dict:
    decision = {"outcome": "granted", "decided_at": decided_at, "document_id": f"{reference}-D"} if decided_at else None
    return {
        "reference": reference,
        "service": "bezdarbnieka-pabalsts",
        "service_name": "Bezdarbnieka pabalsts",
        "status": status,
        "received_at": "2026-11-02T10:14:00+02:00",
        "decision_due": None,
        "history": [],
        "information_request": request,
        "decision": decision,
        "channel": "office",
    }


def test_an_open_information_request_and_a_recent_decision_are_noticed() -> None:
    request = {"id": "VSAA-2026-903118-1", "text": "Izziņa.", "deadline": "2026-12-04"}
    answer = {
        "as_of": AS_OF,
        "applications": [
            application("VSAA-2026-903118", "needs_info", request, None),
            application("VSAA-2026-900001", "decided", None, "2026-11-06T09:00:00+02:00"),  # 14 days ago
            application("VSAA-2026-900002", "decided", None, "2026-11-05T09:00:00+02:00"),  # 15: long known
            application("VSAA-2026-900003", "in_progress", request, None),  # answered: no longer open
        ],
    }
    found = application_notices(answer, dt.date(2026, 11, 20))
    assert [(n.kind, n.link) for n in found] == [
        ("information_requested", "/applications/sent/VSAA-2026-903118"),
        ("decision_made", "/applications/sent/VSAA-2026-900001"),
    ]
    assert found[0].params["deadline"] == "2026-12-04"
    assert application_notices({"as_of": AS_OF}, dt.date(2026, 11, 20)) == []


GRANTOR, HOLDER = "rasma-id", "ilze-id"


def mandate(ended_by: str | None = None, ended: bool = False, until: str = "2027-12-31") -> MandateFacts:
    return MandateFacts(
        "m1", (GRANTOR, "Rasma Liepa"), (HOLDER, "Ilze Liepa"), dt.date.fromisoformat(until), ended_by, ended
    )


def test_the_holder_is_told_of_a_mandate_granted_and_the_other_party_of_its_end() -> None:
    today = dt.date(2026, 11, 20)
    ((person, granted),) = mandate_notices(mandate(), today)
    assert (person, granted.kind, granted.params["name"]) == (HOLDER, "mandate_granted", "Rasma Liepa")
    ((person, ended),) = mandate_notices(mandate(ended_by=GRANTOR, ended=True), today)
    assert (person, ended.kind, ended.params["name"]) == (HOLDER, "mandate_ended", "Rasma Liepa")
    ((person, ended),) = mandate_notices(mandate(ended_by=HOLDER, ended=True), today)
    assert (person, ended.params["name"]) == (GRANTOR, "Ilze Liepa")
    expired = mandate_notices(mandate(until="2026-11-19"), today)
    assert sorted((p, n.kind) for p, n in expired) == sorted([(HOLDER, "mandate_ended"), (GRANTOR, "mandate_ended")])
    assert mandate_notices(mandate(until="2026-11-20"), today)[0][1].kind == "mandate_granted", "its last day"
