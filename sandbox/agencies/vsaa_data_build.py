"""VSAA's person data in the sandbox, computed from sandbox/agencies/data/vsaa_persons.yaml for a given day.

Pure functions of (the data file, the person, the business clock's day): the HTTP side is vsaa_data.py. Figures
that follow from others are computed here so that the statements agree with each other: pillar-1 contributions
and pension capital from the contribution bases, the pillar-2 account from its rates and returns, payments, tax
and deductions from the benefits. Money is Decimal, rounded half up to cents, and goes out as a string.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "vsaa_persons.yaml"
CENT = Decimal("0.01")
ZERO = Decimal("0")
# EP61 is offered from this age: younger people's projections say too little to be worth a statement.
PROJECTION_FROM_AGE = 50


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal) -> dict[str, str]:
    return {"amount": str(cents(value)), "currency": "EUR"}


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@functools.cache
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return loaded


def person(personal_code: str) -> dict[str, Any]:
    """What VSAA holds about a person; an empty record for someone it holds nothing about."""
    found: dict[str, Any] = data()["persons"].get(personal_code, {})
    return found


def by_year(table: dict[int, str], year: int) -> Decimal | None:
    """The value of a table whose entries hold until the next listed year."""
    listed = [y for y in table if y <= year]
    return Decimal(table[max(listed)]) if listed else None


# Contributions and the pension capital


@dataclass(frozen=True)
class ContributionYear:
    year: int
    base: Decimal
    months: int
    pillar2_share: Decimal  # the fraction of the year's base on which pillar-2 contributions were paid

    @property
    def pension_contributions(self) -> Decimal:
        return cents(self.base * Decimal(data()["pension_contribution_rate"]))

    @property
    def pillar2_contributions(self) -> Decimal:
        rate = by_year(data()["pillar2_rates"], self.year) or ZERO
        return cents(self.base * self.pillar2_share * rate)

    @property
    def pillar1_contributions(self) -> Decimal:
        return self.pension_contributions - self.pillar2_contributions


def contribution_years(record: dict[str, Any]) -> list[ContributionYear]:
    pillar2 = record.get("pillar2") or {}
    joined = day(pillar2.get("joined_on")) if pillar2.get("role") == "participant" else None
    years = []
    for year, (base, months) in sorted(record.get("contributions", {}).items()):
        share = ZERO
        if joined and year > joined.year:
            share = Decimal(1)
        elif joined and year == joined.year:
            # Only the months after joining count; a first job that began on joining counts whole.
            share = min(Decimal(1), Decimal(13 - joined.month) / Decimal(months))
        years.append(ContributionYear(year, Decimal(base), months, share))
    return years


def initial_capital(record: dict[str, Any]) -> Decimal:
    """The capital for the record before 1996: the person's average contribution base of 1996–1999, times the
    years of that record, times the contribution rate (the law's formula, without its national-average floor)."""
    before = record.get("record_before_1996") or {"years": 0, "months": 0, "days": 0}
    record_years = Decimal(before["years"]) + Decimal(before["months"]) / 12 + Decimal(before["days"]) / 365
    bases = [c.base for c in contribution_years(record) if 1996 <= c.year <= 1999]
    if not bases or not record_years:
        return ZERO
    return cents(sum(bases, ZERO) / len(bases) * record_years * Decimal(data()["pension_contribution_rate"]))


@dataclass(frozen=True)
class CapitalYear:
    year: int
    contributions: Decimal
    index: Decimal
    indexation: Decimal
    capital: Decimal


def pension_capital(record: dict[str, Any]) -> list[CapitalYear]:
    """Pillar-1 capital at the end of each year, from the first year of contributions to the last (or to the
    year of retirement, when the capital became the pension)."""
    contributions = {c.year: c.pillar1_contributions for c in contribution_years(record)}
    if not contributions:
        return []
    capital = initial_capital(record) if min(contributions) == 1996 else ZERO
    rows = []
    for year in range(min(contributions), max(contributions) + 1):
        index = max(Decimal(data()["capital_index"].get(year, "1")), Decimal(1)) if year > 1996 else Decimal(1)
        indexation = cents(capital * (index - 1))
        capital = capital + indexation + contributions.get(year, ZERO)
        rows.append(CapitalYear(year, contributions.get(year, ZERO), index, indexation, capital))
    return rows


def insurance_record(record: dict[str, Any]) -> dict[str, Any]:
    """The registered length of service (EP47): the record before 1996 as registered, and since 1996 the months
    for which contributions were made."""
    before = record.get("record_before_1996") or {"years": 0, "months": 0, "days": 0}
    since_months = sum(c.months for c in contribution_years(record))
    total_months = before["years"] * 12 + before["months"] + since_months
    return {
        "before_1996": {"years": before["years"], "months": before["months"], "days": before["days"]},
        "since_1996": {"years": since_months // 12, "months": since_months % 12, "days": 0},
        "total": {"years": total_months // 12, "months": total_months % 12, "days": before["days"]},
    }


def record_months(record: dict[str, Any]) -> int:
    total = insurance_record(record)["total"]
    months: int = total["years"] * 12 + total["months"]
    return months


# The pillar-2 account


@dataclass(frozen=True)
class AccountYear:
    year: int
    opening: Decimal
    contributions: Decimal
    returns: Decimal
    fees: Decimal
    inherited: Decimal
    transferred_out: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.contributions + self.returns - self.fees + self.inherited - self.transferred_out


def pillar2_years(record: dict[str, Any]) -> list[AccountYear]:
    pillar2 = record.get("pillar2")
    if not pillar2:
        return []
    if pillar2["role"] == "heir":
        # An heir's account holds the inherited capital only until it is settled (paid out or added).
        return [
            AccountYear(day(i["settled_on"]).year, ZERO, ZERO, ZERO, ZERO, Decimal(i["amount"]), Decimal(i["amount"]))
            for i in pillar2.get("inherited", [])
        ]
    fee_rate = Decimal(data()["pillar2_fee_rate"])
    rows, value = [], ZERO
    for contribution in contribution_years(record):
        if contribution.pillar2_share == 0:
            continue
        paid = contribution.pillar2_contributions
        invested = value + paid / 2  # contributions arrive through the year
        returns = cents(invested * Decimal(data()["pillar2_returns"].get(contribution.year, "0")))
        fees = cents(invested * fee_rate)
        row = AccountYear(contribution.year, value, paid, returns, fees, ZERO, ZERO)
        rows.append(row)
        value = row.closing
    return rows


# Benefits and their payments


@dataclass(frozen=True)
class Payment:
    benefit: str
    date: dt.date
    period_from: dt.date
    period_to: dt.date
    gross: Decimal
    tax: Decimal
    deductions: Decimal
    account: str | None

    @property
    def net(self) -> Decimal:
        return self.gross - self.tax - self.deductions


def amount_on(benefit: dict[str, Any], when: dt.date) -> Decimal | None:
    """The amount in effect on a day (amounts change on their `from` days: grant, indexation, recalculation)."""
    current = None
    for change in benefit["amounts"]:
        if day(change["from"]) <= when:
            current = Decimal(change["amount"])
    return current


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def tax_on(benefit: dict[str, Any], gross: Decimal) -> Decimal:
    tax = benefit["tax"]
    return cents(max(ZERO, gross - Decimal(tax["non_taxable_monthly"])) * Decimal(tax["rate"]))


def payment_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """Payments are kept online for the current and the previous calendar year."""
    return dt.date(today.year - 1, 1, 1), today


def payments(record: dict[str, Any], today: dt.date) -> list[Payment]:
    start, end = payment_window(today)
    account = (record.get("account") or {}).get("iban")
    found: list[Payment] = []
    for benefit in record.get("benefits", []):
        deductions: dict[dt.date, Decimal] = {}
        for deduction in benefit.get("deductions", []):
            when = day(deduction["date"])
            deductions[when] = deductions.get(when, ZERO) + Decimal(deduction["amount"])
        for when, period_from, period_to, gross in _payment_schedule(benefit, start, end):
            found.append(
                Payment(
                    benefit["code"],
                    when,
                    period_from,
                    period_to,
                    gross,
                    tax_on(benefit, gross),
                    deductions.get(when, ZERO),
                    account,
                )
            )
    return sorted(found, key=lambda p: (p.date, p.benefit))


def _payment_schedule(
    benefit: dict[str, Any], start: dt.date, end: dt.date
) -> list[tuple[dt.date, dt.date, dt.date, Decimal]]:
    since, until = day(benefit["since"]), day(benefit.get("until"))
    assert since is not None
    if benefit["frequency"] != "monthly":
        schedule = []
        for paid in benefit.get("payments", []):
            period_from, period_to = day(paid["from"]), day(paid["to"])
            assert period_from and period_to
            days = (period_to - period_from).days + 1
            gross = cents(Decimal(days) * (amount_on(benefit, period_from) or ZERO))
            schedule.append((day(paid["date"]), period_from, period_to, gross))
        return [s for s in schedule if s[0] and start <= s[0] <= end]
    schedule = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        first, last = dt.date(year, month, 1), _month_end(year, month)
        paid_on = dt.date(year, month, benefit["payday"])
        if since <= last and (until is None or first <= until) and paid_on <= end:
            period_from, period_to = max(first, since), min(last, until) if until else last
            schedule.append((paid_on, period_from, period_to, amount_on(benefit, period_from) or ZERO))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return schedule


def next_payment(benefit: dict[str, Any], today: dt.date) -> tuple[dt.date, Decimal] | None:
    if benefit["frequency"] != "monthly":
        return None
    until = day(benefit.get("until"))
    year, month = today.year, today.month
    for _ in range(2):
        paid_on = dt.date(year, month, benefit["payday"])
        if paid_on > today and (until is None or dt.date(year, month, 1) <= until):
            return paid_on, amount_on(benefit, dt.date(year, month, 1)) or ZERO
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def benefits_in_view(record: dict[str, Any], today: dt.date) -> list[dict[str, Any]]:
    """Benefits granted by today that are current or ended within the payment window."""
    start, _ = payment_window(today)
    return [
        b
        for b in record.get("benefits", [])
        if day(b["since"]) <= today and (not b.get("until") or day(b["until"]) >= start)
    ]


def benefit_status(benefit: dict[str, Any], today: dt.date) -> str:
    until = day(benefit.get("until"))
    return "ended" if until and until < today else "granted"


def age_on(birth: dt.date, when: dt.date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


def retirement_date(birth: dt.date) -> dt.date:
    age = data()["retirement_age"]
    months = birth.month - 1 + age["months"]
    year = birth.year + age["years"] + months // 12
    month = months % 12 + 1
    return dt.date(year, month, min(birth.day, _month_end(year, month).day))
