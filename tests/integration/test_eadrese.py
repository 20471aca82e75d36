"""e-adrese: the contract, the sandbox that serves it, and the portal's client, over real HTTP. Every answer of
the live sandbox is validated against contracts/eadrese.yaml, and every body the client sends against the same
document. Each test uses fresh keys and puts the clock and faults back.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from portal.agencies.eadrese import HttpEAddress, Link, Message, NoActiveEAddress, UnconfiguredEAddress
from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.app import create_app
from portal.web.logs import request_id_var
from sandbox.agencies.app import create_sandbox
from tests.integration.agency_contract import Contract, Recorder, SandboxControl, client_for, sandbox_fixture
from tests.ports import free_port
from tests.servers import Server

CONTRACT = Contract("eadrese")
JANIS, ANNA, PETERIS, RASMA, EDGARS = "150162-12342", "050694-14213", "300978-15174", "011245-11123", "328804-19324"
LAURA, ELZA = "080890-17710", "329011-52842"
LOOKUP, MESSAGES, ONE = "/v1/addresses/lookup", "/v1/messages", "/v1/messages/{id}"
PERSONAL_CODE_ANYWHERE = re.compile(r"\d{6}-?\d{5}")


def new_key() -> str:
    return f"test-{uuid.uuid4()}"


def message_body(recipient: str = PETERIS, **changes: Any) -> dict[str, Any]:
    return {
        "recipient": {"personal_code": recipient},
        "subject": "Jūsu invaliditātes termiņš beidzas 2027. gada 10. februārī",
        "body": "Iesniedziet iesniegumu atkārtotai ekspertīzei vismaz mēnesi pirms termiņa beigām.",
        "links": [
            {"href": "https://portal.example.gov.lv/services/vdeavk-invaliditates-ekspertize", "title": "Iesniegt"}
        ],
        **changes,
    }


def message(recipient: str = PETERIS) -> Message:
    body = message_body(recipient)
    links = tuple(Link.model_validate(link) for link in body["links"])
    return Message(recipient_code=recipient, subject=body["subject"], body=body["body"], links=links)


sandbox = sandbox_fixture("eadrese")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def eadrese(live_sandbox: Server, sandbox: SandboxControl, recorder: Recorder) -> AsyncIterator[HttpEAddress]:
    async with client_for("eadrese", f"{live_sandbox.url}{CONTRACT.prefix}", recorder) as client:
        yield HttpEAddress(client)


def post_raw(sandbox: SandboxControl, path: str, body: Any, key: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json", "x-request-id": "contract-eadrese"}
    headers |= {"Idempotency-Key": key} if key else {}
    content = body if isinstance(body, bytes) else httpx.Request("POST", "/", json=body).content
    response = sandbox.http.post(f"{CONTRACT.prefix}{path}", content=content, headers=headers)
    CONTRACT.check_answer(path, "post", response)
    return response


def status_raw(sandbox: SandboxControl, message_id: str) -> httpx.Response:
    response = sandbox.http.get(f"{CONTRACT.prefix}/v1/messages/{message_id}")
    CONTRACT.check_answer(ONE, "get", response)
    return response


# The contract itself


def test_contract_schemas_are_valid_and_every_example_fits_its_schema():
    assert CONTRACT.check_examples() >= 15


def test_the_sandbox_serves_exactly_the_contract():
    assert CONTRACT.served_routes(create_sandbox()) == CONTRACT.documented_routes()
    assert CONTRACT.prefix == "/eadrese"


# Every operation, over real HTTP, against the contract


@pytest.mark.parametrize(
    ("body", "status", "active"),
    [
        ({"personal_code": JANIS}, 200, True),
        ({"personal_code": RASMA}, 200, True),
        ({"personal_code": PETERIS}, 200, True),
        ({"personal_code": LAURA}, 200, False),
        ({"personal_code": ELZA}, 200, False),
        ({"personal_code": "320000-00000"}, 200, False),  # unknown to e-adrese
        ({"personal_code": "150162-12343"}, 422, None),
        ({"personal_code": "15016212342"}, 422, None),
        ({"personal_code": 15016212342}, 400, None),
        ({"personal_code": JANIS, "extra": 1}, 400, None),
        (b"{not json", 400, None),
    ],
)
def test_lookups_answer_as_the_contract_says(sandbox, body, status, active):
    response = post_raw(sandbox, LOOKUP, body)
    assert response.status_code == status
    assert response.headers["x-request-id"] == "contract-eadrese"
    if active is not None:
        assert response.json()["active"] is active
    assert not PERSONAL_CODE_ANYWHERE.search(response.text)


def test_a_message_is_accepted_once_per_key_and_its_status_read(sandbox):
    body, key = message_body(), new_key()
    before = sandbox.registrations()
    first, again = post_raw(sandbox, MESSAGES, body, key), post_raw(sandbox, MESSAGES, body, key)
    assert (first.status_code, again.status_code) == (202, 200) and first.json() == again.json()
    after = sandbox.registrations()
    assert (after["count"], after["replays"]) == (before["count"] + 1, before["replays"] + 1)
    assert {"idempotency_key": key, "id": first.json()["id"]} in after["registered"]
    other = post_raw(sandbox, MESSAGES, {**body, "subject": "Cits"}, key)
    assert other.status_code == 422 and other.json()["type"] == "idempotency-key-reused"
    assert status_raw(sandbox, first.json()["id"]).json()["status"] == "accepted"


@pytest.mark.parametrize(
    ("body", "key", "status"),
    [
        (message_body(), None, 400),
        (message_body(), "short", 400),
        (message_body(subject=""), new_key(), 400),
        (message_body(links=[{"href": "javascript:alert(1)", "title": "x"}]), new_key(), 400),
        (message_body(links=[{"href": "https://a.lv", "title": "x"}] * 11), new_key(), 400),
        (message_body(cc=["x"]), new_key(), 400),
        (message_body(recipient="150162-12343"), new_key(), 422),
        (message_body(recipient=LAURA), new_key(), 422),
    ],
)
def test_refused_and_malformed_messages_are_answered_as_the_contract_says(sandbox, body, key, status):
    before = sandbox.registrations()["count"]
    response = post_raw(sandbox, MESSAGES, body, key)
    assert response.status_code == status
    assert sandbox.registrations()["count"] == before
    assert "080890" not in response.text and "150162" not in response.text


def test_an_unknown_or_malformed_message_id_is_answered_as_the_contract_says(sandbox):
    unknown = status_raw(sandbox, str(uuid.uuid4()))
    assert unknown.status_code == 404 and unknown.json()["type"] == "message-not-found"
    assert status_raw(sandbox, "not-an-id").status_code == 400


@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("error", 500), ("refuse", 403)])
def test_faults_are_answered_as_the_contract_says(sandbox, mode, status):
    accepted = post_raw(sandbox, MESSAGES, message_body(), new_key()).json()["id"]
    sandbox.fault(mode)
    responses = [
        post_raw(sandbox, LOOKUP, {"personal_code": JANIS}),
        post_raw(sandbox, MESSAGES, message_body(), new_key()),
        status_raw(sandbox, accepted),
    ]
    assert [r.status_code for r in responses] == [status] * 3
    if mode == "down":
        assert all(int(r.headers["retry-after"]) > 0 for r in responses)


# The portal's client


async def test_who_has_an_active_e_address(eadrese):
    janis = await eadrese.has_active_address(JANIS.replace("-", ""))  # people type it either way
    assert janis.active and janis.as_of.date() == dt.date(2026, 11, 20)
    assert (await eadrese.has_active_address(RASMA)).active
    assert not (await eadrese.has_active_address(LAURA)).active


async def test_an_e_address_closed_yesterday_is_not_active(eadrese, sandbox):
    assert (await eadrese.has_active_address(EDGARS)).active
    sandbox.today("2026-11-23")
    assert not (await eadrese.has_active_address(EDGARS)).active


async def test_the_client_sends_once_per_key_what_the_contract_says(eadrese, sandbox, recorder):
    key, before = new_key(), sandbox.registrations()["count"]
    accepted = await eadrese.send(message(), key)
    assert await eadrese.send(message(), key) == accepted
    assert accepted.status == "accepted" and sandbox.registrations()["count"] == before + 1
    assert [r.headers["idempotency-key"] for r in recorder.requests] == [key, key]
    for body in recorder.bodies():
        CONTRACT.check_request(MESSAGES, "post", body)


async def test_no_active_e_address_is_its_own_refusal(eadrese):
    with pytest.raises(NoActiveEAddress) as refused:
        await eadrese.send(message(LAURA), new_key())
    assert isinstance(refused.value, AgencyRefused) and refused.value.status == 422
    assert refused.value.reason == "Personai nav aktīvas oficiālās elektroniskās adreses."


async def test_another_refusal_is_a_plain_agency_refusal(eadrese):
    key = new_key()
    await eadrese.send(message(), key)
    with pytest.raises(AgencyRefused) as refused:
        await eadrese.send(message(JANIS), key)
    assert not isinstance(refused.value, NoActiveEAddress) and "different request" in refused.value.reason


async def test_a_message_is_delivered_on_the_next_working_day_and_then_read(eadrese, sandbox):
    to_janis = (await eadrese.send(message(JANIS), new_key())).id  # accepted on Friday 2026-11-20
    to_peteris = (await eadrese.send(message(PETERIS), new_key())).id

    async def on(day: str, message_id: str):
        sandbox.today(day)
        found = await eadrese.message_status(message_id)
        assert found is not None and found.id == message_id and found.as_of.date() == dt.date.fromisoformat(day)
        return found

    weekend = await on("2026-11-22", to_janis)
    assert (weekend.status, weekend.delivered_at) == ("accepted", None)
    delivered = await on("2026-11-23", to_janis)
    assert delivered.status == "delivered" and delivered.delivered_at is not None
    assert delivered.delivered_at.date() == dt.date(2026, 11, 23) and delivered.read_at is None
    read = await on("2026-11-24", to_janis)
    assert read.status == "read" and read.read_at is not None and read.read_at.date() == dt.date(2026, 11, 24)
    assert (await on("2026-12-31", to_peteris)).status == "delivered"  # Pēteris never opens it in the sandbox


async def test_a_message_fails_when_the_e_address_closes_before_delivery(eadrese, sandbox):
    sent = await eadrese.send(message(EDGARS), new_key())
    sandbox.today("2026-11-23")
    failed = await eadrese.message_status(sent.id)
    assert failed is not None and failed.status == "failed" and failed.failure and failed.delivered_at is None


async def test_an_unknown_or_malformed_message_id_is_none(eadrese, recorder):
    assert await eadrese.message_status(str(uuid.uuid4())) is None
    assert await eadrese.message_status("../addresses/lookup") is None
    assert len(recorder.requests) == 1  # the malformed one was never sent


async def test_a_malformed_code_is_refused_before_any_call(eadrese, recorder):
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await eadrese.has_active_address("150162-12343")
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await eadrese.send(message("150162-12343"), new_key())
    assert recorder.requests == []


async def test_personal_codes_travel_only_in_request_bodies(eadrese, recorder):
    await eadrese.has_active_address(JANIS)
    accepted = await eadrese.send(message(JANIS), new_key())
    await eadrese.message_status(accepted.id)
    assert len(recorder.requests) == 3
    assert not [r.url for r in recorder.requests if PERSONAL_CODE_ANYWHERE.search(str(r.url))]


@pytest.mark.parametrize("mode", ["down", "error", "refuse"])
async def test_faults_reach_the_portal_as_agency_unavailable(eadrese, sandbox, mode):
    accepted = await eadrese.send(message(), new_key())
    sandbox.fault(mode)
    with pytest.raises(AgencyUnavailable, match="eadrese"):
        await eadrese.has_active_address(JANIS)
    with pytest.raises(AgencyUnavailable, match="eadrese"):
        await eadrese.send(message(), new_key())
    with pytest.raises(AgencyUnavailable, match="eadrese"):
        await eadrese.message_status(accepted.id)


async def test_a_slow_e_adrese_times_out_as_agency_unavailable(live_sandbox, sandbox, recorder):
    sandbox.fault("slow")
    async with client_for("eadrese", f"{live_sandbox.url}/eadrese", recorder, timeout=0.5) as client:
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await HttpEAddress(client).has_active_address(JANIS)


async def test_an_unreachable_e_adrese_is_agency_unavailable(recorder):
    async with client_for("eadrese", f"http://127.0.0.1:{free_port()}/eadrese", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="eadrese"):
            await HttpEAddress(client).send(message(), new_key())


async def test_a_wrong_base_url_is_not_mistaken_for_an_unknown_message(live_sandbox, recorder):
    async with client_for("eadrese", f"{live_sandbox.url}/elsewhere", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="404"):
            await HttpEAddress(client).message_status(str(uuid.uuid4()))


async def test_the_request_id_reaches_e_adrese(eadrese, recorder):
    token = request_id_var.set("trace-eadrese-20261120")
    try:
        await eadrese.has_active_address(ANNA)
    finally:
        request_id_var.reset(token)
    assert recorder.answered_request_ids == ["trace-eadrese-20261120"]


# The wiring


async def test_the_app_provides_one_e_adrese_client_on_the_sandbox(settings, live_sandbox):
    app = create_app(settings.model_copy(update={"eadrese_base_url": f"{live_sandbox.url}/eadrese"}))
    provide = app.dependencies["eadrese"]
    async with AsyncTestClient(app):
        client = provide.dependency()
        assert isinstance(client, HttpEAddress) and provide.dependency() is client
        assert (await client.has_active_address(JANIS)).active


async def test_without_sandbox_or_base_url_e_adrese_is_unavailable(settings):
    app = create_app(settings.model_copy(update={"sandbox_url": "", "eadrese_base_url": None}))
    client = app.dependencies["eadrese"].dependency()
    assert isinstance(client, UnconfiguredEAddress)
    with pytest.raises(AgencyUnavailable, match="PORTAL_EADRESE_BASE_URL"):
        await client.has_active_address(JANIS)
