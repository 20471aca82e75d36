"""The sandbox against every contract in portal/agencies/contracts/: its own checking (sandbox/agencies/validation.py)
and a bounded Schemathesis fuzz of every operation over real HTTP — no 5xx, every answer as documented.

The fuzz runs against a private sandbox process, since generated (and the contracts' example) submissions change
its state. `make fuzz` runs the heavy version; environment variables steer it:

    FUZZ_EXAMPLES    examples per operation and generation mode (default 5 here; `make fuzz` uses 200)
    FUZZ_CONTRACTS   comma-separated contract names (file stems) to fuzz; default all
    FUZZ_BASE_URL    fuzz this endpoint instead of a private sandbox: each contract's prefix (`/vsaa`, …) is
                     appended; mutual TLS from PORTAL_AGENCY_CLIENT_CERT/_KEY and PORTAL_AGENCY_CA_BUNDLE
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from litestar import Litestar, Response, get, post
from litestar.params import FromPath, JSONBody
from litestar.testing import TestClient
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sandbox.agencies.app import create_sandbox
from sandbox.agencies.validation import CONTRACTS_DIR, ContractChecker, ContractValidation, load_contracts
from tests.ports import free_port
from tests.servers import Server, start_server

CONTRACT_FILES = sorted(CONTRACTS_DIR.glob("*.yaml"))
WANTED = {name.strip() for name in os.environ.get("FUZZ_CONTRACTS", "").split(",") if name.strip()}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
TARGET = os.environ.get("FUZZ_BASE_URL", "").rstrip("/")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def operations() -> list[Any]:
    found = []
    for file in CONTRACT_FILES:
        if WANTED and file.stem not in WANTED:
            continue
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
        for path, item in document["paths"].items():
            for method in item:
                if method in HTTP_METHODS:
                    found.append(pytest.param(file, path, method, id=f"{file.stem} {method.upper()} {path}"))
    return found


@functools.cache
def schema_of(file: Path) -> Any:
    return schemathesis.openapi.from_path(file)


def prefix_of(file: Path) -> str:
    return httpx.URL(yaml.safe_load(file.read_text(encoding="utf-8"))["servers"][0]["url"]).path.rstrip("/")


@pytest.fixture(scope="module")
def fuzz_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if TARGET:
        yield TARGET
        return
    port = free_port()
    server: Server = start_server(
        "agency sandbox (fuzzed)",
        [sys.executable, "-m", "sandbox.agencies", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/healthz",
        tmp_path_factory.mktemp("fuzzed-sandbox") / "sandbox.log",
    )
    yield server.url
    output = server.output()
    server.stop()
    assert "OUTSIDE THE CONTRACT" not in output, output


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        cert, key = os.environ.get("PORTAL_AGENCY_CLIENT_CERT"), os.environ.get("PORTAL_AGENCY_CLIENT_KEY")
        if TARGET and cert:
            session.cert = (cert, key) if key else cert
        if TARGET and os.environ.get("PORTAL_AGENCY_CA_BUNDLE"):
            session.verify = os.environ["PORTAL_AGENCY_CA_BUNDLE"]
        yield session


# The fuzz


@pytest.mark.parametrize(("file", "path", "method"), operations())
def test_every_operation_survives_fuzzing_and_answers_as_documented(fuzz_target, http, file, path, method):
    operation = schema_of(file)[path][method.upper()]
    base_url = f"{fuzz_target}{prefix_of(file)}"
    strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
    strategies += [s for s in operation.get_strategies_from_examples()]

    @hypothesis.settings(
        max_examples=EXAMPLES * len(strategies),
        deadline=None,
        database=None,
        derandomize=not TARGET and EXAMPLES <= 5,  # the bounded run is the same on every machine
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @given(case=st.one_of(strategies))
    def fuzz(case: Any) -> None:
        response = case.call(base_url=base_url, session=http, timeout=10)
        case.validate_response(response, checks=CHECKS)

    fuzz()


# The sandbox's own checking, over real HTTP


@pytest.fixture
def sandbox(live_sandbox: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_sandbox.url, timeout=10) as client:
        yield client


def test_every_contract_is_loaded_with_its_prefix_and_every_prefix_is_served():
    contracts = load_contracts()
    assert sorted(c.name for c in contracts) == sorted(f.stem for f in CONTRACT_FILES)
    served = {route.path for route in create_sandbox().routes}
    for contract in contracts:
        assert contract.prefix.count("/") == 1, contract.name
        assert any(path.startswith(f"{contract.prefix}/") for path in served), f"{contract.prefix} is not served"


def test_a_body_of_the_wrong_shape_is_a_400_problem_naming_where(sandbox):
    response = sandbox.post("/pmlp/v1/persons/lookup", json={"personal_code": 50694, "extra": True})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "body.personal_code" in problem["detail"] and "'extra' was unexpected" in problem["detail"]
    assert "50694" not in response.text  # the value is never repeated


def test_a_value_that_breaks_a_rule_is_left_to_the_agencys_own_422_where_the_operation_documents_one(sandbox):
    response = sandbox.post("/pmlp/v1/persons/lookup", json={"personal_code": "05069414213"})
    assert response.status_code == 422
    assert response.json()["title"] == "The personal code is not well-formed"  # the register's words
    assert "05069414213" not in response.text


def test_parameters_are_checked_too(sandbox):
    response = sandbox.post(
        "/pmlp/v1/persons/lookup", json={"personal_code": "050694-14213"}, headers={"x-request-id": "no spaces!"}
    )
    assert response.status_code == 400 and "X-Request-ID" in response.json()["detail"]


def test_control_and_health_and_unknown_paths_are_not_checked(sandbox):
    assert sandbox.get("/healthz").status_code == 200
    assert sandbox.get("/_control/clock").status_code == 200
    assert sandbox.post("/pmlp/v1/not-in-the-contract", json={}).status_code == 404


# An answer outside the contract: a stand-in agency with deliberate bugs behind the same middleware

TINY_CONTRACT = """
openapi: 3.1.0
info: {title: tiny, version: "1"}
servers: [{url: "http://127.0.0.1:8020/tiny"}]
paths:
  /v1/things/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer, minimum: 1}}
      responses:
        "200":
          description: a thing
          content:
            application/json:
              schema:
                type: object
                required: [name, count]
                properties: {name: {type: string}, count: {type: integer}}
        "400":
          description: bad
          content:
            application/problem+json:
              schema: {type: object, required: [title]}
  /v1/things:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string, maxLength: 3}}}
      responses:
        "201":
          description: made
          content:
            application/json:
              schema: {type: object}
        "400":
          description: bad
          content:
            application/problem+json:
              schema: {type: object, required: [title]}
