"""Fetching an agency's answer about a person and keeping it; the request a sign-in leaves for the worker.

A *source* is one read-only question to an agency about one person (VSAA's statement summary, applications,
unclaimed entitlements). The worker (portal/sync/worker.py) asks every source for the persons it syncs; a page
with nothing kept asks its one source once, through `fetch_and_keep`. A failing agency leaves the kept answer
as it was.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import structlog
from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyError, AgencyUnavailable
from portal.auth.sessions import LoadedSession
from portal.people.service import PersonDirectory
from portal.sync.store import KeptAnswers, SyncRequests, utc

log = structlog.get_logger("portal.sync")

VSAA = "vsaa"
STATEMENT_SUMMARY = "statement_summary"
APPLICATIONS = "applications"
ENTITLEMENTS = "entitlements"
VDEAVK = "vdeavk"
DISABILITY_STATUS = "disability_status"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@runtime_checkable  # Litestar checks injected values against their annotation
class VsaaPersonData(Protocol):
    """What sync needs of portal/agencies/vsaa_data.py (each call raises AgencyError when VSAA fails)."""

    async def statement_summary(self, personal_code: str) -> Any: ...

    async def entitlements(self, personal_code: str) -> Any: ...


@runtime_checkable  # Litestar checks injected values against their annotation
class VsaaApplications(Protocol):
    """What sync needs of portal/agencies/vsaa_applications.py."""

    async def applications_of(self, personal_code: str) -> Any: ...


@runtime_checkable  # Litestar checks injected values against their annotation
class VdeavkStatus(Protocol):
    """What sync needs of portal/agencies/vdeavk.py."""

    async def disability_status(self, personal_code: str) -> Any: ...


@dataclass(frozen=True)
class Source:
    agency: str
    kind: str
    fetch: Callable[[str], Awaitable[Any]]  # personal code → the client's answer (a model with `as_of`)
    # Tells apart answers of one kind (one statement kind's full statement). The worker refreshes only answers
    # without a key: a keyed answer is kept by the page that shows it, which asks for it afresh itself.
    key: str = ""


def vsaa_sources(vsaa_data: VsaaPersonData, vsaa_applications: VsaaApplications) -> tuple[Source, ...]:
    """What the worker keeps fresh for every person it syncs."""
    return (
        Source(VSAA, STATEMENT_SUMMARY, vsaa_data.statement_summary),
        Source(VSAA, APPLICATIONS, vsaa_applications.applications_of),
        Source(VSAA, ENTITLEMENTS, vsaa_data.entitlements),
    )


def vdeavk_sources(vdeavk: VdeavkStatus) -> tuple[Source, ...]:
    """The disability term, which pages show next to the statements and reminders count from."""
    return (Source(VDEAVK, DISABILITY_STATUS, vdeavk.disability_status),)


@dataclass(frozen=True)
class Fetched:
    """One source's outcome: the answer as JSON with its "as of", or the agency's failure."""

    source: Source
    payload: Any = None
    as_of: dt.datetime | None = None
    error: AgencyError | None = None


def as_kept(answer: Any, fetched_at: dt.datetime) -> tuple[Any, dt.datetime]:
    """The answer as JSON, and when its data was current (the agency's `as_of`; the fetch time if it has none)."""
    as_of = getattr(answer, "as_of", None)
    if isinstance(as_of, dt.datetime):
        as_of = utc(as_of)
    elif isinstance(as_of, dt.date):
        as_of = dt.datetime.combine(as_of, dt.time(), dt.UTC)
    else:
        as_of = fetched_at
    return to_jsonable_python(answer), as_of


async def fetch(source: Source, personal_code: str, now: dt.datetime, within: float | None = None) -> Fetched:
    """One source's answer, or its failure; `within`: a limit in seconds whatever the client's retries (a page's)."""
    try:
        async with asyncio.timeout(within):
            answer = await source.fetch(personal_code)
    except AgencyError as error:
        # The agency's reason is logged by kind only: the message never carries a personal code.
        log.warning("sync_source_failed", agency=source.agency, kind=source.kind, error=str(error))
        return Fetched(source, error=error)
    except TimeoutError:
        log.warning("sync_source_failed", agency=source.agency, kind=source.kind, error="time limit")
        return Fetched(source, error=AgencyUnavailable(f"{source.agency}: timed out", source.agency))
    payload, as_of = as_kept(answer, now)
    return Fetched(source, payload, as_of)


async def fetch_all(
    sources: Sequence[Source], personal_code: str, now: dt.datetime, within: float | None = None
) -> list[Fetched]:
    """Asks every source at once: a person's sync takes as long as the slowest agency, not their sum."""
    return list(await asyncio.gather(*(fetch(source, personal_code, now, within) for source in sources)))


async def keep_all(answers: KeptAnswers, person_id: uuid.UUID, results: Sequence[Fetched], now: dt.datetime) -> None:
    for result in results:
        if result.error is None and result.as_of is not None:
            source = result.source
            await answers.keep(person_id, source.agency, source.kind, result.payload, result.as_of, now, source.key)
        else:
            await answers.checked(person_id, result.source.agency, result.source.kind, now, result.source.key)


async def fetch_and_keep(
    db: AsyncSession, person_id: uuid.UUID, sources: Sequence[Source], now: dt.datetime, within: float
) -> list[Fetched]:
    """Asks the sources about a person now, each within `within` seconds, and keeps what they answered (a failed
    source's kept answer stays as it was, its attempt recorded)."""
    # Nothing is written before the agencies answer: on SQLite a write takes the database's one write lock,
    # which every other request would then wait for while an agency is slow.
    with db.no_autoflush:
        person = await PersonDirectory(db).get(person_id)
    if person is None:
        raise LookupError("no such person")
    results = await fetch_all(sources, person.personal_code, now, within)
    await keep_all(KeptAnswers(db), person_id, results, now)
    return results


async def request_sync(db: AsyncSession, session: LoadedSession, now: dt.datetime | None = None) -> None:
    """After a citizen signs in: the worker syncs them and everyone they may act for. Only a row is written, so
    sign-in never waits on an agency. Staff sessions are not synced: an assistant's clients are met in person."""
    if session.data.kind != "citizen":
        return
    await SyncRequests(db).request(uuid.UUID(str(session.data.claims["person_id"])), now or utcnow())
