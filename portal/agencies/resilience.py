"""What keeps a slow or failing agency from taking the portal down with it: a retry policy, a circuit breaker
per agency and a short-lived cache of read-only answers kept per person. `AgencyCaller` (gateway.py) applies
all three; this module holds their state and rules, with an injectable clock so that tests need no sleeps.

All of it lives in the process: every web process (and worker) has its own breakers and its own cache. That
is deliberate: a breaker only has to stop *this* process from waiting on a dead agency, and a per-process cache
holds answers for seconds, so processes never share personal data through it and need no invalidation.

Why our own small classes rather than tenacity or purgatory: one call has a time budget that retries, waits
and Retry-After must all fit into, the breaker must be consulted before every attempt, and both must run on an
injected clock in unit tests; glueing three libraries' ideas of time together took more code than this.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx

from portal.settings import Settings

Clock = Callable[[], float]

# Answers that mean "try again later": the agency or a gateway in front of it is overloaded or restarting.
RETRYABLE_STATUSES = frozenset({502, 503, 504})
# Answers that count against the breaker: the agency is not serving, whatever the reason.
FAILURE_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff and full jitter, for idempotent calls only.

    `attempts` counts the first try. The wait before attempt n+1 is uniform in [0, min(backoff_max,
    backoff * 2**(n-1))] ("full jitter", so that many processes do not retry in step), or exactly the agency's
    Retry-After when it asks for at most `retry_after_max` seconds; a longer Retry-After means the agency will
    not be back within a page's patience, so the call gives up at once. `budget` bounds one whole call,
    waits included: a page is never held longer on one agency call.
    """

    attempts: int = 3
    backoff: float = 0.2
    backoff_max: float = 2.0
    retry_after_max: float = 2.0
    budget: float = 6.0

    def wait(self, attempt: int, retry_after: float | None, draw: Callable[[], float]) -> float | None:
        """Seconds to wait before the attempt after `attempt`, or None when the call should give up now."""
        if attempt >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.retry_after_max else None
        ceiling: float = min(self.backoff_max, self.backoff * 2.0 ** (attempt - 1))
        return draw() * ceiling


def retry_after_seconds(response: httpx.Response) -> float | None:
    """Retry-After in seconds (RFC 9110 allows an HTTP date too; agencies send seconds, a date counts as none)."""
    value = response.headers.get("retry-after", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """closed → open after `failures` consecutive failed requests → half-open once `cooldown` seconds have
    passed → closed again when the one trial request succeeds (or open again when it fails).

    While open, `allow()` is False and the caller fails at once without touching the network. In half-open
    only one trial request goes out at a time; a trial that never reports back (its task was cancelled
    mid-flight) is given up after another cool-down, so the breaker cannot stay stuck.
    """

    def __init__(self, agency: str, failures: int = 5, cooldown: float = 30.0, clock: Clock = time.monotonic) -> None:
        self.agency = agency
        self.failures = failures
        self.cooldown = cooldown
        self._clock = clock
        self._failed_in_row = 0
        self._opened_at: float | None = None
        self._trial_since: float | None = None

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self.cooldown:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def allow(self) -> bool:
        """Whether a request may go out now; in half-open, True only for the one trial."""
        state = self.state
        if state is BreakerState.CLOSED:
            return True
        if state is BreakerState.OPEN:
            return False
        now = self._clock()
        if self._trial_since is not None and now - self._trial_since < self.cooldown:
            return False
        self._trial_since = now
        return True

    def succeeded(self) -> None:
        self._failed_in_row = 0
        self._opened_at = None
        self._trial_since = None

    def failed(self) -> None:
        self._failed_in_row += 1
        self._trial_since = None
        if self._opened_at is not None or self._failed_in_row >= self.failures:
            # A failed trial opens the circuit for a whole new cool-down.
            self._opened_at = self._clock()

    @property
    def retry_in(self) -> float:
        """Seconds until the breaker lets a trial through (0 when it does now)."""
        if self._opened_at is None:
            return 0.0
        return max(0.0, self.cooldown - (self._clock() - self._opened_at))


@dataclass(frozen=True)
class CachedAnswer:
    status_code: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    expires_at: float

    def response(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status_code, headers=list(self.headers), content=self.content, request=request)


class PersonCache:
    """A bounded, short-lived, in-process (per web process) cache of read-only agency answers.

    Keys always include the agency, method, path, body and the person the answer is about, so one person's
    answer is never served for another. Keys are SHA-256 digests: the personal code itself is not kept as a
    key. The least recently used entry goes first when `max_entries` is reached; expired ones are dropped when
    met.
    """

    def __init__(self, max_entries: int = 1000, clock: Clock = time.monotonic) -> None:
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, CachedAnswer] = OrderedDict()

    @staticmethod
    def key(agency: str, method: str, path: str, body: Any, person: str) -> str:
        canonical = json.dumps([agency, method.upper(), path, body, person], sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def get(self, key: str) -> CachedAnswer | None:
        answer = self._entries.get(key)
        if answer is None:
            return None
        if answer.expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return answer

    def put(self, key: str, response: httpx.Response, content: bytes, seconds: float) -> None:
        if self.max_entries <= 0 or seconds <= 0:
            return
        headers = tuple((k, v) for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS)
        self._entries[key] = CachedAnswer(response.status_code, headers, content, self._clock() + seconds)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


# What a cached answer needs to be parsed again: its media type (and the id of the call that fetched it).
_KEPT_HEADERS = frozenset({"content-type", "x-request-id"})


class Resilience:
    """Everything one agency's callers share: the retry policy, the breaker and the cache, and the clock they run
    on. `sleep` and `draw` (a uniform draw in [0, 1)) are injectable so that unit tests control waiting and
    jitter.
    """

    def __init__(
        self,
        agency: str,
        retry: RetryPolicy | None = None,
        breaker: CircuitBreaker | None = None,
        cache: PersonCache | None = None,
        max_response_bytes: int = 10 * 1024 * 1024,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.agency = agency
        # `is None`, not `or`: an empty cache is falsy.
        self.retry = RetryPolicy() if retry is None else retry
        self.breaker = CircuitBreaker(agency, clock=clock) if breaker is None else breaker
        self.cache = PersonCache(clock=clock) if cache is None else cache
        self.max_response_bytes = max_response_bytes
        self.clock = clock
        self.sleep = sleep
        self.draw = draw

    @classmethod
    def from_settings(cls, agency: str, settings: Settings) -> Resilience:
        return cls(
            agency,
            retry=RetryPolicy(
                attempts=settings.agency_retry_attempts,
                backoff=settings.agency_retry_backoff,
                backoff_max=settings.agency_retry_backoff_max,
                retry_after_max=settings.agency_retry_after_max,
                budget=settings.agency_call_budget,
            ),
            breaker=CircuitBreaker(agency, settings.agency_breaker_failures, settings.agency_breaker_cooldown),
            cache=PersonCache(settings.agency_cache_max_entries),
            max_response_bytes=settings.agency_max_response_bytes,
        )


# The resilience of each agency's shared httpx client (registry.py attaches it), so that every AgencyCaller
# made on that client shares one breaker and one cache, whoever constructs it.
_ATTACHED: weakref.WeakKeyDictionary[httpx.AsyncClient, Resilience] = weakref.WeakKeyDictionary()


def attach(client: httpx.AsyncClient, resilience: Resilience) -> None:
    _ATTACHED[client] = resilience


def attached(client: httpx.AsyncClient) -> Resilience | None:
    return _ATTACHED.get(client)
