"""Retries, the circuit breaker, the per-person cache and bad answers, on an injected clock (no sleeps, no I/O:
the agency is an httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable

import httpx
import pytest
from pydantic import BaseModel

from portal.agencies import gateway
from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.agencies.resilience import (
    BreakerState,
    CircuitBreaker,
    PersonCache,
    Resilience,
    RetryPolicy,
    attach,
)

ANNA, JANIS = "050694-14213", "010150-10008"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


class Agency:
    """Answers from a script, one entry per request (the last one repeats), and counts the requests."""

    def __init__(self, *answers: httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer


class Person(BaseModel):
    given_name: str
    year: int


def ok(body: object = None) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"given_name": "Anna", "year": 1994})


def problem(status: int, title: str = "x", **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"title": title, "status": status}, headers=headers)


def caller(agency: Agency, clock: FakeClock, *, draw: float = 0.5, attempts: int = 3, budget: float = 6.0):
    client = httpx.AsyncClient(base_url="http://agency.test/vsaa", transport=httpx.MockTransport(agency))
    resilience = Resilience(
        "vsaa",
        retry=RetryPolicy(attempts=attempts, backoff=0.2, backoff_max=2.0, budget=budget),
        breaker=CircuitBreaker("vsaa", failures=3, cooldown=30.0, clock=clock),
        cache=PersonCache(max_entries=3, clock=clock),
        max_response_bytes=4096,
        clock=clock,
        sleep=clock.sleep,
        draw=lambda: draw,
    )
    return AgencyCaller("vsaa", client, resilience)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# The retry policy


def test_backoff_is_exponential_with_full_jitter_and_capped():
    policy = RetryPolicy(attempts=10, backoff=0.2, backoff_max=1.0)
    assert [policy.wait(n, None, lambda: 1.0) for n in (1, 2, 3, 4)] == [0.2, 0.4, 0.8, 1.0]
    assert policy.wait(3, None, lambda: 0.0) == 0.0  # full jitter: anywhere from nothing to the ceiling
    assert policy.wait(3, None, lambda: 0.5) == 0.4


def test_retry_after_is_honoured_up_to_its_cap_and_attempts_are_bounded():
    policy = RetryPolicy(attempts=3, retry_after_max=2.0)
    assert policy.wait(1, 1.5, lambda: 0.0) == 1.5
    assert policy.wait(1, 60.0, lambda: 0.0) is None  # the agency will not be back within a page's patience
    assert policy.wait(3, None, lambda: 0.0) is None


async def test_an_idempotent_call_is_retried_on_503_and_succeeds(clock):
    agency = Agency(problem(503), problem(502), ok())
    person = await caller(agency, clock).call("GET", "/v1/person", Person)
    assert person == Person(given_name="Anna", year=1994)
    assert len(agency.requests) == 3
    assert clock.slept == [0.5 * 0.2, 0.5 * 0.4]


@pytest.mark.parametrize(
    "failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")]
)
async def test_transport_failures_that_may_pass_are_retried(clock, failure):
    agency = Agency(failure, ok())
    await caller(agency, clock).call("GET", "/v1/person", Person)
    assert len(agency.requests) == 2


async def test_a_post_without_idempotency_key_is_never_retried(clock):
    agency = Agency(problem(503), ok())
    with pytest.raises(AgencyUnavailable, match="vsaa: answered 503"):
        await caller(agency, clock).call("POST", "/v1/applications", Person, json={"a": 1})
    assert len(agency.requests) == 1


async def test_a_post_with_an_idempotency_key_is_retried_with_the_same_key(clock):
    agency = Agency(httpx.ReadTimeout("slow"), ok())
    await caller(agency, clock).call("POST", "/v1/applications", Person, json={"a": 1}, idempotency_key="k-1")
    assert [r.headers["idempotency-key"] for r in agency.requests] == ["k-1", "k-1"]


async def test_idempotent_overrides_the_method(clock):
    agency = Agency(problem(503), ok())
    await caller(agency, clock).call("POST", "/v1/lookup", Person, json={"a": 1}, idempotent=True)
    assert len(agency.requests) == 2
    agency = Agency(problem(503), ok())
    with pytest.raises(AgencyUnavailable):
        await caller(agency, clock).call("GET", "/v1/person", Person, idempotent=False)
    assert len(agency.requests) == 1


@pytest.mark.parametrize("status", [500, 501, 401, 403])
async def test_failures_that_will_not_pass_are_not_retried(clock, status):
    agency = Agency(problem(status), ok())
    with pytest.raises(AgencyUnavailable, match=str(status)):
        await caller(agency, clock).call("GET", "/v1/person", Person)
    assert len(agency.requests) == 1


async def test_a_refusal_is_typed_with_the_agencys_reason_and_not_retried(clock):
    agency = Agency(httpx.Response(422, json={"title": "Invalid", "detail": "The IBAN is not valid."}), ok())
    with pytest.raises(AgencyRefused) as refused:
        await caller(agency, clock).call("GET", "/v1/person", Person)
    assert (refused.value.status, refused.value.reason, refused.value.agency) == (422, "The IBAN is not valid.", "vsaa")
    assert len(agency.requests) == 1


async def test_retry_after_within_the_cap_is_waited_and_a_longer_one_is_not(clock):
    agency = Agency(problem(503, **{"Retry-After": "1"}), ok())
    await caller(agency, clock).call("GET", "/v1/person", Person)
    assert clock.slept == [1.0]
    agency = Agency(problem(503, **{"Retry-After": "60"}), ok())
    with pytest.raises(AgencyUnavailable, match="503"):
        await caller(agency, clock).call("GET", "/v1/person", Person)
    assert len(agency.requests) == 1


async def test_retries_stop_when_the_budget_would_be_exceeded(clock):
    def slow(request: httpx.Request) -> httpx.Response:
        clock.now += 0.9  # each attempt takes 0.9 s of the 2 s budget
        raise httpx.ReadTimeout("slow", request=request)

    agency = Agency(slow)
    started = clock.now
    with pytest.raises(AgencyUnavailable, match="timed out"):
        await caller(agency, clock, draw=1.0, attempts=5, budget=2.0).call("GET", "/v1/person", Person)
    assert len(agency.requests) == 2  # 0.9 + 0.2 wait + 0.9 = 2.0: no time left for a third
    assert clock.now - started <= 2.0


async def test_the_budget_cuts_a_request_that_outlasts_it():
    async def hangs(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)  # cancelled by the budget long before
        return ok()

    client = httpx.AsyncClient(base_url="http://agency.test", transport=httpx.MockTransport(hangs))
    real = AgencyCaller("vsaa", client, Resilience("vsaa", retry=RetryPolicy(attempts=3, budget=0.2)))
    started = time.monotonic()
    with pytest.raises(AgencyUnavailable, match="timed out"):
        await real.call("GET", "/v1/person", Person)
    assert time.monotonic() - started < 1.0


# The circuit breaker


def test_the_breaker_goes_closed_open_half_open_closed(clock):
    breaker = CircuitBreaker("vsaa", failures=3, cooldown=30.0, clock=clock)
    for _ in range(2):
        breaker.failed()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.now += 29.9
    assert not breaker.allow() and breaker.retry_in == pytest.approx(0.1)
    clock.now += 0.1
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow()  # the one trial
    assert not breaker.allow()  # nobody else while it runs
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


def test_a_failed_trial_opens_the_breaker_for_a_new_cool_down(clock):
    breaker = CircuitBreaker("vsaa", failures=1, cooldown=10.0, clock=clock)
    breaker.failed()
    clock.now += 10
    assert breaker.allow()
    breaker.failed()
    assert breaker.state is BreakerState.OPEN
    clock.now += 9
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()


def test_a_trial_that_never_reports_back_is_given_up_after_a_cool_down(clock):
    breaker = CircuitBreaker("vsaa", failures=1, cooldown=10.0, clock=clock)
    breaker.failed()
    clock.now += 10
    assert breaker.allow() and not breaker.allow()
    clock.now += 10
    assert breaker.allow()


async def test_a_trial_cut_by_the_budget_reopens_the_breaker_instead_of_blocking_it(clock):
    async def hangs(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)  # cancelled by the budget long before
        return ok()

    client = httpx.AsyncClient(base_url="http://agency.test", transport=httpx.MockTransport(hangs))
    breaker = CircuitBreaker("vsaa", failures=1, cooldown=10.0, clock=clock)
    vsaa = AgencyCaller("vsaa", client, Resilience("vsaa", RetryPolicy(budget=0.1), breaker, clock=clock))
    breaker.failed()
    clock.now += 10
    with pytest.raises(AgencyUnavailable, match="timed out"):
        await vsaa.call("GET", "/v1/person", Person)
    assert breaker.state is BreakerState.OPEN and breaker.retry_in == 10.0


def test_only_consecutive_failures_open_the_breaker(clock):
    breaker = CircuitBreaker("vsaa", failures=3, clock=clock)
    for _ in range(5):
        breaker.failed()
        breaker.failed()
        breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED


async def test_an_open_breaker_fails_calls_at_once_without_the_network(clock):
    agency = Agency(problem(500), problem(500), problem(500), ok())
    vsaa = caller(agency, clock)
    for _ in range(3):
        with pytest.raises(AgencyUnavailable, match="500"):
            await vsaa.call("GET", "/v1/person", Person)
    with pytest.raises(AgencyUnavailable, match="circuit open"):
        await vsaa.call("GET", "/v1/person", Person)
    assert len(agency.requests) == 3
    clock.now += 30
    assert await vsaa.call("GET", "/v1/person", Person) == Person(given_name="Anna", year=1994)
    assert vsaa.resilience.breaker.state is BreakerState.CLOSED


async def test_refusals_and_bad_answers_do_not_count_against_the_breaker(clock):
    agency = Agency(problem(422))
    vsaa = caller(agency, clock)
    for _ in range(5):
        with pytest.raises(AgencyRefused):
            await vsaa.call("GET", "/v1/person", Person)
    assert vsaa.resilience.breaker.state is BreakerState.CLOSED


def test_callers_on_one_client_share_the_agencys_breaker(clock):
    client = httpx.AsyncClient(base_url="http://agency.test", transport=httpx.MockTransport(Agency(ok())))
    shared = Resilience("vsaa", clock=clock)
    attach(client, shared)
    assert AgencyCaller("vsaa", client).resilience is shared
    assert AgencyCaller("vsaa", client).resilience.breaker is shared.breaker
    other = httpx.AsyncClient(base_url="http://agency.test", transport=httpx.MockTransport(Agency(ok())))
    assert AgencyCaller("vsaa", other).resilience is not shared


# The per-person cache


async def test_a_cached_answer_is_served_only_to_the_same_person_and_call(clock):
    agency = Agency(lambda request: ok({"given_name": json.loads(request.content)["code"], "year": 1}))
    vsaa = caller(agency, clock)

    async def ask(code: str, path: str = "/v1/person") -> str:
        answer = await vsaa.call("POST", path, Person, json={"code": code}, cache_seconds=60, person=code)
        return answer.given_name

    assert await ask(ANNA) == ANNA
    assert await ask(ANNA) == ANNA
    assert len(agency.requests) == 1
    assert await ask(JANIS) == JANIS  # another person: never the first one's answer
    assert await ask(ANNA, "/v1/other") == ANNA  # another path: its own entry
    assert len(agency.requests) == 3


async def test_the_person_is_part_of_the_key_even_when_nothing_else_differs(clock):
    agency = Agency(ok())
    vsaa = caller(agency, clock)
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person=ANNA)
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person=JANIS)
    assert len(agency.requests) == 2
    assert PersonCache.key("vsaa", "GET", "/v1/me", None, ANNA) != PersonCache.key("pmlp", "GET", "/v1/me", None, ANNA)
    assert ANNA not in PersonCache.key("vsaa", "GET", "/v1/me", None, ANNA)


async def test_cached_answers_expire(clock):
    agency = Agency(ok())
    vsaa = caller(agency, clock)
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=10, person=ANNA)
    clock.now += 9.9
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=10, person=ANNA)
    assert len(agency.requests) == 1
    clock.now += 0.1
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=10, person=ANNA)
    assert len(agency.requests) == 2


async def test_the_cache_is_bounded_and_drops_the_least_recently_used(clock):
    agency = Agency(ok())
    vsaa = caller(agency, clock)  # at most 3 entries
    for code in ("a", "b", "c", "a", "d"):
        await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person=code)
    assert len(vsaa.resilience.cache) == 3
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person="a")  # kept: used after b
    assert len(agency.requests) == 4
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person="b")  # dropped
    assert len(agency.requests) == 5


async def test_failures_are_not_cached_and_caching_needs_a_person(clock):
    agency = Agency(problem(422), ok())
    vsaa = caller(agency, clock)
    with pytest.raises(AgencyRefused):
        await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person=ANNA)
    await vsaa.call("GET", "/v1/me", Person, cache_seconds=60, person=ANNA)
    assert len(agency.requests) == 2
    with pytest.raises(ValueError, match="person"):
        await vsaa.call("GET", "/v1/me", Person, cache_seconds=60)


# Bad answers are AgencyUnavailable, never anything else


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(200, content=b'{"given_name": "An', headers={"content-type": "application/json"}), "not JSON"),
        (httpx.Response(200, json={"given_name": "Anna"}), "outside its contract"),  # a field missing
        (httpx.Response(200, json={"given_name": "Anna", "year": "long ago"}), "outside its contract"),
        (httpx.Response(200, json=["Anna", 1994]), "outside its contract"),
        (httpx.Response(200, text="<html>Gateway login</html>", headers={"content-type": "text/html"}), "text/html"),
        (httpx.Response(200, content=b'{"given_name": "Anna", "year": 1994}'), "no content type"),
    ],
)
async def test_answers_outside_the_contract_are_agency_unavailable(clock, answer, message):
    with pytest.raises(AgencyUnavailable, match=message):
        await caller(Agency(answer), clock).call("GET", "/v1/person", Person)


async def test_a_huge_answer_is_refused_whether_or_not_it_declares_its_length(clock):
    declared = httpx.Response(200, content=b"x" * 5000, headers={"content-type": "application/json"})
    with pytest.raises(AgencyUnavailable, match="too large"):
        await caller(Agency(declared), clock).call("GET", "/v1/person", Person)

    async def endless() -> object:
        for _ in range(1000):
            yield b"[" * 1024

    streamed = httpx.Response(200, content=endless(), headers={"content-type": "application/json"})
    assert "content-length" not in streamed.headers
    with pytest.raises(AgencyUnavailable, match="too large"):
        await caller(Agency(streamed), clock).call("GET", "/v1/person", Person)


class RecordedLog:
    """Stands in for the gateway's logger: structlog's own capture misses loggers cached by an earlier app."""

    def __init__(self) -> None:
        self.lines: list[dict[str, object]] = []

    def log(self, level: int, event: str, **fields: object) -> None:
        self.lines.append({"event": event, "level": logging.getLevelName(level).lower(), **fields})


async def test_a_failed_call_writes_one_line_without_body_or_personal_code(clock, monkeypatch):
    recorded = RecordedLog()
    monkeypatch.setattr(gateway, "log", recorded)
    agency = Agency(problem(503), problem(503), problem(503))
    with pytest.raises(AgencyUnavailable):
        await caller(agency, clock).call("POST", "/v1/lookup", Person, json={"code": ANNA}, idempotency_key="k-2")
    assert recorded.lines == [
        {
            "event": "agency_call_failed",
            "level": "warning",
            "agency": "vsaa",
            "method": "POST",
            "path": "/vsaa/v1/lookup",
            "kind": "status",
            "status": 503,
            "attempt": 3,
            "request_id": None,
        }
    ]
    assert ANNA not in repr(recorded.lines)
