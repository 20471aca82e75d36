"""Real server processes for tests: each on a free loopback port, in its own process group, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from portal.settings import PROJECT_ROOT

START_DEADLINE_S = 30.0
STOP_DEADLINE_S = 10.0


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_DEADLINE_S)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_server(
    name: str, command: Sequence[str], url: str, ready_path: str, log: Path, env: Mapping[str, str] | None = None
) -> Server:
    """Starts a server and waits until `ready_path` answers 200, or fails with the server's own output."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            list(command), cwd=PROJECT_ROOT, env={**os.environ, **(env or {})},
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(name, url, process, log)
    deadline = time.monotonic() + START_DEADLINE_S
    while True:
        try:
            with urllib.request.urlopen(url + ready_path, timeout=1) as response:
                if response.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"The {name} did not start:\n{server.output()}")
        time.sleep(0.1)
