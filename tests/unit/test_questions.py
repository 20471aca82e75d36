"""portal.applications.questions: every question type with good and bad input, never an exception."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from portal.applications import engine
from portal.applications import questions as q
from portal.applications.prefill import checked_value
from portal.catalogue.definitions import Definition, load_definition
from portal.web.i18n import set_locale

TODAY = dt.date(2026, 11, 20)


def question(kind: str, required: bool = True, **options: Any) -> SimpleNamespace:
    return SimpleNamespace(name="answer", type=kind, required=required, **options)


def choices(*values: str) -> list[SimpleNamespace]:
    return [SimpleNamespace(value=value, label=f"Option {value}") for value in values]


def parse(kind: str, form: dict[str, list[str]], **options: Any) -> q.Parsed:
    return q.parse(question(kind, **options), form, TODAY)


def one(kind: str, value: str, **options: Any) -> q.Parsed:
    return parse(kind, {"answer": [value]}, **options)


def date(day: str, month: str, year: str, **options: Any) -> q.Parsed:
    return parse("date", {"answer-day": [day], "answer-month": [month], "answer-year": [year]}, **options)


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


@pytest.mark.parametrize("kind", sorted(q.QUESTION_TYPES))
def test_empty_required_answer_asks_for_one(kind):
    parsed = q.parse(question(kind, choices=choices("a")), {}, TODAY)
    assert parsed.value is None
    assert parsed.problem is not None and parsed.problem.message == q.REQUIRED[kind]


@pytest.mark.parametrize("kind", sorted(q.QUESTION_TYPES))
def test_empty_optional_answer_is_no_answer_and_no_problem(kind):
    parsed = q.parse(question(kind, required=False, choices=choices("a")), {"answer": [""]}, TODAY)
    assert parsed.value is None and parsed.problem is None


def test_text_keeps_html_as_typed_for_the_template_to_escape_and_latvian_letters_as_one_code_point():
    assert one("text", "  <script>alert(1)</script> ").value == "<script>alert(1)</script>"
    decomposed = "A\u0304boli un s\u030cl\u0327u\u0304ka"  # Ā and š typed as letter + combining mark
    assert one("text", decomposed).value == "Āboli un šļūka"
    assert one("textarea", "Ģimene\r\nŅina").value == "Ģimene\nŅina"


def test_text_too_long_or_with_control_characters_is_refused():
    assert one("text", "ž" * 201).problem == q.Problem(q.TOO_LONG, {"max": 200})
    assert one("text", "ž" * 200).value == "ž" * 200
    assert one("textarea", "a" * 11, max_length=10).problem == q.Problem(q.TOO_LONG, {"max": 10})
    assert one("text", "null\x00byte").problem == q.Problem(q.BAD_CHARACTERS)
    assert one("text", "two\nlines").problem == q.Problem(q.BAD_CHARACTERS)
    refused = one("text", "x" * 300)
    assert refused.raw == "x" * 300  # kept in the input so the person can shorten it


@pytest.mark.parametrize(
    ("typed", "value", "message"),
    [
        ("3", 3, None),
        (" 1 200 ", 1200, None),
        ("3.5", None, q.NOT_A_NUMBER),
        ("trīs", None, q.NOT_A_NUMBER),
        ("1e9", None, q.NOT_A_NUMBER),
        ("٣", None, q.NOT_A_NUMBER),  # an Arabic-Indic digit is a digit to str.isdigit, not to us
        ("-1", None, q.NUMBER_TOO_SMALL),
        ("2001", None, q.NUMBER_TOO_BIG),
    ],
)
def test_number(typed, value, message):
    parsed = one("number", typed, min=0, max=2000)
    assert parsed.value == value
    assert (parsed.problem.message if parsed.problem else None) == message


@pytest.mark.parametrize(
    ("typed", "value", "message"),
    [
        ("120,5", "120.50", None),
        ("€ 1 200.00", "1200.00", None),
        ("0", "0.00", None),
        ("12.345", None, q.MONEY_CENTS),
        ("-5", None, q.MONEY_NEGATIVE),
        ("12,3,4", None, q.NOT_MONEY),
        ("desmit", None, q.NOT_MONEY),
        ("NaN", None, q.NOT_MONEY),
        ("1000000.01", None, q.MONEY_TOO_BIG),
    ],
)
def test_money(typed, value, message):
    parsed = one("money", typed)
    assert parsed.value == value
    assert (parsed.problem.message if parsed.problem else None) == message


def test_date_good_and_impossible():
    assert date("27", "3", "1985").value == "1985-03-27"
    assert date("29", "2", "2024").value == "2024-02-29"
    assert date("29", "2", "2025").problem == q.Problem(q.NOT_A_DATE, part="day")
    assert date("31", "4", "2020").problem == q.Problem(q.NOT_A_DATE, part="day")
    assert date("0", "1", "2020").problem == q.Problem(q.NOT_A_DATE, part="day")
    assert date("a", "1", "2020").problem == q.Problem(q.NOT_A_DATE, part="day")
    assert date("1", "1", "١٩٨٥").problem == q.Problem(q.YEAR_DIGITS, part="year")
    assert date("1", "1", "85").problem == q.Problem(q.YEAR_DIGITS, part="year")
    assert date("1", "", "1985").problem == q.Problem(q.MISSING_PART["month"], part="month")
    assert date("", "", "1985").problem == q.Problem(q.INCOMPLETE_DATE, part="day")
    kept = date("31", "2", "1985")
    assert kept.raw == {"day": "31", "month": "2", "year": "1985"}


def test_date_limits_relative_to_the_business_clock():
    assert date("21", "11", "2026", max="today").problem == q.Problem(q.DATE_NOT_FUTURE, part="day")
    assert date("20", "11", "2026", max="today").value == "2026-11-20"
    assert date("19", "11", "2026", min="today").problem == q.Problem(q.DATE_NOT_PAST, part="day")
    too_young = date("21", "11", "2008", max_date="-18y")
    assert too_young.problem == q.Problem(q.DATE_TOO_LATE, {"date": "20 November 2008"}, "day")
    assert too_young.problem.text() == "The date must be on or before 20 November 2008."
    assert date("20", "11", "2008", max_date="-18y").value == "2008-11-20"
    assert date("19", "5", "2026", min_date="-6m").problem == q.Problem(
        q.DATE_TOO_EARLY, {"date": "20 May 2026"}, "day"
    )


@pytest.mark.parametrize("kind", ["yes_no", "choice", "scale"])
def test_one_of_refuses_a_value_that_was_not_offered(kind):
    options = {"choices": choices("e-adrese", "post")} if kind == "choice" else {}
    offered = {"yes_no": "no", "choice": "post", "scale": "5"}[kind]
    assert one(kind, offered, **options).value == offered
    forged = one(kind, "<b>forged</b>", **options)
    assert forged.value is None and forged.problem == q.Problem(q.NOT_AN_OPTION)
    assert forged.raw == ""  # a forged value is not drawn back into the page


def test_multi_choice_keeps_definition_order_drops_duplicates_and_refuses_forged_values():
    options = choices("a", "b", "c")
    assert parse("multi_choice", {"answer": ["c", "a", "c"]}, choices=options).value == ["a", "c"]
    forged = parse("multi_choice", {"answer": ["a", "z"]}, choices=options)
    assert forged.problem == q.Problem(q.NOT_AN_OPTION) and forged.raw == ["a"]


def test_address():
    form = {"answer-street": ["Brīvības iela 1–5"], "answer-town": ["Rīga"], "answer-postcode": ["1010"]}
    assert parse("address", form).value == {"street": "Brīvības iela 1–5", "town": "Rīga", "postcode": "LV-1010"}
    assert parse("address", {**form, "answer-postcode": ["lv-1010"]}).value["postcode"] == "LV-1010"
    bad = parse("address", {**form, "answer-postcode": ["LV-10101"]})
    assert bad.problem == q.Problem(q.ADDRESS_POSTCODE, part="postcode") and bad.raw["street"] == "Brīvības iela 1–5"
    assert parse("address", {**form, "answer-town": [""]}).problem == q.Problem(q.ADDRESS_TOWN, part="town")
    long_street = parse("address", {**form, "answer-street": ["x" * 201]})
    assert long_street.problem == q.Problem(q.TOO_LONG, {"max": 200}, "street")


@pytest.mark.parametrize(
    ("typed", "value", "message"),
    [
        ("LV80BANK0000435195001", "LV80BANK0000435195001", None),
        ("lv80 bank 0000 4351 9500 1", "LV80BANK0000435195001", None),
        ("DE89370400440532013000", "DE89370400440532013000", None),
        ("LV81BANK0000435195001", None, q.IBAN_CHECKSUM),
        ("LV80BANK000043519500", None, q.IBAN_SHAPE),  # one character short for Latvia
        ("LV80BANK00004351950011", None, q.IBAN_SHAPE),
        ("LV80BANK000043519500Ā", None, q.IBAN_SHAPE),
        ("12345", None, q.IBAN_SHAPE),
        ("<script>", None, q.IBAN_SHAPE),
    ],
)
def test_iban(typed, value, message):
    parsed = one("iban", typed)
    assert parsed.value == value
    assert (parsed.problem.message if parsed.problem else None) == message


@pytest.mark.parametrize(
    ("typed", "value", "message"),
    [
        ("150385-12346", "150385-12346", None),
        ("15038512346", "150385-12346", None),
        ("32751284427", "327512-84427", None),
        ("150385-12345", None, q.CODE_INVALID),  # wrong check digit
        ("310285-12345", None, q.CODE_INVALID),  # 31 February
        ("010130-20006", None, q.CODE_FUTURE),  # well-formed, born 1 January 2030
        ("1503851234", None, q.CODE_SHAPE),
        ("15O385-12346", None, q.CODE_SHAPE),
    ],
)
def test_personal_code(typed, value, message):
    parsed = one("personal_code", typed)
    assert parsed.value == value
    assert (parsed.problem.message if parsed.problem else None) == message


def test_file_takes_upload_ids_only():
    first, second = "0b6f3c0e-7d7a-4c1e-9a51-3f0f2c1d9e10", "6a1f2d3e-0000-4000-8000-000000000001"
    assert parse("file", {"answer": [first, first, second]}).value == [first, second]
    assert parse("file", {"answer": ["../../etc/passwd"]}).problem == q.Problem(q.FILE_INVALID)
    too_many = parse("file", {"answer": [first, second]}, max_files=1)
    assert too_many.problem == q.Problem(q.TOO_MANY_FILES, {"max": 1})


def test_answers_are_shown_back_in_the_inputs_and_on_the_check_page():
    assert q.raw_from_answer(question("date"), "1985-03-27") == {"day": "27", "month": "3", "year": "1985"}
    assert q.answer_text(question("date"), "1985-03-27") == "27 March 1985"
    assert q.answer_text(question("money"), "1200.50") == "€1,200.50"
    assert q.answer_text(question("yes_no"), "yes") == "Yes"
    assert q.answer_text(question("multi_choice", choices=choices("a", "b")), ["a", "b"]) == "Option a, Option b"
    address = {"street": "Brīvības iela 1", "town": "Rīga", "postcode": "LV-1010"}
    assert q.answer_text(question("address"), address) == "Brīvības iela 1, Rīga, LV-1010"
    assert q.answer_text(question("file"), ["x", "y"]) == "2 files"


def pension() -> Definition:
    return load_definition(Path(__file__).resolve().parents[2] / "forms" / "vecuma-pensija.yaml")


def test_the_next_page_follows_the_answers_and_skipped_pages_are_not_asked_or_counted():
    definition = pension()
    answers: dict[str, Any] = {"pension-start": {"claim_from": "2026-12-01"}, "payment": {"payment_method": "account"}}
    assert engine.next_step(definition, answers, "payment") == "bank-account"
    answers["payment"] = {"payment_method": "home_delivery"}
    assert engine.next_step(definition, answers, "payment") == "delivery-address"
    assert engine.find_page(definition, answers, "bank-account") is None  # its URL is no way to answer it
    answers["bank-account"] = {"iban": "LV80BANK0000435195001"}  # answered before the person changed their mind
    assert "bank-account" not in [row["page"] for row in engine.check_rows(definition, answers, "/a")]
    assert engine.previous_step(definition, answers, "delivery-address") == "payment"
    assert engine.previous_step(definition, answers, "pension-start") is None


def test_a_page_reads_only_its_own_questions():
    page = pension().pages[0]
    form = {"claim_from-day": ["1"], "claim_from-month": ["12"], "claim_from-year": ["2026"], "forged": ["x"]}
    parsed = engine.parse_page(page, form, TODAY)
    assert parsed.valid and parsed.answers == {"claim_from": "2026-12-01"}
    too_late = engine.parse_page(page, {**form, "claim_from-year": ["2030"]}, TODAY)
    assert not too_late.valid and too_late.raw["claim_from"]["year"] == "2030"
    assert engine.error_summary(page, too_late)[0]["href"] == "#claim_from-day"


def test_check_rows_link_back_with_return_to_check():
    definition = pension()
    rows = engine.check_rows(definition, {"payment": {"payment_method": "account"}}, "/applications/x")
    assert rows[0]["href"] == "/applications/x/pension-start?return=check"
    assert next(row for row in rows if row["question"] == "payment_method")["value"] == "Into an account"


def test_prefilled_values_pass_the_questions_own_checks():
    assert checked_value(question("yes_no"), True, TODAY) == "yes"
    assert checked_value(question("date", max="today"), "1985-03-27", TODAY) == "1985-03-27"
    assert checked_value(question("date", max="today"), "2030-01-01", TODAY) is None  # left for the person
    assert checked_value(question("iban"), "LV81BANK0000435195001", TODAY) is None
    assert checked_value(question("choice", choices=choices("account")), "cash", TODAY) is None
    assert checked_value(question("date"), "not a date", TODAY) is None
