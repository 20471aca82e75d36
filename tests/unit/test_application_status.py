"""The decision-due date read from an application's events, the contest deadline, the merged list, and the
answer to an information request as it is checked before it goes to VSAA. Expected dates are written by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from portal.agencies.vsaa_applications import Application
from portal.applications.status_answers import answer_key, check_answer
from portal.applications.status_service import Due, Listed, Row, add_months, contest_by, decision_due, merged_rows
from portal.applications.uploads import EicarStandIn
from portal.web.i18n import set_locale

PDF = b"%PDF-1.7\n%%EOF\n"


def application(*events: tuple[str, str], status: str | None = None, service: str = "bezdarbnieka-pabalsts") -> Any:
    history = [{"status": s, "at": f"{at}T09:00:00+02:00", "note": None} for s, at in events]
    return Application.model_validate(
        {
            "reference": "VSAA-2026-903118",
            "service": service,
            "status": status or events[-1][0],
            "received_at": history[0]["at"],
            "decision_due": None,
            "history": history,
            "information_request": None,
            "decision": None,
            "channel": "office",
        }
    )


def test_the_term_runs_from_receipt():
    due = decision_due(application(("received", "2026-11-02"), ("in_progress", "2026-11-03")), 30)
    assert due is not None and due.date == dt.date(2026, 12, 2) and not due.paused


def test_the_clock_stops_in_needs_info_and_says_how_many_days_are_left():
    waiting = application(("received", "2026-11-02"), ("in_progress", "2026-11-03"), ("needs_info", "2026-11-06"))
    due = decision_due(waiting, 30)
    assert due is not None and due.paused and due.date is None and due.days_left == 26


def test_the_days_in_needs_info_move_the_date_on():
    answered = application(
        ("received", "2026-11-02"),
        ("needs_info", "2026-11-06"),
        ("in_progress", "2026-11-20"),
        ("needs_info", "2026-11-23"),
        ("in_progress", "2026-11-25"),
    )
    # 14 days and then 2 more: 2 December + 16 days.
    assert decision_due(answered, 30) == Due(dt.date(2026, 12, 18))


def test_a_service_without_its_own_term_has_one_month():
    due = decision_due(application(("received", "2026-01-31"), service="slimibas-pabalsts"), None)
    assert due is not None and due.date == dt.date(2026, 2, 28)


@pytest.mark.parametrize("status", ["decided", "withdrawn", "closed", "appealed"])
def test_nothing_is_due_once_the_application_is_not_waiting(status):
    assert decision_due(application(("received", "2026-11-02"), (status, "2026-11-10")), 30) is None


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-11-25", 1, "2026-12-25"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2027-01-31", 1, "2027-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
    ],
)
def test_months_are_counted_by_the_calendar(day, months, expected):
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


def test_the_contest_deadline_is_a_month_from_the_day_in_riga():
    # 23:30 UTC on 30 November is already 1 December in Riga.
    assert contest_by(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)) == dt.date(2027, 1, 1)


def test_a_submission_vsaa_registered_is_listed_once_as_vsaa_has_it():
    vsaa = application(("received", "2026-11-20"))
    vsaa = vsaa.model_copy(update={"reference": "VSAA-2026-000001", "service": "vecuma-pensija"})
    as_of = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    created = dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC)
    registered = SimpleNamespace(
        reference="VSAA-2026-000001",
        agency_reference="VSAA-2026-000001",
        service="vecuma-pensija",
        status="received",
        created_at=created,
    )
    sending = SimpleNamespace(
        reference="VSAA-2026-000002",
        agency_reference=None,
        service="vecuma-pensija",
        status="sending",
        created_at=created,
    )
    rows = merged_rows(
        Listed((vsaa,), as_of, False), [registered, sending], {"vecuma-pensija": "Old-age pension"}, lambda r: f"/x/{r}"
    )
    assert [(r.reference, r.href, r.as_of) for r in rows] == [
        ("VSAA-2026-000001", "/x/VSAA-2026-000001", as_of),
        ("VSAA-2026-000002", None, None),
    ]
    assert all(isinstance(r, Row) and r.translate for r in rows)


async def test_an_answer_needs_words_or_a_file_of_a_type_vsaa_takes():
    set_locale("en")
    scanner = EicarStandIn()
    assert (await check_answer("  ", None, b"", scanner)).text_error == "Write your answer or add a file."
    only_file = await check_answer("", "izzina.pdf", PDF, scanner)
    assert only_file.ok and only_file.files[0].content_type == "application/pdf"
    assert "PDF, JPG, PNG" in (await check_answer("Te.", "a.docx", b"PK\x03\x04", scanner)).file_error
    assert (await check_answer("a\x00b", None, b"", scanner)).text_error is not None


async def test_the_same_answer_has_the_same_key_and_another_answer_another():
    scanner = EicarStandIn()
    one = await check_answer("Izziņa.", "a.pdf", PDF, scanner)
    again = await check_answer("Izziņa.", "a.pdf", PDF, scanner)
    other = await check_answer("Izziņa.", "a.pdf", PDF + b" ", scanner)
    assert answer_key("R", "R-1", one) == answer_key("R", "R-1", again) != answer_key("R", "R-1", other)


def test_the_sandbox_puts_an_office_application_back_as_seeded():
    from sandbox.agencies.vsaa_application_store import ApplicationStore, NotFound

    store = ApplicationStore.seeded()
    now = dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)
    store.withdraw("VSAA-2026-903118", "328804-19324", now)
    assert store.applications["VSAA-2026-903118"].status(now.date()) == "withdrawn"
    assert store.reseed("VSAA-2026-903118").status(now.date()) == "needs_info"
    with pytest.raises(NotFound):
        store.reseed("VSAA-2026-000001")  # a portal submission has nothing to go back to
