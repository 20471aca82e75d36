"""Resilience of agency calls over real HTTP: the breaker through the sandbox's fault switch, a slow agency cut
within the call's budget, and bad answers from a stand-in agency reaching pages as "cannot get it now" (200),
never a 500. Short timeouts and budgets come through settings; the breaker's cool-down runs on an injected clock.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from litestar.testing import TestClient

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.http import create_http_client
from portal.agencies.population_register import HttpPopulationRegister
from portal.agencies.registry import build_agencies
from portal.agencies.resilience import BreakerState, CircuitBreaker, Resilience, RetryPolicy, attach
from portal.app import create_app
from portal.web.logs import configure_logging
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_sign_in import sign_in
from tests.servers import Server

ANNA = "050694-14213"
BANNER = 'id="register-unavailable"'


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def json_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


@pytest.fixture
def sandbox(live_sandbox: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_sandbox.url, timeout=10) as client:
        try:
            yield client
        finally:
            assert client.put("/_control/faults/pmlp", json={"mode": "ok"}).status_code == 200


def fault(sandbox: httpx.Client, mode: str) -> None:
    assert sandbox.put("/_control/faults/pmlp", json={"mode": mode}).status_code == 200


# The circuit breaker, through the sandbox's fault switch


async def test_the_breaker_opens_fails_fast_and_closes_again_after_a_successful_trial(live_sandbox, sandbox):
    clock = FakeClock()
    sent: list[str] = []

    async def count(request: httpx.Request) -> None:
        sent.append(request.url.path)

    async with create_http_client(f"{live_sandbox.url}/pmlp") as client:
        client.event_hooks["request"].append(count)
        breaker = CircuitBreaker("pmlp", failures=3, cooldown=30.0, clock=clock)
        attach(client, Resilience("pmlp", RetryPolicy(attempts=1), breaker, clock=clock))
        register = HttpPopulationRegister(client)

        fault(sandbox, "error")
        for _ in range(3):
            with pytest.raises(AgencyUnavailable, match="answered 500"):
                await register.person(ANNA)
        assert breaker.state is BreakerState.OPEN and len(sent) == 3

        fault(sandbox, "ok")  # the register is back, but the breaker does not know yet
        with pytest.raises(AgencyUnavailable, match="circuit open"):
            await register.represented_by(ANNA)
        assert len(sent) == 3, "an open breaker must not touch the network"

        clock.now += 30
        assert breaker.state is BreakerState.HALF_OPEN
        fault(sandbox, "down")  # a failed trial opens it again for a whole cool-down
        with pytest.raises(AgencyUnavailable, match="503"):
            await register.person(ANNA)
        assert breaker.state is BreakerState.OPEN and len(sent) == 4

        clock.now += 30
        fault(sandbox, "ok")
        person = await register.person(ANNA)
        assert person is not None and person.given_name == "Anna"
        assert breaker.state is BreakerState.CLOSED and len(sent) == 5
        assert await register.represented_by(ANNA)


# A slow agency: the timeout path runs and the call returns within its budget


@pytest.fixture
def quick(live_settings):
    """Settings whose agency calls give up fast: 0.3 s a request, 1 s a call, retries and waits included."""
    return live_settings.model_copy(
        update={
            "agency_read_timeout": 0.3,
            "agency_connect_timeout": 0.3,
            "agency_call_budget": 1.0,
            "agency_retry_attempts": 10,  # without the budget, ten tries would take over 3 s
            "agency_retry_backoff": 0.05,
        }
    )


async def test_a_slow_register_is_retried_then_given_up_within_the_budget(quick, sandbox, capfd):
    configure_logging(json=True)  # as the app does: JSON lines on stderr
    fault(sandbox, "slow")  # the sandbox answers after 6 s
    agencies = build_agencies(quick)
    try:
        started = time.monotonic()
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await agencies.population_register.represented_by(ANNA)
        elapsed = time.monotonic() - started
    finally:
        await agencies.aclose()
    assert 0.3 <= elapsed < 1.0 + 0.2, elapsed
    (line,) = [line for line in json_lines(capfd.readouterr().err) if line.get("event") == "agency_call_failed"]
    assert line["agency"] == "pmlp" and line["kind"] in ("timeout", "budget") and line["attempt"] >= 2
    assert line["path"] == "/pmlp/v1/representations" and ANNA not in json.dumps(line)


def test_a_slow_register_does_not_hold_the_page_past_the_budget(quick, sandbox):
    with TestClient(create_app(quick), base_url=PORTAL_URL) as client:
        client.event_hooks["response"].append(check_page)
        sign_in(client, personal_code=ANNA)
        fault(sandbox, "slow")
        started = time.monotonic()
        page = client.get("/representation")
        elapsed = time.monotonic() - started
    assert page.status_code == 200 and BANNER in page.text
    assert elapsed < 1.0 + 0.5, elapsed  # one call's budget, and the page's own work


# Bad answers from a stand-in agency


class BadRegister(BaseHTTPRequestHandler):
    """Answers every POST with the server's current `mode`; GET /healthz for readiness."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        mode = self.server.mode  # type: ignore[attr-defined]
        body, content_type, declare = ANSWERS[mode]
        self.send_response(200)
        self.send_header("content-type", content_type)
        if declare:
            self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


