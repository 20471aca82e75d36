"""The population register: its contract, the sandbox that serves it, and the portal's client, over real HTTP.

The contract (portal/agencies/contracts/population-register.yaml) is the source of truth: every answer the live
sandbox gives is validated against the contract's schemas, and the sandbox serves exactly the contract's routes.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from litestar.testing import AsyncTestClient, TestClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.http import DEFAULT_TIMEOUT, create_http_client
from portal.agencies.population_register import (
    HttpPopulationRegister,
    RegisterPerson,
    Representation,
    UnconfiguredPopulationRegister,
)
from portal.app import create_app
from portal.settings import PROJECT_ROOT
from portal.web.logs import request_id_var
from sandbox.agencies import population_register as sandbox_register
from sandbox.agencies.app import create_sandbox
from tests.ports import free_port
from tests.servers import Server

CONTRACT_FILE = PROJECT_ROOT / "portal" / "agencies" / "contracts" / "population-register.yaml"
CONTRACT: dict[str, Any] = yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))
CONTRACT_URI = "urn:portal:contracts:population-register"
REGISTRY: Registry = Registry().with_resource(
    CONTRACT_URI, Resource.from_contents(CONTRACT, default_specification=DRAFT202012)
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATIONS = [(path, method) for path, item in CONTRACT["paths"].items() for method in item if method in HTTP_METHODS]

ANNA, ELZA = "050694-14213", "329011-52842"
ILZE, KRISTAPS, RASMA = "220470-16382", "327512-84427", "011245-11123"
DACE, ROBERTS = "190583-11654", "321450-77313"
LAURA = "080890-17710"
UNKNOWN = "320000-00000"  # well-formed (new format), and nobody in personas.yaml
PERSONAL_CODE_ANYWHERE = re.compile(r"\d{6}-?\d{5}")


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def at(pointer: str) -> Any:
    node: Any = CONTRACT
    for token in pointer.lstrip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def resolved(pointer: str) -> tuple[str, Any]:
    """Follows the contract's own (OpenAPI) $refs, e.g. to components/responses."""
    node = at(pointer)
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"].removeprefix("#")
        node = at(pointer)
    return pointer, node


