"""Date bounds in definitions: an ISO date, "today", or a distance from the business today ("-18y", "+30d")."""

from __future__ import annotations

import re
from datetime import date

# A date bound: an ISO date, "today", or a distance from today such as "-18y", "+30d", "-6m".
RELATIVE_DATE = re.compile(r"^(today|[+-]\d{1,3}[dmy])$")


def is_date_bound(value: str) -> bool:
    if RELATIVE_DATE.match(value):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def resolve_date(bound: str, today: date) -> date:
    """A date bound ("today", "-18y", "+30d", "-6m" or ISO) as a date, counted from the business `today`."""
    if bound == "today":
        return today
    if not RELATIVE_DATE.match(bound):
        return date.fromisoformat(bound)
    sign = -1 if bound[0] == "-" else 1
    amount, unit = int(bound[1:-1]) * sign, bound[-1]
    if unit == "d":
        return date.fromordinal(today.toordinal() + amount)
    months = today.year * 12 + today.month - 1 + (amount * 12 if unit == "y" else amount)
    year, month = divmod(months, 12)
    # 29 February minus a year is 28 February: the last day the month has.
    for day in range(today.day, 27, -1):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    return date(year, month + 1, min(today.day, 28))
