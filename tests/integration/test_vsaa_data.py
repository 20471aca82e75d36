"""VSAA person data: the contract, the sandbox that serves it, and the portal's client, over real HTTP.

Every answer of the live sandbox is validated against contracts/vsaa-person-data.yaml, and every body the client
sends against the same document. The live sandbox serves the whole session, so tests put the clock and the fault
mode back, and register applications (which change entitlements) only in a private in-process sandbox.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.agencies.http import create_http_client
from portal.agencies.resilience import Resilience, RetryPolicy
from portal.agencies.vsaa_data import STATEMENT_KINDS, HttpVsaaData, UnconfiguredVsaaData
from portal.agencies.vsaa_statements import EP43Data, EP47Data, EP48Data, Money
from portal.app import create_app
from portal.web.logs import request_id_var
from sandbox.agencies.app import create_sandbox
from tests.integration.agency_contract import Contract
from tests.servers import Server

CONTRACT = Contract("vsaa-person-data")
APPLICATIONS_CONTRACT = Contract("vsaa-applications")
JANIS, ANNA, ELZA, PETERIS = "150162-12342", "050694-14213", "329011-52842", "300978-15174"
RASMA, EDGARS, LAURA = "011245-11123", "328804-19324", "080890-17710"
UNKNOWN = "320000-00000"  # well-formed, and nobody VSAA knows
SUMMARY, STATEMENT, BENEFITS = "/v1/statements/summary", "/v1/statements/{kind}", "/v1/benefits"
ENTITLEMENTS, PREFILL, CORRECTIONS = "/v1/entitlements", "/v1/prefill", "/v1/data-corrections"
KINDS = sorted(STATEMENT_KINDS)
START = "2026-11-20"
PERSONAL_CODE_ANYWHERE = re.compile(r"\d{6}-?\d{5}")


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def eur(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="EUR")


@pytest.fixture
def sandbox_http(live_sandbox: Server) -> Iterator[httpx.Client]:
    """Raw HTTP to the live sandbox; the fault mode and the clock are put back, since it serves the session."""
    with httpx.Client(base_url=live_sandbox.url, timeout=10) as client:
        try:
            yield client
        finally:
            assert client.put("/_control/faults/vsaa", json={"mode": "ok"}).status_code == 200
            assert client.put("/_control/clock", json={"today": START}).status_code == 200


@pytest.fixture
def set_fault(sandbox_http: httpx.Client) -> Callable[[str], None]:
    def set_mode(mode: str) -> None:
        assert sandbox_http.put("/_control/faults/vsaa", json={"mode": mode}).status_code == 200

    return set_mode


@pytest.fixture
def set_clock(sandbox_http: httpx.Client) -> Callable[[str], None]:
    def move(today: str) -> None:
        assert sandbox_http.put("/_control/clock", json={"today": today}).status_code == 200

    return move


class Recorder:
    """What the client sent (checked against the contract) and the request ids that came back."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answered_request_ids: list[str | None] = []

    async def on_request(self, request: httpx.Request) -> None:
        self.requests.append(request)

    async def on_response(self, response: httpx.Response) -> None:
        self.answered_request_ids.append(response.headers.get("x-request-id"))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def client_on(client: httpx.AsyncClient, recorder: Recorder) -> HttpVsaaData:
    client.event_hooks["request"].append(recorder.on_request)
    client.event_hooks["response"].append(recorder.on_response)
    # One attempt: a fault must reach the test as it is, not after the gateway's retries.
    return HttpVsaaData(AgencyCaller("vsaa", client, Resilience("vsaa", retry=RetryPolicy(attempts=1))))


@pytest.fixture
async def vsaa(live_sandbox: Server, sandbox_http: httpx.Client, recorder: Recorder) -> AsyncIterator[HttpVsaaData]:
    async with create_http_client(f"{live_sandbox.url}/vsaa") as client:
        yield client_on(client, recorder)


@pytest.fixture
async def private_sandbox() -> AsyncIterator[AsyncTestClient[Any]]:
    """A sandbox of the test's own, in process: for registering applications without touching the session's."""
    async with AsyncTestClient(create_sandbox(), base_url="http://sandbox.test/vsaa") as client:
        yield client


