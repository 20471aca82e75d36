"""VSAA applications: the portal's client against the live sandbox, and its wiring in the app.

Bodies the client sends are validated against contracts/vsaa-applications.yaml; answers are validated by the
client's models (and by the sandbox's own contract checking). Tests that change seeded applications (answering
Edgars's request) use a private in-process sandbox, so the session's sandbox keeps them as DOMAIN.md says.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from litestar.testing import AsyncTestClient
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.http import create_http_client
from portal.agencies.vsaa_applications import (
    AnswerFile,
    HttpVsaaApplications,
    Submission,
    UnconfiguredVsaaApplications,
)
from portal.app import create_app
from portal.web.logs import request_id_var
from sandbox.agencies.app import create_sandbox
from tests.integration.vsaa_applications_support import (
    ANNA,
    CONTRACT,
    DACE,
    EDGARS,
    EDGARS_APPLICATION,
    EDGARS_REQUEST,
    JANIS,
    LAURA,
    PERSONAL_CODE_ANYWHERE,
    PETERIS,
    PETERIS_APPLICATION,
    RASMA,
    ROBERTS,
    START,
    SUBMIT,
    UNKNOWN,
    Recorder,
    caller_on,
    fault_setter,
    new_key,
    sandbox_control,
    submission,
)
from tests.ports import free_port
from tests.servers import Server


@pytest.fixture
def sandbox_http(live_sandbox: Server) -> Iterator[httpx.Client]:
    with sandbox_control(live_sandbox.url) as client:
        yield client


@pytest.fixture
def set_fault(sandbox_http: httpx.Client) -> Callable[[str], None]:
    return fault_setter(sandbox_http)


@pytest.fixture
def set_clock(sandbox_http: httpx.Client) -> Callable[[str], None]:
    def move(today: str) -> None:
        assert sandbox_http.put("/_control/clock", json={"today": today}).status_code == 200

    return move


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def vsaa(live_sandbox: Server, sandbox_http: httpx.Client, recorder: Recorder) -> AsyncIterator[Any]:
    async with create_http_client(f"{live_sandbox.url}/vsaa") as client:
        yield caller_on(client, recorder)


@pytest.fixture
async def private_vsaa(recorder: Recorder) -> AsyncIterator[Any]:
    """A sandbox of the test's own, in process: for changing seeded applications without touching the session's."""
    async with AsyncTestClient(create_sandbox(), base_url="http://sandbox.test/vsaa") as client:
        yield caller_on(client, recorder)


def decision_pdf_root(sandbox_http: httpx.Client) -> asn1_x509.Certificate:
    _, _, der = pem.unarmor(sandbox_http.get("/_control/sealing/root.pem").content)
    return asn1_x509.Certificate.load(der)


# The portal's client


def request_of(body: dict[str, Any]) -> Submission:
    return Submission.model_validate(body)


async def test_a_submission_is_registered_with_its_decision_term(vsaa, recorder):
    body = submission()
    receipt = await vsaa.submit(request_of(body), new_key())
    assert (receipt.reference, receipt.status) == (body["reference"], "received")
    assert receipt.received_at.date() == dt.date(2026, 11, 20) and receipt.as_of.date() == dt.date(2026, 11, 20)
    assert receipt.decision_due == dt.date(2026, 12, 22)  # 22 working days after Friday 20 November
    (sent_request,) = recorder.requests
    CONTRACT.check_request(SUBMIT, "post", httpx.Response(200, content=sent_request.content).json())


async def test_the_same_key_twice_registers_once_and_another_body_under_it_is_refused(vsaa, sandbox_http):
    body, key = submission(), new_key()
    first = await vsaa.submit(request_of(body), key)
    assert await vsaa.submit(request_of(body), key) == first
    with pytest.raises(AgencyRefused) as refused:
        await vsaa.submit(request_of({**body, "service": "slimibas-pabalsts"}), key)
    assert refused.value.status == 422 and "Idempotency-Key" in refused.value.reason
    registered = sandbox_http.get("/_control/vsaa/registrations").json()["registered"]
    assert [r["id"] for r in registered].count(body["reference"]) == 1


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"service": "pensionara-celojums"}, 'VSAA nepieņem iesniegumus pakalpojumam "pensionara-celojums".'),
        ({"applicant": UNKNOWN}, "VSAA nav ziņu par iesniedzēju ar šo personas kodu."),
        ({"answers": {}}, "Iesniegumā nav norādīts: kā saņemt lēmumu."),
        (
            {"applicant": ANNA, "service": "berna-piedzimsanas-pabalsts"},
            "Iesniegumā nav norādīts, par kuru personu (piemēram, bērnu) tas iesniegts.",
        ),
    ],
)
async def test_a_refusal_reaches_the_portal_with_vsaas_reason(vsaa, changes, reason):
    with pytest.raises(AgencyRefused) as refused:
        await vsaa.submit(request_of(submission(**changes)), new_key())
    assert (refused.value.status, refused.value.reason) == (422, reason)


async def test_a_reference_registered_under_another_key_is_refused(vsaa):
    body = submission()
    await vsaa.submit(request_of(body), new_key())
    with pytest.raises(AgencyRefused) as refused:
        await vsaa.submit(request_of(body), new_key())
    assert refused.value.status == 409


def statuses(application: Any) -> list[str]:
    return [entry.status for entry in application.history]


async def mine(vsaa: Any, personal_code: str, reference: str) -> Any:
    answer = await vsaa.applications_of(personal_code)
    (application,) = [a for a in answer.applications if a.reference == reference]
    return application


async def test_an_application_moves_on_the_business_clock_to_a_sealed_decision(vsaa, set_clock, sandbox_http):
    body = submission()
    await vsaa.submit(request_of(body), new_key())
    application = await mine(vsaa, JANIS, body["reference"])
    assert (application.status, application.channel, application.decision) == ("received", "portal", None)
    set_clock("2026-11-22")  # a Sunday: VSAA has not started
    assert (await mine(vsaa, JANIS, body["reference"])).status == "received"
    set_clock("2026-11-23")
    assert (await mine(vsaa, JANIS, body["reference"])).status == "in_progress"
    set_clock("2026-11-25")
    decided = await mine(vsaa, JANIS, body["reference"])
    assert statuses(decided) == ["received", "in_progress", "decided"]
    assert decided.decision is not None and decided.decision.outcome == "granted"
    assert decided.decision.decided_at.date() == dt.date(2026, 11, 25)
    set_clock(START)  # the decision is not taken yet on the day of receipt
    with pytest.raises(AgencyRefused) as refused:
        await vsaa.decision_pdf(decided.decision.document_id)
    assert refused.value.status == 404


async def test_vsaa_decides_against_an_applicant_it_does_not_grant_the_service_to(vsaa, set_clock):
    body = submission(applicant=LAURA)
    await vsaa.submit(request_of(body), new_key())
    set_clock("2026-11-25")
    decided = await mine(vsaa, LAURA, body["reference"])
    assert decided.status == "decided" and decided.decision is not None and decided.decision.outcome == "refused"


async def test_a_survivors_pension_stops_in_needs_info_until_answered(vsaa, set_clock):
    body = submission(applicant=DACE, service="apgadnieka-zaudejuma-pensija", about_person={"personal_code": ROBERTS})
    receipt = await vsaa.submit(request_of(body), new_key())
    set_clock("2026-11-24")
    waiting = await mine(vsaa, DACE, body["reference"])
    assert waiting.status == "needs_info" and waiting.decision_due is None
    assert waiting.information_request is not None and waiting.information_request.deadline == dt.date(2026, 12, 8)
    set_clock("2026-11-26")  # answered two working days later: the term moves on by two working days
    pdf = AnswerFile(name="darba-gramatina.pdf", content_type="application/pdf", content=b"%PDF-1.4\n%%EOF\n")
    answered = await vsaa.answer_information(
        DACE, body["reference"], waiting.information_request.id, "Pievienoju kopiju.", [pdf], new_key()
    )
    assert statuses(answered) == ["received", "in_progress", "needs_info", "in_progress"]
    assert answered.information_request is None
    # From 22 December, two working days on: 23 December, then past the Christmas holidays to 28 December.
    assert (receipt.decision_due, answered.decision_due) == (dt.date(2026, 12, 22), dt.date(2026, 12, 28))
    set_clock("2026-12-01")  # three working days after the answer
    decided = await mine(vsaa, DACE, body["reference"])
    assert decided.decision is not None and decided.decision.outcome == "granted"


async def test_edgars_office_application_waits_for_his_employers_certificate(vsaa):
    answer = await vsaa.applications_of(EDGARS.replace("-", ""))  # people type it either way
    (application,) = [a for a in answer.applications if a.channel == "office"]
    assert (application.reference, application.service, application.channel) == (
        EDGARS_APPLICATION,
        "bezdarbnieka-pabalsts",
        "office",
    )
    assert application.status == "needs_info" and application.decision_due is None
    request = application.information_request
    assert request is not None and request.id == EDGARS_REQUEST and request.deadline == dt.date(2026, 12, 4)
    assert "darba devēja izziņu" in request.text
    assert answer.as_of.date() == dt.date(2026, 11, 20)


async def test_other_personas_have_their_history_and_laura_none(vsaa):
    peteris = await mine(vsaa, PETERIS, PETERIS_APPLICATION)
    assert (peteris.reference, peteris.service, peteris.status) == (
        PETERIS_APPLICATION,
        "invaliditates-pensija",
        "decided",
    )
    assert peteris.decision is not None and peteris.decision.decided_at.year == 2024
    rasma = [a for a in (await vsaa.applications_of(RASMA)).applications if a.channel == "office"]
    assert [(a.service, a.status, a.decision.outcome if a.decision else None) for a in rasma] == [
        ("vecuma-pensija", "decided", "granted")
    ]
    assert rasma[0].received_at.year == 2007
    assert [a for a in (await vsaa.applications_of(LAURA)).applications if a.channel == "office"] == []


async def test_answering_edgars_request_puts_his_application_back_in_progress(private_vsaa):
    answered = await private_vsaa.answer_information(
        EDGARS, EDGARS_APPLICATION, EDGARS_REQUEST, "Izziņa pievienota.", [], new_key()
    )
    assert answered.status == "in_progress" and answered.information_request is None
    assert answered.history[-1].note == "Saņemta papildu informācija."
    # Paused from 6 to 20 November (9 working days, 18 November off): 22 working days from 2 November, 9 more.
    assert answered.decision_due == dt.date(2026, 12, 16)
    with pytest.raises(AgencyRefused) as refused:
        await private_vsaa.answer_information(EDGARS, EDGARS_APPLICATION, EDGARS_REQUEST, "Vēlreiz.", [], new_key())
    assert refused.value.status == 422 and refused.value.reason


async def test_a_file_vsaa_does_not_take_is_refused_with_its_name(private_vsaa):
    heic = AnswerFile(name="foto.heic", content_type="image/heic", content=b"....")
    with pytest.raises(AgencyRefused) as refused:
        await private_vsaa.answer_information(EDGARS, EDGARS_APPLICATION, EDGARS_REQUEST, "", [heic], new_key())
    assert refused.value.reason == 'Datne "foto.heic" nav PDF, JPEG vai PNG formātā.'


async def test_an_application_is_withdrawn_once_and_only_before_a_decision(vsaa):
    body = submission()
    await vsaa.submit(request_of(body), new_key())
    key = new_key()
    withdrawn = await vsaa.withdraw(JANIS, body["reference"], key)
    assert statuses(withdrawn) == ["received", "withdrawn"]
    assert await vsaa.withdraw(JANIS, body["reference"], key) == withdrawn  # a retry of the same act
    with pytest.raises(AgencyRefused) as decided:
        await vsaa.withdraw(PETERIS, PETERIS_APPLICATION, new_key())
    assert decided.value.status == 422 and "vairs nevar atsaukt" in decided.value.reason
    with pytest.raises(AgencyRefused) as not_hers:
        await vsaa.withdraw(ANNA, PETERIS_APPLICATION, new_key())
    assert not_hers.value.status == 404


async def test_a_decision_is_a_sealed_pdf_with_the_same_bytes_on_every_download(vsaa, sandbox_http):
    peteris = await mine(vsaa, PETERIS, PETERIS_APPLICATION)
    assert peteris.decision is not None
    first = await vsaa.decision_pdf(peteris.decision.document_id)
    assert await vsaa.decision_pdf(peteris.decision.document_id) == first
    assert first.startswith(b"%PDF-")
    (seal,) = PdfFileReader(io.BytesIO(first)).embedded_signatures
    context = ValidationContext(trust_roots=[decision_pdf_root(sandbox_http)], allow_fetching=False)
    status = await async_validate_pdf_signature(seal, context)
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    tampered = first.replace(PETERIS_APPLICATION.encode(), b"VSAA-2024-900413", 1)
    assert tampered != first
    (tampered_seal,) = PdfFileReader(io.BytesIO(tampered)).embedded_signatures
    assert not (await async_validate_pdf_signature(tampered_seal, context)).intact


async def test_malformed_codes_and_references_are_refused_before_any_call(vsaa, recorder):
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await vsaa.applications_of("150162-12343")
    with pytest.raises(ValueError, match="reference"):
        await vsaa.withdraw(JANIS, "VSAA-2026-000001/../x", new_key())
    with pytest.raises(ValueError, match="document id"):
        await vsaa.decision_pdf("../applications/search")
    with pytest.raises(ValueError):
        request_of(submission(applicant="not a code"))
    assert recorder.requests == []


async def test_personal_codes_travel_only_in_request_bodies(vsaa, recorder):
    body = submission()
    await vsaa.submit(request_of(body), new_key())
    await vsaa.applications_of(JANIS)
    await vsaa.withdraw(JANIS, body["reference"], new_key())
    assert len(recorder.requests) == 3
    assert not [r.url for r in recorder.requests if PERSONAL_CODE_ANYWHERE.search(str(r.url))]


async def test_the_request_id_reaches_vsaa(vsaa, recorder):
    token = request_id_var.set("trace-vsaa-20261120")
    try:
        await vsaa.applications_of(EDGARS)
    finally:
        request_id_var.reset(token)
    assert recorder.answered_request_ids == ["trace-vsaa-20261120"]


@pytest.mark.parametrize("mode", ["down", "error", "refuse"])
async def test_faults_reach_the_portal_as_agency_unavailable(vsaa, set_fault, mode):
    set_fault(mode)
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.submit(request_of(submission()), new_key())
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.applications_of(EDGARS)
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.answer_information(EDGARS, EDGARS_APPLICATION, EDGARS_REQUEST, "Te.", [], new_key())
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.withdraw(EDGARS, EDGARS_APPLICATION, new_key())
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.decision_pdf(str(uuid.uuid4()))


async def test_a_slow_vsaa_times_out_as_agency_unavailable(live_sandbox, set_fault, recorder):
    set_fault("slow")
    async with create_http_client(f"{live_sandbox.url}/vsaa", httpx.Timeout(0.5)) as client:
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await caller_on(client, recorder).applications_of(EDGARS)


async def test_an_unreachable_vsaa_is_agency_unavailable(recorder):
    async with create_http_client(f"http://127.0.0.1:{free_port()}/vsaa") as client:
        with pytest.raises(AgencyUnavailable, match="vsaa"):
            await caller_on(client, recorder).applications_of(EDGARS)


# The wiring


async def test_the_app_provides_the_vsaa_applications_client_on_the_sandbox(settings, live_sandbox):
    app = create_app(settings.model_copy(update={"vsaa_base_url": f"{live_sandbox.url}/vsaa"}))
    async with AsyncTestClient(app):
        vsaa = app.dependencies["vsaa_applications"].dependency()
        assert isinstance(vsaa, HttpVsaaApplications)
        answer = await vsaa.applications_of(EDGARS)
        assert EDGARS_APPLICATION in [a.reference for a in answer.applications]


async def test_without_sandbox_or_base_url_vsaa_is_unavailable(settings):
    app = create_app(settings.model_copy(update={"sandbox_url": "", "vsaa_base_url": None}))
    vsaa = app.dependencies["vsaa_applications"].dependency()
    assert isinstance(vsaa, UnconfiguredVsaaApplications)
    with pytest.raises(AgencyUnavailable, match="PORTAL_VSAA_BASE_URL"):
        await vsaa.applications_of(EDGARS)