GOOD_PERSON = {"personal_code": ANNA, "given_name": "Anna", "family_name": "Kalniņa", "birth_date": "1994-06-05"}
HUGE = json.dumps({"represented": [], "padding": "x" * 200_000}).encode()
ANSWERS: dict[str, tuple[bytes, str, bool]] = {
    "malformed_json": (b'{"represented": [', "application/json", True),
    "missing_field": (b'{"people": []}', "application/json", True),
    "unexpected_value": (
        json.dumps({"represented": [{"relation": "uncle", "guardian_kind": None, "person": GOOD_PERSON}]}).encode(),
        "application/json",
        True,
    ),
    "wrong_content_type": (b"<html><body>Gateway sign-in</body></html>", "text/html", True),
    "json_as_text": (json.dumps({"represented": []}).encode(), "text/plain", True),
    "huge_declared": (HUGE, "application/json", True),
    "huge_streamed": (HUGE, "application/json", False),  # no content-length: ends when the connection closes
}


@pytest.fixture(scope="module")
def bad_register() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BadRegister)
    server.mode = "malformed_json"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def bad_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/pmlp"


@pytest.mark.parametrize("mode", ANSWERS)
async def test_a_bad_answer_is_agency_unavailable(settings, bad_register, mode):
    bad_register.mode = mode
    capped = settings.model_copy(update={"pmlp_base_url": bad_url(bad_register), "agency_max_response_bytes": 65536})
    agencies = build_agencies(capped)
    try:
        with pytest.raises(AgencyUnavailable, match="pmlp"):
            await agencies.population_register.represented_by(ANNA)
    finally:
        await agencies.aclose()


@pytest.mark.parametrize("mode", ["huge_declared", "huge_streamed"])
async def test_the_huge_answer_is_refused_for_its_size_alone(settings, bad_register, mode):
    bad_register.mode = mode
    roomy = settings.model_copy(update={"pmlp_base_url": bad_url(bad_register), "agency_max_response_bytes": 2**20})
    agencies = build_agencies(roomy)
    try:
        assert await agencies.population_register.represented_by(ANNA) == []
    finally:
        await agencies.aclose()


@pytest.mark.parametrize("mode", ["malformed_json", "unexpected_value", "wrong_content_type", "huge_streamed"])
def test_the_representation_page_says_the_register_cannot_answer(live_settings, bad_register, capfd, mode):
    settings = live_settings.model_copy(
        update={"pmlp_base_url": bad_url(bad_register), "agency_max_response_bytes": 65536}
    )
    with TestClient(create_app(settings), base_url=PORTAL_URL) as client:
        client.event_hooks["response"].append(check_page)
        bad_register.mode = "malformed_json"
        sign_in(client, personal_code=ANNA)
        bad_register.mode = mode
        page = client.get("/representation")
    assert page.status_code == 200 and BANNER in page.text
    assert "Traceback" not in page.text
    captured = capfd.readouterr()
    failures = [line for line in json_lines(captured.err) if line.get("event") == "agency_call_failed"]
    assert failures and all(line["agency"] == "pmlp" for line in failures)
    assert ANNA not in captured.err and ANNA.replace("-", "") not in captured.err
