"""A Litestar `Store` in the portal's database: server-side sessions in the embedded topology.

Expiry is kept in a column so expired rows can be swept with one statement; a read renews the expiry only
when asked (`renew_for`), which callers do at most once a minute.
"""

from __future__ import annotations

import datetime as dt

from litestar.stores.base import NamespacedStore
from sqlalchemy import DateTime, LargeBinary, String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base


class StoreEntry(Base):
    __tablename__ = "store_entries"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _seconds(value: int | dt.timedelta | None) -> int | None:
    return int(value.total_seconds()) if isinstance(value, dt.timedelta) else value


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes even for timezone-aware columns.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class DatabaseStore(NamespacedStore):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], namespace: str = "portal") -> None:
        self._sessions = sessions
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(self._sessions, f"{self.namespace}:{namespace}")

    def _key(self, key: str) -> str:
        return f"{self.namespace}:{key}"

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        seconds = _seconds(expires_in)
        expires_at = _utcnow() + dt.timedelta(seconds=seconds) if seconds is not None else None
        async with self._sessions() as session, session.begin():
            dialect = session.bind.dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            statement = insert(StoreEntry).values(key=self._key(key), value=data, expires_at=expires_at)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[StoreEntry.key], set_={"value": data, "expires_at": expires_at}
                )
            )

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        async with self._sessions() as session, session.begin():
            entry = await session.get(StoreEntry, self._key(key))
            if entry is None:
                return None
            if entry.expires_at is not None and _aware(entry.expires_at) <= _utcnow():
                await session.delete(entry)
                return None
            seconds = _seconds(renew_for)
            if seconds is not None and entry.expires_at is not None:
                entry.expires_at = _utcnow() + dt.timedelta(seconds=seconds)
            return entry.value

    async def delete(self, key: str) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(StoreEntry).where(StoreEntry.key == self._key(key)))

    async def delete_all(self) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(delete(StoreEntry).where(StoreEntry.key.startswith(f"{self.namespace}:")))

    async def delete_expired(self) -> int:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                delete(StoreEntry).where(StoreEntry.expires_at <= _utcnow()).returning(StoreEntry.key)
            )
            return len(result.all())

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        async with self._sessions() as session:
            expires_at = await session.scalar(select(StoreEntry.expires_at).where(StoreEntry.key == self._key(key)))
        if expires_at is None:
            return None
        return max(0, int((_aware(expires_at) - _utcnow()).total_seconds()))
