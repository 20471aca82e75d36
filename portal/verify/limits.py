"""A fixed-window rate limit of /verify per client address, so that codes cannot be guessed at speed.

Counts live in a store: Redis in the services topology (every web process counts together, the sessions' Redis
under a namespace of its own), memory in the embedded one (one web process). Client addresses are kept only
hashed. `now` is injectable: tests move it instead of sleeping.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from portal.settings import Settings


class RateLimiter:
    def __init__(self, store: Store, limit: int, window: int, now: Callable[[], float] = time.time) -> None:
        self._store = store
        self._limit = limit
        self._window = window
        self.now = now

    async def allow(self, client: str) -> bool:
        """Counts one check by `client`; False when it has used up its checks in this window."""
        window = int(self.now() // self._window)
        key = f"{hashlib.sha256(client.encode()).hexdigest()[:32]}:{window}"
        raw = await self._store.get(key)
        count = int(raw) if raw else 0
        if count >= self._limit:
            return False
        # Not atomic: two checks at the same instant may both pass. The limit is a brake on guessing, and a
        # guesser needs billions of tries (60-bit codes), so an occasional extra one does not matter.
        await self._store.set(key, str(count + 1), expires_in=self._window * 2)
        return True


def verify_limiter(settings: Settings, session_backend: Store) -> RateLimiter:
    """The sessions' Redis when there is one (services), else this process's memory (embedded)."""
    store: Store = (
        session_backend.with_namespace("verify-limits") if isinstance(session_backend, RedisStore) else MemoryStore()
    )
    return RateLimiter(store, settings.verify_rate_limit, settings.verify_rate_window)
