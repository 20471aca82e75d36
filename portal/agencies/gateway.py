"""One way to call an agency: `AgencyCaller.call`, used by every agency client in this package.

It turns the agency's answer into a Pydantic model or a typed error, so that clients stay a few lines per
operation: 2xx → the model (validated; an answer outside the contract is AgencyUnavailable); a 4xx problem the
contract lists → AgencyRefused with the agency's reason; anything else, a timeout or a transport error →
AgencyUnavailable. Resilience lives here too, so every agency gets the same: the timeouts of the shared httpx
client, bounded retries with backoff and jitter for idempotent calls only, a circuit breaker per agency, and a
short-lived cache of read-only answers kept per person (the cache key always includes the person).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from portal.agencies.errors import AgencyRefused, AgencyUnavailable

_Model = TypeVar("_Model", bound=BaseModel)
IDEMPOTENCY_HEADER = "Idempotency-Key"


class AgencyCaller:
    def __init__(self, agency: str, client: httpx.AsyncClient) -> None:
        self.agency = agency
        self._client = client

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
    ) -> _Model:
        """`idempotent` defaults to True for GET and for calls with an idempotency key (only those may be retried);
        returns the parsed 2xx answer."""
        response = await self.send(method, path, json=json, idempotency_key=idempotency_key, headers=headers)
        return self.parse(model, response)

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The raw 2xx answer (for PDFs and other non-JSON bodies); errors as for `call`."""
        all_headers = dict(headers or {})
        if idempotency_key:
            all_headers[IDEMPOTENCY_HEADER] = idempotency_key
        try:
            response = await self._client.request(method, path, json=json, headers=all_headers)
        except httpx.TimeoutException as exc:
            raise AgencyUnavailable(f"{self.agency}: timed out", self.agency) from exc
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"{self.agency}: {type(exc).__name__}", self.agency) from exc
        if response.is_success:
            return response
        if 400 <= response.status_code < 500 and response.status_code not in (401, 403, 408, 429):
            raise AgencyRefused(
                f"{self.agency}: refused ({response.status_code})",
                self.agency,
                status=response.status_code,
                reason=_problem_reason(response),
            )
        raise AgencyUnavailable(f"{self.agency}: answered {response.status_code}", self.agency)

    def parse(self, model: type[_Model], response: httpx.Response) -> _Model:
        try:
            return model.model_validate(response.json())
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                # The error's text would quote the answer, personal codes included: say only where it broke.
                message = f"{self.agency}: answered outside its contract ({exc.error_count()} errors)"
                raise AgencyUnavailable(message, self.agency) from None
            raise AgencyUnavailable(f"{self.agency}: answered something that is not JSON", self.agency) from exc


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
