"""Issued statements: VSAA's answer for one statement kind, captured when the person issues it "as of now",
then rendered and sealed once by the worker (service.py's DocumentRendering) and kept in the person's history.

The document's `source` is VSAA's answer as it came (contract vsaa-person-data.yaml, one kind's statement): the
PDF shows what VSAA said at that moment, whatever it says later.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.vsaa_statements import Statement
from portal.documents.codes import new_code
from portal.documents.models import Document, DocumentKind
from portal.people.models import Person
from portal.statements.explanations import explain
from portal.statements.presenters import figure_rows, statement_name
from portal.statements.service import full_statement_of, statements_of
from portal.statements.tables import tables_of
from portal.web.i18n import SUPPORTED

STATEMENT_TEMPLATE = "documents/statement.html"
# How long an unrendered statement stands for a new request of the same kind (a double click, a resent form).
RECENT = dt.timedelta(seconds=30)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Issued:
    """One issued statement as the history lists it (never its bytes)."""

    id: uuid.UUID
    statement_kind: str
    requested_at: dt.datetime
    ready: bool

    @property
    def issued_at(self) -> dt.datetime:
        moment = self.requested_at
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)  # SQLite gives UTC back without a zone


_LISTED = (Document.id, Document.statement_kind, Document.requested_at, Document.sha256)


def _issued(row: Any) -> Issued:
    return Issued(row.id, row.statement_kind or "", row.requested_at, row.sha256 is not None)


class StatementDocuments:
    def __init__(self, db: AsyncSession, now: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    async def request(self, owner_id: uuid.UUID, statement: Statement, locale: str) -> Document:
        """Asks for a statement document of VSAA's answer (in the caller's transaction); the worker renders it."""
        document = Document(
            id=uuid.uuid4(),
            kind=DocumentKind.STATEMENT.value,
            statement_kind=statement.kind,
            owner_id=owner_id,
            locale=locale if locale in SUPPORTED else SUPPORTED[0],
            source=statement.model_dump(mode="json"),
            requested_at=self._now(),
            verification_code=new_code(),
        )
        self._db.add(document)
        await self._db.flush()
        return document

    async def being_prepared(self, owner_id: uuid.UUID, kind: str) -> Document | None:
        """A statement of `kind` the person asked for moments ago and the worker has not rendered yet: a second
        press of "issue anew" (a double click) leads to it instead of asking VSAA again."""
        since = self._now() - RECENT
        found: Document | None = await self._db.scalar(
            select(Document)
            .where(
                Document.owner_id == owner_id,
                Document.kind == DocumentKind.STATEMENT,
                Document.statement_kind == kind,
                Document.content.is_(None),
                Document.requested_at >= since,
            )
            .order_by(Document.requested_at.desc())
            .limit(1)
        )
        return found

    async def history(self, owner_id: uuid.UUID, kind: str) -> list[Issued]:
        """The person's issued statements of `kind`, newest first."""
        rows = await self._db.execute(
            select(*_LISTED)
            .where(
                Document.owner_id == owner_id,
                Document.kind == DocumentKind.STATEMENT,
                Document.statement_kind == kind,
            )
            .order_by(Document.requested_at.desc(), Document.id)
        )
        return [_issued(row) for row in rows]

    async def latest_by_kind(self, owner_id: uuid.UUID) -> dict[str, Issued]:
        """The newest issued statement of each kind the person has issued."""
        rows = await self._db.execute(
            select(*_LISTED)
            .where(Document.owner_id == owner_id, Document.kind == DocumentKind.STATEMENT)
            .order_by(Document.requested_at.desc())
        )
        latest: dict[str, Issued] = {}
        for row in rows:
            if row.statement_kind and row.statement_kind not in latest:
                latest[row.statement_kind] = Issued(
                    row.id, row.statement_kind, row.requested_at, row.sha256 is not None
                )
        return latest

    async def find(self, owner_id: uuid.UUID, kind: str, document_id: uuid.UUID) -> Document | None:
        """The person's statement document of `kind`; None for anyone else's, another kind's or none."""
        document: Document | None = await self._db.scalar(
            select(Document).where(
                Document.id == document_id,
                Document.owner_id == owner_id,
                Document.kind == DocumentKind.STATEMENT,
                Document.statement_kind == kind,
            )
        )
        return document


async def statement_context(db: AsyncSession, document: Document) -> dict[str, Any]:
    """The statement template's context: VSAA's answer as captured, and the person's name as it is now."""
    person = await db.get_one(Person, document.owner_id)
    source = document.source
    (statement,) = statements_of({"statements": [source]}) or (None,)
    full = full_statement_of(source)
    as_of = dt.datetime.fromisoformat(source["as_of"]) if source.get("as_of") else document.requested_at
    return {
        "kind": document.statement_kind or source.get("kind", ""),
        "statement_name": statement_name,
        "figure_rows": figure_rows,
        "figures": statement.figures if statement else (),
        "available": bool(statement and statement.available),
        "year": source.get("year"),
        # Called while the template renders, in the document's language: the plain-language paragraphs and the
        # kind's full data as tables, as the statement's page shows them (portal/statements/).
        "paragraphs": (lambda: explain(full)) if full else list,
        "tables": (lambda: tables_of(full.data)) if full and full.data else list,
        "person": person.full_name,
        "as_of": as_of,
        "issued_at": document.requested_at,
    }
