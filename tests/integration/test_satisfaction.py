"""Satisfaction responses in the database (SQLite, and PostgreSQL in its tier): sends at once keep one response,
migration 0008 goes up and down keeping the drafts, and `portal report satisfaction` counts stored rows."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text

from portal.applications.drafts import DraftService
from portal.applications.satisfaction import SatisfactionService
from portal.applications.satisfaction_models import SatisfactionResponse
from portal.catalogue.definitions import load_definitions
from portal.cli import main
from portal.db.engine import create_engine, session_factory
from portal.db.migrate import alembic_config, upgrade
from portal.people.service import PersonDirectory
from portal.settings import PROJECT_ROOT
from tests.integration.test_drafts import PERSONAS, accesses, open_draft

pytestmark = pytest.mark.postgres

SURVEY = load_definitions(PROJECT_ROOT / "forms")["apmierinatiba"]
SENDERS = 6


def _now() -> dt.datetime:
    # Drafts expire by the wall clock, which DraftService.get_for reads too.
    return dt.datetime.now(dt.UTC)


async def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as db:
            return int(await db.scalar(select(func.count()).select_from(SatisfactionResponse)) or 0)
    finally:
        await engine.dispose()


async def test_sends_at_once_keep_one_response(migrated):
    """As from separate processes (an engine each): every sender has read the draft before any sends."""
    engine = create_engine(migrated.database_url)
    try:
        async with session_factory(engine)() as db, db.begin():
            directory = PersonDirectory(db)
            people = {name: await directory.meet(*persona) for name, persona in PERSONAS.items()}
        anna = accesses(people)["anna"]
        draft = await open_draft(session_factory(engine), SURVEY, anna, people["anna"], now=_now)
        async with session_factory(engine)() as db, db.begin():
            loaded = await DraftService(db).get_for(draft.id, anna)
            await DraftService(db).save_page(loaded, "feedback", {"score": "3"})
    finally:
        await engine.dispose()
    everyone_has_read = asyncio.Barrier(SENDERS)

    async def sender() -> bool:
        own = create_engine(migrated.database_url)
        try:
            async with session_factory(own)() as db, db.begin():
                loaded = await DraftService(db).get_for(draft.id, anna)
                await everyone_has_read.wait()
                return await SatisfactionService(db).send(loaded, SURVEY, dt.date(2026, 11, 20), "lv")
        finally:
            await own.dispose()

    sent = await asyncio.gather(*(sender() for _ in range(SENDERS)))
    assert sorted(sent) == [False] * (SENDERS - 1) + [True]
    assert await _count(migrated.database_url) == 1


def _schema(url: str) -> tuple[set[str], set[str], int]:
    """The tables, the drafts' columns and how many drafts there are."""

    async def look() -> tuple[set[str], set[str], int]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                tables, columns = await connection.run_sync(
                    lambda sync: (
                        set(inspect(sync).get_table_names()),
                        {c["name"] for c in inspect(sync).get_columns("drafts")},
                    )
                )
                drafts = (await connection.execute(text("SELECT count(*) FROM drafts"))).scalar_one()
            return tables, columns, int(drafts)
        finally:
            await engine.dispose()

    return asyncio.run(look())


def _a_draft(url: str) -> None:
    async def make() -> None:
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as db, db.begin():
                directory = PersonDirectory(db)
                people = {name: await directory.meet(*persona) for name, persona in PERSONAS.items()}
            await open_draft(session_factory(engine), SURVEY, accesses(people)["janis"], people["janis"], now=_now)
        finally:
            await engine.dispose()

    asyncio.run(make())


def test_migration_0008_adds_and_removes_the_context_and_the_responses(settings):
    url = settings.database_url
    upgrade(url, "0007")
    tables, columns, _ = _schema(url)
    assert "satisfaction_responses" not in tables and "context" not in columns
    upgrade(url, "0008")
    _a_draft(url)
    tables, columns, drafts = _schema(url)
    assert "satisfaction_responses" in tables and "context" in columns and drafts == 1
    command.downgrade(alembic_config(url), "0007")
    tables, columns, drafts = _schema(url)
    # The draft is kept (on SQLite a copied table would have cascaded to its uploads).
    assert "satisfaction_responses" not in tables and "context" not in columns and drafts == 1


# Rows a test stores, as staff would find them: (service, score, business day).
ROWS = [
    ("vecuma-pensija", 5, "2026-11-10"),
    ("vecuma-pensija", 4, "2026-11-20"),
    ("vecuma-pensija", 4, "2026-11-21"),
    ("bezdarbnieka-pabalsts", 1, "2026-11-01"),
    ("bezdarbnieka-pabalsts", 2, "2026-11-25"),
    (None, 3, "2026-11-22"),
]


@pytest.fixture
def stored(migrated, monkeypatch):
    async def store() -> None:
        engine = create_engine(migrated.database_url)
        try:
            async with session_factory(engine)() as db, db.begin():
                db.add_all(
                    SatisfactionResponse(
                        service=service, score=score, answered_on=dt.date.fromisoformat(day), language="lv"
                    )
                    for service, score, day in ROWS
                )
        finally:
            await engine.dispose()

    asyncio.run(store())
    monkeypatch.setenv("PORTAL_DATABASE_URL", migrated.database_url)
    monkeypatch.setenv("PORTAL_VAR_DIR", str(migrated.var_dir))
    monkeypatch.setenv("PORTAL_ENVIRONMENT", "test")
    return migrated


def test_the_report_counts_per_service(stored, capsys):
    main(["report", "satisfaction", "--csv"])
    assert capsys.readouterr().out.splitlines() == [
        "service,answers,mean,score_1,score_2,score_3,score_4,score_5",
        "bezdarbnieka-pabalsts,2,1.50,1,1,0,0,0",
        "vecuma-pensija,3,4.33,0,0,0,2,1",
        "-,1,3.00,0,0,1,0,0",
    ]
    main(["report", "satisfaction", "--csv", "--since", "2026-11-20"])
    assert capsys.readouterr().out.splitlines()[1:] == [
        "bezdarbnieka-pabalsts,1,2.00,0,1,0,0,0",
        "vecuma-pensija,2,4.00,0,0,0,2,0",
        "-,1,3.00,0,0,1,0,0",
    ]


def test_the_report_reads_as_a_table_and_says_when_there_is_nothing(stored, capsys):
    main(["report", "satisfaction"])
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["service", "answers", "mean", "1", "2", "3", "4", "5"]
    assert table[2].split() == ["vecuma-pensija", "3", "4.33", "0", "0", "0", "2", "1"]
    main(["report", "satisfaction", "--since", "2026-12-01"])
    assert capsys.readouterr().out == "No satisfaction answers since 2026-12-01.\n"
    with pytest.raises(SystemExit) as refused:
        main(["report", "satisfaction", "--since", "20.11.2026"])
    assert refused.value.code == 2 and "write YYYY-MM-DD" in capsys.readouterr().err