def sent(http: httpx.Client, path: str, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"x-request-id": "contract-check-01"}
    if key:
        headers["Idempotency-Key"] = key
    if isinstance(body, bytes):
        return http.post(f"/vsaa{path}", content=body, headers={**headers, "content-type": "application/json"})
    return http.post(f"/vsaa{path}", json=body, headers=headers)


def checked(response: httpx.Response, path: str, status: int) -> httpx.Response:
    assert response.status_code == status, response.text
    CONTRACT.check_answer(path, "post", response)
    assert response.headers["x-request-id"] == "contract-check-01"
    return response


# The contract itself


def test_contract_schemas_are_valid_json_schema_and_every_example_fits_its_schema():
    assert CONTRACT.check_examples() >= 20


def test_the_sandbox_serves_the_contracts_routes_and_vsaa_serves_nothing_else():
    served = CONTRACT.served_routes(create_sandbox())
    assert {route for route in served if route[1] in CONTRACT.document["paths"]} == CONTRACT.documented_routes()
    # Both VSAA documents share the prefix: whatever /vsaa serves, one of them documents.
    assert served == CONTRACT.documented_routes() | APPLICATIONS_CONTRACT.documented_routes()
    assert CONTRACT.prefix == APPLICATIONS_CONTRACT.prefix == "/vsaa"


# Every operation, over real HTTP, against the contract

PERSON_PATHS = [SUMMARY, BENEFITS, ENTITLEMENTS]


@pytest.mark.parametrize("path", PERSON_PATHS)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"personal_code": JANIS}, 200),
        ({"personal_code": RASMA}, 200),
        ({"personal_code": PETERIS}, 200),
        ({"personal_code": ANNA}, 200),
        ({"personal_code": LAURA}, 200),
        ({"personal_code": UNKNOWN}, 200),
        ({"personal_code": "050694-14214"}, 422),  # wrong check digit
        ({"personal_code": "05069414213"}, 422),  # the contract's one spelling has the hyphen
        ({"personal_code": 5069414213}, 400),
        ({"code": ANNA}, 400),
        ({"personal_code": ANNA, "extra": 1}, 400),
        (b"{not json", 400),
    ],
)
def test_person_questions_are_answered_as_the_contract_says(sandbox_http, path, body, status):
    response = checked(sent(sandbox_http, path, body), path, status)
    if status != 200:
        assert ANNA not in response.text and "14214" not in response.text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("person", [JANIS, RASMA, PETERIS, ANNA, EDGARS, LAURA, UNKNOWN])
@pytest.mark.parametrize("year", [None, 2025, 2021, 1990])
def test_every_statement_kind_is_answered_as_the_contract_says(sandbox_http, kind, person, year):
    response = checked(
        sent(sandbox_http, f"/v1/statements/{kind}", {"personal_code": person, "year": year}), STATEMENT, 200
    )
    assert response.json()["kind"] == kind


@pytest.mark.parametrize(
    ("kind", "body", "status"),
    [
        ("EP99", {"personal_code": JANIS}, 404),  # of the shape, and no kind
        ("ep43", {"personal_code": JANIS}, 400),
        ("EP43", {"personal_code": JANIS, "year": 1989}, 422),
        ("EP43", {"personal_code": JANIS, "year": "2025"}, 400),
        ("EP43", {"personal_code": "150162-12343"}, 422),
    ],
)
def test_bad_statement_questions_are_answered_as_the_contract_says(sandbox_http, kind, body, status):
    checked(sent(sandbox_http, f"/v1/statements/{kind}", body), STATEMENT, status)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"personal_code": JANIS, "service": "vecuma-pensija"}, 200),
        ({"personal_code": ANNA, "service": "berna-piedzimsanas-pabalsts"}, 200),
        ({"personal_code": LAURA, "service": "vecaku-pabalsts"}, 200),
        ({"personal_code": JANIS, "service": "nav-tada-pakalpojuma"}, 422),
        ({"personal_code": JANIS, "service": "Vecuma pensija"}, 422),
        ({"personal_code": JANIS}, 400),
    ],
)
def test_prefill_questions_are_answered_as_the_contract_says(sandbox_http, body, status):
    checked(sent(sandbox_http, PREFILL, body), PREFILL, status)


