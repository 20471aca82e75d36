"""The worker loop: every registered task once per pass, again at once while any had work, else after the poll
interval; stopped gracefully by an event (the current pass finishes, nothing is cut off mid-delivery).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Protocol

import structlog

log = structlog.get_logger("portal.worker")
# How long a stopping web process waits for the current pass (an agency call at most) before cancelling it.
STOP_GRACE_SECONDS = 15.0


class Task(Protocol):
    """A periodic task. `run_once` does what is due at `now` (UTC) and returns how many items it handled (0 when
    nothing was due); it must be safe to run in several workers at once. Register it in portal/worker/tasks.py."""

    @property
    def name(self) -> str: ...

    async def run_once(self, now: dt.datetime) -> int: ...


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Worker:
    def __init__(
        self, tasks: Sequence[Task], poll_interval: float = 1.0, now: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.tasks = list(tasks)
        self.poll_interval = poll_interval
        self._now = now

    async def run_once(self) -> int:
        """One pass over every task; a failing task is logged and does not stop the others or the worker."""
        handled = 0
        for task in self.tasks:
            try:
                count = await task.run_once(self._now())
            except Exception:
                log.exception("worker.task_failed", task=task.name)
                continue
            if count:
                log.info("worker.task_ran", task=task.name, handled=count)
            handled += count
        return handled

    async def run(self, stop: asyncio.Event) -> None:
        log.info("worker.started", tasks=[task.name for task in self.tasks], poll_seconds=self.poll_interval)
        while not stop.is_set():
            if await self.run_once():
                continue  # a backlog: go on without waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.poll_interval)
        log.info("worker.stopped")


@contextlib.asynccontextmanager
async def running_in_background(worker: Worker | None) -> AsyncIterator[None]:
    """Runs the worker as a task of the current event loop while the block runs (the embedded topology's web
    process); nothing when `worker` is None."""
    if worker is None:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="portal-worker")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=STOP_GRACE_SECONDS)
        except TimeoutError:
            log.warning("worker.stop_timed_out")
