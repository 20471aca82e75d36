"""The uploads sweeper: files whose rows are gone (draft deleted or expired) are deleted; young files stay."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from sqlalchemy import delete, select

from portal.applications.draft_models import Draft, DraftStatus, open_key
from portal.applications.upload_models import Upload
from portal.applications.uploads import EicarStandIn, UploadLimits, UploadService, UploadSweeper
from portal.db.engine import create_engine, session_factory
from portal.people.models import Person

pytestmark = pytest.mark.postgres

PDF = b"%PDF-1.7\n%%EOF\n"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def sessions(migrated):
    engine = create_engine(migrated.database_url)
    yield session_factory(engine)
    await engine.dispose()


async def _draft(db, code):
    person = Person(personal_code=code, given_name="Jānis", family_name="Bērziņš", created_at=NOW)
    db.add(person)
    await db.flush()
    draft = Draft(
        service="vecuma-pensija",
        agency="vsaa",
        applicant_id=person.id,
        filer_id=person.id,
        basis="self",
        answers={},
        prefilled={},
        created_at=NOW,
        updated_at=NOW,
        expires_at=NOW + dt.timedelta(days=90),
        idempotency_key=uuid.uuid4().hex,
        status=DraftStatus.DRAFT.value,
        open_key=open_key("vecuma-pensija", person.id, None),
    )
    db.add(draft)
    await db.flush()
    return draft.id


def _age(path, hours):
    moment = (NOW - dt.timedelta(hours=hours)).timestamp()
    os.utime(path, (moment, moment))


async def test_files_of_deleted_drafts_go_and_young_or_kept_files_stay(sessions, tmp_path):
    directory = tmp_path / "uploads"
    async with sessions() as db, db.begin():
        kept_draft, gone_draft = await _draft(db, "150162-12342"), await _draft(db, "050694-14213")
        uploads = UploadService(db, directory, EicarStandIn())
        kept = await uploads.accept(kept_draft, "documents.files", "a.pdf", PDF, UploadLimits(), NOW)
        gone = await uploads.accept(gone_draft, "documents.files", "b.pdf", PDF, UploadLimits(), NOW)
        kept_name, gone_name = kept.stored_name, gone.stored_name
    async with sessions() as db, db.begin():
        await db.execute(delete(Draft).where(Draft.id == gone_draft))  # as the expiry sweeper does
    async with sessions() as db:
        assert (await db.scalars(select(Upload.stored_name))).all() == [kept_name]  # the row went by cascade
    young = directory / ("0" * 32)
    young.write_bytes(PDF)  # as if an upload's row were not committed yet
    for name in (kept_name, gone_name):
        _age(directory / name, hours=2)
    _age(young, hours=0)

    sweeper = UploadSweeper(sessions, directory)
    assert await sweeper.run_once(NOW) == 1
    assert sorted(p.name for p in directory.iterdir()) == sorted([kept_name, young.name])
    _age(young, hours=2)
    assert await sweeper.run_once(NOW + dt.timedelta(minutes=1)) == 0  # not yet: it looks every 10 minutes
    assert await sweeper.run_once(NOW + dt.timedelta(minutes=10)) == 1
    assert [p.name for p in directory.iterdir()] == [kept_name]


async def test_removing_all_of_a_drafts_files(sessions, tmp_path):
    directory = tmp_path / "uploads"
    async with sessions() as db, db.begin():
        draft_id = await _draft(db, "150162-12342")
        uploads = UploadService(db, directory, EicarStandIn())
        for name in ("a.pdf", "b.pdf"):
            await uploads.accept(draft_id, "documents.files", name, PDF, UploadLimits(), NOW)
        assert await uploads.remove_all(draft_id) == 2
        assert await uploads.list_for(draft_id) == []
    assert list(directory.iterdir()) == []
