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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.vsaa_applications import Application, ApplicationsAnswer
from portal.clock import RIGA
from portal.sync.service import APPLICATIONS, VSAA, Source, fetch_and_keep, utcnow
from portal.sync.store import Kept, KeptAnswers

OPEN = ("received", "in_progress", "needs_info")
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


def decision_due(application: Application, term_days: int | None) -> Due | None:
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
    return add_months(decided_at.astimezone(RIGA).date(), APPEAL_MONTHS)


@dataclass(frozen=True)
class Listed:
    """VSAA's list as a page shows it: `unavailable` when VSAA did not answer (the list is then the kept one, or
    empty when nothing was kept)."""

    applications: tuple[Application, ...]
    as_of: dt.datetime | None
    unavailable: bool

    def find(self, reference: str) -> Application | None:
        return next((a for a in self.applications if a.reference == reference), None)


def applications_of(kept: Kept | None) -> tuple[Application, ...]:
    if kept is None:
        return ()
    try:
        return tuple(ApplicationsAnswer.model_validate(kept.payload).applications)
    except ValidationError:  # kept by an older portal in a shape this one no longer reads: asked afresh next time
        return ()


class ApplicationTracker:
    def __init__(self, db: AsyncSession, vsaa: Source, within: float) -> None:
        """`vsaa`: VSAA's applications search as a sync source; `within`: the page's limit in seconds."""
        self._db = db
        self._vsaa = vsaa
        self._within = within

    async def vsaa_list(self, person_id: uuid.UUID, now: dt.datetime | None = None) -> Listed:
        """VSAA asked now (within the limit) and kept; what was kept, marked, when VSAA does not answer."""
        now = now or utcnow()
        answers = KeptAnswers(self._db)
        with self._db.no_autoflush:  # no write before VSAA answers (portal/sync/service.py says why)
            kept = await answers.latest(person_id, self._vsaa.agency, self._vsaa.kind, used_at=now)
        (result,) = await fetch_and_keep(self._db, person_id, [self._vsaa], now, self._within)
        if result.error is None and result.as_of is not None:
            fresh = Kept(result.payload, result.as_of, now, now)
            return Listed(applications_of(fresh), result.as_of, unavailable=False)
        return Listed(applications_of(kept), kept.as_of if kept else None, unavailable=True)


def vsaa_source(applications_of: Any) -> Source:
    return Source(VSAA, APPLICATIONS, applications_of)


@dataclass(frozen=True)
class Row:
    """One application in the list. `href`: its status page (None for one the agency has not registered yet);
    `as_of`: set when the row is the agency's word (the list says how current it is)."""

    title: str
    translate: bool  # the title is a msgid of the portal's catalogue (else the agency's Latvian name)
    reference: str
    status: str
    received: dt.date | None
    href: str | None
    as_of: dt.datetime | None


def merged_rows(
    listed: Listed,
    submissions: Sequence[Any],
    titles: Mapping[str, str],
    status_href: Any,
) -> list[Row]:
    """VSAA's applications and the portal's submissions VSAA does not list (yet), newest first; a submission VSAA
    registered is VSAA's row only. `status_href(reference)` gives the status page's link."""
    rows = [
        Row(
            title=titles.get(a.service) or a.service_name or a.service,
            translate=a.service in titles,
            reference=a.reference,
            status=a.status,
            received=a.received_at.astimezone(RIGA).date(),
            href=status_href(a.reference),
            as_of=listed.as_of,
        )
        for a in listed.applications
    ]
    known = {a.reference for a in listed.applications}
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
