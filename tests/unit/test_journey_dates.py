"""The decision-due date counts from the business day of the submission, however late the page is seen again."""

from __future__ import annotations

import asyncio
import datetime as dt
from types import SimpleNamespace

from portal.applications.journey_routes import submitted_on


class Clock:
    def __init__(self, today: dt.date) -> None:
        self._today = today

    async def today(self) -> dt.date:
        return self._today


def test_the_submission_day_stays_put_as_days_pass():
    now = dt.datetime.now(dt.UTC)
    business_today = dt.date(2026, 11, 20)
    fresh = SimpleNamespace(created_at=now)
    three_days_old = SimpleNamespace(created_at=(now - dt.timedelta(days=3)).replace(tzinfo=None))  # SQLite: naive
    assert asyncio.run(submitted_on(fresh, Clock(business_today))) == business_today
    assert asyncio.run(submitted_on(three_days_old, Clock(business_today))) == dt.date(2026, 11, 17)
