"""`/statements` and its lazily loaded fresh panel, for me or for the person I act for."""

from __future__ import annotations

from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.vdeavk import Vdeavk
from portal.agencies.vsaa_data import VsaaData
from portal.auth.access import NotPermitted, Subject, subject_url
from portal.auth.guards import signed_in
from portal.settings import Settings
from portal.statements.presenters import PRESENTERS
from portal.statements.service import Panel, StatementsService
from portal.sync.service import STATEMENT_SUMMARY, VSAA, Source, vdeavk_sources

PAGE = "pages/statements/index.html"
PANEL = "pages/statements/_panel.html"
# The same URL answers htmx with a fragment and a browser with the page: caches must keep them apart.
VARY = {"Vary": "HX-Request", "Cache-Control": "no-store"}


def _service(
    subject: Subject, db: AsyncSession, vsaa_data: VsaaData, vdeavk: Vdeavk, settings: Settings
) -> StatementsService:
    summary = Source(VSAA, STATEMENT_SUMMARY, vsaa_data.statement_summary)
    # The disability term is VDEĀVK's: shown only when the subject's basis covers VDEĀVK's matters too.
    disability = vdeavk_sources(vdeavk)[0] if subject.covers("VDEAVK") else None
    return StatementsService(db, summary, disability, settings.agency_read_timeout)


def vsaa_subject(subject: Subject) -> Subject:
    """Statements are VSAA's: a mandate for other agencies' matters does not reach them."""
    if not subject.covers("VSAA"):
        raise NotPermitted()
    return subject


def _context(subject: Subject, panel: Panel) -> dict[str, Any]:
    refresh_url = subject_url("/statements/fresh", subject) if panel.refresh else None
    return {"subject": subject, "panel": panel, "refresh_url": refresh_url, "swapped": False, **PRESENTERS}


@get("/statements", guards=[signed_in])
async def statements(
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    vdeavk: NamedDependency[Vdeavk],
    settings: NamedDependency[Settings],
) -> Template:
    service = _service(vsaa_subject(subject), db_session, vsaa_data, vdeavk, settings)
    panel = await service.for_page(subject.person_id)
    return Template(PAGE, context=_context(subject, panel), headers=VARY)


@get("/statements/fresh", guards=[signed_in])
async def fresh_statements(
    request: HTMXRequest,
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    vsaa_data: NamedDependency[VsaaData],
    vdeavk: NamedDependency[Vdeavk],
    settings: NamedDependency[Settings],
) -> Template:
    """The panel asked afresh from VSAA: the fragment for htmx, the whole page for a browser without it."""
    service = _service(vsaa_subject(subject), db_session, vsaa_data, vdeavk, settings)
    panel = await service.fresh(subject.person_id)
    context = {**_context(subject, panel), "swapped": bool(request.htmx)}
    return Template(PANEL if request.htmx else PAGE, context=context, headers=VARY)
