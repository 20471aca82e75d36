"""VDEĀVK: the portal's client against the live sandbox, over real HTTP; every body it sends is checked against
contracts/vdeavk.yaml. Tests whose answers other tests' submissions would change use a sandbox of their own.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.vdeavk import DisabilityTerm, DomainAssessment, Filer, HttpVdeavk, Person, UnconfiguredVdeavk
from portal.app import create_app
from portal.web.logs import request_id_var
from sandbox.agencies.app import create_sandbox
from tests.integration.agency_contract import Recorder, SandboxControl, client_for, sandbox_fixture
from tests.integration.test_vdeavk import (
    CONTRACT,
    INESE,
    LAURA,
    PETERIS,
    SEEDED_DECISION,
    SUBMIT,
    application,
    new_key,
)
from tests.ports import free_port
from tests.servers import Server

PERSONAL_CODE_ANYWHERE = re.compile(r"\d{6}-?\d{5}")
sandbox = sandbox_fixture("vdeavk")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def vdeavk(live_sandbox: Server, sandbox: SandboxControl, recorder: Recorder) -> AsyncIterator[HttpVdeavk]:
    # Kept answers on, as in the app: one test checks what is kept and for whom.
    async with client_for("vdeavk", f"{live_sandbox.url}{CONTRACT.prefix}", recorder, cache_entries=100) as client:
        yield HttpVdeavk(client)


@pytest.fixture
async def fresh_vdeavk() -> AsyncIterator[tuple[HttpVdeavk, httpx.AsyncClient]]:
    """The client on a sandbox of its own (in process, over ASGI), for tests whose answers other tests' submissions
    would change: the live sandbox serves the whole session. The second item moves its clock."""
    transport = httpx.ASGITransport(app=create_sandbox())
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://sandbox") as control,
        client_for("vdeavk", "http://sandbox/vdeavk", Recorder(), transport=transport) as client,
    ):
        yield HttpVdeavk(client), control


async def test_peteris_has_group_ii_until_2027_02_10_and_laura_none(vdeavk):
    peteris = await vdeavk.disability_status(PETERIS.replace("-", ""))  # people type it either way
    assert peteris.status is not None
    assert (peteris.status.group, peteris.status.valid_until) == ("II", dt.date(2027, 2, 10))
    assert "mobility" in peteris.status.functioning_limits
    assert peteris.as_of.date() == dt.date(2026, 11, 20)
    assert (await vdeavk.disability_status(LAURA)).status is None


async def move_clock(control: httpx.AsyncClient, today: str) -> None:
    assert (await control.put("/_control/clock", json={"today": today})).status_code == 200


async def test_the_term_ends_on_its_last_day(fresh_vdeavk):
    vdeavk, control = fresh_vdeavk
    await move_clock(control, "2027-02-10")
    assert (await vdeavk.disability_status(PETERIS)).status is not None
    await move_clock(control, "2027-02-11")
    assert (await vdeavk.disability_status(PETERIS)).status is None


async def test_a_status_answer_is_kept_for_a_few_seconds_and_only_for_its_person(vdeavk, sandbox, recorder):
    assert (await vdeavk.disability_status(PETERIS)).status is not None
    sandbox.today("2027-02-11")
    assert (await vdeavk.disability_status(PETERIS)).status is not None  # kept
    assert (await vdeavk.disability_status(LAURA)).status is None
    assert len(recorder.requests) == 2


async def test_renewal_prefill_comes_from_the_latest_application(vdeavk):
    laura = await vdeavk.renewal_prefill(LAURA)
    assert (laura.previous_reference, laura.current_status, laura.answers, laura.self_assessment) == (
        None,
        None,
        {},
        None,
    )
    peteris = await vdeavk.renewal_prefill(PETERIS)
    assert peteris.current_status is not None and peteris.current_status.group == "II"
    assert peteris.previous_reference is not None and peteris.answers
    assert peteris.self_assessment is not None and peteris.self_assessment["mobility"].difficulty >= 0


async def test_the_client_registers_once_per_key_and_sends_what_the_contract_says(vdeavk, sandbox, recorder):
    sent = application()
    before = sandbox.registrations()["count"]
    key = new_key()
    receipt = await vdeavk.submit(sent, key)
    assert await vdeavk.submit(sent, key) == receipt
    assert receipt.reference == sent.reference and receipt.status == "received"
    assert receipt.decision_due == dt.date(2026, 12, 20)
    assert sandbox.registrations()["count"] == before + 1
    for request in recorder.requests:
        assert request.headers["idempotency-key"] == key
        CONTRACT.check_request(SUBMIT, "post", httpx.Response(200, content=request.content).json())


async def test_an_assistant_files_with_the_service_centre_named(vdeavk, recorder):
    sent = application(filer=Filer(personal_code=INESE, basis="assistant", organisation="VPVKAC Cēsis").model_dump())
    await vdeavk.submit(sent, new_key())
    CONTRACT.check_request(SUBMIT, "post", httpx.Response(200, content=recorder.requests[-1].content).json())


async def test_a_refusal_reaches_the_portal_with_the_agencys_reason(vdeavk):
    with pytest.raises(AgencyRefused) as refused:
        await vdeavk.submit(application(LAURA), new_key())
    assert refused.value.status == 422 and refused.value.agency == "vdeavk"
    assert "nav spēkā esošas invaliditātes" in refused.value.reason


async def test_a_renewal_moves_on_the_clock_and_continues_the_term_without_a_gap(fresh_vdeavk):
    vdeavk, control = fresh_vdeavk
    sent = application(self_assessment={"mobility": DomainAssessment(difficulty=3, helps="Crutches.")})
    await vdeavk.submit(sent, new_key())

    async def mine():
        (found,) = [a for a in (await vdeavk.applications(PETERIS)).applications if a.reference == sent.reference]
        return found

    received = await mine()
    assert (received.status, received.channel, received.decision_document_id) == ("received", "portal", None)
    await move_clock(control, "2026-11-21")
    assert (await mine()).status == "in_progress"
    assert sent.reference not in {d.reference for d in (await vdeavk.decisions(PETERIS)).decisions}
    await move_clock(control, "2026-12-04")
    decided = await mine()
    assert [s.status for s in decided.history] == ["received", "in_progress", "decided"]
    (decision,) = [d for d in (await vdeavk.decisions(PETERIS)).decisions if d.reference == sent.reference]
    assert decided.decision_document_id == decision.document_id
    assert (decision.outcome, decision.group, decision.valid_from, decision.valid_until) == (
        "granted",
        "II",
        dt.date(2027, 2, 11),
        dt.date(2029, 2, 10),
    )
    await move_clock(control, "2027-02-11")
    assert (await vdeavk.disability_status(PETERIS)).status == DisabilityTerm(
        group="II", since=dt.date(2027, 2, 11), valid_until=dt.date(2029, 2, 10), functioning_limits=("mobility",)
    )
    prefill = await vdeavk.renewal_prefill(PETERIS)
    assert prefill.previous_reference == sent.reference and prefill.answers == sent.answers


async def test_the_decision_pdf_is_sealed_and_the_same_on_every_download(vdeavk, sandbox):
    (decision,) = (await vdeavk.decisions(PETERIS)).decisions[-1:]
    first = await vdeavk.decision_document(decision.document_id)
    second = await vdeavk.decision_document(decision.document_id)
    assert first is not None and first == second
    _, _, der = pem.unarmor(sandbox.http.get("/_control/sealing/root.pem").content)
    root = asn1_x509.Certificate.load(der)
    (seal,) = PdfFileReader(io.BytesIO(first)).embedded_signatures
    status = await async_validate_pdf_signature(seal, ValidationContext(trust_roots=[root], allow_fetching=False))
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.signer_reported_dt is not None


async def test_a_tampered_decision_is_not_intact(vdeavk, sandbox):
    document = await vdeavk.decision_document(SEEDED_DECISION)
    assert document is not None
    tampered = document.replace(b"VDEAVK-2025-900412", b"VDEAVK-2025-900413", 1)
    assert tampered != document
    _, _, der = pem.unarmor(sandbox.http.get("/_control/sealing/root.pem").content)
    (seal,) = PdfFileReader(io.BytesIO(tampered)).embedded_signatures
    status = await async_validate_pdf_signature(
        seal, ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)
    )
    assert not status.intact


async def test_an_unknown_or_malformed_document_id_is_none(vdeavk, recorder):
    assert await vdeavk.decision_document(str(uuid.uuid4())) is None
    calls = len(recorder.requests)
    assert await vdeavk.decision_document("../decisions/search") is None
    assert len(recorder.requests) == calls  # never sent


async def test_a_malformed_code_is_refused_before_any_call(vdeavk, recorder):
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await vdeavk.disability_status("300978-15175")
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await vdeavk.submit(application(applicant="300978-15175"), new_key())
    assert recorder.requests == []


async def test_personal_codes_travel_only_in_request_bodies(vdeavk, recorder):
    await vdeavk.disability_status(PETERIS)
    await vdeavk.renewal_prefill(PETERIS)
    await vdeavk.applications(PETERIS)
    await vdeavk.decisions(PETERIS)
    await vdeavk.decision_document(SEEDED_DECISION)
    await vdeavk.submit(application(), new_key())
    assert len(recorder.requests) == 6
    assert not [r.url for r in recorder.requests if PERSONAL_CODE_ANYWHERE.search(str(r.url))]


@pytest.mark.parametrize("mode", ["down", "error", "refuse"])
async def test_faults_reach_the_portal_as_agency_unavailable(vdeavk, sandbox, mode):
    sandbox.fault(mode)
    calls = [
        vdeavk.disability_status(PETERIS),
        vdeavk.renewal_prefill(PETERIS),
        vdeavk.applications(PETERIS),
        vdeavk.decisions(PETERIS),
        vdeavk.decision_document(SEEDED_DECISION),
        vdeavk.submit(application(), new_key()),
    ]
    for call in calls:
        with pytest.raises(AgencyUnavailable, match="vdeavk"):
            await call


async def test_a_slow_vdeavk_times_out_as_agency_unavailable(live_sandbox, sandbox, recorder):
    sandbox.fault("slow")
    async with client_for("vdeavk", f"{live_sandbox.url}/vdeavk", recorder, timeout=0.5) as client:
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await HttpVdeavk(client).applications(PETERIS)


async def test_an_unreachable_vdeavk_is_agency_unavailable(recorder):
    async with client_for("vdeavk", f"http://127.0.0.1:{free_port()}/vdeavk", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="vdeavk"):
            await HttpVdeavk(client).decisions(PETERIS)


async def test_the_request_id_reaches_vdeavk(vdeavk, recorder):
    token = request_id_var.set("trace-vdeavk-20261120")
    try:
        await vdeavk.disability_status(PETERIS)
        await vdeavk.decision_document(SEEDED_DECISION)
    finally:
        request_id_var.reset(token)
    assert recorder.answered_request_ids == ["trace-vdeavk-20261120"] * 2


# The wiring


async def test_the_app_provides_one_vdeavk_client_on_the_sandbox(settings, live_sandbox):
    app = create_app(settings.model_copy(update={"vdeavk_base_url": f"{live_sandbox.url}/vdeavk"}))
    provide = app.dependencies["vdeavk"]
    async with AsyncTestClient(app):
        client = provide.dependency()
        assert isinstance(client, HttpVdeavk) and provide.dependency() is client
        assert (await client.disability_status(PETERIS)).status is not None


async def test_without_sandbox_or_base_url_vdeavk_is_unavailable(settings):
    app = create_app(settings.model_copy(update={"sandbox_url": "", "vdeavk_base_url": None}))
    client = app.dependencies["vdeavk"].dependency()
    assert isinstance(client, UnconfiguredVdeavk)
    with pytest.raises(AgencyUnavailable, match="PORTAL_VDEAVK_BASE_URL"):
        await client.submit(application(), new_key())


def test_a_person_is_sent_in_one_spelling():
    sent = application(applicant=PETERIS.replace("-", ""), filer={"personal_code": "30097815174", "basis": "self"})
    body = sent.body()
    assert body["applicant"] == Person(personal_code=PETERIS).model_dump()
    assert body["filer"]["personal_code"] == PETERIS and "organisation" not in body["filer"]
    CONTRACT.check_request(SUBMIT, "post", body)