def test_reports_of_wrong_data_are_answered_as_the_contract_says(sandbox_http):
    body, key = {"personal_code": JANIS, "about": "EP43", "text": "2009. gadā strādāju visu gadu."}, new_key()
    first = checked(sent(sandbox_http, CORRECTIONS, body, key), CORRECTIONS, 202)
    again = checked(sent(sandbox_http, CORRECTIONS, body, key), CORRECTIONS, 200)
    assert again.json() == first.json()
    checked(sent(sandbox_http, CORRECTIONS, {**body, "text": "Cits."}, key), CORRECTIONS, 422)
    checked(sent(sandbox_http, CORRECTIONS, body, None), CORRECTIONS, 400)
    checked(sent(sandbox_http, CORRECTIONS, {**body, "about": "EP99"}, new_key()), CORRECTIONS, 422)
    checked(sent(sandbox_http, CORRECTIONS, {**body, "text": ""}, new_key()), CORRECTIONS, 422)
    checked(sent(sandbox_http, CORRECTIONS, {**body, "personal_code": "150162-12343"}, new_key()), CORRECTIONS, 422)


VALID_BODIES: dict[str, tuple[str, Any, str | None]] = {
    SUMMARY: (SUMMARY, {"personal_code": JANIS}, None),
    STATEMENT: ("/v1/statements/EP48", {"personal_code": JANIS}, None),
    BENEFITS: (BENEFITS, {"personal_code": RASMA}, None),
    ENTITLEMENTS: (ENTITLEMENTS, {"personal_code": ANNA}, None),
    PREFILL: (PREFILL, {"personal_code": JANIS, "service": "vecuma-pensija"}, None),
    CORRECTIONS: (CORRECTIONS, {"personal_code": JANIS, "about": "other", "text": "Kļūda."}, "fault"),
}


@pytest.mark.parametrize(("path", "method"), CONTRACT.operations)
@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("error", 500), ("refuse", 403)])
def test_faults_are_answered_as_the_contract_says(sandbox_http, set_fault, path, method, mode, status):
    set_fault(mode)
    concrete, body, key = VALID_BODIES[path]
    response = checked(sent(sandbox_http, concrete, body, new_key() if key else None), path, status)
    if mode == "down":
        assert int(response.headers["retry-after"]) > 0


# The portal's client: what VSAA holds about each persona


async def test_janis_and_rasma_have_all_12_statement_kinds(vsaa):
    for person in (JANIS, RASMA):
        summary = await vsaa.statement_summary(person)
        assert [s.kind for s in summary.statements] == KINDS
        assert all(s.available and s.figures for s in summary.statements), person


@pytest.mark.parametrize(
    ("person", "available"),
    [
        (LAURA, []),
        (ELZA, []),
        (UNKNOWN, []),
        (ANNA, ["EP43", "EP44", "EP47", "EP48", "EP49"]),
        (PETERIS, ["EP43", "EP44", "EP46", "EP47", "EP48", "EP49", "EP51", "EP52"]),
    ],
)
async def test_others_have_fewer_and_laura_none(vsaa, person, available):
    summary = await vsaa.statement_summary(person)
    assert len(summary.statements) == 12
    assert [s.kind for s in summary.statements if s.available] == available
    assert not [s.figures for s in summary.statements if not s.available and s.figures]


async def test_answers_are_as_of_six_in_the_morning_of_the_business_day(vsaa, set_clock):
    riga = dt.timezone(dt.timedelta(hours=2))
    assert (await vsaa.statement_summary(JANIS)).as_of == dt.datetime(2026, 11, 20, 6, tzinfo=riga)
    set_clock("2026-12-01")
    assert (await vsaa.benefits(RASMA)).as_of == dt.datetime(2026, 12, 1, 6, tzinfo=riga)


