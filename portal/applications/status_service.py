"""Where a person's applications stand: the agencies' own lists merged with the portal's submissions.

VSAA's list of a person's applications (portal or office) is a kept answer (portal/sync): a page asks VSAA once,
within the page's limit, and keeps what it answered; when VSAA does not answer, the page shows what was kept with
its "as of" and says so. An application the portal sent and VSAA registered is listed once, as VSAA sees it.

The decision-due date is the portal's own reading of the timeline: the service's decision term (the e-service
definition's `decision_term_days`; one month by Administratīvā procesa likums art. 64(1) for a service without
one) counted in calendar days from receipt, moved on by the days spent in `needs_info`, and paused (no date)
while the application waits there.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies import vdeavk
from portal.agencies.vsaa_applications import Application, ApplicationsAnswer
from portal.clock import RIGA
from portal.sync.service import APPLICATIONS, VDEAVK, VSAA, Source, fetch_and_keep, utcnow
from portal.sync.store import Kept, KeptAnswers

OPEN = ("received", "in_progress", "needs_info")
T = TypeVar("T")
DECISIONS = "decisions"  # VDEĀVK's decisions, kept next to its applications
APPEAL_MONTHS = 1  # Administratīvā procesa likums art. 188(1): one month to contest, again to appeal


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it has no such day (31 January → 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    """When the decision is due. `date` is None while the clock is paused (`paused`), and then `days_left` says
    how many days of the term will be left once the agency has what it asked for."""

    date: dt.date | None
    paused: bool = False
    days_left: int | None = None


class _Event(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def at(self) -> dt.datetime: ...


class Tracked(Protocol):
    """What the due date is read from: VSAA's and VDEĀVK's applications both have it."""

    @property
    def status(self) -> str: ...
    @property
    def history(self) -> Sequence[_Event]: ...


def decision_due(application: Tracked, term_days: int | None) -> Due | None:
    """None once the application is no longer waiting for a decision (decided, withdrawn, closed)."""
    if application.status not in OPEN or not application.history:
        return None
    days = [(entry.status, entry.at.astimezone(RIGA).date()) for entry in application.history]
    received = days[0][1]
    base = received + dt.timedelta(term_days) if term_days else add_months(received, 1)
    paused = sum(
        (following - day).days for (status, day), (_, following) in itertools.pairwise(days) if status == "needs_info"
    )
    if application.status == "needs_info":
        waiting_since = days[-1][1]
        return Due(None, paused=True, days_left=max((base - waiting_since).days + paused, 0))
    return Due(base + dt.timedelta(paused))


def contest_by(decided_at: dt.datetime) -> dt.date:
    """The last day to contest a decision that took effect the day it was made."""
    return contest_by_day(decided_at.astimezone(RIGA).date())


def contest_by_day(decided_on: dt.date) -> dt.date:
    return add_months(decided_on, APPEAL_MONTHS)


@dataclass(frozen=True)
class Listed(Generic[T]):
    """An agency's list as a page shows it: `unavailable` when the agency did not answer (the list is then the
    kept one, or empty when nothing was kept)."""

    applications: tuple[T, ...]
    as_of: dt.datetime | None
    unavailable: bool

    def find(self, reference: str) -> T | None:
        return next((a for a in self.applications if getattr(a, "reference", None) == reference), None)


def vsaa_applications(payload: Any) -> tuple[Application, ...]:
    return tuple(ApplicationsAnswer.model_validate(payload).applications)


def vdeavk_applications(payload: Any) -> tuple[vdeavk.Application, ...]:
    return vdeavk.Applications.model_validate(payload).applications


def vdeavk_decisions(payload: Any) -> tuple[vdeavk.Decision, ...]:
    return vdeavk.Decisions.model_validate(payload).decisions


def _parsed(kept: Kept | None, parse: Callable[[Any], tuple[T, ...]]) -> tuple[T, ...]:
    if kept is None:
        return ()
    try:
        return parse(kept.payload)
    except ValidationError:  # kept by an older portal in a shape this one no longer reads: asked afresh next time
        return ()


class ApplicationTracker:
    def __init__(self, db: AsyncSession, within: float) -> None:
        """`within`: the page's limit in seconds for asking an agency."""
        self._db = db
        self._within = within

    async def lists(
        self, person_id: uuid.UUID, sources: Sequence[Source], now: dt.datetime | None = None
    ) -> list[Kept | None]:
        """Each agency asked now, all at once (the page waits for the slowest, at most the limit), and kept; for each
        source its answer, or what was kept with `checked_at` after `fetched_at` when it did not answer."""
        now = now or utcnow()
        answers = KeptAnswers(self._db)
        with self._db.no_autoflush:  # no write before the agencies answer (portal/sync/service.py says why)
            kept = [await answers.latest(person_id, s.agency, s.kind, used_at=now) for s in sources]
        results = await fetch_and_keep(self._db, person_id, sources, now, self._within)
        return [
            Kept(r.payload, r.as_of, now, now)
            if r.error is None and r.as_of is not None
            else (Kept(k.payload, k.as_of, k.fetched_at, now) if k else None)
            for r, k in zip(results, kept, strict=True)
        ]

    async def vsaa_list(self, person_id: uuid.UUID, applications_of: Any) -> Listed[Application]:
        (kept,) = await self.lists(person_id, [Source(VSAA, APPLICATIONS, applications_of)])
        return listed(kept, vsaa_applications)