def validator(schema_pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{CONTRACT_URI}#{schema_pointer}"},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def check_answer(path: str, method: str, response: httpx.Response) -> None:
    """The status is documented for this operation, and the body is of the documented media type and schema."""
    responses = f"/paths/{escape(path)}/{method}/responses"
    assert str(response.status_code) in at(responses), f"{method} {path}: {response.status_code} is not documented"
    pointer, documented = resolved(f"{responses}/{response.status_code}")
    media_type = response.headers["content-type"].split(";")[0].strip()
    assert media_type in documented["content"], f"{method} {path} {response.status_code}: {media_type}"
    errors = [
        e.message for e in validator(f"{pointer}/content/{escape(media_type)}/schema").iter_errors(response.json())
    ]
    assert not errors, f"{method} {path} {response.status_code}: {errors}"


@pytest.fixture
def sandbox_http(live_sandbox: Server) -> Iterator[httpx.Client]:
    """Raw HTTP to the sandbox; every fault it sets is put back to ok, since the sandbox serves the whole session."""
    with httpx.Client(base_url=live_sandbox.url, timeout=10) as client:
        try:
            yield client
        finally:
            assert client.put("/_control/faults/pmlp", json={"mode": "ok"}).status_code == 200
            assert client.put("/_control/clock", json={"today": "2026-11-20"}).status_code == 200


@pytest.fixture
def set_fault(sandbox_http: httpx.Client) -> Callable[[str], None]:
    def set_mode(mode: str) -> None:
        assert sandbox_http.put("/_control/faults/pmlp", json={"mode": mode}).status_code == 200

    return set_mode


class Recorder:
    """What the portal's client sent and got back, seen from its httpx hooks."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.answered_request_ids: list[str | None] = []

    async def on_request(self, request: httpx.Request) -> None:
        self.urls.append(str(request.url))

    async def on_response(self, response: httpx.Response) -> None:
        self.answered_request_ids.append(response.headers.get("x-request-id"))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def client_for(base_url: str, recorder: Recorder, timeout: httpx.Timeout | None = None) -> httpx.AsyncClient:
    client = create_http_client(base_url, timeout) if timeout else create_http_client(base_url)
    client.event_hooks["request"].append(recorder.on_request)
    client.event_hooks["response"].append(recorder.on_response)
    return client


@pytest.fixture
async def register(live_sandbox: Server, sandbox_http: httpx.Client, recorder: Recorder) -> AsyncIterator[Any]:
    async with client_for(f"{live_sandbox.url}{sandbox_register.PREFIX}", recorder) as client:
        yield HttpPopulationRegister(client)


# The contract itself


def test_contract_schemas_are_valid_json_schema_and_every_example_fits_its_schema():
    for name in CONTRACT["components"]["schemas"]:
        Draft202012Validator.check_schema(CONTRACT["components"]["schemas"][name])
    checked = 0
    for path, method in OPERATIONS:
        operation = f"/paths/{escape(path)}/{method}"
        bodies = [resolved(f"{operation}/requestBody")[0]]
        bodies += [resolved(f"{operation}/responses/{escape(s)}")[0] for s in at(f"{operation}/responses")]
        for pointer in bodies:
            for media_type, content in at(pointer)["content"].items():
                schema = validator(f"{pointer}/content/{escape(media_type)}/schema")
                examples = [e["value"] for e in content.get("examples", {}).values()]
                examples += [content["example"]] if "example" in content else []
                for example in examples:
                    schema.validate(example)
                    checked += 1
    assert checked >= 20


def test_the_sandbox_serves_exactly_the_contract():
    sandbox_paths = {
        (method, route.path.removeprefix(sandbox_register.PREFIX))
        for route in create_sandbox().routes
        if route.path.startswith(f"{sandbox_register.PREFIX}/")
        for handler in route.route_handlers
        for method in getattr(handler, "http_methods", ())
        if method != "OPTIONS"  # Litestar answers OPTIONS on every route by itself
    }
    assert sandbox_paths == {(method.upper(), path) for path, method in OPERATIONS}
    sandbox_server = CONTRACT["servers"][0]["url"]
    assert httpx.URL(sandbox_server).path == sandbox_register.PREFIX


# Every operation, over real HTTP, against the contract


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"personal_code": ANNA}, 200),
        ({"personal_code": LAURA}, 200),
        ({"personal_code": UNKNOWN}, 404),
        ({"personal_code": "050694-14214"}, 422),  # wrong check digit
        ({"personal_code": "05069414213"}, 422),  # the contract's one spelling has the hyphen
        ({"personal_code": 5069414213}, 400),
        ({"code": ANNA}, 400),
        ({"personal_code": ANNA, "extra": 1}, 400),
        (b"{not json", 400),
    ],
)
def test_every_operation_answers_as_the_contract_says(sandbox_http, path, method, body, status):
    url = f"{sandbox_register.PREFIX}{path}"
    headers = {"content-type": "application/json", "x-request-id": "contract-check-01"}
    if isinstance(body, bytes):
        response = sandbox_http.request(method, url, content=body, headers=headers)
    else:
        response = sandbox_http.request(method, url, json=body, headers=headers)
    assert response.status_code == status, response.text
    check_answer(path, method, response)
    assert response.headers["x-request-id"] == "contract-check-01"
    if status != 200:
        assert ANNA not in response.text and "14214" not in response.text


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("error", 500), ("refuse", 403)])
def test_faults_are_answered_as_the_contract_says(sandbox_http, set_fault, path, method, mode, status):
    set_fault(mode)
    response = sandbox_http.request(method, f"{sandbox_register.PREFIX}{path}", json={"personal_code": ANNA})
    assert response.status_code == status
    check_answer(path, method, response)
    if mode == "down":
        assert int(response.headers["retry-after"]) > 0


def test_slow_answers_after_the_configured_delay(monkeypatch):
    monkeypatch.setattr(sandbox_register, "SLOW_SECONDS", 0.2)
    with TestClient(create_sandbox()) as client:
        client.put("/_control/faults/pmlp", json={"mode": "slow"})
        started = time.monotonic()
        response = client.post("/pmlp/v1/persons/lookup", json={"personal_code": ANNA})
    assert response.status_code == 200 and time.monotonic() - started >= 0.2
    check_answer("/v1/persons/lookup", "post", response)


def test_by_default_slow_outlasts_the_portals_read_timeout():
    assert DEFAULT_TIMEOUT.read is not None and DEFAULT_TIMEOUT.read < sandbox_register.DEFAULT_SLOW_SECONDS


# The portal's client


async def test_a_person_is_looked_up_by_code(register):
    anna = await register.person(ANNA)
    assert anna == RegisterPerson(
        personal_code=ANNA, given_name="Anna", family_name="Kalniņa", birth_date=dt.date(1994, 6, 5)
    )
    kristaps = await register.person(KRISTAPS.replace("-", ""))  # people type it either way
    assert kristaps is not None and kristaps.personal_code == KRISTAPS and kristaps.birth_date is None


async def test_an_unknown_person_is_none_and_represents_nobody(register):
    assert await register.person(UNKNOWN) is None
    assert await register.represented_by(UNKNOWN) == []


async def test_a_malformed_code_is_refused_before_any_call(register, recorder):
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await register.person("050694-14214")
    with pytest.raises(ValueError, match="not a well-formed personal code"):
        await register.represented_by("not a code")
    assert recorder.urls == []


async def test_personal_codes_travel_only_in_request_bodies(register, live_sandbox, recorder):
    await register.person(ANNA)
    await register.represented_by(ANNA.replace("-", ""))
    base = f"{live_sandbox.url}{sandbox_register.PREFIX}"
    assert recorder.urls == [f"{base}{path}" for path, _ in OPERATIONS]
    assert not [url for url in recorder.urls if PERSONAL_CODE_ANYWHERE.search(url)]


def only(representations: list[Representation]) -> tuple[str, str | None, str]:
    (representation,) = representations
    return representation.relation, representation.guardian_kind, representation.person.personal_code


async def test_anna_represents_elza_as_her_parent(register):
    represented = await register.represented_by(ANNA)
    assert only(represented) == ("parent", None, ELZA)
    assert represented[0].person.given_name == "Elza" and represented[0].person.birth_date == dt.date(2026, 11, 2)


async def test_ilze_represents_kristaps_as_his_guardian_and_not_rasma_whose_mandate_is_no_register_fact(register):
    assert only(await register.represented_by(ILZE)) == ("guardian", "aizbildnis", KRISTAPS)


async def test_dace_represents_roberts(register):
    assert only(await register.represented_by(DACE)) == ("parent", None, ROBERTS)


async def test_rasma_and_laura_represent_nobody(register):
    assert await register.represented_by(RASMA) == []
    assert await register.represented_by(LAURA) == []
    assert await register.represented_by(ELZA) == []


async def test_a_parents_representation_ends_when_the_child_turns_18(register, sandbox_http):
    assert sandbox_http.put("/_control/clock", json={"today": "2044-11-01"}).status_code == 200
    assert only(await register.represented_by(ANNA)) == ("parent", None, ELZA)
    assert sandbox_http.put("/_control/clock", json={"today": "2044-11-02"}).status_code == 200
    assert await register.represented_by(ANNA) == []
    # Kristaps's birth date is not in the register: he stays a minor.
    assert only(await register.represented_by(ILZE)) == ("guardian", "aizbildnis", KRISTAPS)


@pytest.mark.parametrize("mode", ["down", "error", "refuse"])
async def test_faults_reach_the_portal_as_agency_unavailable(register, set_fault, mode):
    set_fault(mode)
    with pytest.raises(AgencyUnavailable, match="pmlp"):
        await register.person(ANNA)
    with pytest.raises(AgencyUnavailable, match="pmlp"):
        await register.represented_by(ANNA)


async def test_a_slow_register_times_out_as_agency_unavailable(live_sandbox, set_fault, recorder):
    set_fault("slow")
    quick = httpx.Timeout(0.5)
    async with client_for(f"{live_sandbox.url}{sandbox_register.PREFIX}", recorder, quick) as client:
        with pytest.raises(AgencyUnavailable, match="timed out"):
            await HttpPopulationRegister(client).person(ANNA)


async def test_an_unreachable_register_is_agency_unavailable(recorder):
    async with client_for(f"http://127.0.0.1:{free_port()}/pmlp", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="pmlp"):
            await HttpPopulationRegister(client).represented_by(ANNA)


async def test_a_wrong_base_url_is_not_mistaken_for_an_unknown_person(live_sandbox, recorder):
    async with client_for(f"{live_sandbox.url}/elsewhere", recorder) as client:
        with pytest.raises(AgencyUnavailable, match="404"):
            await HttpPopulationRegister(client).person(ANNA)
        with pytest.raises(AgencyUnavailable, match="404"):
            await HttpPopulationRegister(client).represented_by(ANNA)


async def test_the_request_id_reaches_the_register(register, recorder):
    token = request_id_var.set("trace-pmlp-20261120")
    try:
        await register.person(ANNA)
        await register.represented_by(ANNA)
    finally:
        request_id_var.reset(token)
    assert recorder.answered_request_ids == ["trace-pmlp-20261120", "trace-pmlp-20261120"]


# The wiring


async def test_the_app_provides_one_register_on_the_sandbox(settings, live_sandbox):
    app = create_app(settings.model_copy(update={"pmlp_base_url": f"{live_sandbox.url}/pmlp"}))
    provide = app.dependencies["population_register"]
    async with AsyncTestClient(app):
        register = provide.dependency()
        assert isinstance(register, HttpPopulationRegister) and provide.dependency() is register
        assert only(await register.represented_by(ANNA)) == ("parent", None, ELZA)
    with pytest.raises(RuntimeError, match="client has been closed"):  # by the app's lifespan
        await register.person(ANNA)


async def test_without_sandbox_or_base_url_the_register_is_unavailable(settings):
    app = create_app(settings.model_copy(update={"sandbox_url": "", "pmlp_base_url": None}))
    register = app.dependencies["population_register"].dependency()
    assert isinstance(register, UnconfiguredPopulationRegister)
    with pytest.raises(AgencyUnavailable, match="PORTAL_PMLP_BASE_URL"):
        await register.represented_by(ANNA)