async def test_the_figures_are_deterministic(vsaa):
    first, second = await vsaa.statement_summary(JANIS), await vsaa.statement_summary(JANIS)
    assert first == second
    figures = {f.key: f for entry in first.statements for f in entry.figures}
    assert (figures["pension_capital"].amount, figures["pension_capital"].year) == (Decimal("87773.61"), 2026)
    assert (figures["contribution_base"].amount, figures["contribution_base"].year) == (Decimal("25080.90"), 2025)
    assert (figures["pillar2_value"].amount, figures["insurance_record"].text) == (Decimal("18843.15"), "P46Y2M")
    assert (figures["retirement_date"].date, figures["projected_pension"].amount) == (
        dt.date(2027, 1, 15),
        Decimal("482.43"),
    )


async def test_janis_has_decades_of_contributions_and_a_pension_capital_by_year(vsaa):
    contributions = (await vsaa.statement(JANIS, "EP43")).data
    assert isinstance(contributions, EP43Data)
    assert [y.year for y in contributions.years] == list(range(1996, 2027))
    capital = (await vsaa.statement(JANIS, "EP48")).data
    assert isinstance(capital, EP48Data)
    assert capital.initial_capital == eur("7767.14")
    assert [y.year for y in capital.years] == list(range(1996, 2027))
    # Each year's capital is last year's, indexed, plus the year's pillar-1 contributions.
    for before, year in zip(capital.years, capital.years[1:], strict=False):
        assert year.capital.amount == before.capital.amount + year.indexation.amount + year.contributions.amount
    one_year = await vsaa.statement(JANIS, "EP48", 2025)
    assert (one_year.year, [y.year for y in one_year.data.years]) == (2025, [2025])  # type: ignore[union-attr]
    assert one_year.years == list(range(1996, 2027))


async def test_the_length_of_service_agrees_with_the_contributions(vsaa):
    record = (await vsaa.statement(JANIS, "EP47")).data
    assert isinstance(record, EP47Data)
    assert (record.before_1996.years, record.before_1996.months) == (15, 4)
    assert (record.since_1996.years, record.since_1996.months) == (30, 10)
    assert (record.total.years, record.total.months) == (46, 2)


async def test_rasma_is_paid_her_old_age_pension_every_month_with_tax_withheld(vsaa, set_clock):
    (pension,) = (await vsaa.benefits(RASMA)).benefits
    assert (pension.code, pension.service, pension.status, pension.frequency) == (
        "old_age_pension",
        "vecuma-pensija",
        "granted",
        "monthly",
    )
    assert pension.amount == eur("1084.60") and pension.account == "LV** UNLA …7890"
    assert [p.date for p in pension.payments][-3:] == [
        dt.date(2026, 9, 12),
        dt.date(2026, 10, 12),
        dt.date(2026, 11, 12),
    ]
    assert len(pension.payments) == 23  # January 2025 to November 2026
    november = pension.payments[-1]
    assert (november.gross, november.tax, november.deductions, november.net) == (
        eur("1084.60"),
        eur("21.57"),
        eur("0.00"),
        eur("1063.03"),
    )
    assert pension.next_payment is not None and pension.next_payment.date == dt.date(2026, 12, 12)
    tax = await vsaa.statement(RASMA, "EP53")
    assert (tax.year, tax.figures[0].amount) == (2026, Decimal("169.14"))
    set_clock("2026-12-12")
    (pension,) = (await vsaa.benefits(RASMA)).benefits
    assert len(pension.payments) == 24 and pension.next_payment.date == dt.date(2027, 1, 12)  # type: ignore[union-attr]


async def test_peteris_is_paid_his_disability_pension_until_his_term_ends(vsaa, set_clock):
    (pension,) = (await vsaa.benefits(PETERIS)).benefits
    assert (pension.code, pension.until, pension.amount) == ("disability_pension", dt.date(2027, 2, 10), eur("411.73"))
    assert all(p.tax == eur("0.00") for p in pension.payments)
    set_clock("2027-02-20")
    (pension,) = (await vsaa.benefits(PETERIS)).benefits
    assert pension.payments[-1].period_to == dt.date(2027, 2, 10) and pension.next_payment is None


