"""VSAA's calendar in the sandbox: working days for decision terms, and the sandbox's "now".

Working days are Monday to Friday less Latvia's fixed-date public holidays; the movable ones (Easter, Pentecost)
and holidays moved off a weekend are not counted out, which is close enough for a sandbox's decision terms.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

RIGA = ZoneInfo("Europe/Riga")
# Fixed-date public holidays (month, day): New Year, Labour Day, Restoration of Independence, Midsummer,
# Proclamation Day, Christmas Eve to Boxing Day, New Year's Eve.
HOLIDAYS = {(1, 1), (5, 1), (5, 4), (6, 23), (6, 24), (11, 18), (12, 24), (12, 25), (12, 26), (12, 31)}


def business_now(today: dt.date, wall: dt.datetime | None = None) -> dt.datetime:
    """The sandbox's "now": the business clock's day at the wall clock's time of day, in Riga."""
    wall = (wall or dt.datetime.now(RIGA)).astimezone(RIGA)
    return dt.datetime.combine(today, wall.time().replace(microsecond=0), tzinfo=RIGA)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in HOLIDAYS


def add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        days -= is_working_day(day)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start`, up to and including `end`."""
    return sum(is_working_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))
