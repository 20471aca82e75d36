"""`make run`: the portal and its dev companions as one process group that Ctrl-C stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass

from portal.settings import PROJECT_ROOT, Settings


@dataclass(frozen=True)
class Companion:
    name: str
    port: int
    command: list[str]


def companions(settings: Settings) -> list[Companion]:
    python = sys.executable
    return [
        Companion(
            "dev identity provider",
            settings.dev_idp_port,
            ["node", "sandbox/idp/server.mjs", "--port", str(settings.dev_idp_port)],
        ),
        Companion(
            "agency sandbox",
            settings.dev_sandbox_port,
            [python, "-m", "sandbox.agencies", "--port", str(settings.dev_sandbox_port)],
        ),
        Companion(
            "SMTP sink",
            settings.dev_smtp_port,
            [python, "-m", "aiosmtpd", "--nosetuid", "--listen", f"127.0.0.1:{settings.dev_smtp_port}"],
        ),
        Companion("portal", settings.port, [python, "-m", "portal", "serve"]),
    ]


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def run_all(settings: Settings) -> int:
    wanted = companions(settings)
    taken = [c for c in wanted if port_taken(c.port)]
    if taken:
        for c in taken:
            print(
                f"Port {c.port} is already in use, so the {c.name} cannot start. "
                f"Stop whatever is using it (`ss -ltnp | grep :{c.port}`) and run `make run` again.",
                file=sys.stderr,
            )
        return 1
    env = {
        **os.environ,
        "PORTAL_SANDBOX_URL": f"http://127.0.0.1:{settings.dev_sandbox_port}",
        "PORTAL_OIDC_ISSUER": f"http://127.0.0.1:{settings.dev_idp_port}",
        "IDP_PORTAL_URL": f"http://127.0.0.1:{settings.port}",
        "IDP_STATE_DIR": str(settings.var_dir / "idp"),
    }
    processes = [subprocess.Popen(c.command, cwd=PROJECT_ROOT, env=env) for c in wanted]  # noqa: S603 - fixed commands
    print(f"The portal is at http://127.0.0.1:{settings.port}/ (Ctrl-C stops everything).", flush=True)

    stopping = False

    def request_stop(*_: object) -> None:
        # Ctrl-C reaches the whole process group; the children stop themselves, we only wait for them.
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stopping and all(p.poll() is None for p in processes):
        time.sleep(0.2)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    failed = [c.name for c, p in zip(wanted, processes, strict=True) if p.returncode not in (0, -15, -2)]
    for name in failed:
        print(f"The {name} stopped unexpectedly; its messages are above.", file=sys.stderr)
    return 1 if failed and not stopping else 0
