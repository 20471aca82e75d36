"""VSAA person data without I/O: the sandbox's computations, the client's models and the names pages show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from portal.agencies.vsaa_data import (
    BENEFIT_NAMES,
    ENTITLEMENT_NAMES,
    FIGURE_LABELS,
    INHERITANCE_CHOICES,
    STATEMENT_KINDS,
    Benefits,
)
from portal.agencies.vsaa_statements import EP51Data, Statement, StatementSummary
from portal.web.i18n import translations
from sandbox.agencies import vsaa_data as sandbox_vsaa
from sandbox.agencies import vsaa_data_build as build
from sandbox.agencies import vsaa_data_statements as statements

TODAY = dt.date(2026, 11, 20)
JANIS, RASMA, PETERIS, ANNA, LAURA = "150162-12342", "011245-11123", "300978-15174", "050694-14213", "080890-17710"
PERSONAS = [JANIS, RASMA, PETERIS, ANNA, LAURA, "220470-16382", "328804-19324", "190583-11654", "120385-13468"]
OFFICIAL_EP48 = "Informācija par apdrošinātās personas pensijas kapitālu"


def full(code: str, kind: str, year: int | None = None, today: dt.date = TODAY) -> dict[str, Any]:
    return {"as_of": sandbox_vsaa.as_of(today), **statements.statement(code, kind, today, year)}


def test_the_kinds_are_the_12_statement_e_services_with_their_official_latvian_names():
    assert sorted(STATEMENT_KINDS) == sorted(statements.KINDS)
    latvian = translations("lv")
    for name in STATEMENT_KINDS.values():
        assert latvian.gettext(name) != name, name
    assert latvian.gettext(STATEMENT_KINDS["EP48"]) == OFFICIAL_EP48


def test_every_figure_the_sandbox_gives_has_a_label_and_every_code_a_name():
    keys, texts, codes = set(), set(), set()
    for code in PERSONAS:
        for entry in statements.summary(code, TODAY):
            keys |= {f["key"] for f in entry["figures"]}
            texts |= {f["text"] for f in entry["figures"] if f["key"] == "pillar2_inheritance_choice"}
        codes |= {e["code"] for e in build.person(code).get("entitlements", [])}
        codes |= {b["code"] for b in build.person(code).get("benefits", [])}
    assert keys <= set(FIGURE_LABELS) and texts <= set(INHERITANCE_CHOICES)
    assert codes <= set(BENEFIT_NAMES) | set(ENTITLEMENT_NAMES)
    latvian = translations("lv")
    for name in [*FIGURE_LABELS.values(), *INHERITANCE_CHOICES.values(), *BENEFIT_NAMES.values()]:
        assert latvian.gettext(name) != name, name


@pytest.mark.parametrize("code", PERSONAS)
@pytest.mark.parametrize("kind", sorted(statements.KINDS))
def test_every_statement_reads_into_the_client_model_and_back_unchanged(code, kind):
    statement = Statement.model_validate(full(code, kind))
    # Kept answers (portal/sync/) are the model dumped as JSON and read back through it.
    assert Statement.model_validate(statement.model_dump(mode="json")) == statement
    assert statement.available == (statement.data is not None)


def test_a_summary_lists_all_12_kinds_in_code_order():
    summary = StatementSummary.model_validate(
        {"as_of": sandbox_vsaa.as_of(TODAY), "statements": statements.summary(LAURA, TODAY)}
    )
    assert [s.kind for s in summary.statements] == sorted(STATEMENT_KINDS)
    assert not any(s.available for s in summary.statements)


def test_granted_amounts_keep_their_from_dates_through_a_dump():
    data = Statement.model_validate(full(RASMA, "EP51")).data
    assert isinstance(data, EP51Data)
    (pension,) = data.benefits
    assert pension.changes[0].from_ == dt.date(2007, 12, 1)
    assert pension.model_dump(mode="json")["changes"][0]["from"] == "2007-12-01"


def test_the_initial_capital_follows_the_record_before_1996_and_the_bases_of_1996_to_1999():
    janis = build.person(JANIS)
    average = (Decimal("2050.40") + Decimal("2390.10") + Decimal("2710.55") + Decimal("2980.00")) / 4
    record_years = 15 + Decimal(4) / 12
    assert build.initial_capital(janis) == build.cents(average * record_years * Decimal("0.20"))
    assert build.initial_capital(build.person(ANNA)) == 0  # no record before 1996


def test_a_pillar2_participant_pays_part_of_the_contribution_to_pillar2():
    years = {c.year: c for c in build.contribution_years(build.person(JANIS))}
    assert years[2001].pillar2_contributions == 0  # joined on 2002-12-01
    assert years[2002].pillar2_contributions == build.cents(Decimal("3810.90") * Decimal(1) / 12 * Decimal("0.02"))
    assert years[2025].pillar2_contributions == build.cents(Decimal("25080.90") * Decimal("0.06"))
    assert years[2025].pillar1_contributions + years[2025].pillar2_contributions == years[2025].pension_contributions


def test_the_capital_is_never_indexed_down():
    rows = {r.year: r for r in build.pension_capital(build.person(JANIS))}
    assert rows[2009].index == 1 and rows[2009].indexation == 0


def test_pension_tax_is_withheld_only_above_the_non_taxable_minimum():
    pension = build.person(RASMA)["benefits"][0]
    assert build.tax_on(pension, Decimal("1084.60")) == Decimal("21.57")
    assert build.tax_on(pension, Decimal("999.99")) == 0


def test_payments_follow_the_business_clock_and_stop_at_the_end_of_the_term():
    peteris = build.person(PETERIS)
    assert build.payments(peteris, dt.date(2026, 11, 4))[-1].date == dt.date(2026, 10, 5)
    assert build.payments(peteris, dt.date(2026, 11, 5))[-1].date == dt.date(2026, 11, 5)
    last = build.payments(peteris, dt.date(2027, 6, 1))[-1]
    assert (last.date, last.period_to) == (dt.date(2027, 2, 5), dt.date(2027, 2, 10))
    assert build.next_payment(peteris["benefits"][0], dt.date(2027, 2, 6)) is None


def test_benefits_read_into_the_client_model():
    payments = build.payments(build.person(RASMA), TODAY)
    assert sum(p.deductions for p in payments) == Decimal("90.00")
    answer = Benefits.model_validate(
        {
            "as_of": sandbox_vsaa.as_of(TODAY),
            "benefits": [
                {
                    "code": "old_age_pension",
                    "service": "vecuma-pensija",
                    "status": "granted",
                    "since": "2007-12-01",
                    "until": None,
                    "frequency": "monthly",
                    "amount": build.money(Decimal("1084.6")),
                    "account": statements.masked("LV18UNLA0050014567890"),
                    "payments": [sandbox_vsaa.payment_json(p) for p in payments],
                    "next_payment": None,
                }
            ],
        }
    )
    assert answer.benefits[0].account == "LV** UNLA …7890"
    assert answer.benefits[0].amount.amount == Decimal("1084.60")


@pytest.mark.parametrize(
    ("birth", "retires"),
    [(dt.date(1962, 1, 15), dt.date(2027, 1, 15)), (dt.date(1964, 2, 29), dt.date(2029, 2, 28))],
)
def test_the_retirement_date_is_the_65th_birthday(birth, retires):
    assert build.retirement_date(birth) == retires


def test_a_projection_is_offered_from_50_and_a_pensioner_sees_her_pension():
    assert statements.statement(JANIS, "EP61", TODAY, None)["data"]["status"] == "projected"
    assert statements.statement(RASMA, "EP61", TODAY, None)["data"]["status"] == "receiving"
    assert statements.statement(PETERIS, "EP61", TODAY, None)["available"] is False  # 48


def test_answers_are_as_of_six_in_the_morning_riga_time():
    assert sandbox_vsaa.as_of(TODAY) == "2026-11-20T06:00:00+02:00"
    assert sandbox_vsaa.as_of(dt.date(2027, 7, 1)) == "2027-07-01T06:00:00+03:00"
