"""The outbox's backoff, the worker loop and its settings, without I/O (the database side is in
tests/integration/test_outbox.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

import pytest
from pydantic import ValidationError

from portal.applications.outbox import backoff_delay
from portal.settings import Settings, Topology
from portal.worker import runner
from portal.worker.runner import Worker, running_in_background

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_backoff_doubles_from_the_base_up_to_the_cap_within_its_jitter():
    rng = random.Random(7)
    for attempts, ceiling in [(1, 5), (2, 10), (3, 20), (4, 40), (8, 640), (9, 900), (30, 900)]:
        for _ in range(50):
            delay = backoff_delay(attempts, base=5, cap=900, rng=rng).total_seconds()
            assert ceiling / 2 <= delay <= ceiling, (attempts, delay)


def test_backoff_is_jittered_so_rows_that_failed_together_spread_out():
    rng = random.Random(1)
    delays = {backoff_delay(3, base=5, cap=900, rng=rng) for _ in range(20)}
    assert len(delays) == 20


class Recorder:
    def __init__(self, name: str, results: list[int] | None = None, fail: bool = False) -> None:
        self.name = name
        self.calls: list[dt.datetime] = []
        self._results = list(results or [])
        self._fail = fail

    async def run_once(self, now: dt.datetime) -> int:
        self.calls.append(now)
        if self._fail:
            raise RuntimeError("boom")
        return self._results.pop(0) if self._results else 0


async def test_a_pass_runs_every_task_at_the_injected_now_and_sums_their_work():
    first, second = Recorder("first", [2]), Recorder("second", [3])
    worker = Worker([first, second], now=lambda: T0)
    assert await worker.run_once() == 5
    assert first.calls == [T0] and second.calls == [T0]


class Log:
    def __init__(self) -> None:
        self.lines: list[tuple[str, dict[str, object]]] = []

    def info(self, event: str, **fields: object) -> None:
        self.lines.append((event, fields))

    exception = warning = info


async def test_a_failing_task_is_logged_and_does_not_stop_the_others(monkeypatch):
    log = Log()
    monkeypatch.setattr(runner, "log", log)
    broken, healthy = Recorder("broken", fail=True), Recorder("healthy", [1])
    worker = Worker([broken, healthy], now=lambda: T0)
    assert await worker.run_once() == 1
    assert healthy.calls == [T0]
    assert log.lines == [
        ("worker.task_failed", {"task": "broken"}),
        ("worker.task_ran", {"task": "healthy", "handled": 1}),
    ]


async def test_the_loop_goes_on_at_once_while_there_is_work_and_stops_on_the_event():
    stop = asyncio.Event()
    task = Recorder("outbox", [4, 4, 1])

    class StopWhenIdle(Recorder):
        async def run_once(self, now: dt.datetime) -> int:
            await super().run_once(now)
            if len(task.calls) >= 4:
                stop.set()
            return 0

    # A poll interval far beyond the test's patience: only "go on at once" and the stop event can end it.
    worker = Worker([task, StopWhenIdle("stopper")], poll_interval=3600, now=lambda: T0)
    await asyncio.wait_for(worker.run(stop), timeout=2)
    assert len(task.calls) == 4


async def test_the_background_worker_stops_when_its_block_ends():
    ran = asyncio.Event()

    class Signals(Recorder):
        async def run_once(self, now: dt.datetime) -> int:
            ran.set()
            return await super().run_once(now)

    task = Signals("outbox")
    worker = Worker([task], poll_interval=3600, now=lambda: T0)
    async with running_in_background(worker):
        await asyncio.wait_for(ran.wait(), timeout=2)
    background = [t for t in asyncio.all_tasks() if t.get_name() == "portal-worker"]
    assert background == []


async def test_no_worker_no_background_task():
    async with running_in_background(None):
        assert [t for t in asyncio.all_tasks() if t.get_name() == "portal-worker"] == []


def test_the_web_process_runs_the_worker_only_in_the_embedded_topology_unless_told(tmp_path):
    assert Settings(var_dir=tmp_path).runs_worker_in_web
    assert not Settings(var_dir=tmp_path, topology=Topology.SERVICES).runs_worker_in_web
    assert not Settings(var_dir=tmp_path, worker_in_web=False).runs_worker_in_web
    assert Settings(var_dir=tmp_path, topology=Topology.SERVICES, worker_in_web=True).runs_worker_in_web


def test_a_lease_shorter_than_one_agency_call_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="PORTAL_OUTBOX_LEASE_SECONDS"):
        Settings(var_dir=tmp_path, outbox_lease_seconds=6, agency_call_budget=6)
    Settings(var_dir=tmp_path, outbox_lease_seconds=7, agency_call_budget=6)
