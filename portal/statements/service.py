"""The first statements page: VSAA's 12 statement kinds with their key figures, from the kept answer.

Next to them, VDEĀVK's disability term when the subject has one. A page never waits on an agency longer than
the agency timeout, and only when nothing is kept yet: otherwise it shows the kept answer at once and the page
asks for a fresh one afterwards (htmx, `/statements/fresh`). When an agency does not answer, the panel says so
and still shows what is kept, with its "as of".
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies import vsaa_statements as vs
from portal.agencies.vsaa_data import STATEMENT_KINDS, VsaaData
from portal.sync.service import VSAA, Source, fetch_and_keep, utcnow
from portal.sync.store import Kept, KeptAnswers

log = structlog.get_logger("portal.statements")

# One kind's full statement, kept per kind (the answer's key) by its page: `/statements/<kind>`.
STATEMENT = "statement"


@dataclass(frozen=True)
class Figure:
    """One key figure as VSAA gives it; the template formats it by `type` in the reader's language."""

    key: str
    type: str  # money | date | number | text | period
    amount: Decimal | None = None
    currency: str | None = None
    date: dt.date | None = None
    number: Decimal | None = None
    text: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Statement:
    kind: str  # EP43 … EP61
    available: bool
    figures: tuple[Figure, ...] = ()


@dataclass(frozen=True)
class Disability:
    """VDEĀVK's current disability term; `group` is None for a child, `valid_until` None for life."""

    group: str | None
    since: dt.date | None
    valid_until: dt.date | None


@dataclass(frozen=True)
class Shown:
    """One agency's kept answer as a page shows it. `unavailable`: the agency did not answer the last time it
    was asked (now, or the worker's last try)."""

    kept: Kept | None = None
    unavailable: bool = False

    @property
    def as_of(self) -> dt.datetime | None:
        return self.kept.as_of if self.kept else None


@dataclass(frozen=True)
class Panel:
    """What the page shows; `refresh`: the page asks for fresh answers once it has loaded (htmx)."""

    vsaa: Shown
    vdeavk: Shown | None = None  # None: not asked (a mandate that does not cover VDEĀVK)
    refresh: bool = False

    @property
    def statements(self) -> tuple[Statement, ...]:
        return statements_of(self.vsaa.kept.payload) if self.vsaa.kept else ()

    @property
    def disability(self) -> Disability | None:
        return disability_of(self.vdeavk.kept.payload) if self.vdeavk and self.vdeavk.kept else None


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _figure(raw: Mapping[str, Any]) -> Figure:
    return Figure(
        key=str(raw.get("key", "")),
        type=str(raw.get("type", "text")),
        amount=_decimal(raw.get("amount")),
        currency=raw.get("currency") or None,
        date=_date(raw.get("date")),
        number=_decimal(raw.get("number")),
        text=raw.get("text"),
        year=raw.get("year"),
    )


def statements_of(payload: Any) -> tuple[Statement, ...]:
    """The statement summary's JSON (contract vsaa-person-data.yaml, `POST /v1/statements/summary`), as kept."""
    if not isinstance(payload, Mapping):
        return ()
    order = list(STATEMENT_KINDS)
    statements = (
        Statement(
            kind=str(raw.get("kind", "")),
            available=bool(raw.get("available")),
            figures=tuple(_figure(f) for f in raw.get("figures") or () if isinstance(f, Mapping)),
        )
        for raw in payload.get("statements") or ()
        if isinstance(raw, Mapping)
    )
    # In the order pages list the kinds (by topic); a kind the portal does not know yet goes last.
    return tuple(sorted(statements, key=lambda s: order.index(s.kind) if s.kind in order else len(order)))


def statement_source(vsaa_data: VsaaData, kind: vs.StatementKind, year: int | None = None) -> Source:
    """One kind's full statement (of one year, for a kind that has years) as a source its page keeps (the
    worker does not refresh keyed answers)."""

    async def fetch(personal_code: str) -> vs.Statement:
        return await vsaa_data.statement(personal_code, kind, year)

    return Source(VSAA, STATEMENT, fetch, key=kind if year is None else f"{kind}:{year}")


def full_statement_of(payload: Any) -> vs.Statement | None:
    """A kept full statement read back through the client's model; None for one this portal cannot read."""
    try:
        return vs.Statement.model_validate(payload)
    except ValidationError:
        log.warning("statements_kept_answer_unreadable")
        return None


def disability_of(payload: Any) -> Disability | None:
    """The disability status's JSON (contract vdeavk.yaml, `POST /v1/disability-status`), as kept."""
    status = payload.get("status") if isinstance(payload, Mapping) else None
    if not isinstance(status, Mapping):
        return None
    group = status.get("group")
    return Disability(str(group) if group else None, _date(status.get("since")), _date(status.get("valid_until")))


class StatementsService:
    def __init__(self, db: AsyncSession, vsaa: Source, vdeavk: Source | None, within: float) -> None:
        """`vsaa`: VSAA's statement summary; `vdeavk`: VDEĀVK's disability status, or None when the subject's
        basis does not cover VDEĀVK; `within`: the page's limit in seconds for asking an agency."""
        self._db = db
        self._sources = (vsaa, vdeavk) if vdeavk else (vsaa,)
        self._within = within

    async def for_page(self, person_id: uuid.UUID, now: dt.datetime | None = None) -> Panel:
        """The kept answers at once; an agency with nothing kept is asked once, within the limit."""
        return await self._load(person_id, now or utcnow(), fresh=False)

    async def fresh(self, person_id: uuid.UUID, now: dt.datetime | None = None) -> Panel:
        """Fresh answers from every agency within the limit, kept; a failing agency's kept answer and a notice."""
        return await self._load(person_id, now or utcnow(), fresh=True)

    async def _load(self, person_id: uuid.UUID, now: dt.datetime, fresh: bool) -> Panel:
        answers = KeptAnswers(self._db)
        with self._db.no_autoflush:  # writes wait until the agencies have answered (fetch_and_keep says why)
            kept = {s: await answers.latest(person_id, s.agency, s.kind, s.key, used_at=now) for s in self._sources}
        asking = [s for s in self._sources if fresh or kept[s] is None]
        shown = {s: Shown(k, unavailable=k.checked_at > k.fetched_at) for s, k in kept.items() if k is not None}
        for result in await fetch_and_keep(self._db, person_id, asking, now, self._within) if asking else []:
            if result.error is None and result.as_of is not None:
                shown[result.source] = Shown(Kept(result.payload, result.as_of, now, now))
            else:
                timed_out = str(result.error).endswith("timed out")
                log.warning("statements_agency_unavailable", agency=result.source.agency, timed_out=timed_out)
                shown[result.source] = Shown(kept[result.source], unavailable=True)
        # Whatever was shown from what was kept is asked for afresh once the page has loaded.
        refresh = not fresh and any(k is not None for k in kept.values())
        vsaa, *others = self._sources
        return Panel(shown[vsaa], shown[others[0]] if others else None, refresh)
