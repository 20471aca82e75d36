"""The business clock: the one source of "today" for dates that matter (deadlines, ages, reminders).

In dev and test it is the agency sandbox's clock, which tests move; the portal asks it over HTTP and keeps the
answer for at most a second. In production it is the wall clock in Riga.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import httpx

RIGA = ZoneInfo("Europe/Riga")


@runtime_checkable  # Litestar checks injected values against their annotation
class Clock(Protocol):
    async def today(self) -> dt.date: ...


class WallClock:
    async def today(self) -> dt.date:
        return dt.datetime.now(RIGA).date()


class SandboxClock:
    def __init__(
        self, client: httpx.AsyncClient, max_age: float = 1.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._max_age = max_age
        self._monotonic = monotonic
        self._kept: tuple[float, dt.date] | None = None

    async def today(self) -> dt.date:
        now = self._monotonic()
        if self._kept and now - self._kept[0] < self._max_age:
            return self._kept[1]
        response = await self._client.get("/_control/clock")
        response.raise_for_status()
        today = dt.date.fromisoformat(response.json()["today"])
        self._kept = (now, today)
        return today
