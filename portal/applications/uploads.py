"""Files attached to a draft's file question: checked by content, scanned, stored outside static/ under random names.

Every check runs on the bytes in memory before anything is written, so a refused file leaves nothing behind (no
row, no file). The browser's file name and content type are never trusted: the type is what the first bytes say,
and the name is kept only, sanitised, to show the person which file they chose.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import secrets
import struct
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.drafts import DraftClosed
from portal.applications.upload_models import Upload
from portal.catalogue.definitions import Question
from portal.settings import Settings, UploadScanner
from portal.web.i18n import N_, format_number, gettext

log = structlog.get_logger("portal.uploads")

DEFAULT_MAX_BYTES = 10_000_000  # decimal, as the definitions and their hints count ("up to 10 MB")
DEFAULT_MAX_FILES = 5
DEFAULT_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
NAME_LIMIT = 120

# The standard antivirus test file (www.eicar.org): harmless, and every scanner reports it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class Refusal(StrEnum):
    """Why a file was not accepted; the value travels in the redirect back to the page, the text is shown there."""

    EMPTY = "empty"
    TOO_LARGE = "too-large"
    TOO_MANY = "too-many"
    WRONG_TYPE = "wrong-type"
    INFECTED = "infected"
    NOT_SCANNED = "not-scanned"
    NO_FILE = "no-file"


# Message ids with %(…)s placeholders filled by `refusal_text`; they say how to put it right.
REFUSAL_TEXTS: dict[Refusal, str] = {
    Refusal.EMPTY: N_("The selected file is empty. Choose a file that has something in it."),
    Refusal.TOO_LARGE: N_("The selected file must be smaller than %(size)s. Choose a smaller file."),
    Refusal.TOO_MANY: N_("You can add up to %(count)s files. Remove a file before adding another."),
    Refusal.WRONG_TYPE: N_(
        "The selected file must be one of these types: %(types)s. Its content is not, whatever its name says."
    ),
    Refusal.INFECTED: N_("The selected file contains a virus. Choose another file."),
    Refusal.NOT_SCANNED: N_("We could not check the file for viruses. Try again in a few minutes."),
    Refusal.NO_FILE: N_("Select a file to add."),
}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}


class UploadRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class UploadLimits:
    """A file question's limits (its `max_bytes`, `max_files` and `accept` in the definition)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_files: int = DEFAULT_MAX_FILES
    accept: tuple[str, ...] = DEFAULT_ACCEPT


def limits_of(question: Question, ceiling: int) -> UploadLimits:
    """A file question's limits; the route's ceiling (settings.upload_max_bytes) caps what a definition asks."""
    return UploadLimits(
        max_bytes=min(question.max_bytes or DEFAULT_MAX_BYTES, ceiling),
        max_files=question.max_files or DEFAULT_MAX_FILES,
        accept=tuple(question.accept or DEFAULT_ACCEPT),
    )


def format_size(size: int) -> str:
    # Decimal units, as the definitions' hints and most file managers show them: 10000000 bytes is "10 MB".
    if size >= 1_000_000:
        return f"{format_number(round(Decimal(size) / 1_000_000, 1))} MB"
    return f"{format_number(max(1, size // 1000))} KB"


def refusal_text(code: str | None, limits: UploadLimits) -> str | None:
    """What a page shows for the refusal code the upload route sent back (None for no or an unknown code)."""
    try:
        reason = Refusal(code or "")
    except ValueError:
        return None
    params = {
        "size": format_size(limits.max_bytes),
        "count": str(limits.max_files),
        "types": ", ".join(TYPE_NAMES.get(kind, kind) for kind in limits.accept),
    }
    return gettext(REFUSAL_TEXTS[reason]) % params


def file_rows(uploads: Sequence[Upload]) -> list[dict[str, str]]:
    """The files as templates/components/file_list.html shows them."""
    return [{"id": str(u.id), "name": u.original_name, "size": format_size(u.size)} for u in uploads]


def detect_type(data: bytes) -> str | None:
    """The content type the bytes themselves declare (magic numbers), or None for anything we do not take."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def sanitise_name(name: str | None) -> str:
    """A display name: no path, no control or bidi-override characters, NFC so that Latvian letters compare equal."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if len(cleaned) > NAME_LIMIT:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: NAME_LIMIT - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else cleaned[:NAME_LIMIT]
    return cleaned or "file"


