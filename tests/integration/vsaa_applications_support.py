"""What the VSAA applications tests share: the personas and paths they use, fresh references and keys, a
submission body, raw HTTP to the live sandbox that puts its fault mode and clock back, and the client on a
recorded httpx client."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from portal.agencies.gateway import AgencyCaller
from portal.agencies.resilience import Resilience, RetryPolicy
from portal.agencies.vsaa_applications import HttpVsaaApplications
from tests.integration.agency_contract import Contract

CONTRACT = Contract("vsaa-applications")
JANIS, ANNA, ELZA, PETERIS = "150162-12342", "050694-14213", "329011-52842", "300978-15174"
RASMA, EDGARS, DACE, ROBERTS, LAURA = "011245-11123", "328804-19324", "190583-11654", "321450-77313", "080890-17710"
UNKNOWN = "320000-00000"  # well-formed, and nobody VSAA knows
EDGARS_APPLICATION, EDGARS_REQUEST = "VSAA-2026-903118", "VSAA-2026-903118-1"
PETERIS_APPLICATION = "VSAA-2024-900412"
PERSONAL_CODE_ANYWHERE = re.compile(r"\d{6}-?\d{5}")
SUBMIT, SEARCH = "/v1/applications", "/v1/applications/search"
INFORMATION, WITHDRAWAL = "/v1/applications/{reference}/information", "/v1/applications/{reference}/withdrawal"
DECISION = "/v1/decisions/{document_id}"
START = "2026-11-20"


def new_reference() -> str:
    # Above the portal's own counters (which start at 000001), below VSAA's numbers (900000 up).
    return f"VSAA-2026-{500_000 + secrets.randbelow(400_000):06d}"


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def submission(applicant: str = JANIS, service: str = "vecuma-pensija", **changes: Any) -> dict[str, Any]:
    return {
        "reference": new_reference(),
        "service": service,
        "applicant": {"personal_code": applicant},
        "about_person": None,
        "filer": {"personal_code": applicant, "basis": "self"},
        "answers": {"decision_delivery": "e-adrese", "payment": "bank_account"},
        "submitted_at": "2026-11-20T10:15:00+02:00",
        **changes,
    }


@contextmanager
def sandbox_control(url: str) -> Iterator[httpx.Client]:
    """Raw HTTP to the live sandbox; the fault mode and the clock are put back, since it serves the session."""
    with httpx.Client(base_url=url, timeout=10) as client:
        try:
            yield client
        finally:
            assert client.put("/_control/faults/vsaa", json={"mode": "ok"}).status_code == 200
            assert client.put("/_control/clock", json={"today": START}).status_code == 200


def fault_setter(sandbox_http: httpx.Client) -> Callable[[str], None]:
    def set_mode(mode: str) -> None:
        assert sandbox_http.put("/_control/faults/vsaa", json={"mode": mode}).status_code == 200

    return set_mode


class Recorder:
    """What the client sent (checked against the contract) and the request ids that came back."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answered_request_ids: list[str | None] = []

    async def on_request(self, request: httpx.Request) -> None:
        self.requests.append(request)

    async def on_response(self, response: httpx.Response) -> None:
        self.answered_request_ids.append(response.headers.get("x-request-id"))


def caller_on(client: httpx.AsyncClient, recorder: Recorder) -> HttpVsaaApplications:
    client.event_hooks["request"].append(recorder.on_request)
    client.event_hooks["response"].append(recorder.on_response)
    # One attempt: a fault must reach the test as it is, not after the gateway's retries.
    return HttpVsaaApplications(AgencyCaller("vsaa", client, Resilience("vsaa", retry=RetryPolicy(attempts=1))))
