"""One way to call an agency: `AgencyCaller.call`, used by every agency client in this package.

It turns the agency's answer into a Pydantic model or a typed error, so that clients stay a few lines per
operation: 2xx → the model (validated; an answer outside the contract is AgencyUnavailable); a 4xx problem the
contract lists → AgencyRefused with the agency's reason; anything else, a timeout or a transport error →
AgencyUnavailable. Resilience lives here too, so every agency gets the same (resilience.py): the timeouts of the
shared httpx client, bounded retries with backoff and jitter for idempotent calls only, one time budget per
call, a circuit breaker per agency, a cap on the size of an answer, and a short-lived cache of read-only answers
kept per person (opt-in per call; the cache key always includes the person).

Each failed call writes one structured log line `agency_call_failed` (agency, method, path, status or error
kind, attempt, request id); never a body, so never a personal code (they travel only in bodies).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.resilience import (
    FAILURE_STATUSES,
    RETRYABLE_STATUSES,
    PersonCache,
    Resilience,
    attached,
    retry_after_seconds,
)
from portal.web.logs import request_id_var

_Model = TypeVar("_Model", bound=BaseModel)
IDEMPOTENCY_HEADER = "Idempotency-Key"
log = structlog.get_logger("portal.agencies")

# Transport failures after which the same request may well succeed: nothing usable came back.
_PASSING = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Headers that describe the bytes on the wire; a rebuilt answer holds the decoded bytes.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class _Failure(Exception):
    """One attempt's failure, before the caller decides whether to retry it."""

    def __init__(
        self,
        error: AgencyUnavailable,
        kind: str,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.kind = kind
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class AgencyCaller:
    """One per agency client. Callers made on the same httpx client (registry.py builds one per agency and
    attaches the agency's `Resilience` to it) share that agency's breaker and cache; `resilience` overrides."""

    def __init__(self, agency: str, client: httpx.AsyncClient, resilience: Resilience | None = None) -> None:
        self.agency = agency
        self._client = client
        self.resilience = resilience if resilience is not None else attached(client) or Resilience(agency)

    async def call(
        self,
        method: str,
        path: str,
        model: type[_Model],
        *,
        json: Any = None,
        idempotent: bool | None = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        cache_seconds: float | None = None,
        person: str | None = None,
    ) -> _Model:
        """`idempotent` defaults to True for GET and for calls with an idempotency key (only those may be retried);
        returns the parsed 2xx answer. `cache_seconds` keeps a read-only answer that long for `person` (required
        with it: the personal code or id the answer is about)."""
        response = await self.send(
            method,
            path,
            json=json,
            idempotent=idempotent,
            idempotency_key=idempotency_key,
            headers=headers,
            cache_seconds=cache_seconds,
            person=person,
        )
        return self.parse(model, response)

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        cache_seconds: float | None = None,
        person: str | None = None,
        accept: Collection[int] = (),
    ) -> httpx.Response:
        """The raw 2xx answer (for PDFs and other non-JSON bodies), or one of the `accept` statuses (a client that
        reads a documented 404 itself); errors as for `call`."""
        if cache_seconds is not None and not person:
            raise ValueError("a cached agency answer needs the person it is about")
        key = PersonCache.key(self.agency, method, path, json, person) if cache_seconds and person else None
        request = self._client.build_request(method, path, json=json, headers=_headers(headers, idempotency_key))
        if key is not None and (cached := self.resilience.cache.get(key)) is not None:
            return cached.response(request)
        if idempotent is None:
            idempotent = method.upper() == "GET" or bool(idempotency_key)
        response, content, attempt = await self._exchange(request, idempotent)
        if response.is_success:
            if key is not None and cache_seconds:
                self.resilience.cache.put(key, response, content, cache_seconds)
            return response
        if response.status_code in accept:
            return response
        refused = AgencyRefused(
            f"{self.agency}: refused ({response.status_code})",
            self.agency,
            status=response.status_code,
            reason=_problem_reason(response),
        )
        self._log_failure(request, kind="refused", attempt=attempt, status=response.status_code, level="info")
        raise refused

    def parse(self, model: type[_Model], response: httpx.Response) -> _Model:
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            self._log_failure(_request_of(response), kind="not_json")
            raise AgencyUnavailable(f"{self.agency}: answered {media_type or 'no content type'}, not JSON", self.agency)
        try:
            return model.model_validate(response.json())
        except ValueError as exc:
            self._log_failure(_request_of(response), kind="outside_contract")
            if isinstance(exc, ValidationError):
                # The error's text would quote the answer, personal codes included: say only where it broke.
                message = f"{self.agency}: answered outside its contract ({exc.error_count()} errors)"
                raise AgencyUnavailable(message, self.agency) from None
            raise AgencyUnavailable(f"{self.agency}: answered something that is not JSON", self.agency) from exc

    async def _exchange(self, request: httpx.Request, idempotent: bool) -> tuple[httpx.Response, bytes, int]:
        """The agency's answer that is not a failure (2xx, or a 4xx it means) with its attempt number, within the
        budget, retried when the call is idempotent and the failure may pass; else AgencyUnavailable."""
        policy, clock = self.resilience.retry, self.resilience.clock
        deadline = clock() + policy.budget
        attempt = 0
        while True:
            attempt += 1
            try:
                async with asyncio.timeout(max(0.0, deadline - clock())):
                    response, content = await self._attempt(request)
                    return response, content, attempt
            except TimeoutError:
                failure = _Failure(AgencyUnavailable(f"{self.agency}: timed out", self.agency), "budget")
            except _Failure as caught:
                failure = caught
            wait = policy.wait(attempt, failure.retry_after, self.resilience.draw) if idempotent else None
            if not failure.retryable or wait is None or clock() + wait >= deadline:
                self._log_failure(request, kind=failure.kind, attempt=attempt, status=failure.status)
                raise failure.error
            await self.resilience.sleep(wait)

    async def _attempt(self, request: httpx.Request) -> tuple[httpx.Response, bytes]:
        """One request. Every way it ends is reported to the breaker, so a half-open trial is never left taken."""
        breaker = self.resilience.breaker
        if not breaker.allow():
            error = AgencyUnavailable(f"{self.agency}: circuit open for {breaker.retry_in:.0f} s", self.agency)
            raise _Failure(error, "circuit_open")
        try:
            response = await self._client.send(request, stream=True)
            try:
                content = await self._read(response)
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            breaker.failed()
            raise _Failure(AgencyUnavailable(f"{self.agency}: timed out", self.agency), "timeout", True) from exc
        except httpx.HTTPError as exc:
            breaker.failed()
            error = AgencyUnavailable(f"{self.agency}: {type(exc).__name__}", self.agency)
            raise _Failure(error, type(exc).__name__, isinstance(exc, _PASSING)) from exc
        except BaseException:
            breaker.failed()  # an answer too large, or the call's budget cancelled the request mid-flight
            raise
        status = response.status_code
        if status in FAILURE_STATUSES:
            breaker.failed()
        else:
            breaker.succeeded()
        if status >= 500 or status in (401, 403, 408, 429):
            error = AgencyUnavailable(f"{self.agency}: answered {status}", self.agency)
            retryable = status in RETRYABLE_STATUSES
            raise _Failure(error, "status", retryable, retry_after_seconds(response), status)
        return _rebuilt(response, content), content

    async def _read(self, response: httpx.Response) -> bytes:
        """The whole (decoded) body, but never more than the cap: a runaway or hostile answer is refused early."""
        limit = self.resilience.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _Failure(AgencyUnavailable(f"{self.agency}: answer too large", self.agency), "too_large")
        chunks, size = [], 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                error = AgencyUnavailable(f"{self.agency}: answer too large", self.agency)
                raise _Failure(error, "too_large")
            chunks.append(chunk)
        return b"".join(chunks)

    def _log_failure(
        self,
        request: httpx.Request | None,
        *,
        kind: str,
        attempt: int | None = None,
        status: int | None = None,
        level: str = "warning",
    ) -> None:
        """One line per failed call; the path is the contract's (no personal codes in paths), never the body."""
        fields: dict[str, Any] = {
            "agency": self.agency,
            "method": request.method if request else None,
            "path": request.url.path if request else None,
            "kind": kind,
            "request_id": (request.headers.get("x-request-id") if request else None) or request_id_var.get() or None,
        }
        if attempt is not None:
            fields["attempt"] = attempt
        if status is not None:
            fields["status"] = status
        log.log(logging.INFO if level == "info" else logging.WARNING, "agency_call_failed", **fields)


def _headers(headers: Mapping[str, str] | None, idempotency_key: str | None) -> dict[str, str]:
    all_headers = dict(headers or {})
    if idempotency_key:
        all_headers[IDEMPOTENCY_HEADER] = idempotency_key
    return all_headers


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a response made by hand, as in some tests
        return None


def _rebuilt(response: httpx.Response, content: bytes) -> httpx.Response:
    """An ordinary, fully read answer holding the bytes read under the cap."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
    return httpx.Response(response.status_code, headers=headers, content=content, request=response.request)


def _problem_reason(response: httpx.Response) -> str:
    """The agency's own explanation from a problem+json body, or empty when there is none."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    reason = body.get("detail") or body.get("title") or ""
    return str(reason)[:500]
