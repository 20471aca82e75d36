"""What each statement means for the person, in plain language and with their own figures: one or two short
paragraphs per kind, written for that kind (whole sentences as message ids, the figures inserted)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from portal.agencies import vsaa_statements as vs
from portal.agencies.vsaa_data import INHERITANCE_CHOICES
from portal.statements import labels
from portal.statements.formats import amount_phrase, day, duration, money, percent
from portal.web.i18n import format_money, gettext, ngettext


def _ep43(data: vs.EP43Data) -> list[str]:
    full = [y for y in data.years if y.months_insured == 12] or data.years
    if not full:
        return [gettext("VSAA has no contributions recorded for you.")]
    last = full[-1]
    return [
        gettext(
            "In %(year)s your contributions were counted from earnings of %(base)s, and %(contributions)s went to"
            " your pension insurance. You were insured for %(months)s that year."
        )
        % {
            "year": last.year,
            "base": money(last.contribution_base),
            "contributions": money(last.pension_contributions),
            "months": ngettext("%(num)d month", "%(num)d months", last.months_insured) % {"num": last.months_insured},
        },
        gettext(
            "Your pension is counted from these contributions. Check that every year and every employer below is"
            " there: if something is missing, tell VSAA."
        ),
    ]


def _ep44(data: vs.EP44Data) -> list[str]:
    last = data.years[-1] if data.years else None
    if data.role == "heir":
        first = gettext("This account holds the pillar-2 capital you inherited, in the plan %(plan)s.") % {
            "plan": data.plan
        }
    elif last is None:
        first = gettext("Your pillar-2 account has no entries yet.")
    else:
        first = gettext(
            "At the end of %(year)s your pillar-2 capital is %(value)s, invested in the plan %(plan)s managed by"
            " %(manager)s."
        ) % {"year": last.year, "value": money(last.closing_value), "plan": data.plan, "manager": data.manager}
    second = gettext(
        "Each year the account grows by the contributions and the plan's returns, less its fees. In some years the"
        " returns are negative: the capital is invested, and its value goes up and down."
    )
    return [first, second]


def _ep45(data: vs.EP45Data) -> list[str]:
    paragraphs = []
    if data.role == "participant" and data.choice:
        paragraphs.append(
            gettext(
                "If you die before you retire, your pillar-2 capital is handled as you chose on %(date)s: %(choice)s."
            )
            % {"date": day(data.chosen_on), "choice": labels.label(INHERITANCE_CHOICES, data.choice).lower()}
        )
    elif data.role == "participant":
        paragraphs.append(
            gettext("You have not chosen what happens to your pillar-2 capital if you die before you retire.")
        )
    paragraphs.extend(
        gettext("You inherited %(amount)s of pillar-2 capital from %(name)s; it was settled on %(date)s.")
        % {"amount": money(i.amount), "name": i.from_participant, "date": day(i.settled_on)}
        for i in data.inherited
    )
    if data.role == "participant":
        paragraphs.append(gettext("You can change your choice at any time until you retire, through VSAA."))
    return paragraphs


def _ep46(data: vs.EP46Data, year: int | None) -> list[str]:
    return [
        gettext(
            "In %(year)s VSAA paid you %(gross)s before tax. %(tax)s of income tax was withheld, and %(net)s was"
            " paid out to you."
        )
        % {"year": year, "gross": money(data.total_gross), "tax": money(data.total_tax), "net": money(data.total_net)},
        gettext("You may need these figures for your annual income tax return for %(year)s.") % {"year": year},
    ]


def _ep47(data: vs.EP47Data) -> list[str]:
    return [
        gettext("Your insurance record is %(total)s: %(before)s before 1996 and %(since)s since 1996.")
        % {"total": duration(data.total), "before": duration(data.before_1996), "since": duration(data.since_1996)},
        gettext(
            "The insurance record is the time that counts for your pension: your right to an old-age pension and"
            " its amount depend on it. Check the periods below."
        ),
    ]


def _ep48(data: vs.EP48Data) -> list[str]:
    last = data.years[-1] if data.years else None
    paragraphs = []
    if last is not None:
        paragraphs.append(
            gettext("Your pension capital in pillar 1 is %(capital)s at the end of %(year)s.")
            % {"capital": money(last.capital), "year": last.year}
        )
    paragraphs.append(
        gettext(
            "It is made of the capital for your insurance record before 1996 (%(initial)s), your pension insurance"
            " contributions since 1996 and their yearly indexation. Your old-age pension is counted from it."
        )
        % {"initial": money(data.initial_capital)}
    )
    if data.converted_to_pension_on is not None:
        paragraphs.append(
            gettext("The capital became your old-age pension on %(date)s.")
            % {"date": day(data.converted_to_pension_on)}
        )
    return paragraphs


def _ep49(data: vs.EP49Data) -> list[str]:
    facts = {
        "joined": day(data.joined_on),
        "plan": data.plan,
        "risk": labels.label(labels.RISK_PROFILES, data.risk_profile),
        "manager": data.manager,
        "since": day(data.plan_since),
    }
    if data.role == "heir":
        return [gettext("These are the pillar-2 details of the participant whose capital you inherited.")]
    paragraphs = [
        gettext(
            "You joined pillar 2 on %(joined)s. Since %(since)s your capital is invested in the plan %(plan)s"
            " (%(risk)s risk), managed by %(manager)s."
        )
        % facts
    ]
    if data.contribution_rate is not None:
        paragraphs.append(
            gettext("Of the contributions paid for your pension, %(rate)s of your gross earnings go to pillar 2.")
            % {"rate": percent(data.contribution_rate)}
        )
    return paragraphs


def _ep50(data: vs.EP50Data, year: int | None) -> list[str]:
    count = len(data.deductions)
    return [
        ngettext(
            "In %(year)s %(num)d deduction of %(total)s was made from your pensions and benefits.",
            "In %(year)s %(num)d deductions of %(total)s in total were made from your pensions and benefits.",
            count,
        )
        % {"year": year, "num": count, "total": money(data.total)},
        gettext("Each deduction below has its reason. If you think one is wrong, tell VSAA."),
    ]


def _ep51(data: vs.EP51Data) -> list[str]:
    paragraphs = []
    for b in data.benefits:
        facts = {
            "benefit": labels.benefit(b.code),
            "amount": amount_phrase(b.frequency, b.amount),
            "since": day(b.since),
            "until": day(b.until),
        }
        if b.status == "granted":
            paragraphs.append(gettext("%(benefit)s: you receive %(amount)s, since %(since)s.") % facts)
        else:
            paragraphs.append(gettext("%(benefit)s: you received %(amount)s, from %(since)s to %(until)s.") % facts)
    paragraphs.append(gettext("Below is how each amount came to be: when it was granted, indexed or recalculated."))
    return paragraphs


def _ep52(data: vs.EP52Data, year: int | None) -> list[str]:
    count = len(data.payments)
    paragraphs = [
        ngettext(
            "In %(year)s VSAA sent you %(num)d payment of %(total)s.",
            "In %(year)s VSAA sent you %(num)d payments, %(total)s in total.",
            count,
        )
        % {"year": year, "num": count, "total": money(data.total_net)}
    ]
    if data.payments:
        last = data.payments[-1]
        paragraphs.append(
            gettext("The last one, %(amount)s, was sent on %(date)s.")
            % {"amount": money(last.net), "date": day(last.date)}
        )
    return paragraphs


def _ep53(data: vs.EP53Data, year: int | None) -> list[str]:
    income = sum((m.taxable_income.amount for m in data.months), Decimal(0))
    return [
        gettext("In %(year)s %(tax)s of income tax was withheld from %(income)s of taxable pensions and benefits.")
        % {"year": year, "tax": money(data.total_tax), "income": format_money(income)},
        gettext("VSAA pays the tax withheld to the State Revenue Service for you."),
    ]


def _ep61(data: vs.EP61Data) -> list[str]:
    if data.status == "receiving":
        return [
            gettext("You receive an old-age pension of %(amount)s a month since %(date)s.")
            % {"amount": money(data.monthly_amount), "date": day(data.retirement_date)}
        ]
    paragraphs = [
        gettext("If you retire on %(date)s, your old-age pension would be about %(amount)s a month.")
        % {"date": day(data.retirement_date), "amount": money(data.monthly_amount)}
    ]
    if data.life_expectancy_months is not None:
        paragraphs.append(
            gettext(
                "This is your capital today, pillars 1 and 2 together, divided over the %(months)d months a pension is"
                " expected to be paid. It assumes no further contributions and no indexation, so working longer"
                " gives a larger pension."
            )
            % {"months": data.life_expectancy_months}
        )
    return paragraphs


BY_KIND: dict[str, Callable[[Any], list[str]]] = {
    "EP43": _ep43,
    "EP44": _ep44,
    "EP45": _ep45,
    "EP47": _ep47,
    "EP48": _ep48,
    "EP49": _ep49,
    "EP51": _ep51,
    "EP61": _ep61,
}
BY_YEAR: dict[str, Callable[[Any, int | None], list[str]]] = {
    "EP46": _ep46,
    "EP50": _ep50,
    "EP52": _ep52,
    "EP53": _ep53,
}


def explain(statement: vs.Statement) -> list[str]:
    """The paragraphs for a statement; none for data of a kind this portal does not know."""
    data = statement.data
    if data is None:
        return []
    if data.kind in BY_YEAR:
        return BY_YEAR[data.kind](data, statement.year)
    explain_kind = BY_KIND.get(data.kind)
    return explain_kind(data) if explain_kind else []
