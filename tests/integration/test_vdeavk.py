"""VDEĀVK: its contract and the sandbox that serves it, over real HTTP (the client: test_vdeavk_client.py).

Every answer of the live sandbox is validated against contracts/vdeavk.yaml. The sandbox serves the whole
session, so each test uses fresh references and keys and puts the clock and the fault mode back.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

import httpx
import pytest

from portal.agencies.vdeavk import (
    ExpertiseApplication,
)
from sandbox.agencies.app import create_sandbox
from tests.integration.agency_contract import Contract, SandboxControl, sandbox_fixture

CONTRACT = Contract("vdeavk")
PETERIS, LAURA, ELZA, INESE = "300978-15174", "080890-17710", "329011-52842", "120385-13468"
UNKNOWN = "320000-00000"  # well-formed, and nobody VDEĀVK has assessed
PERSON_OPERATIONS = ["/v1/disability-status", "/v1/renewal-prefill", "/v1/applications/search", "/v1/decisions/search"]
SUBMIT = "/v1/expertise-applications"
SEEDED_DECISION = "6f1c2a4e-8b3d-4f5a-9c7e-1d2b3a4c5e6f"
START = "2026-11-20"


def new_reference() -> str:
    return f"VDEAVK-2026-{secrets.randbelow(900_000):06d}"


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def application_body(
    applicant: str = PETERIS, kind: str = "renewal", reference: str | None = None, **changes: Any
) -> dict[str, Any]:
    return {
        "reference": reference or new_reference(),
        "applicant": {"personal_code": applicant},
        "filer": {"personal_code": applicant, "basis": "self"},
        "kind": kind,
        "answers": {"decision_delivery": "e-adrese", "assistant_service": False, "phone": "+371 20000000"},
        "self_assessment": {
            "mobility": {"difficulty": 3, "helps": "Crutches."},
            "work_or_school": {"difficulty": 2, "helps": ""},
        },
        "submitted_at": "2026-11-20T10:15:00Z",
        **changes,
    }


def application(applicant: str = PETERIS, kind: str = "renewal", **changes: Any) -> ExpertiseApplication:
    return ExpertiseApplication.model_validate(application_body(applicant, kind, **changes))


sandbox = sandbox_fixture("vdeavk")


# The contract itself


def test_contract_schemas_are_valid_and_every_example_fits_its_schema():
    assert CONTRACT.check_examples() >= 30


def test_the_sandbox_serves_exactly_the_contract():
    assert CONTRACT.served_routes(create_sandbox()) == CONTRACT.documented_routes()
    assert CONTRACT.prefix == "/vdeavk"


# Every operation, over real HTTP, against the contract


@pytest.mark.parametrize("path", PERSON_OPERATIONS)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"personal_code": PETERIS}, 200),
        ({"personal_code": LAURA}, 200),
        ({"personal_code": UNKNOWN}, 200),
        ({"personal_code": "300978-15175"}, 422),  # wrong check digit
        ({"personal_code": "30097815174"}, 422),  # the contract's one spelling has the hyphen
        ({"personal_code": 30097815174}, 400),
        ({"code": PETERIS}, 400),
        ({"personal_code": PETERIS, "extra": 1}, 400),
        (b"{not json", 400),
    ],
)
def test_every_person_operation_answers_as_the_contract_says(sandbox, path, body, status):
    headers = {"content-type": "application/json", "x-request-id": "contract-check-vdeavk"}
    url = f"{CONTRACT.prefix}{path}"
    if isinstance(body, bytes):
        response = sandbox.http.post(url, content=body, headers=headers)
    else:
        response = sandbox.http.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    CONTRACT.check_answer(path, "post", response)
    assert response.headers["x-request-id"] == "contract-check-vdeavk"
    # Answers never repeat the code asked about, in either spelling (other tests' answers may hold any digits).
    asked = body.get("personal_code") if isinstance(body, dict) else None
    if isinstance(asked, str):
        assert asked not in response.text and asked.replace("-", "") not in response.text


def submit_raw(sandbox: SandboxControl, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    response = sandbox.http.post(f"{CONTRACT.prefix}{SUBMIT}", json=body, headers=headers)
    CONTRACT.check_answer(SUBMIT, "post", response)
    return response


def test_a_submission_registers_once_per_key(sandbox):
    body, key = application_body(), new_key()
    before = sandbox.registrations()
    first = submit_raw(sandbox, body, key)
    again = submit_raw(sandbox, body, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert first.json()["reference"] == body["reference"] and first.json()["decision_due"] == "2026-12-20"
    after = sandbox.registrations()
    assert after["count"] == before["count"] + 1 and after["replays"] == before["replays"] + 1
    assert {"idempotency_key": key, "id": body["reference"]} in after["registered"]


def test_a_key_names_one_request_and_a_reference_one_application(sandbox):
    body, key = application_body(), new_key()
    assert submit_raw(sandbox, body, key).status_code == 201
    other = submit_raw(sandbox, {**body, "kind": "first"}, key)
    assert other.status_code == 422 and other.json()["type"] == "idempotency-key-reused"
    taken = submit_raw(sandbox, body, new_key())
    assert taken.status_code == 409 and taken.json()["type"] == "reference-taken"


@pytest.mark.parametrize(
    ("body", "key", "status"),
    [
        (application_body(), None, 400),
        (application_body(), "short", 400),
        ({**application_body(), "answers": "all fine"}, new_key(), 400),
        ({**application_body(), "channel": "portal"}, new_key(), 400),
        ({k: v for k, v in application_body().items() if k != "filer"}, new_key(), 400),
        ({**application_body(), "reference": "VSAA-2026-000001"}, new_key(), 400),
        ({**application_body(), "kind": "third"}, new_key(), 400),
        ({**application_body(), "self_assessment": {"flying": {"difficulty": 1, "helps": ""}}}, new_key(), 400),
        ({**application_body(), "self_assessment": {"mobility": {"difficulty": 5, "helps": ""}}}, new_key(), 400),
        # A personal code is "not well-formed" (422), whatever is wrong with it
        (application_body(applicant="300978-15175"), new_key(), 422),
        (application_body(applicant="30097815174"), new_key(), 422),
    ],
)
def test_malformed_submissions_are_answered_as_the_contract_says(sandbox, body, key, status):
    before = sandbox.registrations()["count"]
    response = submit_raw(sandbox, body, key)
    assert response.status_code == status
    assert sandbox.registrations()["count"] == before
    assert "300978" not in response.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (application_body(applicant=LAURA), "nav spēkā esošas invaliditātes"),
        (application_body(self_assessment=None), "pašnovērtējuma anketa"),
        (application_body(kind="first", applicant=LAURA, self_assessment=None), "pašnovērtējuma anketa"),
        (application_body(filer={"personal_code": INESE, "basis": "self"}), "uz kāda pamata"),
        (application_body(reference="VDEAVK-2026-903001"), "VDEĀVK pašas numuri"),
    ],
)
def test_refusals_say_why(sandbox, body, reason):
    response = submit_raw(sandbox, body, new_key())
    assert response.status_code == 422 and response.json()["type"] == "application-refused"
    assert reason in response.json()["detail"]


def test_a_child_needs_no_self_assessment(sandbox):
    body = application_body(applicant=ELZA, kind="first", self_assessment=None)
    body["filer"] = {"personal_code": "050694-14213", "basis": "parent"}
    assert submit_raw(sandbox, body, new_key()).status_code == 201


def test_decision_documents_answer_as_the_contract_says(sandbox):
    path = "/v1/decisions/{document_id}"
    found = sandbox.http.get(f"{CONTRACT.prefix}/v1/decisions/{SEEDED_DECISION}")
    assert found.status_code == 200 and found.content.startswith(b"%PDF-")
    CONTRACT.check_answer(path, "get", found)
    for missing, status in ((str(uuid.uuid4()), 404), ("not-a-document", 400)):
        response = sandbox.http.get(f"{CONTRACT.prefix}/v1/decisions/{missing}")
        assert response.status_code == status
        CONTRACT.check_answer(path, "get", response)


@pytest.mark.parametrize(("path", "method"), CONTRACT.operations)
@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("error", 500), ("refuse", 403)])
def test_faults_are_answered_as_the_contract_says(sandbox, path, method, mode, status):
    sandbox.fault(mode)
    url = f"{CONTRACT.prefix}{path.format(document_id=SEEDED_DECISION)}"
    if path == SUBMIT:
        response = sandbox.http.post(url, json=application_body(), headers={"Idempotency-Key": new_key()})
    elif method == "get":
        response = sandbox.http.get(url)
    else:
        response = sandbox.http.post(url, json={"personal_code": PETERIS})
    assert response.status_code == status
    CONTRACT.check_answer(path, method, response)
    if mode == "down":
        assert int(response.headers["retry-after"]) > 0
