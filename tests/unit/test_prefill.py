"""Prefill's pieces without I/O: VDEĀVK's renewal prefill by field (a renewal chosen only for a term that ends),
dotted fields, and the source line's agency name and Riga date; the report form's text and VSAA's report numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from portal.agencies.vdeavk import DisabilityTerm, DomainAssessment, RenewalPrefill
from portal.applications.data_reports import MAX_TEXT, TEXT_REQUIRED, TEXT_TOO_LONG, checked_text, report_reference
from portal.applications.prefill import Known, renewal_fields, shown_sources
from portal.web.i18n import current_locale, set_locale

AS_OF = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


def renewal(valid_until: dt.date | None, *, term: bool = True) -> RenewalPrefill:
    current = DisabilityTerm(group="II", since=dt.date(2025, 2, 11), valid_until=valid_until) if term else None
    return RenewalPrefill(
        as_of=AS_OF,
        previous_reference="VDEAVK-2025-900412",
        current_status=current,
        answers={"phone": "+371 20000000", "special_care": False},
        self_assessment={"mobility": DomainAssessment(difficulty=3, helps="Crutches.")},
    )


@pytest.fixture
def english() -> Iterator[None]:
    before = current_locale()
    set_locale("en")
    yield
    set_locale(before)


def test_renewal_fields_are_named_as_the_definitions_name_them():
    fields = renewal_fields(renewal(dt.date(2027, 2, 10)))
    assert fields == {
        "answers.phone": "+371 20000000",
        "answers.special_care": False,
        "self_assessment.mobility.difficulty": 3,
        "self_assessment.mobility.helps": "Crutches.",
        "kind": "renewal",
    }


@pytest.mark.parametrize("prefill", [renewal(None), renewal(None, term=False)], ids=["for life", "no term"])
def test_a_renewal_is_chosen_only_for_a_term_that_ends(prefill):
    assert "kind" not in renewal_fields(prefill)


def test_a_dotted_field_reads_inside_an_answer():
    known = Known("vsaa", AS_OF.isoformat(), {"deceased": {"date_of_death": "2026-09-03"}, "a.b": 1})
    assert known.get("deceased.date_of_death") == "2026-09-03"
    assert known.get("a.b") == 1  # a key that has a dot itself is found as it is
    assert known.get("deceased.nothing") is None and known.get("nothing") is None


def test_the_source_line_names_the_agency_and_the_day_in_riga(english):
    marks = {
        "phone": {"source": "vdeavk", "as_of": "2026-11-19T22:30:00+00:00", "value": "x"},  # 00:30 on the 20th
        "iban": {"source": "vsaa", "as_of": "2026-11-20T04:00:00+00:00", "value": "y"},
        "refused": {"source": "vsaa", "as_of": "2026-11-20T04:00:00+00:00", "value": "z"},
    }
    shown = shown_sources(marks, {"refused": object()})
    assert shown == {
        "phone": {"source": "vdeavk", "agency": "VDEĀVK", "date": "20 November 2026"},
        "iban": {"source": "vsaa", "agency": "VSAA", "date": "20 November 2026"},
    }


@pytest.mark.parametrize(
    ("raw", "text", "problem"),
    [
        (" Wrong year.\r\n", "Wrong year.", None),
        (" \n ", "", TEXT_REQUIRED),
        ("x" * MAX_TEXT, "x" * MAX_TEXT, None),
        ("x" * (MAX_TEXT + 1), "x" * (MAX_TEXT + 1), TEXT_TOO_LONG),
    ],
)
def test_the_report_text_is_checked_before_it_is_sent(raw, text, problem):
    cleaned, found = checked_text(raw)
    assert cleaned == text and (found.message if found else None) == problem


def test_only_a_well_formed_report_number_is_shown():
    assert report_reference("VSAA-DL-2026-000001") == "VSAA-DL-2026-000001"
    for forged in (None, "", "Your account is blocked", "VSAA-DL-2026-000001 call 112", "VSAA-DL-26-1"):
        assert report_reference(forged) is None