"""


@get("/tiny/v1/things/{id:int}", sync_to_thread=False)
def thing(id: FromPath[int]) -> Response[Any]:
    if id in (0, 1):  # the contract's minimum is 1: 0 never gets here, or this handler would have let it in
        return Response({"name": "one", "count": 1})
    if id == 2:
        return Response({"name": "two", "count": "many"})  # a bug: count is an integer
    if id == 3:
        return Response("<html>oops</html>", media_type="text/html")
    return Response({"title": "gone"}, status_code=410, media_type="application/problem+json")


@post("/tiny/v1/things", status_code=201, sync_to_thread=False)
def make_thing(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
    return {"made": data["name"]}


@pytest.fixture
def tiny(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    (tmp_path / "tiny.yaml").write_text(TINY_CONTRACT)
    checker = ContractChecker(load_contracts(tmp_path))

    def middleware(app: Any) -> ContractValidation:
        return ContractValidation(app, checker)

    with TestClient(Litestar([thing, make_thing], middleware=[middleware])) as client:
        yield client


def test_a_conforming_answer_passes_unchanged(tiny):
    response = tiny.get("/tiny/v1/things/1")
    assert response.status_code == 200 and response.json() == {"name": "one", "count": 1}
    assert tiny.post("/tiny/v1/things", json={"name": "abc"}).status_code == 201


@pytest.mark.parametrize(
    ("path", "violation"),
    [
        ("/tiny/v1/things/2", "body.count: breaks `type`"),
        ("/tiny/v1/things/3", "media type 'text/html'"),
        ("/tiny/v1/things/4", "410: status not documented"),
    ],
)
def test_an_answer_outside_the_contract_becomes_a_loud_500(tiny, caplog, path, violation):
    with caplog.at_level(logging.ERROR, logger="sandbox.contracts"):
        response = tiny.get(path)
    assert response.status_code == 500
    assert response.json()["title"] == "The sandbox answered outside the contract"
    assert violation in response.json()["detail"]
    assert any(violation in record.getMessage() for record in caplog.records if record.levelno == logging.ERROR)


def test_requests_breaking_the_contract_never_reach_the_handler(tiny):
    response = tiny.get("/tiny/v1/things/0")  # minimum 1
    assert response.status_code == 400 and "path parameter id" in response.json()["detail"]
    response = tiny.post("/tiny/v1/things", json={"name": "abcd"})
    assert response.status_code == 400  # a value rule broken, but this operation documents no 422
    response = tiny.post("/tiny/v1/things", content=b"", headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"] == "body: is required"
    response = tiny.post("/tiny/v1/things", content=b"name=a", headers={"content-type": "text/plain"})
    assert response.status_code == 400 and "media type" in response.json()["detail"]
