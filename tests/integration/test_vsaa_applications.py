"""VSAA applications: the contract and the sandbox that serves it, over real HTTP.

Every answer of the live sandbox is validated against contracts/vsaa-applications.yaml: every operation, its
refusals and its faults. The live sandbox serves the whole session, so tests submit fresh references with fresh
keys, put the clock and the fault mode back, and never change the seeded applications (Edgars's request stays
open). The portal's client is tested in test_vsaa_applications_client.py.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from sandbox.agencies import faults
from sandbox.agencies.app import create_sandbox
from tests.integration.agency_contract import CONTRACTS, Contract
from tests.integration.vsaa_applications_support import (
    ANNA,
    CONTRACT,
    DACE,
    DECISION,
    EDGARS,
    EDGARS_APPLICATION,
    EDGARS_REQUEST,
    INFORMATION,
    JANIS,
    LAURA,
    PERSONAL_CODE_ANYWHERE,
    PETERIS,
    PETERIS_APPLICATION,
    ROBERTS,
    SEARCH,
    SUBMIT,
    UNKNOWN,
    WITHDRAWAL,
    fault_setter,
    new_key,
    new_reference,
    sandbox_control,
    submission,
)
from tests.servers import Server


@pytest.fixture
def sandbox_http(live_sandbox: Server) -> Iterator[httpx.Client]:
    with sandbox_control(live_sandbox.url) as client:
        yield client


@pytest.fixture
def set_fault(sandbox_http: httpx.Client) -> Callable[[str], None]:
    return fault_setter(sandbox_http)


# The contract itself


def test_contract_schemas_are_valid_json_schema_and_every_example_fits_its_schema():
    assert CONTRACT.check_examples() >= 25


def test_the_sandbox_serves_the_contracts_vsaa_routes_and_no_others():
    served = CONTRACT.served_routes(create_sandbox())
    mine = CONTRACT.documented_routes()
    assert {route for route in served if route[1] in CONTRACT.document["paths"]} == mine
    # The person-data contract shares the /vsaa prefix; together the two documents name every route served.
    person_data = CONTRACTS / "vsaa-person-data.yaml"
    others = Contract("vsaa-person-data").documented_routes() if person_data.exists() else set()
    assert served - mine <= others
    assert CONTRACT.prefix == "/vsaa"


# Every operation, over real HTTP, against the contract


def sent(sandbox_http: httpx.Client, method: str, path: str, body: Any, key: str | None = "fresh") -> httpx.Response:
    headers = {"x-request-id": "contract-check-vsaa"}
    if key:
        headers["idempotency-key"] = new_key() if key == "fresh" else key
    url = f"/vsaa{path}"
    if isinstance(body, bytes):
        return sandbox_http.request(method, url, content=body, headers={**headers, "content-type": "application/json"})
    return sandbox_http.request(method, url, json=body, headers=headers)


def checked(response: httpx.Response, path: str, method: str, status: int) -> httpx.Response:
    assert response.status_code == status, response.text
    CONTRACT.check_answer(path, method, response)
    assert response.headers["x-request-id"] == "contract-check-vsaa"
    if status >= 400:
        assert not PERSONAL_CODE_ANYWHERE.search(response.text), response.text
    return response


@pytest.mark.parametrize(
    ("body", "key", "status"),
    [
        (submission(), "fresh", 201),
        (submission(service="pensionara-celojums"), "fresh", 422),
        (submission(applicant=UNKNOWN), "fresh", 422),
        (submission(applicant="150162-12343"), "fresh", 422),  # wrong check digit
        (submission(answers={"payment": "bank_account"}), "fresh", 422),
        (submission(applicant=ANNA, service="berna-piedzimsanas-pabalsts"), "fresh", 422),  # about whom?
        (submission(about_person={"personal_code": UNKNOWN}, service="vecaku-pabalsts"), "fresh", 422),
        (submission(reference=PETERIS_APPLICATION), "fresh", 409),
        (submission(), None, 400),
        (submission(), "short", 400),
        (submission(reference="VSAA-26-1"), "fresh", 400),
        (submission(extra=1), "fresh", 400),
        ({"reference": new_reference()}, "fresh", 400),
        (b"{not json", "fresh", 400),
    ],
)
def test_submissions_are_answered_as_the_contract_says(sandbox_http, body, key, status):
    checked(sent(sandbox_http, "post", SUBMIT, body, key), SUBMIT, "post", status)


def test_a_repeated_submission_is_answered_200_with_the_first_receipt_and_registered_once(sandbox_http):
    body, key = submission(), new_key()
    first = checked(sent(sandbox_http, "post", SUBMIT, body, key), SUBMIT, "post", 201)
    again = checked(sent(sandbox_http, "post", SUBMIT, body, key), SUBMIT, "post", 200)
    assert again.json() == first.json()
    other = checked(
        sent(sandbox_http, "post", SUBMIT, {**body, "service": "slimibas-pabalsts"}, key), SUBMIT, "post", 422
    )
    assert other.json()["type"] == "idempotency-key-reused"
    book = sandbox_http.get("/_control/vsaa/registrations").json()
    assert [r["id"] for r in book["registered"]].count(body["reference"]) == 1
    assert {"idempotency_key": key, "id": body["reference"]} in book["registered"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"personal_code": EDGARS}, 200),
        ({"personal_code": PETERIS}, 200),
        ({"personal_code": LAURA}, 200),
        ({"personal_code": UNKNOWN}, 200),
        ({"personal_code": "150162-12343"}, 422),  # wrong check digit
        ({"personal_code": "32880419324"}, 400),
        ({"personal_code": EDGARS, "extra": 1}, 400),
        (b"{not json", 400),
    ],
)
def test_searches_are_answered_as_the_contract_says(sandbox_http, body, status):
    checked(sent(sandbox_http, "post", SEARCH, body, key=None), SEARCH, "post", status)


def a_fresh_application(sandbox_http: httpx.Client, **changes: Any) -> dict[str, Any]:
    body = submission(**changes)
    assert sent(sandbox_http, "post", SUBMIT, body).status_code == 201
    return body


def test_information_answers_are_answered_as_the_contract_says(sandbox_http):
    answer = {"personal_code": EDGARS, "request_id": EDGARS_REQUEST, "text": "", "files": []}
    edgars = INFORMATION.format(reference=EDGARS_APPLICATION)
    # An empty answer, a wrong request id and another person's code leave Edgars's request open for the session.
    checked(sent(sandbox_http, "post", edgars, answer), INFORMATION, "post", 422)
    checked(sent(sandbox_http, "post", edgars, {**answer, "text": "Te", "request_id": "x"}), INFORMATION, "post", 422)
    checked(sent(sandbox_http, "post", edgars, {**answer, "personal_code": JANIS}), INFORMATION, "post", 404)
    unknown = INFORMATION.format(reference="VSAA-2026-899999")
    checked(sent(sandbox_http, "post", unknown, answer), INFORMATION, "post", 404)
    peteris = INFORMATION.format(reference=PETERIS_APPLICATION)
    checked(sent(sandbox_http, "post", peteris, {**answer, "personal_code": PETERIS}), INFORMATION, "post", 422)
    checked(sent(sandbox_http, "post", edgars, answer, key=None), INFORMATION, "post", 400)
    checked(sent(sandbox_http, "post", edgars, {**answer, "files": [{}]}), INFORMATION, "post", 400)
    dace = a_fresh_application(
        sandbox_http, applicant=DACE, service="apgadnieka-zaudejuma-pensija", about_person={"personal_code": ROBERTS}
    )
    sandbox_http.put("/_control/clock", json={"today": "2026-11-24"})
    file = {"name": "gramatina.pdf", "content_type": "application/pdf", "content_base64": "JVBERi0xLjQK"}
    dace_answer = {"personal_code": DACE, "request_id": f"{dace['reference']}-1", "text": "", "files": [file]}
    path = INFORMATION.format(reference=dace["reference"])
    checked(
        sent(sandbox_http, "post", path, {**dace_answer, "files": [{**file, "content_type": "image/heic"}]}),
        INFORMATION,
        "post",
        422,
    )
    answered = checked(sent(sandbox_http, "post", path, dace_answer), INFORMATION, "post", 200)
    assert answered.json()["status"] == "in_progress"


def test_withdrawals_are_answered_as_the_contract_says(sandbox_http):
    fresh = a_fresh_application(sandbox_http)
    path = WITHDRAWAL.format(reference=fresh["reference"])
    checked(sent(sandbox_http, "post", path, {"personal_code": ANNA}), WITHDRAWAL, "post", 404)
    withdrawn = checked(sent(sandbox_http, "post", path, {"personal_code": JANIS}), WITHDRAWAL, "post", 200)
    assert withdrawn.json()["status"] == "withdrawn"
    checked(sent(sandbox_http, "post", path, {"personal_code": JANIS}), WITHDRAWAL, "post", 422)
    decided = WITHDRAWAL.format(reference=PETERIS_APPLICATION)
    checked(sent(sandbox_http, "post", decided, {"personal_code": PETERIS}), WITHDRAWAL, "post", 422)
    checked(sent(sandbox_http, "post", path, {"personal_code": JANIS}, key=None), WITHDRAWAL, "post", 400)


def test_decisions_are_answered_as_the_contract_says(sandbox_http):
    found = sent(sandbox_http, "post", SEARCH, {"personal_code": PETERIS}, key=None).json()["applications"]
    (peteris,) = [a for a in found if a["reference"] == PETERIS_APPLICATION]
    document = checked(
        sent(sandbox_http, "get", DECISION.format(document_id=peteris["decision"]["document_id"]), None, key=None),
        DECISION,
        "get",
        200,
    )
    assert document.content.startswith(b"%PDF-")
    unknown = DECISION.format(document_id=str(uuid.uuid4()))
    checked(sent(sandbox_http, "get", unknown, None, key=None), DECISION, "get", 404)


# Bodies of the documented shape, so that only the fault can make the answer an error.
VALID_BODIES: dict[str, Any] = {
    SUBMIT: submission(),
    SEARCH: {"personal_code": EDGARS},
    INFORMATION: {"personal_code": EDGARS, "request_id": EDGARS_REQUEST, "text": "Te.", "files": []},
    WITHDRAWAL: {"personal_code": EDGARS},
    DECISION: None,
}


@pytest.mark.parametrize(("path", "method"), CONTRACT.operations)
@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("error", 500), ("refuse", 403)])
def test_faults_are_answered_as_the_contract_says(sandbox_http, set_fault, path, method, mode, status):
    set_fault(mode)
    concrete = path.format(reference=EDGARS_APPLICATION, document_id=str(uuid.uuid4()))
    body = VALID_BODIES[path]
    response = checked(sent(sandbox_http, method, concrete, body), path, method, status)
    if mode == "down":
        assert int(response.headers["retry-after"]) > 0


def test_slow_answers_after_the_configured_delay(monkeypatch):
    monkeypatch.setattr(faults, "SLOW_SECONDS", 0.2)
    with TestClient(create_sandbox()) as client:
        client.put("/_control/faults/vsaa", json={"mode": "slow"})
        started = time.monotonic()
        response = client.post("/vsaa/v1/applications/search", json={"personal_code": EDGARS})
    assert response.status_code == 200 and time.monotonic() - started >= 0.2
    CONTRACT.check_answer(SEARCH, "post", response)
