"""A statement's values as the reader reads them: money, dates, shares, lengths of time and amounts per period,
in the reader's language (Babel through portal/web/i18n.py; `12 345,67 €` in Latvian)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.agencies import vsaa_statements as vs
from portal.web.i18n import N_, format_date, format_money, format_number, gettext, ngettext

# An amount with how often it is paid: whole phrases, so that each language orders its words itself.
PER_FREQUENCY = {
    "monthly": N_("%(amount)s a month"),
    "daily": N_("%(amount)s a day"),
    "half_yearly": N_("%(amount)s every half year"),
    "one_off": N_("%(amount)s once"),
}


def money(value: vs.Money | None) -> str:
    return format_money(value.amount, value.currency) if value is not None else ""


def day(value: dt.date | None) -> str:
    return format_date(value) if value is not None else ""


def percent(rate: Decimal) -> str:
    """A share given as a fraction ("0.06") as a percentage ("6 %")."""
    return gettext("%(number)s %%") % {"number": format_number(rate * 100)}


def years_months(years: int, months: int, days: int = 0) -> str:
    parts = {
        "years": ngettext("%(num)d year", "%(num)d years", years) % {"num": years},
        "months": ngettext("%(num)d month", "%(num)d months", months) % {"num": months},
        "days": ngettext("%(num)d day", "%(num)d days", days) % {"num": days},
    }
    if days:
        return gettext("%(years)s, %(months)s and %(days)s") % parts
    return gettext("%(years)s and %(months)s") % parts


def duration(value: vs.Duration) -> str:
    return years_months(value.years, value.months, value.days)


def amount_phrase(frequency: str, amount: vs.Money) -> str:
    phrase = PER_FREQUENCY.get(frequency)
    return gettext(phrase) % {"amount": money(amount)} if phrase else money(amount)
