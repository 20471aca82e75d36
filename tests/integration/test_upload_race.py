"""Uploads at once to one file question never pass its max_files (SQLite, and PostgreSQL in its tier): from
separate engines, as from separate processes, and as parallel requests through the app. A scanner that holds every
upload until all of them have been counted once makes the race certain rather than likely."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.drafts import DraftClosed, DraftService
from portal.applications.upload_models import Upload
from portal.applications.uploads import EicarStandIn, Refusal, UploadLimits, UploadRefused, UploadService
from portal.db.engine import create_engine, session_factory
from tests.integration.test_drafts import PENSION, Clock, accesses, open_draft
from tests.integration.test_submit_once import people, sessions  # noqa: F401 - fixtures
from tests.integration.test_uploads import PDF, add, app, client, make_draft, stored, upload_settings  # noqa: F401

pytestmark = pytest.mark.postgres

PARALLEL = 6
MAX_FILES = 2
QUESTION = "documents.files"
NOW = dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)


class AllAtOnce:
    """A scanner that lets no upload past until `expected` uploads have reached it: each has passed the early
    count by then, so only a count under a lock can keep them within the limit."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.arrived = 0
        self.all_here = asyncio.Event()

    async def is_infected(self, data: bytes) -> bool:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_here.set()
        await asyncio.wait_for(self.all_here.wait(), timeout=10)
        return False


async def upload(factory: async_sessionmaker[AsyncSession], draft_id: uuid.UUID, scanner, directory) -> str:
    """What the upload route does, in one transaction of its own: the file accepted, or why not."""
    async with factory() as db, db.begin():
        try:
            await UploadService(db, directory, scanner).accept(
                draft_id, QUESTION, "izzina.pdf", PDF, UploadLimits(max_files=MAX_FILES), NOW
            )
        except UploadRefused as refused:
            return refused.reason.value
    return "accepted"


async def uploads_of(factory, draft_id) -> int:
    async with factory() as db:
        return await db.scalar(select(func.count()).where(Upload.draft_id == draft_id)) or 0


async def test_uploads_at_once_from_separate_engines_keep_to_max_files(migrated, sessions, people, tmp_path):  # noqa: F811
    directory = tmp_path / "uploads"
    janis = accesses(people)["janis"]
    draft = await open_draft(sessions, PENSION, janis, people["janis"])
    engines = [create_engine(migrated.database_url) for _ in range(PARALLEL)]
    scanner = AllAtOnce(PARALLEL)
    try:
        results = await asyncio.gather(*(upload(session_factory(e), draft.id, scanner, directory) for e in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sorted(results) == sorted(["accepted"] * MAX_FILES + [Refusal.TOO_MANY.value] * (PARALLEL - MAX_FILES))
    assert await uploads_of(sessions, draft.id) == MAX_FILES
    # A refused upload leaves no file behind; the accepted ones each have theirs.
    assert len(list(directory.iterdir())) == MAX_FILES


async def test_an_upload_to_a_draft_deleted_meanwhile_is_not_kept(sessions, people, tmp_path):  # noqa: F811
    janis = accesses(people)["janis"]
    draft = await open_draft(sessions, PENSION, janis, people["janis"])
    async with sessions() as db, db.begin():
        loaded = await DraftService(db, now=Clock()).get_for(draft.id, janis)
        await DraftService(db, now=Clock()).delete(loaded)
    with pytest.raises(DraftClosed):
        await upload(sessions, draft.id, EicarStandIn(), tmp_path / "uploads")
    assert not (tmp_path / "uploads").exists()


def test_parallel_requests_to_one_question_keep_to_max_files(client, app, monkeypatch):  # noqa: F811
    # The test definition's question takes 2 files (tests/integration/test_uploads.py DEFINITION).
    draft_id = make_draft(client, app)
    together = AllAtOnce(PARALLEL)
    monkeypatch.setattr(EicarStandIn, "is_infected", lambda self, data: together.is_infected(data))
    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(lambda n: add(client, draft_id, f"{n}.pdf", PDF), range(PARALLEL)))
    locations = sorted(a.headers["location"] for a in answers)
    assert all(a.status_code == 303 for a in answers)
    refused = f"/applications/{draft_id}/documents?upload_error={Refusal.TOO_MANY.value}&question=files#files"
    assert locations == sorted([f"/applications/{draft_id}/documents"] * 2 + [refused] * (PARALLEL - 2))
    uploads, answers_kept = stored(client, app, draft_id)
    assert len(uploads) == 2
    assert sorted(answers_kept["documents"]["files"]) == sorted(str(u.id) for u in uploads)
