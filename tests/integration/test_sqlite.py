"""SQLite settings that keep concurrent requests from failing."""

from sqlalchemy import text

from portal.db.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine


async def test_sqlite_runs_in_wal_mode(migrated):
    engine = create_engine(migrated.database_url)
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == SQLITE_BUSY_TIMEOUT_MS
    await engine.dispose()
