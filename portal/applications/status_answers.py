"""An answer to an agency's information request: the person's words and at most one file, checked before they go.

The file gets the checks of a draft's uploads (portal/applications/uploads.py: empty, size, the type its bytes
declare, the virus scan), with VSAA's own limits (contracts/vsaa-applications.yaml: PDF, JPEG or PNG, at most
5 MB). Nothing is stored: the answer goes to VSAA in the same request. The idempotency key is made of the answer
itself, so the same answer sent twice (a double click, a retry after VSAA did not answer) is registered once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import structlog

from portal.agencies.vsaa_applications import AnswerFile
from portal.applications.questions import BAD_CHARACTERS, Problem, clean_text
from portal.applications.uploads import (
    Refusal,
    ScanFailed,
    Scanner,
    UploadLimits,
    detect_type,
    refusal_text,
    sanitise_name,
)
from portal.web.i18n import N_

log = structlog.get_logger("portal.applications")

MAX_TEXT = 5000  # VSAA's limit (InformationAnswer.text)
VSAA_FILE_LIMITS = UploadLimits(max_bytes=5 * 1024 * 1024, max_files=1)
ANSWER_REQUIRED = N_("Write your answer or add a file.")
TEXT_TOO_LONG = N_("Write your answer in %(max)s characters or fewer.")


@dataclass(frozen=True)
class CheckedAnswer:
    text: str
    files: tuple[AnswerFile, ...]
    text_error: str | None = None
    file_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.text_error is None and self.file_error is None


def file_refusal(code: Refusal | str) -> str | None:
    return refusal_text(str(code), VSAA_FILE_LIMITS)


async def check_answer(raw_text: str, filename: str | None, data: bytes, scanner: Scanner) -> CheckedAnswer:
    """The answer as VSAA gets it, or what to tell the person (texts in the reader's language)."""
    text = clean_text(raw_text)
    text_error = None
    if len(text) > MAX_TEXT:
        text_error = Problem(TEXT_TOO_LONG, {"max": MAX_TEXT}).text()
    elif any(ord(c) < 32 and c not in "\n\t" for c in text):
        text_error = Problem(BAD_CHARACTERS).text()
    file_error, files = await _checked_file(filename, data, scanner)
    if text_error is None and file_error is None and not text and not files:
        text_error = Problem(ANSWER_REQUIRED).text()
    return CheckedAnswer(text, files, text_error, file_error)


async def _checked_file(
    filename: str | None, data: bytes, scanner: Scanner
) -> tuple[str | None, tuple[AnswerFile, ...]]:
    if not filename and not data:
        return None, ()  # no file chosen: the words alone may answer
    if not data:
        return file_refusal(Refusal.EMPTY), ()
    if len(data) > VSAA_FILE_LIMITS.max_bytes:
        return file_refusal(Refusal.TOO_LARGE), ()
    content_type = detect_type(data)
    if content_type is None or content_type not in VSAA_FILE_LIMITS.accept:
        return file_refusal(Refusal.WRONG_TYPE), ()
    try:
        infected = await scanner.is_infected(data)
    except ScanFailed as error:
        log.warning("answer_scan_failed", error=str(error))
        return file_refusal(Refusal.NOT_SCANNED), ()
    if infected:
        log.warning("answer_file_infected")
        return file_refusal(Refusal.INFECTED), ()
    return None, (AnswerFile(name=sanitise_name(filename), content_type=content_type, content=data),)


def answer_key(reference: str, request_id: str, answer: CheckedAnswer) -> str:
    digest = hashlib.sha256()
    for part in (reference, request_id, answer.text, *(hashlib.sha256(f.content).hexdigest() for f in answer.files)):
        digest.update(part.encode("utf-8") + b"\x00")
    return f"answer-{digest.hexdigest()[:48]}"


def withdrawal_key(reference: str) -> str:
    # An application is withdrawn once: every withdrawal of it is the same act.
    return f"withdraw-{hashlib.sha256(reference.encode('ascii')).hexdigest()[:48]}"
