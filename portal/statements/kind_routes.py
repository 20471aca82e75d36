"""`/statements/<kind>`: one statement explained, then its figures as tables (EP61 also as a chart), for me or
for the person I act for, with its issued PDFs (issue_routes.py); `/statements/<kind>/fresh` asks VSAA afresh,
as `/statements/fresh` does."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
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


def _kind(kind: str) -> vs.StatementKind:
    if kind not in STATEMENT_KINDS:
        raise NotFoundException()
    return kind


def _service(kind: vs.StatementKind, db: AsyncSession, vsaa_data: VsaaData, settings: Settings) -> StatementsService:
    return StatementsService(db, statement_source(vsaa_data, kind), None, settings.agency_read_timeout)


def _context(kind: vs.StatementKind, subject: Subject, panel: Panel) -> dict[str, Any]:
    statement = full_statement_of(panel.vsaa.kept.payload) if panel.vsaa.kept else None
    data = statement.data if statement and statement.available else None
    path = f"/statements/{kind}/fresh"
    return {
        "kind": kind,
        "name": statement_name(kind),
        "subject": subject,
        "panel": panel,
        "statement": statement,
        "paragraphs": explain(statement) if statement else [],
        "tables": tables_of(data) if data else [],
        "chart": projection_chart(data) if isinstance(data, vs.EP61Data) else None,
        "refresh_url": subject_url(path, subject) if panel.refresh else None,
        "swapped": False,
    }


@get("/statements/{kind:str}", guards=[signed_in])
async def statement_page(
    kind: FromPath[str],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    settings: NamedDependency[Settings],
) -> Template:
    known = _kind(kind)
    panel = await _service(known, db_session, vsaa_data, settings).for_page(vsaa_subject(subject).person_id)
    issued = await issued_documents(db_session, subject, known)
    return Template(PAGE, context={**_context(known, subject, panel), "issued": issued}, headers=VARY)


@get("/statements/{kind:str}/fresh", guards=[signed_in])
async def fresh_statement(
    kind: FromPath[str],
    request: HTMXRequest,
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    settings: NamedDependency[Settings],
) -> Template:
    """The statement asked afresh from VSAA: the fragment for htmx, the whole page for a browser without it."""
    known = _kind(kind)
    panel = await _service(known, db_session, vsaa_data, settings).fresh(vsaa_subject(subject).person_id)
    if request.htmx:
        return Template(PANEL, context={**_context(known, subject, panel), "swapped": True}, headers=VARY)
    issued = await issued_documents(db_session, subject, known)
    return Template(PAGE, context={**_context(known, subject, panel), "issued": issued}, headers=VARY)
