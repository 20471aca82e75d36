"""A statement's figures as accessible tables: a caption, column headers, and each row's first cell its header.

One builder per kind reads the kind's full data (portal/agencies/vsaa_statements.py); money, dates and numbers
are formatted in the reader's language here, so the template only lays the cells out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal.agencies import vsaa_statements as vs
from portal.agencies.vsaa_data import INHERITANCE_CHOICES
from portal.statements import labels
from portal.statements.chart import projection_parts
from portal.statements.formats import amount_phrase, day, duration, money, percent
from portal.web.i18n import format_money, format_number, gettext


@dataclass(frozen=True)
class Table:
    """`head`: the column headers; `rows`: each row's first cell is its header (`th scope="row"`). `numeric`:
    the columns aligned to the right for comparing figures. `total`: a last row of totals, set apart."""

    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()
    total: tuple[str, ...] | None = None


def _table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]], **extra: Any) -> Table:
    return Table(caption, tuple(head), tuple(tuple(row) for row in rows), **extra)


def _pairs(caption: str, pairs: Sequence[tuple[str, str]]) -> Table:
    """A two-column table of named values (a record, not a list)."""
    rows = [pair for pair in pairs if pair[1]]
    return _table(caption, (gettext("What"), gettext("Value")), rows)


def _periods(periods: Sequence[vs.InsurancePeriod]) -> Table:
    rows = [
        (
            day(p.start),
            day(p.end) or gettext("continues"),
            labels.label(labels.PERIOD_KINDS, p.kind),
            p.employer or "",
        )
        for p in periods
    ]
    head = (gettext("From"), gettext("Until"), gettext("What counted"), gettext("Employer"))
    return _table(gettext("Insurance periods"), head, rows)


def _ep43(data: vs.EP43Data) -> list[Table]:
    head = (
        gettext("Year"),
        gettext("Months insured"),
        gettext("Contribution base"),
        gettext("Pension insurance contributions"),
        gettext("To pillar 1"),
        gettext("To pillar 2"),
    )
    rows = [
        (
            str(y.year),
            format_number(y.months_insured),
            money(y.contribution_base),
            money(y.pension_contributions),
            money(y.pillar1_contributions),
            money(y.pillar2_contributions),
        )
        for y in data.years
    ]
    by_year = _table(gettext("Contributions by year"), head, rows, numeric=frozenset({1, 2, 3, 4, 5}))
    return [by_year, _periods(data.periods)]


def _ep44(data: vs.EP44Data) -> list[Table]:
    head = (
        gettext("Year"),
        gettext("At the start of the year"),
        gettext("Contributions"),
        gettext("Returns"),
        gettext("Fees"),
        gettext("Inherited"),
        gettext("Transferred out"),
        gettext("At the end of the year"),
    )
    rows = [
        (
            str(y.year),
            money(y.opening_value),
            money(y.contributions),
            money(y.returns),
            money(y.fees),
            money(y.inherited),
            money(y.transferred_out),
            money(y.closing_value),
        )
        for y in data.years
    ]
    return [_table(gettext("Pillar-2 account by year"), head, rows, numeric=frozenset(range(1, 8)))]


def _ep45(data: vs.EP45Data) -> list[Table]:
    tables = []
    if data.role == "participant":
        choice = labels.label(INHERITANCE_CHOICES, data.choice) if data.choice else gettext("Not chosen")
        pairs = [(gettext("Who inherits the pillar-2 capital"), choice), (gettext("Chosen on"), day(data.chosen_on))]
        tables.append(_pairs(gettext("Your choice"), pairs))
    if data.inherited:
        head = (gettext("From"), gettext("Date of death"), gettext("Amount"), gettext("Settled on"), gettext("How"))
        rows = [
            (
                i.from_participant,
                day(i.date_of_death),
                money(i.amount),
                day(i.settled_on),
                labels.label(labels.INHERITED_HOW, i.how),
            )
            for i in data.inherited
        ]
        tables.append(_table(gettext("Pillar-2 capital inherited"), head, rows, numeric=frozenset({2})))
    return tables


def _ep46(data: vs.EP46Data) -> list[Table]:
    head = (
        gettext("Benefit"),
        gettext("Paid before tax"),
        gettext("Tax withheld"),
        gettext("Deducted"),
        gettext("Paid out"),
    )
    rows = [
        (labels.benefit(b.code), money(b.gross), money(b.tax), money(b.deductions), money(b.net))
        for b in data.by_benefit
    ]
    deducted = sum((b.deductions.amount for b in data.by_benefit), Decimal(0))
    total = (
        gettext("Total"),
        money(data.total_gross),
        money(data.total_tax),
        format_money(deducted),
        money(data.total_net),
    )
    return [_table(gettext("Payments and tax by benefit"), head, rows, numeric=frozenset({1, 2, 3, 4}), total=total)]


def _ep47(data: vs.EP47Data) -> list[Table]:
    pairs = [
        (gettext("Before 1996"), duration(data.before_1996)),
        (gettext("Since 1996"), duration(data.since_1996)),
        (gettext("Total"), duration(data.total)),
    ]
    return [_pairs(gettext("Length of insurance record"), pairs), _periods(data.periods)]


def _ep48(data: vs.EP48Data) -> list[Table]:
    head = (
        gettext("Year"),
        gettext("Contributions"),
        gettext("Index"),
        gettext("Indexation"),
        gettext("Capital at the end of the year"),
    )
    rows = [
        (str(y.year), money(y.contributions), format_number(y.index), money(y.indexation), money(y.capital))
        for y in data.years
    ]
    return [_table(gettext("Pension capital by year"), head, rows, numeric=frozenset({1, 2, 3, 4}))]


def _ep49(data: vs.EP49Data) -> list[Table]:
    pairs = [
        (gettext("Role"), labels.label(labels.ROLES, data.role)),
        (gettext("Joined pillar 2 on"), day(data.joined_on)),
        (gettext("Fund manager"), data.manager),
        (gettext("Investment plan"), data.plan),
        (gettext("Risk profile"), labels.label(labels.RISK_PROFILES, data.risk_profile)),
        (gettext("Plan chosen on"), day(data.plan_since)),
        (
            gettext("Pillar-2 contribution rate"),
            percent(data.contribution_rate) if data.contribution_rate is not None else "",
        ),
    ]
    return [_pairs(gettext("Pillar-2 registration"), pairs)]


def _ep50(data: vs.EP50Data) -> list[Table]:
    head = (gettext("Date"), gettext("Deducted from"), gettext("Reason"), gettext("Note"), gettext("Amount"))
    rows = [
        (
            day(d.date),
            labels.benefit(d.benefit),
            labels.label(labels.DEDUCTION_REASONS, d.reason),
            d.note or "",
            money(d.amount),
        )
        for d in data.deductions
    ]
    total = (gettext("Total"), "", "", "", money(data.total))
    return [_table(gettext("Deductions"), head, rows, numeric=frozenset({4}), total=total)]


def _ep51(data: vs.EP51Data) -> list[Table]:
    head = (gettext("Benefit"), gettext("Status"), gettext("From"), gettext("Until"), gettext("Amount"))
    rows = [
        (
            labels.benefit(b.code),
            labels.label(labels.BENEFIT_STATUS, b.status),
            day(b.since),
            day(b.until),
            amount_phrase(b.frequency, b.amount),
        )
        for b in data.benefits
    ]
    tables = [_table(gettext("Granted pensions and benefits"), head, rows)]
    for b in data.benefits:
        name = labels.benefit(b.code)
        changes = [(day(c.from_), money(c.amount), labels.label(labels.CHANGE_REASONS, c.reason)) for c in b.changes]
        caption = gettext("How the amount of %(benefit)s changed") % {"benefit": name}
        tables.append(
            _table(caption, (gettext("From"), gettext("Amount"), gettext("Why")), changes, numeric=frozenset({1}))
        )
        if len(b.components) > 1:
            parts = [(labels.label(labels.AMOUNT_PARTS, p.key), money(p.amount)) for p in b.components]
            caption = gettext("What the amount of %(benefit)s is made of") % {"benefit": name}
            tables.append(_table(caption, (gettext("Part"), gettext("Amount")), parts, numeric=frozenset({1})))
    return tables


def _ep52(data: vs.EP52Data) -> list[Table]:
    head = (gettext("Date"), gettext("Benefit"), gettext("For the period"), gettext("Paid out"), gettext("Account"))
    rows = [
        (
            day(p.date),
            labels.benefit(p.benefit),
            gettext("%(start)s – %(end)s") % {"start": day(p.period_from), "end": day(p.period_to)},
            money(p.net),
            p.account or "",
        )
        for p in data.payments
    ]
    total = (gettext("Total"), "", "", money(data.total_net), "")
    return [_table(gettext("Payments sent"), head, rows, numeric=frozenset({3}), total=total)]


def _ep53(data: vs.EP53Data) -> list[Table]:
    head = (gettext("Month"), gettext("Taxable income"), gettext("Tax withheld"))
    rows = [(labels.month(m.month), money(m.taxable_income), money(m.tax)) for m in data.months]
    total = (gettext("Total"), "", money(data.total_tax))
    return [_table(gettext("Income tax withheld by month"), head, rows, numeric=frozenset({1, 2}), total=total)]


def _ep61(data: vs.EP61Data) -> list[Table]:
    rows = [(part.label, part.value) for part in projection_parts(data)]
    return [
        _table(
            gettext("How the projected pension is counted"),
            (gettext("What"), gettext("Amount")),
            rows,
            numeric=frozenset({1}),
        )
    ]


BUILDERS: dict[str, Callable[[Any], list[Table]]] = {
    "EP43": _ep43,
    "EP44": _ep44,
    "EP45": _ep45,
    "EP46": _ep46,
    "EP47": _ep47,
    "EP48": _ep48,
    "EP49": _ep49,
    "EP50": _ep50,
    "EP51": _ep51,
    "EP52": _ep52,
    "EP53": _ep53,
    "EP61": _ep61,
}


def tables_of(data: Any) -> list[Table]:
    """The tables of a kind's full data; none for data of a kind this portal does not know."""
    builder = BUILDERS.get(getattr(data, "kind", ""))
    return builder(data) if builder else []
