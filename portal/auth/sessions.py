"""Server-side sessions: created only at sign-in, with a new id every time, limited by idle and absolute time.

Kept in a Litestar `Store` (the database when embedded, Redis in the services topology). Nothing is stored for
anonymous visitors. The last activity is written at most once a minute, so reads do not turn into writes.
An index from subject to session ids lets a back-channel logout end every session of a person, since a store
cannot be searched by value.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from litestar.stores.base import Store

ACTIVITY_WRITE_INTERVAL = dt.timedelta(minutes=1)
SESSION_ID_BYTES = 32


@dataclass(frozen=True)
class SessionLimits:
    idle: dt.timedelta
    absolute: dt.timedelta = dt.timedelta(hours=12)


CITIZEN_LIMITS = SessionLimits(idle=dt.timedelta(minutes=30))
STAFF_LIMITS = SessionLimits(idle=dt.timedelta(minutes=15))


@dataclass
class SessionData:
    subject: str  # the identity provider's `sub`
    kind: str  # "citizen" | "staff"
    started_at: str
    last_active: str
    claims: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> SessionData:
        return cls(**json.loads(raw))


@dataclass(frozen=True)
class LoadedSession:
    id: str
    data: SessionData
    expires_at: dt.datetime
    loaded_at: dt.datetime  # by the store's clock, so `expires_in` needs no clock of its own

    @property
    def expires_in(self) -> int:
        """Whole seconds left when the session was loaded (the page's timeout warning counts from this)."""
        return max(0, int((self.expires_at - self.loaded_at).total_seconds()))

    @property
    def idle_seconds(self) -> int:
        """The idle limit of this kind of session, which "Continue" in the timeout warning starts again."""
        return int(SessionStore.limits(self.data.kind).idle.total_seconds())


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SessionStore:
    def __init__(self, store: Store, now: Callable[[], dt.datetime] = _utcnow) -> None:
        self._store = store
        self._now = now

    def now(self) -> dt.datetime:
        return self._now()

    @staticmethod
    def limits(kind: str) -> SessionLimits:
        return STAFF_LIMITS if kind == "staff" else CITIZEN_LIMITS

    def _expires_at(self, data: SessionData) -> dt.datetime:
        limits = self.limits(data.kind)
        idle_end = dt.datetime.fromisoformat(data.last_active) + limits.idle
        absolute_end = dt.datetime.fromisoformat(data.started_at) + limits.absolute
        return min(idle_end, absolute_end)

    async def _save(self, session_id: str, data: SessionData) -> None:
        seconds = max(1, int((self._expires_at(data) - self._now()).total_seconds()))
        await self._store.set(f"session:{session_id}", data.to_bytes(), expires_in=seconds)

    async def start(
        self, subject: str, kind: str, claims: dict[str, Any], replaces: str | None = None
    ) -> LoadedSession:
        """A new session under a new id; the one it replaces (if any) is gone, so a fixed id is worthless."""
        if replaces:
            await self.end(replaces)
        now = self._now().isoformat()
        data = SessionData(subject=subject, kind=kind, started_at=now, last_active=now, claims=claims)
        session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
        await self._save(session_id, data)
        await self._index(subject, add=session_id)
        return LoadedSession(session_id, data, self._expires_at(data), dt.datetime.fromisoformat(now))

    async def load(self, session_id: str, activity: bool) -> LoadedSession | None:
        """The live session for an id, or None; `activity` marks a request the person made themselves."""
        if not session_id or len(session_id) > 128:
            return None
        raw = await self._store.get(f"session:{session_id}")
        if raw is None:
            return None
        data = SessionData.from_bytes(raw)
        now = self._now()
        if self._expires_at(data) <= now:
            await self.end(session_id)
            return None
        if activity and now - dt.datetime.fromisoformat(data.last_active) >= ACTIVITY_WRITE_INTERVAL:
            data.last_active = now.isoformat()
            await self._save(session_id, data)
        return LoadedSession(session_id, data, self._expires_at(data), now)

    async def renew(self, session: LoadedSession) -> LoadedSession:
        """Activity the person asked for ("Continue" in the timeout warning): written now, whatever the interval."""
        now = self._now()
        session.data.last_active = now.isoformat()
        await self._save(session.id, session.data)
        return LoadedSession(session.id, session.data, self._expires_at(session.data), now)

    async def update(self, session: LoadedSession) -> None:
        await self._save(session.id, session.data)

    async def end(self, session_id: str) -> None:
        raw = await self._store.get(f"session:{session_id}")
        await self._store.delete(f"session:{session_id}")
        if raw is not None:
            await self._index(SessionData.from_bytes(raw).subject, remove=session_id)

    async def end_all_for(self, subject: str) -> int:
        """Ends every session of a person (back-channel logout); returns how many there were."""
        ids = await self._session_ids(subject)
        for session_id in ids:
            await self._store.delete(f"session:{session_id}")
        await self._store.delete(f"subject:{subject}")
        return len(ids)

    async def _session_ids(self, subject: str) -> list[str]:
        raw = await self._store.get(f"subject:{subject}")
        return list(json.loads(raw)) if raw else []

    async def _index(self, subject: str, add: str | None = None, remove: str | None = None) -> None:
        ids = [i for i in await self._session_ids(subject) if i != remove]
        if add:
            ids.append(add)
        # Ids whose session has lapsed are dropped as the index is rewritten.
        live = [i for i in ids if await self._store.exists(f"session:{i}")]
        if live:
            await self._store.set(
                f"subject:{subject}", json.dumps(live), expires_in=int(CITIZEN_LIMITS.absolute.total_seconds())
            )
        else:
            await self._store.delete(f"subject:{subject}")
