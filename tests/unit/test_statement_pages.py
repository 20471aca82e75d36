"""The statement pages' pieces without I/O: the projected pension's chart in its edge cases (what VSAA may leave
out), and a statement this portal cannot read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portal.agencies import vsaa_statements as vs
from portal.statements.chart import WIDTH, projection_chart, projection_parts
from portal.statements.service import full_statement_of
from portal.statements.tables import tables_of
from portal.web.i18n import set_locale


def money(amount: str) -> vs.Money:
    return vs.Money(amount=Decimal(amount), currency="EUR")


def ep61(pillar1: str | None, pillar2: str | None, months: int | None = 200) -> vs.EP61Data:
    return vs.EP61Data(
        kind="EP61",
        status="projected",
        retirement_date=dt.date(2030, 5, 1),
        pillar1_capital=money(pillar1) if pillar1 else None,
        pillar2_capital=money(pillar2) if pillar2 else None,
        life_expectancy_months=months,
        monthly_amount=money("300.00"),
    )


@pytest.fixture(autouse=True)
def english() -> None:
    set_locale("en")


def test_the_largest_bar_fills_the_width_and_the_others_are_to_scale():
    chart = projection_chart(ep61("30000.00", "10000.00"))
    assert chart is not None
    widths = {bar.css: bar.width for bar in chart.bars}
    assert widths == {"pillar1": 450, "pillar2": 150, "together": WIDTH}
    assert chart.view_box == f"0 0 {WIDTH} {3 * 76}"
    assert "€30,000.00" in chart.description and "€40,000.00" in chart.description


def test_only_the_capitals_given_are_drawn_and_no_sum_of_one():
    chart = projection_chart(ep61("30000.00", None))
    assert chart is not None and [bar.css for bar in chart.bars] == ["pillar1"]
    labels = [part.label for part in projection_parts(ep61("30000.00", None, months=None))]
    assert "Capital together" not in labels and "Expected time a pension is paid" not in labels


def test_no_capital_no_chart():
    assert projection_chart(ep61(None, None)) is None
    assert projection_chart(ep61("0.00", "0.00")) is None


def test_the_months_are_also_said_in_years():
    parts = {part.label: part.value for part in projection_parts(ep61("1.00", "1.00", months=221))}
    assert parts["Expected time a pension is paid"] == "221 months (18 years and 5 months)"


def test_a_kept_answer_the_portal_cannot_read_is_none_not_an_error():
    assert full_statement_of({"kind": "EP61", "available": True}) is None
    assert full_statement_of(None) is None
    assert tables_of(None) == []
