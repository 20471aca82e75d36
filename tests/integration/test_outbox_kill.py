"""A real `portal worker` process killed with SIGKILL while it is delivering (VSAA slow, the requests in flight),
then started again: every submission committed before is delivered, and VSAA registers each once.

The killed worker's leases must lapse before another worker may take its rows, and the slow sandbox answers after
SLOW_SECONDS, so this test waits some real seconds: it cannot move a separate process's clock. It has a sandbox of
its own (the session's would keep its applications, and answer slowly only after 6 s).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.applications.outbox_models import ReferenceCounter, Submission
from portal.db.engine import create_engine, session_factory
from portal.people.service import PersonDirectory
from portal.settings import PROJECT_ROOT, Settings
from tests.integration.test_outbox import rows, submit
from tests.integration.test_outbox_sandbox import private_sandbox
from tests.servers import Server

pytestmark = pytest.mark.postgres

ANSWERS = {"decision_delivery": "portal"}
POLL_SECONDS = 0.05
SLOW_SECONDS = 3.0


def worker_env(settings: Settings, sandbox_url: str, call_seconds: float, lease_seconds: float) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    return env | {
        "PORTAL_ENVIRONMENT": "test",
        "PORTAL_VAR_DIR": str(settings.var_dir),
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_SANDBOX_URL": sandbox_url,
        "PORTAL_WORKER_POLL_INTERVAL": "0.1",
        "PORTAL_AGENCY_CONNECT_TIMEOUT": "0.5",
        "PORTAL_AGENCY_READ_TIMEOUT": str(call_seconds),
        "PORTAL_AGENCY_CALL_BUDGET": str(call_seconds),
        "PORTAL_OUTBOX_LEASE_SECONDS": str(lease_seconds),
        "PORTAL_OUTBOX_BACKOFF_BASE": "0.5",
        "PORTAL_AGENCY_BREAKER_FAILURES": "10000",
        "PORTAL_LOG_JSON": "true",
    }


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "portal", "worker"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def read_log(log: Path) -> str:
    return log.read_text(errors="replace")


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float, log: Path) -> None:
    """Waits for another process to get somewhere, polling; fails with its log after `seconds`."""
    for _ in range(int(seconds / POLL_SECONDS)):
        if await check():
            return
        await asyncio.sleep(POLL_SECONDS)
    pytest.fail(f"not reached in {seconds} s; worker log:\n{read_log(log)[-3000:]}")


@pytest.fixture
async def sessions(migrated) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated.database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def slow_sandbox(tmp_path_factory) -> Iterator[Server]:
    server = private_sandbox(tmp_path_factory, env={"SANDBOX_SLOW_SECONDS": str(SLOW_SECONDS)})
    yield server
    server.stop()


@pytest.fixture
def sandbox(slow_sandbox):
    with httpx.Client(base_url=slow_sandbox.url, timeout=10) as client:
        yield client
        client.put("/_control/faults/vsaa", json={"mode": "ok"}).raise_for_status()


async def test_a_worker_killed_mid_delivery_and_restarted_delivers_each_submission_once(
    migrated, slow_sandbox, sandbox, sessions, tmp_path
):
    async with sessions() as db, db.begin():
        db.add(ReferenceCounter(agency="vsaa", year=2026, last_number=10_000 + secrets.randbelow(480_000)))
        people = {"janis": await PersonDirectory(db).meet("150162-12342", "Jānis", "Bērziņš")}
        submitted = [await submit(db, people, answers=ANSWERS) for _ in range(3)]
    keys = {s.idempotency_key for s in submitted}
    replays_before = sandbox.get("/_control/vsaa/registrations").json()["replays"]
    log = tmp_path / "worker.log"
    sandbox.put("/_control/faults/vsaa", json={"mode": "slow"}).raise_for_status()

    # The first worker would give up after 2.5 s: it is killed before, while its requests sleep in the sandbox.
    first = start_worker(worker_env(migrated, slow_sandbox.url, call_seconds=2.5, lease_seconds=3), log)
    try:

        async def all_in_flight() -> bool:
            return all(row.lease_owner and row.attempts == 1 for row in await rows(sessions))

        await eventually(all_in_flight, 20, log)
        os.killpg(first.pid, signal.SIGKILL)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert first.returncode == -signal.SIGKILL
    killed = await rows(sessions)
    assert {(row.status, row.attempts) for row in killed} == {("sending", 1)}, "killed mid-delivery"
    assert {row.lease_owner for row in killed} != {None}

    # VSAA stays slow and the second worker waits for it: the killed requests, sent earlier, have all landed
    # (registered, or answered from VSAA's book) by the time the retries are answered.
    second = start_worker(worker_env(migrated, slow_sandbox.url, call_seconds=6, lease_seconds=7), log)
    try:

        async def all_received() -> bool:
            return {row.status for row in await rows(sessions)} == {"received"}

        await eventually(all_received, 3 + SLOW_SECONDS + 15, log)
        os.killpg(second.pid, signal.SIGTERM)
        assert second.wait(timeout=10) == 0, "SIGTERM stops the worker gracefully"
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
            second.wait()

    delivered: list[Submission] = await rows(sessions)
    assert [row.agency_reference for row in delivered] == [row.reference for row in delivered]
    assert {row.attempts for row in delivered} == {2}, "the killed attempt and the one after the lease lapsed"
    once = Counter(dict.fromkeys(keys, 1))
    book = sandbox.get("/_control/vsaa/registrations").json()["registered"]
    assert Counter(e["idempotency_key"] for e in book if e["idempotency_key"] in keys) == once, "under its own key"
    references = {row.reference for row in delivered}
    assert Counter(e["id"] for e in book if e["id"] in references) == Counter(dict.fromkeys(references, 1))

    # Each killed request that reached VSAA registered the application, and its retry was answered from the book.
    replays = sandbox.get("/_control/vsaa/registrations").json()["replays"] - replays_before
    assert 0 <= replays <= 3
    written = read_log(log)
    assert '"worker.stopped"' in written
    assert "150162-12342" not in written and "15016212342" not in written, "no personal code in the worker's log"