class ScanFailed(Exception):
    """The scanner could not give an answer; the file is refused rather than kept unscanned."""


class Scanner(Protocol):
    async def is_infected(self, data: bytes) -> bool: ...


class EicarStandIn:
    """Dev and test only: flags the EICAR test string, as a real scanner would, and passes everything else."""

    async def is_infected(self, data: bytes) -> bool:
        return EICAR in data


class ClamdScanner:
    """ClamAV's daemon over its Unix socket (INSTREAM); the socket path is `PORTAL_CLAMD_SOCKET`."""

    CHUNK = 64 * 1024

    def __init__(self, socket_path: Path, timeout: float = 30.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    async def is_infected(self, data: bytes) -> bool:
        try:
            return await asyncio.wait_for(self._scan(data), self.timeout)
        except (OSError, TimeoutError) as error:
            raise ScanFailed(str(error)) from error

    async def _scan(self, data: bytes) -> bool:
        reader, writer = await asyncio.open_unix_connection(str(self.socket_path))
        try:
            writer.write(b"zINSTREAM\0")
            for start in range(0, len(data), self.CHUNK):
                chunk = data[start : start + self.CHUNK]
                writer.write(struct.pack(">I", len(chunk)) + chunk)
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            reply = (await reader.read(4096)).rstrip(b"\0").strip()
        finally:
            writer.close()
        if reply.endswith(b"OK"):
            return False
        if reply.endswith(b"FOUND"):
            return True
        raise ScanFailed(reply.decode("ascii", "replace"))


def scanner_for(settings: Settings) -> Scanner:
    if settings.scanner_kind is UploadScanner.CLAMD:
        return ClamdScanner(settings.clamd_socket)
    return EicarStandIn()


class UploadService:
    """Accepts, lists and removes a draft's files. The caller has checked that the actor may touch the draft."""

    def __init__(self, db: AsyncSession, directory: Path, scanner: Scanner) -> None:
        self.db = db
        self.directory = directory
        self.scanner = scanner

    async def accept(
        self,
        draft_id: uuid.UUID,
        question_key: str,
        filename: str | None,
        data: bytes,
        limits: UploadLimits,
        now: dt.datetime,
    ) -> Upload:
        """Checks, scans and keeps one file, in the caller's transaction, which must commit (or roll back) soon
        after: from the count that admits the file to that commit, the draft's row is locked, so that uploads at
        once to the same question cannot together pass its `max_files`. DraftClosed when the draft was submitted
        or deleted meanwhile."""
        if not data:
            raise UploadRefused(Refusal.NO_FILE if not filename else Refusal.EMPTY)
        if len(data) > limits.max_bytes:
            raise UploadRefused(Refusal.TOO_LARGE)
        if await self.count(draft_id, question_key) >= limits.max_files:  # early, to spare a pointless scan
            raise UploadRefused(Refusal.TOO_MANY)
        content_type = detect_type(data)
        if content_type is None or content_type not in limits.accept:
            raise UploadRefused(Refusal.WRONG_TYPE)
        try:
            infected = await self.scanner.is_infected(data)
        except ScanFailed as error:
            log.warning("upload_scan_failed", draft_id=str(draft_id), error=str(error))
            raise UploadRefused(Refusal.NOT_SCANNED) from error
        if infected:
            log.warning("upload_infected", draft_id=str(draft_id), question=question_key)
            raise UploadRefused(Refusal.INFECTED)
        # Locked only now, after the scan (which may take seconds): counted again under the lock, so the count
        # and the insert are one step for every upload to this draft.
        await self._lock_draft(draft_id)
        if await self.count(draft_id, question_key) >= limits.max_files:
            raise UploadRefused(Refusal.TOO_MANY)
        stored_name = secrets.token_hex(16)
        self._write(stored_name, data)
        upload = Upload(
            draft_id=draft_id,
            question_key=question_key,
            original_name=sanitise_name(filename),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            stored_name=stored_name,
            scanned_at=now,
            created_at=now,
        )
        self.db.add(upload)
        try:
            await self.db.flush()
        except Exception:
            self.path(stored_name).unlink(missing_ok=True)  # the row failed: keep no file without one
            raise
        log.info("upload_accepted", draft_id=str(draft_id), question=question_key, size=len(data))
        return upload

    async def _lock_draft(self, draft_id: uuid.UUID) -> None:
        """Takes the draft's row for this transaction: on PostgreSQL the UPDATE holds the row lock, and a second
        upload's UPDATE waits until the first commits, then counts its file; on SQLite, where writers are serialised
        by the file lock, it is the transaction's first write (pysqlite opens the transaction only then), so the
        second writer waits in the busy timeout and reads the first one's commit afterwards. Nothing changes."""
        taken = await self.db.execute(
            update(Draft)
            .where(Draft.id == draft_id, Draft.status == DraftStatus.DRAFT.value)
            .values(updated_at=Draft.updated_at)
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            raise DraftClosed()

    async def count(self, draft_id: uuid.UUID, question_key: str) -> int:
        query = select(func.count()).where(Upload.draft_id == draft_id, Upload.question_key == question_key)
        return int((await self.db.execute(query)).scalar_one())

    async def list_for(self, draft_id: uuid.UUID, question_key: str | None = None) -> Sequence[Upload]:
        query = select(Upload).where(Upload.draft_id == draft_id).order_by(Upload.created_at, Upload.id)
        if question_key is not None:
            query = query.where(Upload.question_key == question_key)
        return (await self.db.scalars(query)).all()

    async def remove(self, draft_id: uuid.UUID, upload_id: uuid.UUID) -> Upload | None:
        """Removes one of this draft's files; an id of another draft's file is treated as not there."""
        upload = await self.db.scalar(select(Upload).where(Upload.id == upload_id, Upload.draft_id == draft_id))
        if upload is None:
            return None
        await self.db.delete(upload)
        await self.db.flush()
        # The row goes first: a file left by a crash after this is an orphan nobody can reach, not a dangling row.
        self.path(upload.stored_name).unlink(missing_ok=True)
        return upload

    async def remove_all(self, draft_id: uuid.UUID) -> int:
        """Removes every file of a draft (call before deleting the draft: the rows would go with it, the files not)."""
        uploads = await self.list_for(draft_id)
        for upload in uploads:
            await self.db.delete(upload)
        await self.db.flush()
        for upload in uploads:
            self.path(upload.stored_name).unlink(missing_ok=True)
        return len(uploads)

    def read(self, upload: Upload) -> bytes:
        return self.path(upload.stored_name).read_bytes()

    def path(self, stored_name: str) -> Path:
        return self.directory / stored_name

    def _write(self, stored_name: str, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.path(stored_name)
        partial = target.with_suffix(".part")
        # Written whole under a temporary name, then renamed: a reader never sees half a file.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, target)


class UploadSweeper:
    """The worker task that deletes files no upload row names: their draft was deleted or expired (the rows go
    with it, by the foreign key's cascade; the files cannot) or a crash came between writing a file and
    committing its row. A file younger than `grace` may belong to an upload still in its request, so it stays."""

    name = "uploads"
    BATCH = 500

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        directory: Path,
        grace: dt.timedelta = dt.timedelta(hours=1),
        every: dt.timedelta = dt.timedelta(minutes=10),
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self._grace = grace
        self._every = every  # the worker asks every second; a directory listing that often is waste
        self._last: dt.datetime | None = None

    async def run_once(self, now: dt.datetime) -> int:
        if self._last is not None and now - self._last < self._every:
            return 0
        self._last = now
        if not self._directory.is_dir():
            return 0
        cutoff = (now - self._grace).timestamp()
        old = [p for p in self._directory.iterdir() if p.is_file() and p.stat().st_mtime < cutoff]
        removed = 0
        async with self._sessions() as db:
            for start in range(0, len(old), self.BATCH):
                batch = old[start : start + self.BATCH]
                names = [p.name for p in batch]
                known = set((await db.scalars(select(Upload.stored_name).where(Upload.stored_name.in_(names)))).all())
                for path in batch:
                    if path.name not in known:
                        path.unlink(missing_ok=True)
                        removed += 1
        if removed:
            log.info("uploads.swept", count=removed)
        return removed
