"""/verify's rate limit in the services topology: web processes count together in Redis (here two limiters on
one Redis namespace, as two processes would have), and a new window starts when time moves on (never slept)."""

from __future__ import annotations

import os
import secrets

import pytest
import redis.asyncio as aioredis
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from redis.exceptions import ConnectionError as RedisConnectionError

from portal.settings import Settings, Topology
from portal.verify.limits import RateLimiter, verify_limiter

pytestmark = pytest.mark.services
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def sessions_store():
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except RedisConnectionError:
        await client.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    namespace = f"portal_test_{secrets.token_hex(6)}:sessions"
    store = RedisStore.with_client(url=REDIS_URL, namespace=namespace)
    async with store:
        yield store
    keys = [key async for key in client.scan_iter(match=f"{namespace}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_two_web_processes_share_the_count_in_redis(sessions_store, tmp_path):
    settings = Settings(var_dir=tmp_path, topology=Topology.SERVICES, redis_url=REDIS_URL, verify_rate_limit=3)
    one, other = verify_limiter(settings, sessions_store), verify_limiter(settings, sessions_store)
    moment = 5_000.0
    one.now = other.now = lambda: moment
    assert [await one.allow("192.0.2.7"), await other.allow("192.0.2.7"), await one.allow("192.0.2.7")] == [True] * 3
    assert await other.allow("192.0.2.7") is False, "the second process did not see the first one's checks"
    assert await other.allow("192.0.2.8") is True, "another client was limited"
    moment += settings.verify_rate_window
    assert await one.allow("192.0.2.7") is True


async def test_the_embedded_topology_counts_in_memory(tmp_path):
    limiter = verify_limiter(Settings(var_dir=tmp_path), MemoryStore())
    assert isinstance(limiter._store, MemoryStore)
    small = RateLimiter(MemoryStore(), limit=1, window=60, now=lambda: 0.0)
    assert await small.allow("a") is True and await small.allow("a") is False
