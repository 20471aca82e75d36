"""`portal worker`: the worker as its own process (services topology), stopped gracefully by SIGTERM or SIGINT.

Several may run at once, on one machine or many; none needs to know of the others.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

import structlog

from portal.agencies.http import create_http_client
from portal.agencies.registry import build_agencies
from portal.clock import Clock, SandboxClock, WallClock
from portal.db.engine import create_engine, session_factory
from portal.settings import Settings
from portal.web.logs import configure_logging
from portal.worker.tasks import WorkerContext, build_worker

log = structlog.get_logger("portal.worker")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Runs until `stop` is set or a stop signal arrives; the pass under way finishes first."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in STOP_SIGNALS:
        loop.add_signal_handler(stop_signal, _stopper(stop, stop_signal))
    engine = create_engine(settings.database_url)
    agencies = build_agencies(settings)
    sandbox_client = create_http_client(settings.sandbox_url) if settings.sandbox_url else None
    clock: Clock = SandboxClock(sandbox_client) if sandbox_client else WallClock()
    try:
        worker = build_worker(WorkerContext(settings, session_factory(engine), agencies, clock))
        await worker.run(stop)
    finally:
        for stop_signal in STOP_SIGNALS:
            loop.remove_signal_handler(stop_signal)
        if sandbox_client:
            await sandbox_client.aclose()
        await agencies.aclose()
        await engine.dispose()


def _stopper(stop: asyncio.Event, stop_signal: signal.Signals) -> Callable[[], None]:
    def handle() -> None:
        log.info("worker.stopping", signal=stop_signal.name)
        stop.set()

    return handle


def main(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(serve(settings))
