"""`/statements/<kind>`: one statement explained, then its figures as tables (EP61 also as a chart), for me or
for the person I act for, with its issued PDFs (issue_routes.py); `/statements/<kind>/fresh` asks VSAA afresh,
as `/statements/fresh` does. A kind of payments in a calendar year takes `?year=` (its page links the years VSAA
has); without it VSAA gives the latest year with payments."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies import vsaa_statements as vs
from portal.agencies.vsaa_data import STATEMENT_KINDS, VsaaData
from portal.auth.access import Subject, subject_url
from portal.auth.guards import signed_in
from portal.settings import Settings
from portal.statements.chart import projection_chart
from portal.statements.explanations import explain
from portal.statements.issue_routes import issued_documents
from portal.statements.presenters import statement_name
from portal.statements.routes import VARY, vsaa_subject
from portal.statements.service import Panel, StatementsService, full_statement_of, statement_source
from portal.statements.tables import tables_of

PAGE = "pages/statements/kind.html"
PANEL = "pages/statements/_kind_panel.html"
# The kinds of one calendar year's payments (the contract: the current and the previous year).
YEARLY = frozenset({"EP46", "EP50", "EP52", "EP53"})


def _kind(kind: str) -> vs.StatementKind:
    if kind not in STATEMENT_KINDS:
        raise NotFoundException()
    return kind


def _year(kind: str, year: int | None) -> int | None:
    """A year only for a kind of payments in a year, and within the contract's range: otherwise no such page."""
    if year is not None and (kind not in YEARLY or not 1990 <= year <= 2100):
        raise NotFoundException()
    return year


def _url(kind: str, year: int | None, subject: Subject, suffix: str = "") -> str:
    return subject_url(f"/statements/{kind}{suffix}" + (f"?year={year}" if year is not None else ""), subject)


def _year_links(statement: vs.Statement | None, subject: Subject) -> list[dict[str, Any]]:
    """Links to the other years of a yearly kind, the shown one marked; none when there is only one."""
    if statement is None or statement.kind not in YEARLY or len(statement.years) < 2:
        return []
    return [
        {"year": y, "url": _url(statement.kind, y, subject), "current": y == statement.year} for y in statement.years
    ]


def _service(
    kind: vs.StatementKind, year: int | None, db: AsyncSession, vsaa_data: VsaaData, settings: Settings
) -> StatementsService:
    return StatementsService(db, statement_source(vsaa_data, kind, year), None, settings.agency_read_timeout)


def _context(kind: vs.StatementKind, year: int | None, subject: Subject, panel: Panel) -> dict[str, Any]:
    statement = full_statement_of(panel.vsaa.kept.payload) if panel.vsaa.kept else None
    data = statement.data if statement and statement.available else None
    return {
        "kind": kind,
        "name": statement_name(kind),
        "subject": subject,
        "panel": panel,
        "statement": statement,
        "paragraphs": explain(statement) if statement else [],
        "tables": tables_of(data) if data else [],
        "chart": projection_chart(data) if isinstance(data, vs.EP61Data) else None,
        "year_links": _year_links(statement, subject),
        "refresh_url": _url(kind, year, subject, "/fresh") if panel.refresh else None,
        "swapped": False,
    }


@get("/statements/{kind:str}", guards=[signed_in])
async def statement_page(
    kind: FromPath[str],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    settings: NamedDependency[Settings],
    year: FromQuery[int | None] = None,
) -> Template:
    known, year = _kind(kind), _year(kind, year)
    service = _service(known, year, db_session, vsaa_data, settings)
    panel = await service.for_page(vsaa_subject(subject).person_id)
    issued = await issued_documents(db_session, subject, known)
    return Template(PAGE, context={**_context(known, year, subject, panel), "issued": issued}, headers=VARY)


@get("/statements/{kind:str}/fresh", guards=[signed_in])
async def fresh_statement(
    kind: FromPath[str],
    request: HTMXRequest,
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    settings: NamedDependency[Settings],
    year: FromQuery[int | None] = None,
) -> Template:
    """The statement asked afresh from VSAA: the fragment for htmx, the whole page for a browser without it."""
    known, year = _kind(kind), _year(kind, year)
    panel = await _service(known, year, db_session, vsaa_data, settings).fresh(vsaa_subject(subject).person_id)
    context = _context(known, year, subject, panel)
    if request.htmx:
        return Template(PANEL, context={**context, "swapped": True}, headers=VARY)
    issued = await issued_documents(db_session, subject, known)
    return Template(PAGE, context={**context, "issued": issued}, headers=VARY)
