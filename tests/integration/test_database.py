"""The database layer on SQLite and PostgreSQL: migrations, the key-value store, concurrent writers."""

import asyncio
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from portal.db.base import Base
from portal.db.engine import create_engine, session_factory
from portal.db.migrate import current_revision, head_revision, upgrade
from portal.db.models import import_all_models
from portal.db.store import DatabaseStore

pytestmark = pytest.mark.postgres


async def test_migrations_reach_head_and_match_the_models(migrated):
    engine = create_engine(migrated.database_url)
    try:
        assert await current_revision(engine) == head_revision()
        import_all_models()
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata)
            )
        assert diff == [], "the models and the migrations disagree"
    finally:
        await engine.dispose()


async def test_migrations_downgrade_to_nothing_and_up_again(migrated):
    from alembic import command

    from portal.db.migrate import alembic_config

    await asyncio.to_thread(command.downgrade, alembic_config(migrated.database_url), "base")
    engine = create_engine(migrated.database_url)
    try:
        assert await current_revision(engine) is None
        await asyncio.to_thread(upgrade, migrated.database_url)
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


@pytest.fixture
async def store(migrated):
    engine = create_engine(migrated.database_url)
    yield DatabaseStore(session_factory(engine), namespace="test")
    await engine.dispose()


async def test_store_sets_gets_overwrites_and_deletes(store):
    assert await store.get("k") is None
    await store.set("k", "one", expires_in=60)
    assert await store.get("k") == b"one"
    await store.set("k", b"two", expires_in=dt.timedelta(minutes=5))
    assert await store.get("k") == b"two"
    assert 290 <= await store.expires_in("k") <= 300
    await store.delete("k")
    assert not await store.exists("k")


async def test_store_expiry_and_renewal(store):
    await store.set("gone", "x", expires_in=-1)
    assert await store.get("gone") is None
    await store.set("kept", "x", expires_in=10)
    await store.get("kept", renew_for=600)
    assert await store.expires_in("kept") > 500
    await store.set("forever", "x")
    assert await store.expires_in("forever") is None


async def test_store_namespaces_do_not_see_each_other(store):
    other = store.with_namespace("other")
    await store.set("k", "mine")
    await other.set("k", "theirs")
    assert await store.get("k") == b"mine"
    await other.delete_all()
    assert await other.get("k") is None
    assert await store.get("k") == b"mine"


async def test_store_sweeps_expired_entries(store):
    await store.set("old", "x", expires_in=-5)
    await store.set("new", "x", expires_in=60)
    assert await store.delete_expired() == 1
    assert await store.get("new") == b"x"


async def test_concurrent_writers_all_succeed(store):
    """SQLite needs WAL and a busy timeout, or parallel requests fail with "database is locked"."""
    await asyncio.gather(*(store.set(f"key-{i}", f"value-{i}", expires_in=60) for i in range(40)))
    values = await asyncio.gather(*(store.get(f"key-{i}") for i in range(40)))
    assert values == [f"value-{i}".encode() for i in range(40)]
