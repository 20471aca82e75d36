"""The "who used my data" view: what others did or read in a person's name, as rows a person can read.

Each row says who (with the service centre for an assistant), when, what and on what basis. What and basis are
complete English message ids, translated where shown: a sentence is never assembled from fragments.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.assistant.models import ClientIdentification
from portal.audit.models import AuditEvent
from portal.audit.service import READ, AuditTrail
from portal.people.service import PersonDirectory
from portal.web.i18n import N_

PER_PAGE = 20
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_SLUG = r"[a-z0-9-]+"
_REFERENCE = r"[A-Z]+-[0-9]{4}-[0-9]{6}"

# What a read of each page means to the person whose data it showed; the first pattern that matches wins.
READS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(f"^{pattern}$"), message)
    for pattern, message in (
        ("/overview", N_("Viewed your overview.")),
        ("/applications", N_("Viewed your applications.")),
        (f"/applications/{_UUID}", N_("Viewed one of your applications.")),
        (f"/applications/{_UUID}/receipt\\.pdf", N_("Downloaded the receipt of one of your applications.")),
        (f"/applications/{_UUID}/{_SLUG}", N_("Viewed a page of one of your applications.")),
        (f"/applications/sent/{_REFERENCE}", N_("Viewed one of your applications.")),
        (f"/applications/sent/{_REFERENCE}/decision", N_("Downloaded the decision on one of your applications.")),
        (f"/applications/sent/{_REFERENCE}/{_SLUG}", N_("Viewed a page of one of your applications.")),
        ("/statements", N_("Viewed your statements.")),
        (f"/statements/{_SLUG}", N_("Viewed one kind of your statements.")),
        (f"/statements/{_SLUG}/{_UUID}\\.pdf", N_("Downloaded one of your statements.")),
        ("/inbox", N_("Viewed your notices.")),
        (f"/inbox/{_UUID}", N_("Read one of your notices.")),
        (f"/questionnaires/{_SLUG}", N_("Viewed one of your questionnaires.")),
        ("/account/notifications", N_("Viewed how you are notified.")),
    )
)
UNKNOWN_READ = N_("Viewed a page of yours.")

ACTIONS = {
    "mandate.granted": N_("Granted a mandate in your name."),
    "mandate.ended": N_("Ended the mandate you had granted."),
    "client.opened": N_("Opened your record after identifying you in person."),
    "client.closed": N_("Closed your record."),
    "data.reported": N_("Reported to VSAA that its data about you is wrong."),
    "application.information_answered": N_("Answered VSAA's request for more information about your application."),
    "application.withdrawn": N_("Withdrew your application."),
}
UNKNOWN_ACTION = N_("Acted in your name.")

BASES = {
    "parent": N_("As your parent."),
    "guardian": N_("As your guardian."),
    "mandate": N_("By your mandate."),
    "assistant": N_("As a service centre assistant."),
}
UNKNOWN_BASIS = N_("On another basis.")


@dataclass(frozen=True)
class ActivityRow:
    occurred_at: dt.datetime  # aware, UTC
    actor_name: str
    organisation: str | None  # the service centre, when an assistant acted
    what: str  # a message id
    basis: str  # a message id


@dataclass(frozen=True)
class Activity:
    rows: list[ActivityRow]
    total: int
    page: int
    pages: int


def describe(action: str, record: str | None) -> str:
    """The message id for what an event did."""
    if action != READ:
        return ACTIONS.get(action, UNKNOWN_ACTION)
    path = record or ""
    return next((message for pattern, message in READS if pattern.match(path)), UNKNOWN_READ)


def basis_message(basis: str) -> str:
    return BASES.get(basis.partition(":")[0], UNKNOWN_BASIS)


def _identification_id(basis: str) -> uuid.UUID | None:
    kind, _, ref = basis.partition(":")
    if kind != "assistant":
        return None
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def _organisations(db: AsyncSession, events: Iterable[AuditEvent]) -> dict[uuid.UUID, str]:
    wanted = {found for event in events if (found := _identification_id(event.basis))}
    if not wanted:
        return {}
    result = await db.execute(
        select(ClientIdentification.id, ClientIdentification.organisation).where(ClientIdentification.id.in_(wanted))
    )
    return {row.id: row.organisation for row in result}


async def rows_of(db: AsyncSession, events: Sequence[AuditEvent]) -> list[ActivityRow]:
    people = await PersonDirectory(db).many(event.actor_id for event in events)
    organisations = await _organisations(db, events)
    rows = []
    for event in events:
        identification = _identification_id(event.basis)
        rows.append(
            ActivityRow(
                occurred_at=_aware(event.occurred_at),
                actor_name=people[event.actor_id].full_name,
                organisation=organisations.get(identification) if identification else None,
                what=describe(event.action, event.record),
                basis=basis_message(event.basis),
            )
        )
    return rows


async def activity_of(audit: AuditTrail, db: AsyncSession, person_id: uuid.UUID, page: int) -> Activity:
    """One page of what others did or read in this person's name, newest first; the page is kept in range."""
    found = await audit.by_others(person_id, page, PER_PAGE)
    return Activity(await rows_of(db, found.events), found.total, found.page, found.pages)
