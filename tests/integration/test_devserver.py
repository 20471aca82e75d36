"""`make run` (`portal dev`): migrates, starts the portal and its companions as one group, stops them together."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from portal.devserver import port_taken, run_all
from tests.ports import free_port


def _dev_env(tmp_path, ports):
    return {
        **os.environ,
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "PORTAL_PORT": str(ports[0]),
        "PORTAL_DEV_SANDBOX_PORT": str(ports[1]),
        "PORTAL_DEV_SMTP_PORT": str(ports[2]),
        "PORTAL_DEV_IDP_PORT": str(ports[3]),
    }


def test_a_taken_port_stops_everything_with_a_clear_message(tmp_path, settings, capsys):
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        assert port_taken(port)
        assert run_all(settings.model_copy(update={"port": port})) == 1
    message = capsys.readouterr().err
    assert f"Port {port} is already in use, so the portal cannot start" in message


def test_dev_serves_latvian_landing_and_stops_as_a_group(tmp_path):
    ports = [free_port() for _ in range(4)]
    log = tmp_path / "dev.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "portal", "dev"],
            env=_dev_env(tmp_path, ports),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{ports[0]}/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the portal did not come up"
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
        assert response.status_code == 200 and '<html lang="lv">' in response.text
        clock = httpx.get(f"http://127.0.0.1:{ports[1]}/_control/clock", timeout=2).json()
        assert clock == {"today": "2026-11-20"}
        discovery = httpx.get(f"http://127.0.0.1:{ports[3]}/.well-known/openid-configuration", timeout=2).json()
        assert discovery["issuer"] == f"http://127.0.0.1:{ports[3]}"
        with socket.create_connection(("127.0.0.1", ports[2]), timeout=2) as smtp:
            assert smtp.recv(100).startswith(b"220")
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=15) == 0
        assert not any(port_taken(p) for p in ports)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
