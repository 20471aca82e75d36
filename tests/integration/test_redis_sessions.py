"""The session store over Redis, as the services topology wires it: a namespace of this test's own, a clock of
its own, and the keys themselves looked at (expiry set on every one, none left behind).

Redis is the machine's own: never FLUSHed; only the keys under this test's namespace are deleted afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets

import pytest
import redis.asyncio as aioredis
from litestar.stores.redis import RedisStore
from redis.exceptions import ConnectionError as RedisConnectionError

from portal.auth.sessions import SessionStore

pytestmark = pytest.mark.services
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Clock:
    def __init__(self):
        self.now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
async def redis_client():
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except RedisConnectionError:
        await client.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    yield client
    await client.aclose()


@pytest.fixture
async def namespace(redis_client):
    """As wiring.session_backend names it, under a random deployment name; its keys are deleted afterwards."""
    name = f"portal_test_{secrets.token_hex(6)}:sessions"
    yield name
    keys = [key async for key in redis_client.scan_iter(match=f"{name}:*")]
    if keys:
        await redis_client.delete(*keys)


@pytest.fixture
async def backend(namespace):
    store = RedisStore.with_client(url=REDIS_URL, namespace=namespace)
    async with store:  # closes its client at the end (`as` would give None)
        yield store


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def sessions(backend, clock):
    return SessionStore(backend, now=clock)


async def keys_in(redis_client, namespace):
    """Every key of the namespace (without it) and its time to live in seconds (-1: none)."""
    found = {}
    async for key in redis_client.scan_iter(match=f"{namespace}:*"):
        found[key.decode().removeprefix(f"{namespace}:")] = await redis_client.ttl(key)
    return found


async def test_a_session_is_stored_with_its_expiry_and_read_back_by_another_process(
    sessions, clock, namespace, redis_client
):
    claims = {"given_name": "Jānis", "family_name": "Bērziņš", "acr": "http://eidas.europa.eu/LoA/substantial"}
    started = await sessions.start("sub-1", "citizen", claims)
    keys = await keys_in(redis_client, namespace)
    assert set(keys) == {f"session:{started.id}", "subject:sub-1"}
    assert 1790 <= keys[f"session:{started.id}"] <= 1800, "a session key lives no longer than the idle limit"
    assert 12 * 3600 - 10 <= keys["subject:sub-1"] <= 12 * 3600

    # Another process (or the same one after a restart) has its own client to the same Redis.
    other = RedisStore.with_client(url=REDIS_URL, namespace=namespace)
    async with other:
        loaded = await SessionStore(other, now=clock).load(started.id, activity=True)
    assert loaded and loaded.data.subject == "sub-1" and loaded.data.claims == claims


async def test_idle_expiry_with_activity_renewing_the_key(sessions, clock, namespace, redis_client):
    session = await sessions.start("sub-1", "citizen", {})
    clock.advance(minutes=29)
    assert await sessions.load(session.id, activity=True)
    # The activity is written to Redis (not only kept in this process), with the key's time to live counted anew.
    stored = json.loads(await redis_client.get(f"{namespace}:session:{session.id}"))
    assert stored["last_active"] == clock.now.isoformat()
    assert (await keys_in(redis_client, namespace))[f"session:{session.id}"] >= 1790
    clock.advance(minutes=29)
    assert await sessions.load(session.id, activity=False)
    clock.advance(minutes=2)
    assert await sessions.load(session.id, activity=False) is None
    assert await keys_in(redis_client, namespace) == {}, "an expired session leaves no key behind"


async def test_a_replaced_session_is_gone_from_redis(sessions, namespace, redis_client):
    first = await sessions.start("sub-1", "citizen", {})
    second = await sessions.start("sub-1", "citizen", {}, replaces=first.id)
    assert set(await keys_in(redis_client, namespace)) == {f"session:{second.id}", "subject:sub-1"}
    assert await sessions.load(first.id, activity=True) is None


async def test_end_all_for_ends_every_session_of_the_person_only(sessions, namespace, redis_client):
    phone = await sessions.start("sub-1", "citizen", {})
    laptop = await sessions.start("sub-1", "citizen", {})
    other = await sessions.start("sub-2", "citizen", {})
    assert await sessions.end_all_for("sub-1") == 2
    assert await sessions.load(phone.id, activity=False) is None
    assert await sessions.load(laptop.id, activity=False) is None
    assert set(await keys_in(redis_client, namespace)) == {f"session:{other.id}", "subject:sub-2"}
    assert await sessions.end_all_for("nobody") == 0

    await sessions.end(other.id)
    assert await keys_in(redis_client, namespace) == {}


async def test_every_key_expires_by_itself(sessions, clock, namespace, redis_client):
    """Sessions nobody signs out of are forgotten by Redis: no key without a time to live."""
    await sessions.start("sub-1", "citizen", {})
    await sessions.start("sub-1", "citizen", {})
    staff = await sessions.start("staff-1", "staff", {})
    keys = await keys_in(redis_client, namespace)
    assert len(keys) == 5 and all(ttl > 0 for ttl in keys.values()), keys
    assert keys[f"session:{staff.id}"] <= 15 * 60
