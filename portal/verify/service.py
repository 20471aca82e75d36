"""Verifying documents: by code (typed, or from the QR link), or by the PDF itself.

A code says only that the portal issued a document with that code, and what kind, by whom, when, its fingerprint
and whether it was withdrawn: never whose it is. A PDF is genuine only when its SHA-256 equals a stored
fingerprint AND its e-seal validates against our root (intact, trusted, covering the whole file): a copy with one
byte changed anywhere matches no fingerprint, and a damaged file is simply not genuine.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications.outbox_models import Submission
from portal.documents.codes import normalise_code
from portal.documents.models import Document, DocumentKind
from portal.documents.seal import seal_is_valid


class Outcome(StrEnum):
    GENUINE = "genuine"  # by code: issued with this code; by file: these very bytes, sealed by us
    NOT_GENUINE = "not-genuine"  # a file that is not one the portal issued, or whose seal fails
    UNKNOWN_CODE = "unknown-code"
    MALFORMED_CODE = "malformed-code"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    kind: str | None = None  # receipt | statement
    statement_kind: str | None = None
    agency: str | None = None  # the agency a receipt's application went to; VSAA for a statement
    issued_at: dt.datetime | None = None
    sha256: str | None = None
    withdrawn: bool = False
    code: str | None = None


class Verifier:
    def __init__(self, db: AsyncSession, root: asn1_x509.Certificate) -> None:
        self._db = db
        self._root = root

    async def by_code(self, typed: str) -> Verdict:
        code = normalise_code(typed)
        if code is None:
            return Verdict(Outcome.MALFORMED_CODE)
        document = await self._issued(Document.verification_code == code)
        if document is None:
            return Verdict(Outcome.UNKNOWN_CODE, code=code)
        return await self._verdict(document)

    async def by_file(self, data: bytes) -> Verdict:
        document = await self._issued(Document.sha256 == hashlib.sha256(data).hexdigest())
        # The fingerprint first (cheap, and most uploads that are not ours stop here), then the seal itself.
        if document is None or not await asyncio.to_thread(seal_is_valid, data, self._root):
            return Verdict(Outcome.NOT_GENUINE)
        return await self._verdict(document)

    async def _issued(self, condition: object) -> Document | None:
        """A rendered document (one not rendered yet has no bytes to be genuine)."""
        found: Document | None = await self._db.scalar(
            select(Document).where(condition, Document.sha256.is_not(None))  # type: ignore[arg-type]
        )
        return found

    async def _verdict(self, document: Document) -> Verdict:
        agency = "VSAA"
        if document.kind == DocumentKind.RECEIPT and document.submission_id:
            submission = await self._db.get(Submission, document.submission_id)
            agency = submission.agency.upper() if submission else ""
        issued = document.created_at or document.requested_at
        return Verdict(
            Outcome.GENUINE,
            kind=document.kind,
            statement_kind=document.statement_kind,
            agency=agency,
            issued_at=issued if issued.tzinfo else issued.replace(tzinfo=dt.UTC),
            sha256=document.sha256,
            withdrawn=document.withdrawn,
            code=document.verification_code,
        )
