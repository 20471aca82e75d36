"""Municipal social services (PASV): the contract, the sandbox that serves it, and the portal's client, over real
HTTP. Every answer of the live sandbox is validated against contracts/pasv.yaml, and every body the client sends
against the same document. Each test uses fresh references and keys and puts the clock and faults back.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.social_services import (
    HttpSocialServices,
    SocialCareApplication,
    UnconfiguredSocialServices,
)
from portal.app import create_app
from portal.web.logs import request_id_var
from sandbox.agencies.app import create_sandbox
from tests.integration.agency_contract import Contract, Recorder, SandboxControl, client_for, sandbox_fixture
from tests.ports import free_port
from tests.servers import Server

CONTRACT = Contract("pasv")
RASMA, ILZE, INESE = "011245-11123", "220470-16382", "120385-13468"
SUBMIT = "/v1/social-care-applications"
ONE = "/v1/social-care-applications/{reference}"
PERSONAL_CODE_ANYWHERE = re.compile(r"\d{6}-?\d{5}")


def new_reference() -> str:
    return f"PASV-2026-{secrets.randbelow(900_000):06d}"


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def application_body(applicant: str = RASMA, **changes: Any) -> dict[str, Any]:
    return {
        "reference": new_reference(),
        "municipality": "riga",
        "service": "aprupe-majas",
        "applicant": {"personal_code": applicant},
        "filer": {"personal_code": applicant, "basis": "self"},
        "answers": {"lives_alone": True, "help_needed": ["personal_hygiene", "cooking"], "reply_channel": None},
        "submitted_at": "2026-11-20T11:00:00Z",
        **changes,
    }


def application(**changes: Any) -> SocialCareApplication:
    return SocialCareApplication.model_validate(application_body(**changes))


sandbox = sandbox_fixture("pasv")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def services(live_sandbox: Server, sandbox: SandboxControl, recorder: Recorder) -> AsyncIterator[Any]:
    async with client_for("pasv", f"{live_sandbox.url}{CONTRACT.prefix}", recorder) as client:
        yield HttpSocialServices(client)


def submit_raw(sandbox: SandboxControl, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    response = sandbox.http.post(f"{CONTRACT.prefix}{SUBMIT}", json=body, headers=headers)
    CONTRACT.check_answer(SUBMIT, "post", response)
    return response


def read_raw(sandbox: SandboxControl, reference: str) -> httpx.Response:
    response = sandbox.http.get(f"{CONTRACT.prefix}{SUBMIT}/{reference}", headers={"x-request-id": "contract-pasv"})
    CONTRACT.check_answer(ONE, "get", response)
    return response


# The contract itself


def test_contract_schemas_are_valid_and_every_example_fits_its_schema():
    assert CONTRACT.check_examples() >= 10


def test_the_sandbox_serves_exactly_the_contract():
    assert CONTRACT.served_routes(create_sandbox()) == CONTRACT.documented_routes()
    assert CONTRACT.prefix == "/pasv"


# Every operation, over real HTTP, against the contract


def test_a_submission_registers_once_per_key_and_can_be_read(sandbox):
    body, key = application_body(), new_key()
    before = sandbox.registrations()
    first, again = submit_raw(sandbox, body, key), submit_raw(sandbox, body, key)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    assert first.json()["decision_due"] == "2026-12-20"
    after = sandbox.registrations()
    assert (after["count"], after["replays"]) == (before["count"] + 1, before["replays"] + 1)
    assert {"idempotency_key": key, "id": body["reference"]} in after["registered"]
    read = read_raw(sandbox, body["reference"])
    assert read.status_code == 200 and read.headers["x-request-id"] == "contract-pasv"
    assert not PERSONAL_CODE_ANYWHERE.search(read.text)


def test_a_key_names_one_request_and_a_reference_one_application(sandbox):
    body, key = application_body(), new_key()
    assert submit_raw(sandbox, body, key).status_code == 201
    other = submit_raw(sandbox, {**body, "service": "dienas-aprupes-centrs"}, key)
    assert other.status_code == 422 and other.json()["type"] == "idempotency-key-reused"
    taken = submit_raw(sandbox, body, new_key())
    assert taken.status_code == 409 and taken.json()["type"] == "reference-taken"


@pytest.mark.parametrize(
    ("body", "key", "status"),
    [
        (application_body(), None, 400),
        (application_body(), "short", 400),
        (b"{not json", new_key(), 400),
        ({**application_body(), "service": "pirts"}, new_key(), 400),
        ({**application_body(), "reference": "VDEAVK-2026-000001"}, new_key(), 400),
        ({**application_body(), "municipality": "Rīga"}, new_key(), 400),
        ({**application_body(), "urgent": True}, new_key(), 400),
        ({k: v for k, v in application_body().items() if k != "applicant"}, new_key(), 400),
        (application_body(applicant="011245-11124"), new_key(), 422),
        (application_body(applicant="01124511123"), new_key(), 422),
    ],
)
def test_malformed_submissions_are_answered_as_the_contract_says(sandbox, body, key, status):
    before = sandbox.registrations()["count"]
    headers = {"content-type": "application/json", **({"Idempotency-Key": key} if key else {})}
    content = body if isinstance(body, bytes) else httpx.Request("POST", "/", json=body).content
    response = sandbox.http.post(f"{CONTRACT.prefix}{SUBMIT}", content=content, headers=headers)
    CONTRACT.check_answer(SUBMIT, "post", response)
    assert response.status_code == status
    assert sandbox.registrations()["count"] == before
    assert "011245" not in response.text


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"municipality": "atlantida"}, "portālā iesniegumus sociālajai aprūpei nepieņem"),
        ({"municipality": "cesis", "service": "grupu-dzivoklis"}, "Cēsu novads šo pakalpojumu nesniedz"),
        ({"filer": {"personal_code": ILZE, "basis": "self"}}, "uz kāda pamata"),
        ({"reference": "PASV-2026-900001"}, "pašu numuri"),
    ],
)
def test_refusals_say_why(sandbox, changes, reason):
    response = submit_raw(sandbox, application_body(**changes), new_key())
    assert response.status_code == 422 and response.json()["type"] == "application-refused"
    assert reason in response.json()["detail"]


def test_an_unknown_or_malformed_reference_is_answered_as_the_contract_says(sandbox):
    unknown = read_raw(sandbox, "PASV-2026-899999")
    assert unknown.status_code == 404 and unknown.json()["type"] == "application-not-found"
    assert read_raw(sandbox, "PASV-26-1").status_code == 400


@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("error", 500), ("refuse", 403)])
def test_faults_are_answered_as_the_contract_says(sandbox, mode, status):
    body = application_body()
    assert submit_raw(sandbox, body, new_key()).status_code == 201
    sandbox.fault(mode)
    responses = [submit_raw(sandbox, application_body(), new_key()), read_raw(sandbox, body["reference"])]
    assert [r.status_code for r in responses] == [status, status]
    if mode == "down":
        assert all(int(r.headers["retry-after"]) > 0 for r in responses)


# The portal's client


async def test_the_client_registers_once_per_key_and_sends_what_the_contract_says(services, sandbox, recorder):
    sent, key = application(), new_key()
    before = sandbox.registrations()["count"]
    receipt = await services.submit(sent, key)
    assert await services.submit(sent, key) == receipt
    assert (receipt.reference, receipt.status, receipt.decision_due) == (
        sent.reference,
        "received",
        dt.date(2026, 12, 20),
    )
    assert sandbox.registrations()["count"] == before + 1
    assert [r.headers["idempotency-key"] for r in recorder.requests] == [key, key]
    for body in recorder.bodies():
        CONTRACT.check_request(SUBMIT, "post", body)
    assert recorder.bodies()[0]["answers"]["reply_channel"] is None  # a null answer is sent as one


async def test_an_assistant_files_for_a_client_with_the_service_centre_named(services, recorder):
    filer = {"personal_code": INESE, "basis": "assistant", "organisation": "VPVKAC Cēsis"}
    await services.submit(application(filer=filer, municipality="cesis"), new_key())
    (body,) = recorder.bodies()
    CONTRACT.check_request(SUBMIT, "post", body)
    assert body["filer"] == filer


async def test_a_refusal_reaches_the_portal_with_the_services_reason(services):
    with pytest.raises(AgencyRefused) as refused:
        await services.submit(application(municipality="ogre", service="dienas-aprupes-centrs"), new_key())
    assert refused.value.status == 422 and refused.value.agency == "pasv"
    assert "Ogres novads šo pakalpojumu nesniedz" in refused.value.reason


async def test_the_application_moves_through_the_assessment_of_needs_on_the_clock(services, sandbox):
    sent = application()
    await services.submit(sent, new_key())

    async def on(day: str):
        sandbox.today(day)
        found = await services.application(sent.reference)
        assert found is not None and found.as_of.date() == dt.date.fromisoformat(day)
        return found

    received = await on("2026-11-20")
    assert (received.status, received.assessment_visit, received.decision) == ("received", None, None)
    assert (received.municipality_name, received.service) == ("Rīgas valstspilsēta", "aprupe-majas")
    assessing = await on("2026-11-23")
    assert assessing.status == "in_progress"
    assert assessing.assessment_visit is not None and assessing.assessment_visit.date == dt.date(2026, 11, 27)
    asked = await on("2026-11-30")
    assert asked.status == "needs_info" and asked.information_request is not None
    assert asked.information_request.due == dt.date(2026, 12, 14) and "027/u" in asked.information_request.text
    resumed = await on("2026-12-07")
    assert (resumed.status, resumed.information_request) == ("in_progress", None)
    decided = await on("2026-12-18")
    assert [s.status for s in decided.history] == ["received", "in_progress", "needs_info", "in_progress", "decided"]
    assert decided.decision is not None and decided.decision.outcome == "granted"
    assert (decided.decision.decided_on, decided.decision.service_from) == (dt.date(2026, 12, 18), dt.date(2027, 1, 7))


async def test_an_unknown_or_malformed_reference_is_none(services, recorder):
    assert await services.application("PASV-2026-899999") is None
    assert await services.application("../v1/social-care-applications") is None
    assert len(recorder.requests) == 1  # the malformed one was never sent


async def test_a_malformed_code_is_refused_before_any_call(services, recorder):
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await services.submit(application(applicant="011245-11124"), new_key())
    assert recorder.requests == []


async def test_personal_codes_travel_only_in_request_bodies(services, recorder):
    sent = application()
    await services.submit(sent, new_key())
    await services.application(sent.reference)
    assert len(recorder.requests) == 2
    assert not [r.url for r in recorder.requests if PERSONAL_CODE_ANYWHERE.search(str(r.url))]


@pytest.mark.parametrize("mode", ["down", "error", "refuse"])
async def test_faults_reach_the_portal_as_agency_unavailable(services, sandbox, mode):
    sent = application()
    await services.submit(sent, new_key())
    sandbox.fault(mode)
    with pytest.raises(AgencyUnavailable, match="pasv"):
        await services.submit(application(), new_key())
    with pytest.raises(AgencyUnavailable, match="pasv"):
        await services.application(sent.reference)


async def test_slow_social_services_time_out_as_agency_unavailable(live_sandbox, sandbox, recorder):
    sandbox.fault("slow")
    async with client_for("pasv", f"{live_sandbox.url}/pasv", recorder, timeout=0.5) as client:
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await HttpSocialServices(client).application("PASV-2026-000001")


async def test_unreachable_social_services_are_agency_unavailable(recorder):
    async with client_for("pasv", f"http://127.0.0.1:{free_port()}/pasv", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="pasv"):
            await HttpSocialServices(client).submit(application(), new_key())


async def test_a_wrong_base_url_is_not_mistaken_for_an_unknown_application(live_sandbox, recorder):
    async with client_for("pasv", f"{live_sandbox.url}/elsewhere", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="404"):
            await HttpSocialServices(client).application("PASV-2026-000001")


async def test_the_request_id_reaches_the_social_services(services, recorder):
    token = request_id_var.set("trace-pasv-20261120")
    try:
        await services.application("PASV-2026-899999")
    finally:
        request_id_var.reset(token)
    assert recorder.answered_request_ids == ["trace-pasv-20261120"]


# The wiring


async def test_the_app_provides_one_social_services_client_on_the_sandbox(settings, live_sandbox):
    app = create_app(settings.model_copy(update={"pasv_base_url": f"{live_sandbox.url}/pasv"}))
    provide = app.dependencies["social_services"]
    async with AsyncTestClient(app):
        client = provide.dependency()
        assert isinstance(client, HttpSocialServices) and provide.dependency() is client
        assert await client.application("PASV-2026-899999") is None


async def test_without_sandbox_or_base_url_the_social_services_are_unavailable(settings):
    app = create_app(settings.model_copy(update={"sandbox_url": "", "pasv_base_url": None}))
    client = app.dependencies["social_services"].dependency()
    assert isinstance(client, UnconfiguredSocialServices)
    with pytest.raises(AgencyUnavailable, match="PORTAL_PASV_BASE_URL"):
        await client.application("PASV-2026-000001")
