"""Documents: asked for (a receipt when a submission is accepted, a statement when a person issues one), rendered
and sealed once by the worker, downloaded as the same bytes.

`DocumentService.request_receipt(submission, receipt_details(definition, answers, today), locale)` runs in the
submitting request's transaction and only writes a row (rendering takes a few hundred milliseconds of CPU: never in
a request). `DocumentRendering`, a worker task, renders the rows still without content and stores the bytes with
a conditional update, so two workers that rendered the same row keep the first one's bytes and the document never
changes once issued. Every document gets its verification code when it is asked for, and its e-seal (seal.py)
after the PDF/A render: the fingerprint is that of the sealed bytes, which /verify checks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.engine import check_rows
from portal.applications.outbox_models import Submission
from portal.catalogue.definitions import Definition
from portal.documents.codes import new_code
from portal.documents.models import Document, DocumentKind
from portal.documents.render import render_html, render_pdf
from portal.documents.seal import Seal, seal_pdf
from portal.documents.statements import STATEMENT_TEMPLATE, statement_context
from portal.documents.verification import verification_context
from portal.people.models import Person
from portal.web.i18n import N_, SUPPORTED

log = structlog.get_logger("portal.documents")
RECEIPT_TEMPLATE = "documents/receipt.html"
# How the receipt names the filer's basis (portal.auth.access.Basis values); translated when rendered.
BASIS_LABELS = {
    "self": N_("The applicant themselves."),
    "parent": N_("As the child's parent."),
    "guardian": N_("As the guardian."),
    "mandate": N_("Under a mandate the applicant granted."),
    "assistant": N_("By a service centre assistant, with the applicant present."),
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class AnswerRow:
    label: str  # the question's English msgid (translated when rendered) or a text as it is
    value: str  # the answer as the person would read it


@dataclass(frozen=True)
class ReceiptDetails:
    """What the receipt shows beyond the submission row, taken from the definition when the person submits."""

    service_title: str  # the definition's title msgid, e.g. "Old-age pension"
    decision_due: dt.date | None
    what_next: str  # the definition's msgid; empty for the general sentence
    answers: Sequence[AnswerRow] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["decision_due"] = self.decision_due.isoformat() if self.decision_due else None
        data["answers"] = [asdict(row) for row in self.answers]
        return data


def receipt_details(definition: Definition, answers: Mapping[str, Any], received: dt.date) -> ReceiptDetails:
    """The receipt's details for a submission of `definition`, taken at submit time (in the request's language:
    answers are shown as check-your-answers shows them): the decision term counts from `received`."""
    rows = [AnswerRow(str(row["key"]), str(row["value"])) for row in check_rows(definition, answers, "")]
    term = definition.decision_term_days
    return ReceiptDetails(
        service_title=definition.title,
        decision_due=received + dt.timedelta(days=term) if term else None,
        what_next=definition.what_next or "",
        answers=rows,
    )


class DocumentService:
    def __init__(self, db: AsyncSession, now: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = db
        self._now = now

    async def request_receipt(self, submission: Submission, details: ReceiptDetails, locale: str) -> Document:
        """Asks for the submission's receipt (in the caller's transaction); asking again returns the first."""
        if existing := await self.receipt_for(submission.id):
            return existing
        document = Document(
            id=uuid.uuid4(),
            kind=DocumentKind.RECEIPT.value,
            owner_id=submission.applicant_id,
            submission_id=submission.id,
            locale=locale if locale in SUPPORTED else SUPPORTED[0],
            source=details.to_json(),
            requested_at=self._now(),
            verification_code=new_code(),
        )
        try:
            async with self._db.begin_nested():
                self._db.add(document)
        except IntegrityError:
            # Another request asked at the same moment and committed first: theirs is the receipt.
            found = await self.receipt_for(submission.id)
            if found is None:
                raise
            return found
        return document

    async def receipt_for(self, submission_id: uuid.UUID) -> Document | None:
        document: Document | None = await self._db.scalar(
            select(Document).where(Document.submission_id == submission_id, Document.kind == DocumentKind.RECEIPT)
        )
        return document


async def receipt_context(db: AsyncSession, document: Document) -> dict[str, Any]:
    """The template's context: the submission and the names of the people it names, as they are now."""
    submission = await db.get_one(Submission, document.submission_id)
    people = {
        person.id: person.full_name
        for person in await db.scalars(
            select(Person).where(
                Person.id.in_(
                    {submission.applicant_id, submission.filer_id}
                    | ({submission.about_person_id} if submission.about_person_id else set())
                )
            )
        )
    }
    source = document.source
    due = source.get("decision_due")
    return {
        "reference": submission.reference,
        "service_title": source.get("service_title") or submission.service,
        "applicant": people.get(submission.applicant_id, ""),
        "about_person": people.get(submission.about_person_id) if submission.about_person_id else None,
        "filer": people.get(submission.filer_id, ""),
        "basis": BASIS_LABELS.get(submission.basis, submission.basis),
        "submitted_at": submission.created_at,
        "decision_due": dt.date.fromisoformat(due) if due else None,
        "answers": source.get("answers") or [],
        "what_next": source.get("what_next") or "",
    }


