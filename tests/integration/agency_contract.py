"""An agency's OpenAPI contract as a test sees it: its operations, its examples, and checks that a live answer
or a request body is what the contract documents (jsonschema, Draft 2020-12, formats checked); and the pieces
every agency client test needs (a recorder of what the client sent, the client stack, the sandbox's controls).

    CONTRACT = Contract("vdeavk")
    CONTRACT.check_answer("/v1/disability-status", "post", response)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator
from litestar import Litestar
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal.agencies.http import create_http_client, forward_request_id
from portal.agencies.resilience import PersonCache, Resilience, RetryPolicy, attach
from portal.settings import PROJECT_ROOT

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CONTRACTS = PROJECT_ROOT / "portal" / "agencies" / "contracts"
SANDBOX_START = "2026-11-20"  # the business clock's first day, where every test leaves it
_TYPED_PARAMETER = re.compile(r"\{(\w+):\w+\}")


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or media_type.endswith("+json")


class Contract:
    def __init__(self, name: str) -> None:
        self.document: dict[str, Any] = yaml.safe_load((CONTRACTS / f"{name}.yaml").read_text(encoding="utf-8"))
        self.uri = f"urn:portal:contracts:{name}"
        self.registry: Registry = Registry().with_resource(
            self.uri, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )
        self.operations = [
            (path, method) for path, item in self.document["paths"].items() for method in item if method in HTTP_METHODS
        ]
        self.prefix = httpx.URL(self.document["servers"][0]["url"]).path

    def at(self, pointer: str) -> Any:
        node: Any = self.document
        for token in pointer.lstrip("/").split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def resolved(self, pointer: str) -> tuple[str, Any]:
        """Follows the contract's own (OpenAPI) $refs, e.g. to components/responses."""
        node = self.at(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self.at(pointer)
        return pointer, node

    def validator(self, schema_pointer: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"{self.uri}#{schema_pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def check_answer(self, path: str, method: str, response: httpx.Response) -> None:
        """The status is documented for this operation, and the body is of the documented media type and schema."""
        responses = f"/paths/{escape(path)}/{method}/responses"
        status = str(response.status_code)
        assert status in self.at(responses), f"{method} {path}: {status} is not documented: {response.text[:300]}"
        pointer, documented = self.resolved(f"{responses}/{status}")
        media_type = response.headers["content-type"].split(";")[0].strip()
        assert media_type in documented["content"], f"{method} {path} {status}: {media_type}"
        if not is_json(media_type):
            assert response.content, f"{method} {path} {status}: an empty {media_type}"
            return
        schema = self.validator(f"{pointer}/content/{escape(media_type)}/schema")
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(response.json())]
        assert not errors, f"{method} {path} {status}: {errors}"

    def check_request(self, path: str, method: str, body: Any) -> None:
        """A request body (what a client sent) is of the documented schema."""
        pointer, _ = self.resolved(f"/paths/{escape(path)}/{method}/requestBody")
        schema = self.validator(f"{pointer}/content/application~1json/schema")
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(body)]
        assert not errors, f"{method} {path} request: {errors}"

    def check_examples(self) -> int:
        """Every schema is valid JSON Schema and every example fits its schema; returns how many were checked."""
        for schema in self.document["components"]["schemas"].values():
            Draft202012Validator.check_schema(schema)
        checked = 0
        for path, method in self.operations:
            operation = f"/paths/{escape(path)}/{method}"
            bodies = [self.resolved(f"{operation}/responses/{escape(s)}")[0] for s in self.at(f"{operation}/responses")]
            if "requestBody" in self.at(operation):
                bodies.append(self.resolved(f"{operation}/requestBody")[0])
            for pointer in bodies:
                for media_type, content in self.at(pointer).get("content", {}).items():
                    schema = self.validator(f"{pointer}/content/{escape(media_type)}/schema")
                    examples = [e["value"] for e in content.get("examples", {}).values()]
                    examples += [content["example"]] if "example" in content else []
                    for example in examples:
                        schema.validate(example)
                        checked += 1
        return checked

    def documented_routes(self) -> set[tuple[str, str]]:
        return {(method.upper(), path) for path, method in self.operations}

    def served_routes(self, app: Litestar) -> set[tuple[str, str]]:
        """What `app` serves under the contract's prefix, as (METHOD, contract path)."""
        return {
            (method, _TYPED_PARAMETER.sub(r"{\1}", route.path).removeprefix(self.prefix))
            for route in app.routes
            if route.path.startswith(f"{self.prefix}/")
            for handler in route.route_handlers
            for method in getattr(handler, "http_methods", ())
            if method not in ("OPTIONS", "HEAD")  # Litestar answers OPTIONS (and HEAD for GET) by itself
        }


class Recorder:
    """What an agency client sent and got back, seen from its httpx hooks."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.answered_request_ids: list[str | None] = []

    async def on_request(self, request: httpx.Request) -> None:
        self.requests.append(request)

    async def on_response(self, response: httpx.Response) -> None:
        self.answered_request_ids.append(response.headers.get("x-request-id"))

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests if r.content]


def client_for(
    agency: str,
    base_url: str,
    recorder: Recorder,
    timeout: float | None = None,
    cache_entries: int = 0,
    **transport: Any,
) -> httpx.AsyncClient:
    """The portal's HTTP client stack for one agency, seen by `recorder`, with one attempt per call and no waiting:
    client tests see each answer as it is (retries and the breaker are resilience.py's tests), and no kept answers
    unless `cache_entries` allows them. `transport` goes to httpx (e.g. an ASGI transport for an in-process
    sandbox)."""
    if transport:
        client = httpx.AsyncClient(base_url=base_url, event_hooks={"request": [forward_request_id]}, **transport)
    else:
        client = create_http_client(base_url, httpx.Timeout(timeout)) if timeout else create_http_client(base_url)
    client.event_hooks["request"].append(recorder.on_request)
    client.event_hooks["response"].append(recorder.on_response)
    attach(client, Resilience(agency, retry=RetryPolicy(attempts=1, budget=5.0), cache=PersonCache(cache_entries)))
    return client


class SandboxControl:
    """The sandbox's control endpoints for one agency: faults, the clock, what it registered."""

    def __init__(self, http: httpx.Client, agency: str) -> None:
        self.http, self.agency = http, agency

    def fault(self, mode: str) -> None:
        assert self.http.put(f"/_control/faults/{self.agency}", json={"mode": mode}).status_code == 200

    def today(self, day: str) -> None:
        assert self.http.put("/_control/clock", json={"today": day}).status_code == 200

    def registrations(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.get(f"/_control/{self.agency}/registrations").json()
        return answer

    def reset(self) -> None:
        self.fault("ok")
        self.today(SANDBOX_START)


def sandbox_fixture(agency: str) -> Any:
    """A module's `sandbox` fixture for one agency: `sandbox = sandbox_fixture("pasv")`. Faults and the clock are
    put back after each test, since the live sandbox serves the whole session."""

    @pytest.fixture
    def sandbox(live_sandbox: Any) -> Iterator[SandboxControl]:
        with httpx.Client(base_url=live_sandbox.url, timeout=10) as http:
            control = SandboxControl(http, agency)
            try:
                yield control
            finally:
                control.reset()

    return sandbox
