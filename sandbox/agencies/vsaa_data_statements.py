"""The 12 statement kinds of VSAA in the sandbox: each kind's full data and its key figures, for one person on
one day of the business clock (the contract: portal/agencies/contracts/vsaa-person-data.yaml).

How `year` is read, by kind:
    EP43, EP44, EP48   history by year: no year → every year; a year → that year's row only
    EP46, EP50, EP52, EP53  payments by year (current and previous calendar year): no year → the latest year with
                       payments; a year → that year
    EP45, EP47, EP49, EP51, EP61  the state today: the year is not used (the answer's `year` is null)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sandbox.agencies import vsaa_data_build as build
from sandbox.agencies.vsaa_data_build import ZERO, day, money

KINDS = ("EP43", "EP44", "EP45", "EP46", "EP47", "EP48", "EP49", "EP50", "EP51", "EP52", "EP53", "EP61")
HISTORY_KINDS = ("EP43", "EP44", "EP48")
PAYMENT_KINDS = ("EP46", "EP50", "EP52", "EP53")

Built = tuple[dict[str, Any], list[dict[str, Any]], list[int]]  # (data, figures, years with data)


def figure(key: str, kind: str, **values: Any) -> dict[str, Any]:
    """One key figure; `values` sets the fields its type uses, the rest stay null."""
    base: dict[str, Any] = {"key": key, "type": kind, "amount": None, "currency": None}
    base |= {"date": None, "number": None, "text": None, "year": None}
    if "money" in values:
        amount = values.pop("money")
        base |= {"amount": str(build.cents(amount)), "currency": "EUR"}
    return base | values


def _latest_before(years: list[int], today: dt.date) -> int:
    """The last complete year with data, else the last year with data."""
    complete = [y for y in years if y < today.year]
    return max(complete) if complete else max(years)


def ep43(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    years = build.contribution_years(record)
    if not years and not record.get("periods"):
        return None
    rows = [
        {
            "year": c.year,
            "months_insured": c.months,
            "contribution_base": money(c.base),
            "pension_contributions": money(c.pension_contributions),
            "pillar1_contributions": money(c.pillar1_contributions),
            "pillar2_contributions": money(c.pillar2_contributions),
        }
        for c in years
        if year is None or c.year == year
    ]
    periods = [
        {"start": p["start"], "end": p["end"], "kind": p["kind"], "employer": p["employer"]}
        for p in record.get("periods", [])
    ]
    figures = []
    if years:
        latest = next(c for c in years if c.year == _latest_before([c.year for c in years], today))
        figures = [
            figure("contribution_base", "money", money=latest.base, year=latest.year),
            figure("pension_contributions", "money", money=latest.pension_contributions, year=latest.year),
            figure("insured_months", "number", number=latest.months, year=latest.year),
        ]
    return {"years": rows, "periods": periods}, figures, [c.year for c in years]


def ep44(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    rows = build.pillar2_years(record)
    if not rows:
        return None
    pillar2 = record["pillar2"]
    data = {
        "role": pillar2["role"],
        "manager": pillar2["manager"],
        "plan": pillar2["plan"],
        "years": [
            {
                "year": r.year,
                "opening_value": money(r.opening),
                "contributions": money(r.contributions),
                "returns": money(r.returns),
                "fees": money(r.fees),
                "inherited": money(r.inherited),
                "transferred_out": money(r.transferred_out),
                "closing_value": money(r.closing),
            }
            for r in rows
            if year is None or r.year == year
        ],
    }
    last = rows[-1]
    return data, [figure("pillar2_value", "money", money=last.closing, year=last.year)], [r.year for r in rows]


def ep45(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    pillar2 = record.get("pillar2") or {}
    inherited = pillar2.get("inherited", [])
    if not pillar2.get("inheritance_choice") and not inherited:
        return None
    data = {
        "role": pillar2["role"],
        "choice": pillar2.get("inheritance_choice"),
        "chosen_on": pillar2.get("inheritance_chosen_on"),
        "inherited": [
            {
                "from_participant": i["from_participant"],
                "date_of_death": i["date_of_death"],
                "amount": money(Decimal(i["amount"])),
                "settled_on": i["settled_on"],
                "how": i["how"],
            }
            for i in inherited
        ],
    }
    figures = [figure("pillar2_inheritance_choice", "text", text=data["choice"])] if data["choice"] else []
    figures += [
        figure("inherited_pillar2_capital", "money", money=Decimal(i["amount"]), date=i["settled_on"])
        for i in inherited
    ]
    return data, figures, []


def ep47(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    if not record.get("periods"):
        return None
    data = build.insurance_record(record)
    total = data["total"]
    data["periods"] = ep43(record, today, None)[0]["periods"]
    duration = f"P{total['years']}Y{total['months']}M" + (f"{total['days']}D" if total["days"] else "")
    return data, [figure("insurance_record", "period", text=duration, number=build.record_months(record))], []


def ep48(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    rows = build.pension_capital(record)
    if not rows:
        return None
    data = {
        "initial_capital": money(build.initial_capital(record)),
        "converted_to_pension_on": record.get("retired_on"),
        "years": [
            {
                "year": r.year,
                "contributions": money(r.contributions),
                "index": f"{r.index:.4f}",
                "indexation": money(r.indexation),
                "capital": money(r.capital),
            }
            for r in rows
            if year is None or r.year == year
        ],
    }
    last = rows[-1]
    return data, [figure("pension_capital", "money", money=last.capital, year=last.year)], [r.year for r in rows]


def ep49(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    pillar2 = record.get("pillar2")
    if not pillar2:
        return None
    rate = build.by_year(build.data()["pillar2_rates"], today.year) if pillar2["role"] == "participant" else None
    data = {
        "role": pillar2["role"],
        "joined_on": pillar2["joined_on"],
        "manager": pillar2["manager"],
        "plan": pillar2["plan"],
        "risk_profile": pillar2["risk_profile"],
        "plan_since": pillar2["plan_since"],
        "contribution_rate": str(rate) if rate is not None else None,
    }
    figures = [
        figure("pillar2_plan", "text", text=pillar2["plan"]),
        figure("pillar2_joined_on", "date", date=pillar2["joined_on"]),
    ]
    return data, figures, []


def ep51(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    benefits = build.benefits_in_view(record, today)
    if not benefits:
        return None
    items, figures = [], []
    for benefit in benefits:
        current = build.amount_on(benefit, min(today, day(benefit.get("until")) or today)) or ZERO
        components = benefit.get("components") or {"base": str(current)}
        items.append(
            {
                "code": benefit["code"],
                "service": benefit.get("service"),
                "status": build.benefit_status(benefit, today),
                "since": benefit["since"],
                "until": benefit.get("until"),
                "frequency": benefit["frequency"],
                "amount": money(current),
                "components": [{"key": k, "amount": money(Decimal(v))} for k, v in components.items()],
                "changes": [
                    {"from": c["from"], "amount": money(Decimal(c["amount"])), "reason": c["reason"]}
                    for c in benefit["amounts"]
                    if day(c["from"]) <= today
                ],
            }
        )
        figures.append(figure("granted_amount", "money", money=current, text=benefit["code"]))
    return {"benefits": items}, figures, []


def _payments_of_year(record: dict[str, Any], today: dt.date, year: int | None) -> tuple[list[Any], int, list[int]]:
    paid = build.payments(record, today)
    years = sorted({p.date.year for p in paid})
    chosen = year if year is not None else (max(years) if years else today.year)
    return [p for p in paid if p.date.year == chosen], chosen, years


def ep46(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    paid, chosen, years = _payments_of_year(record, today, year)
    if not years:
        return None
    by_benefit = []
    for code in sorted({p.benefit for p in paid}):
        mine = [p for p in paid if p.benefit == code]
        by_benefit.append(
            {
                "code": code,
                "gross": money(sum((p.gross for p in mine), ZERO)),
                "tax": money(sum((p.tax for p in mine), ZERO)),
                "deductions": money(sum((p.deductions for p in mine), ZERO)),
                "net": money(sum((p.net for p in mine), ZERO)),
            }
        )
    gross, tax = sum((p.gross for p in paid), ZERO), sum((p.tax for p in paid), ZERO)
    net = sum((p.net for p in paid), ZERO)
    data = {"by_benefit": by_benefit, "total_gross": money(gross), "total_tax": money(tax), "total_net": money(net)}
    figures = [
        figure("paid_gross", "money", money=gross, year=chosen),
        figure("tax_withheld", "money", money=tax, year=chosen),
    ]
    return data, figures, years


def ep50(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    start, end = build.payment_window(today)
    deductions = [
        (d, b["code"])
        for b in record.get("benefits", [])
        for d in b.get("deductions", [])
        if start <= day(d["date"]) <= end
    ]
    years = sorted({day(d["date"]).year for d, _ in deductions})
    if not years:
        return None
    chosen = year if year is not None else max(years)
    items = [
        {
            "date": d["date"],
            "benefit": code,
            "reason": d["reason"],
            "note": d.get("note"),
            "amount": money(Decimal(d["amount"])),
        }
        for d, code in sorted(deductions, key=lambda x: x[0]["date"])
        if day(d["date"]).year == chosen
    ]
    total = sum((Decimal(i["amount"]["amount"]) for i in items), ZERO)
    figures = [figure("deductions_total", "money", money=total, year=chosen)]
    return {"deductions": items, "total": money(total)}, figures, years


def ep52(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    paid, chosen, years = _payments_of_year(record, today, year)
    if not years:
        return None
    items = [
        {
            "date": p.date.isoformat(),
            "benefit": p.benefit,
            "period_from": p.period_from.isoformat(),
            "period_to": p.period_to.isoformat(),
            "net": money(p.net),
            "account": masked(p.account),
        }
        for p in paid
    ]
    total = sum((p.net for p in paid), ZERO)
    figures = [figure("paid_net", "money", money=total, year=chosen)]
    if paid:
        figures.append(figure("last_payment", "money", money=paid[-1].net, date=paid[-1].date.isoformat()))
    return {"payments": items, "total_net": money(total)}, figures, years


def ep53(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    all_paid = build.payments(record, today)
    years = sorted({p.date.year for p in all_paid if p.tax > 0})
    if not years:
        return None
    chosen = year if year is not None else max(years)
    paid = [p for p in all_paid if p.date.year == chosen]
    months = []
    for month in sorted({p.date.month for p in paid}):
        mine = [p for p in paid if p.date.month == month]
        months.append(
            {
                "month": month,
                "taxable_income": money(sum((p.gross for p in mine), ZERO)),
                "tax": money(sum((p.tax for p in mine), ZERO)),
            }
        )
    total = sum((p.tax for p in paid), ZERO)
    figures = [figure("tax_withheld", "money", money=total, year=chosen)]
    return {"months": months, "total_tax": money(total)}, figures, years


def ep61(record: dict[str, Any], today: dt.date, year: int | None) -> Built | None:
    pension = next((b for b in record.get("benefits", []) if b["code"] == "old_age_pension"), None)
    if pension:
        amount = build.amount_on(pension, today) or ZERO
        data = {
            "status": "receiving",
            "retirement_date": pension["since"],
            "pillar1_capital": None,
            "pillar2_capital": None,
            "life_expectancy_months": None,
            "monthly_amount": money(amount),
        }
        figures = [
            figure("projected_pension", "money", money=amount),
            figure("retirement_date", "date", date=pension["since"]),
        ]
        return data, figures, []
    birth, capital = day(record.get("birth_date")), build.pension_capital(record)
    if birth is None or not capital or build.age_on(birth, today) < build.PROJECTION_FROM_AGE:
        return None
    retires = build.retirement_date(birth)
    table = build.data()["life_expectancy_months"]
    months = table[min(max(retires.year, min(table)), max(table))]
    account = build.pillar2_years(record)
    pillar2 = account[-1].closing if account else ZERO
    # Pillar-2 capital is assumed added to the pillar-1 capital at retirement (the usual choice).
    monthly = (capital[-1].capital + pillar2) / months
    data = {
        "status": "projected",
        "retirement_date": retires.isoformat(),
        "pillar1_capital": money(capital[-1].capital),
        "pillar2_capital": money(pillar2),
        "life_expectancy_months": months,
        "monthly_amount": money(monthly),
    }
    figures = [
        figure("projected_pension", "money", money=monthly),
        figure("retirement_date", "date", date=retires.isoformat()),
    ]
    return data, figures, []


def masked(iban: str | None) -> str | None:
    """Statements show whose account without repeating it whole: country, bank and the last four digits."""
    return f"{iban[:2]}** {iban[4:8]} …{iban[-4:]}" if iban else None


BUILDERS: dict[str, Callable[[dict[str, Any], dt.date, int | None], Built | None]] = {
    "EP43": ep43,
    "EP44": ep44,
    "EP45": ep45,
    "EP46": ep46,
    "EP47": ep47,
    "EP48": ep48,
    "EP49": ep49,
    "EP50": ep50,
    "EP51": ep51,
    "EP52": ep52,
    "EP53": ep53,
    "EP61": ep61,
}


def statement(personal_code: str, kind: str, today: dt.date, year: int | None) -> dict[str, Any]:
    """The contract's Statement, without `as_of` (the caller adds it)."""
    built = BUILDERS[kind](build.person(personal_code), today, year)
    if built is None:
        return {"kind": kind, "available": False, "year": None, "years": [], "figures": [], "data": None}
    data, figures, years = built
    covered = None
    if kind in PAYMENT_KINDS:
        covered = year if year is not None else max(years)
    elif kind in HISTORY_KINDS:
        covered = year
    return {
        "kind": kind,
        "available": True,
        "year": covered,
        "years": years,
        "figures": figures,
        "data": {"kind": kind, **data},
    }


def summary(personal_code: str, today: dt.date) -> list[dict[str, Any]]:
    entries = []
    for kind in KINDS:
        full = statement(personal_code, kind, today, None)
        entries.append({"kind": kind, "available": full["available"], "figures": full["figures"]})
    return entries