ContextMaker = Callable[[AsyncSession, Document], Awaitable[dict[str, Any]]]
# Each kind's template and the context it is rendered with.
TEMPLATES: dict[str, tuple[str, ContextMaker]] = {
    DocumentKind.RECEIPT.value: (RECEIPT_TEMPLATE, receipt_context),
    DocumentKind.STATEMENT.value: (STATEMENT_TEMPLATE, statement_context),
}
SEAL_REASON = "Issued by Latvia's e-service portal"
RETRY_FAILED_AFTER = dt.timedelta(minutes=10)


class DocumentRendering:
    """Worker task: renders and seals the documents asked for and not yet rendered (portal/worker/tasks.py)."""

    name = "documents"

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], seal: Seal, public_url: str, batch_size: int = 5
    ) -> None:
        self._sessions = sessions
        self._seal = seal
        self._public_url = public_url
        self._batch_size = batch_size
        # Documents that failed to render here, and when: skipped for a while, so that a broken one never holds
        # up the ones asked for after it (it is tried again later, and logged each time).
        self._failed: dict[uuid.UUID, dt.datetime] = {}

    async def run_once(self, now: dt.datetime) -> int:
        self._failed = {key: at for key, at in self._failed.items() if now - at < RETRY_FAILED_AFTER}
        pages = await self.pending(now)
        for document_id, html in pages:
            try:
                pdf = await self.render(html)
            except Exception:
                log.exception("documents.render_failed", document=str(document_id))
                self._failed[document_id] = now
                continue
            await self.store(document_id, pdf, now)
        return len(pages)

    async def render(self, html: str) -> bytes:
        """The sealed PDF, made in a worker thread: the event loop (the embedded web process's too) keeps
        serving while the CPU works."""
        return await asyncio.to_thread(lambda: seal_pdf(render_pdf(html), self._seal, SEAL_REASON))

    async def pending(self, now: dt.datetime | None = None) -> list[tuple[uuid.UUID, str]]:
        """The documents not yet rendered, with their HTML: made from the database before any rendering, so no
        transaction stays open while the CPU works."""
        async with self._sessions() as db:
            query = select(Document).where(Document.content.is_(None), Document.kind.in_(list(TEMPLATES)))
            if self._failed:
                query = query.where(Document.id.not_in(list(self._failed)))
            documents = list(await db.scalars(query.order_by(Document.requested_at).limit(self._batch_size)))
            pages = []
            for document in documents:
                template, context = TEMPLATES[document.kind]
                try:
                    values = {**await context(db, document), **verification_context(document, self._public_url)}
                    pages.append((document.id, render_html(template, values, document.locale)))
                except Exception:
                    log.exception("documents.render_failed", document=str(document.id))
                    self._failed[document.id] = now or utcnow()
            return pages

    async def store(self, document_id: uuid.UUID, pdf: bytes, now: dt.datetime) -> bool:
        """Keeps the bytes unless another worker stored the document first (then its bytes stand): False."""
        async with self._sessions.begin() as db:
            result = await db.execute(
                update(Document)
                .where(Document.id == document_id, Document.content.is_(None))
                .values(content=pdf, sha256=hashlib.sha256(pdf).hexdigest(), created_at=now)
            )
        stored = bool(result.rowcount)  # type: ignore[attr-defined]
        log.info("documents.rendered", document=str(document_id), stored=stored)
        return stored