async def test_unclaimed_entitlements_of_janis_peteris_and_anna(private_sandbox, recorder):
    # A sandbox of its own: other tests register applications (Jānis's old-age pension among them) in the
    # session's sandbox, and a registered application is no longer an unclaimed entitlement.
    vsaa = client_on(private_sandbox, recorder)
    janis = (await vsaa.entitlements(JANIS)).entitlements
    assert [(e.code, e.service, e.right_from) for e in janis] == [
        ("old_age_pension", "vecuma-pensija", dt.date(2027, 1, 15))
    ]
    peteris = (await vsaa.entitlements(PETERIS)).entitlements
    assert [(e.code, e.service) for e in peteris] == [
        ("transport_compensation", "pabalsts-transporta-izdevumu-kompensesanai"),
        ("disability_care_benefit", "invalida-kopsanas-pabalsts"),
    ]
    anna = (await vsaa.entitlements(ANNA)).entitlements
    assert [(e.code, e.about_person.personal_code if e.about_person else None) for e in anna] == [
        ("childbirth_benefit", ELZA),
        ("parental_benefit", ELZA),
    ]
    assert anna[0].apply_by == dt.date(2027, 5, 2) and "piedzima" in anna[0].explanation
    assert (await vsaa.entitlements(LAURA)).entitlements == []


async def test_an_entitlement_ends_at_its_deadline(vsaa, set_clock):
    set_clock("2027-05-03")
    assert [e.code for e in (await vsaa.entitlements(ANNA)).entitlements] == ["parental_benefit"]