def listed(kept: Kept | None, parse: Callable[[Any], tuple[T, ...]]) -> Listed[T]:
    """`kept` as `lists` gives it: fresh, kept from before (the agency did not answer), or None (nothing at all)."""
    if kept is None:
        return Listed((), None, unavailable=True)
    return Listed(_parsed(kept, parse), kept.as_of, unavailable=kept.checked_at > kept.fetched_at)


def vsaa_source(applications_of: Any) -> Source:
    return Source(VSAA, APPLICATIONS, applications_of)


def vdeavk_source(applications: Any) -> Source:
    return Source(VDEAVK, APPLICATIONS, applications)


def vdeavk_decisions_source(decisions: Any) -> Source:
    return Source(VDEAVK, DECISIONS, decisions)


VDEAVK_SERVICE = "vdeavk-invaliditates-ekspertize"  # the definition VDEĀVK's applications are listed under


@dataclass(frozen=True)
class Row:
    """One application in the list. `href`: its status page (None for one no agency has registered yet); `agency`
    and `as_of`: set when the row is the agency's word (the
    list says whose and how current)."""

    title: str
    translate: bool  # the title is a msgid of the portal's catalogue (else the agency's Latvian name)
    reference: str
    status: str
    received: dt.date | None
    href: str | None
    as_of: dt.datetime | None
    agency: str | None = None


def merged_rows(
    vsaa: Listed[Application],
    submissions: Sequence[Any],
    titles: Mapping[str, str],
    status_href: Callable[[str], str],
    vdeavk_list: Listed[vdeavk.Application] | None = None,
) -> list[Row]:
    """The agencies' applications and the portal's submissions no agency lists (yet), newest first; a submission
    an agency registered is the agency's row only. `status_href(reference)` gives its status page's link."""
    rows = [
        Row(
            title=titles.get(a.service) or a.service_name or a.service,
            translate=a.service in titles,
            reference=a.reference,
            status=a.status,
            received=a.received_at.astimezone(RIGA).date(),
            href=status_href(a.reference),
            as_of=vsaa.as_of,
            agency=VSAA,
        )
        for a in vsaa.applications
    ]
    vdeavk_apps = vdeavk_list.applications if vdeavk_list else ()
    rows += [
        Row(
            title=titles.get(VDEAVK_SERVICE, VDEAVK_SERVICE),
            translate=VDEAVK_SERVICE in titles,
            reference=a.reference,
            status=a.status,
            received=a.received_at.astimezone(RIGA).date(),
            href=status_href(a.reference),
            as_of=vdeavk_list.as_of if vdeavk_list else None,
            agency=VDEAVK,
        )
        for a in vdeavk_apps
    ]
    known = {a.reference for a in vsaa.applications} | {a.reference for a in vdeavk_apps}
    for s in submissions:
        if s.reference in known or (s.agency_reference and s.agency_reference in known):
            continue
        rows.append(
            Row(
                title=titles.get(s.service, s.service),
                translate=s.service in titles,
                reference=s.reference,
                status=s.status,
                received=s.created_at.astimezone(RIGA).date(),
                href=None,
                as_of=None,
            )
        )
    return sorted(rows, key=lambda r: r.received or dt.date.min, reverse=True)