async def test_an_entitlement_is_gone_once_claimed_and_back_when_the_claim_is_withdrawn(private_sandbox, recorder):
    vsaa = client_on(private_sandbox, recorder)
    key = new_key()
    submission = {
        "reference": "VSAA-2026-777001",
        "service": "berna-piedzimsanas-pabalsts",
        "applicant": {"personal_code": ANNA},
        "about_person": {"personal_code": ELZA},
        "filer": {"personal_code": ANNA, "basis": "self"},
        "answers": {"decision_delivery": "portal"},
        "submitted_at": "2026-11-20T10:15:00+02:00",
    }
    response = await private_sandbox.post("/v1/applications", json=submission, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    assert [e.code for e in (await vsaa.entitlements(ANNA)).entitlements] == ["parental_benefit"]
    withdrawal = await private_sandbox.post(
        "/v1/applications/VSAA-2026-777001/withdrawal",
        json={"personal_code": ANNA},
        headers={"Idempotency-Key": key + "w"},
    )
    assert withdrawal.status_code == 200, withdrawal.text
    assert [e.code for e in (await vsaa.entitlements(ANNA)).entitlements] == ["childbirth_benefit", "parental_benefit"]


async def test_prefill_gives_what_vsaa_knows(vsaa):
    janis = await vsaa.prefill(JANIS, "vecuma-pensija")
    assert janis.answers["iban"] == "LV87HABA0551012345678"
    assert janis.answers["insurance_record"] == {"years": 46, "months": 2}  # as in EP47
    assert janis.answers["claim_from"] == "2027-01-15"
    anna = await vsaa.prefill(ANNA, "berna-piedzimsanas-pabalsts")
    assert anna.answers["child"]["personal_code"] == ELZA
    assert (await vsaa.prefill(LAURA, "vecuma-pensija")).answers == {}
    with pytest.raises(AgencyRefused) as refused:
        await vsaa.prefill(JANIS, "nav-tada-pakalpojuma")
    assert (refused.value.status, refused.value.reason) == (422, "VSAA nesniedz šādu pakalpojumu.")


async def test_a_report_of_wrong_data_is_registered_once_per_key(vsaa, sandbox_http):
    def registered() -> dict[str, Any]:
        return sandbox_http.get("/_control/vsaa-data-corrections/registrations").json()

    before = registered()["count"]
    key = new_key()
    first = await vsaa.report_wrong_data(JANIS, "EP43", "2009. gadā strādāju visu gadu.", key)
    assert (first.status, first.id.startswith("VSAA-DL-2026-")) == ("received", True)
    assert await vsaa.report_wrong_data(JANIS, "EP43", "2009. gadā strādāju visu gadu.", key) == first
    assert registered()["count"] == before + 1
    with pytest.raises(AgencyRefused) as refused:
        await vsaa.report_wrong_data(JANIS, "EP43", "Cits teksts.", key)
    assert refused.value.status == 422
    assert registered()["count"] == before + 1


async def test_what_the_client_sends_is_in_the_contract_and_no_personal_code_is_in_a_url(vsaa, recorder):
    await vsaa.statement_summary(JANIS.replace("-", ""))  # people type it either way
    await vsaa.statement(JANIS, "EP46", 2025)
    await vsaa.benefits(RASMA)
    await vsaa.entitlements(ANNA)
    await vsaa.prefill(JANIS, "vecuma-pensija")
    await vsaa.report_wrong_data(JANIS, "other", "Kļūda.", new_key())
    paths = [SUMMARY, STATEMENT, BENEFITS, ENTITLEMENTS, PREFILL, CORRECTIONS]
    for request, path in zip(recorder.requests, paths, strict=True):
        CONTRACT.check_request(path, "post", json.loads(request.content))
        assert not PERSONAL_CODE_ANYWHERE.search(str(request.url))


async def test_a_malformed_code_or_kind_is_refused_before_any_call(vsaa, recorder):
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await vsaa.benefits("150162-12343")
    with pytest.raises(ValueError, match="statement kind"):
        await vsaa.statement(JANIS, "EP99")  # type: ignore[arg-type]
    assert recorder.requests == []


@pytest.mark.parametrize("mode", ["down", "error", "refuse"])
async def test_faults_reach_the_portal_as_agency_unavailable(vsaa, set_fault, mode):
    set_fault(mode)
    for ask in (vsaa.statement_summary, vsaa.benefits, vsaa.entitlements):
        with pytest.raises(AgencyUnavailable, match="vsaa"):
            await ask(JANIS)
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.statement(JANIS, "EP48")
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.prefill(JANIS, "vecuma-pensija")
    with pytest.raises(AgencyUnavailable, match="vsaa"):
        await vsaa.report_wrong_data(JANIS, "other", "Kļūda.", new_key())


async def test_a_slow_vsaa_times_out_as_agency_unavailable(live_sandbox, set_fault, recorder):
    set_fault("slow")
    async with create_http_client(f"{live_sandbox.url}/vsaa", timeout=httpx.Timeout(0.5)) as client:
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await client_on(client, recorder).statement_summary(JANIS)


async def test_the_request_id_reaches_vsaa(vsaa, recorder):
    token = request_id_var.set("trace-vsaa-data-20261120")
    try:
        await vsaa.statement_summary(JANIS)
        await vsaa.entitlements(JANIS)
    finally:
        request_id_var.reset(token)
    assert recorder.answered_request_ids == ["trace-vsaa-data-20261120"] * 2


# The wiring


async def test_the_app_provides_vsaa_data_on_the_sandbox(settings, live_sandbox):
    app = create_app(settings.model_copy(update={"vsaa_base_url": f"{live_sandbox.url}/vsaa"}))
    provide = app.dependencies["vsaa_data"]
    async with AsyncTestClient(app):
        vsaa = provide.dependency()
        assert isinstance(vsaa, HttpVsaaData) and provide.dependency() is vsaa
        assert len((await vsaa.statement_summary(JANIS)).statements) == 12


async def test_without_sandbox_or_base_url_vsaa_data_is_unavailable(settings):
    app = create_app(settings.model_copy(update={"sandbox_url": "", "vsaa_base_url": None}))
    vsaa = app.dependencies["vsaa_data"].dependency()
    assert isinstance(vsaa, UnconfiguredVsaaData)
    with pytest.raises(AgencyUnavailable, match="PORTAL_VSAA_BASE_URL"):
        await vsaa.entitlements(JANIS)
