"""The sandbox checks itself against the contracts: every request and every answer under an agency's prefix.

Every OpenAPI document in portal/agencies/contracts/ is loaded; the path of its first server URL (`/pmlp`,
`/vsaa`, …) is the prefix it governs (several documents may share one, as VSAA's two do). For a request whose
path and method match one of their operations:

- the request's path, query and header parameters and its body are validated (JSON Schema 2020-12, the
  document's own `$ref`s resolved). A request that breaks the contract never reaches the handler: it gets a
  400 problem naming where and which rule, never the value (it may be a personal code). One exception: when
  the body is of the right shape and only a value breaks a rule (a pattern, a format, a range, an enum) and
  the operation documents 422, the contracts call that the agency's own refusal, in the agency's words; the
  handler gets the request and must refuse it (4xx), else the sandbox answers 500 as below.
- the answer is validated: its status must be documented, its media type too, and a JSON body must match the
  schema. An answer outside the contract is a sandbox bug: it is logged loudly and replaced by a 500 problem
  naming the violation, so that the test that caused it fails.

`/_control/*`, `/healthz` and paths outside every prefix are not checked. A contract that cannot be loaded is
logged loudly and left unchecked (tests/integration/test_sandbox_contracts.py loads them strictly and fails).
"""

from __future__ import annotations

import functools
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from jsonschema import Draft202012Validator, ValidationError
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACTS_DIR = Path(__file__).resolve().parent.parent.parent / "portal" / "agencies" / "contracts"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
UNCHECKED = ("/_control/", "/healthz")
PROBLEM_JSON = "application/problem+json"
# Keywords that judge a value, not the shape: breaking only these is "not well-formed" (422 where documented).
VALUE_KEYWORDS = frozenset(
    {"pattern", "format", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
    | {"multipleOf", "enum", "const"}
)
# Keywords whose message names a property, never a value.
NAMING_KEYWORDS = frozenset({"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"})

log = logging.getLogger("sandbox.contracts")


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass
class Contract:
    """One OpenAPI document, its prefix, and validators for its schemas by JSON pointer."""

    name: str
    document: dict[str, Any]
    prefix: str
    registry: Registry = field(init=False)

    def __post_init__(self) -> None:
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(self.uri, resource)

    @property
    def uri(self) -> str:
        return f"urn:portal:contracts:{self.name}"

    def at(self, pointer: str) -> Any:
        node: Any = self.document
        for token in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node

    def resolved(self, pointer: str) -> tuple[str, Any]:
        """Follows OpenAPI's own $refs (to components/responses, parameters, requestBodies)."""
        node = self.at(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].removeprefix("#")
            node = self.at(pointer)
        return pointer, node

    @functools.cache  # noqa: B019 - contracts live as long as the sandbox process
    def validator(self, schema_pointer: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"{self.uri}#{schema_pointer}"},
            registry=self.registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    def __hash__(self) -> int:
        return hash(self.name)


@dataclass(frozen=True)
class Operation:
    contract: Contract
    path: str  # as the contract writes it, e.g. /v1/applications/{reference}
    method: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]

    @property
    def pointer(self) -> str:
        return f"/paths/{escape(self.path)}/{self.method}"

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return dict(zip(self.names, found.groups(), strict=True)) if found else None


def load_contracts(directory: Path = CONTRACTS_DIR, strict: bool = True) -> list[Contract]:
    """Every contract in `directory`. One that cannot be loaded raises, or with `strict=False` is logged loudly
    and left out (the running sandbox: one broken document must not stop every other agency's checks; the
    contract tests load strictly and fail)."""
    contracts = []
    for file in sorted(directory.glob("*.yaml")):
        try:
            document = yaml.safe_load(file.read_text(encoding="utf-8"))
            prefix = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
        except (yaml.YAMLError, KeyError, IndexError, TypeError) as exc:
            if strict:
                raise RuntimeError(f"contract {file.name} cannot be loaded: {exc}") from exc
            log.error("CONTRACT %s CANNOT BE LOADED, ITS ANSWERS ARE NOT CHECKED: %s", file.name, exc)
            continue
        contracts.append(Contract(file.stem, document, prefix))
    return contracts


def operations_of(contract: Contract) -> list[Operation]:
    operations = []
    for path, item in contract.document.get("paths", {}).items():
        names = tuple(re.findall(r"{([^}/]+)}", path))
        regex = re.sub(r"{[^}/]+}", "([^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
        for method in item:
            if method in HTTP_METHODS:
                operations.append(Operation(contract, path, method, re.compile(regex), names))
    return operations


class Violation(Exception):
    def __init__(self, status: int, title: str, detail: str, values_only: bool = False) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.values_only = values_only  # well-formed, but a value breaks a rule

    def problem(self) -> dict[str, Any]:
        return {"title": self.title, "status": self.status, "detail": self.detail}


def describe(errors: list[ValidationError], where: str) -> str:
    """Where the contract is broken and by which rule, never the offending value."""
    parts = []
    for error in sorted(errors, key=lambda e: list(e.absolute_path))[:5]:
        location = f"{where}{error.json_path.removeprefix('$')}"
        if error.validator in NAMING_KEYWORDS:
            parts.append(f"{location}: {error.message}")
        else:
            parts.append(f"{location}: breaks `{error.validator}` {json.dumps(error.validator_value)[:120]}")
    return "; ".join(parts)


def leaf_errors(errors: list[ValidationError]) -> list[ValidationError]:
    leaves = []
    for error in errors:
        leaves.extend(leaf_errors(list(error.context)) if error.context else [error])
    return leaves


def media_type_of(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


def coerce(value: str, schema: dict[str, Any]) -> Any:
    """Parameters arrive as text; their schema's type says how to read them before validating."""
    kind = schema.get("type")
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


class ContractChecker:
    def __init__(self, contracts: list[Contract]) -> None:
        self.operations = [op for contract in contracts for op in operations_of(contract)]
        self.prefixes = tuple(sorted({c.prefix for c in contracts}, key=len, reverse=True))

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        if path.startswith(UNCHECKED):
            return
        for prefix in self.prefixes:
            if path.startswith(f"{prefix}/"):
                rest = path.removeprefix(prefix)
                for op in self.operations:
                    if op.contract.prefix == prefix and op.method == method.lower():
                        found = op.match(rest)
                        if found is not None:
                            return op, found
        return None

    def check_request(self, op: Operation, scope: Scope, path_values: dict[str, str], body: bytes) -> str | None:
        """Raises a 400 Violation for a request the sandbox refuses itself; returns what is wrong with a request
        that the handler must refuse in the contract's own terms; None for a request within the contract."""
        try:
            self._check_request(op, scope, path_values, body)
        except Violation as violation:
            documented = op.contract.at(f"{op.pointer}/responses")
            if not (violation.values_only and "422" in documented) and self._documents_own_400(op, violation):
                raise
            return violation.detail
        return None

    def _documents_own_400(self, op: Operation, violation: Violation) -> bool:
        """Whether the operation documents a 400 problem that the sandbox's own refusal fits."""
        responses = f"{op.pointer}/responses"
        if "400" not in op.contract.at(responses):
            return False
        pointer, response = op.contract.resolved(f"{responses}/400")
        content = response.get("content", {})
        if PROBLEM_JSON not in content:
            return False
        if "schema" not in content[PROBLEM_JSON]:
            return True
        validator = op.contract.validator(f"{pointer}/content/{escape(PROBLEM_JSON)}/schema")
        return bool(validator.is_valid(violation.problem()))

    def _check_request(self, op: Operation, scope: Scope, path_values: dict[str, str], body: bytes) -> None:
        contract, (_, operation) = op.contract, op.contract.resolved(op.pointer)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        item = contract.at(f"/paths/{escape(op.path)}")
        pointers = [f"/paths/{escape(op.path)}/parameters/{i}" for i in range(len(item.get("parameters", [])))]
        pointers += [f"{op.pointer}/parameters/{i}" for i in range(len(operation.get("parameters", [])))]
        for pointer in pointers:
            self._check_parameter(contract, pointer, query, headers, path_values)
        if "requestBody" in operation:
            self._check_body(op, headers.get("content-type", ""), body)

    def _check_parameter(
        self,
        contract: Contract,
        pointer: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        path_values: dict[str, str],
    ) -> None:
        pointer, parameter = contract.resolved(pointer)
        name, where = parameter["name"], parameter["in"]
        label = f"{where} parameter {name}"
        schema = contract.resolved(f"{pointer}/schema")[1] if "schema" in parameter else {}
        value: Any
        if where == "query" and name in query:
            texts = query[name]
            value = [coerce(t, schema.get("items", {})) for t in texts] if schema.get("type") == "array" else texts[0]
        elif where == "header" and name.lower() in headers:
            value = headers[name.lower()]
        elif where == "path" and name in path_values:
            value = path_values[name]
        else:
            if parameter.get("required") or where == "path":
                raise Violation(400, "The request breaks the contract", f"{label}: is required")
            return
        if not schema:
            return
        if isinstance(value, str):
            value = coerce(value, schema)
        errors = list(contract.validator(f"{pointer}/schema").iter_errors(value))
        if errors:
            raise Violation(400, "The request breaks the contract", describe(errors, label))

    def _check_body(self, op: Operation, content_type: str, body: bytes) -> None:
        contract = op.contract
        pointer, request_body = contract.resolved(f"{op.pointer}/requestBody")
        if not body:
            if request_body.get("required"):
                raise Violation(400, "The request breaks the contract", "body: is required")
            return
        media_type = content_type.split(";")[0].strip().lower()
        if media_type not in request_body.get("content", {}):
            raise Violation(400, "The request breaks the contract", f"body: {media_type or 'no'} media type")
        if not (media_type == "application/json" or media_type.endswith("+json")):
            return
        try:
            instance = json.loads(body)
        except ValueError:
            raise Violation(400, "The request body is not of the documented shape", "body: not JSON") from None
        schema_pointer = f"{pointer}/content/{escape(media_type)}/schema"
        errors = list(contract.validator(schema_pointer).iter_errors(instance))
        if errors:
            values_only = all(e.validator in VALUE_KEYWORDS for e in leaf_errors(errors))
            title = "The request body is not of the documented shape"
            raise Violation(400, title, describe(errors, "body"), values_only)

    def check_response(self, op: Operation, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        contract = op.contract
        responses = f"{op.pointer}/responses"
        documented = contract.at(responses)
        key = next((k for k in (str(status), f"{str(status)[0]}XX", "default") if k in documented), None)
        label = f"{op.method.upper()} {contract.prefix}{op.path} answered {status}"
        if key is None:
            raise Violation(500, "The sandbox answered outside the contract", f"{label}: status not documented")
        pointer, response = contract.resolved(f"{responses}/{escape(key)}")
        content = response.get("content", {})
        media_type = media_type_of(headers)
        if not content:
            if body:
                raise Violation(500, "The sandbox answered outside the contract", f"{label}: a body where none is")
            return
        if media_type not in content:
            raise Violation(500, "The sandbox answered outside the contract", f"{label}: media type {media_type!r}")
        if not (media_type == "application/json" or media_type.endswith("+json")):
            return
        try:
            instance = json.loads(body)
        except ValueError:
            raise Violation(500, "The sandbox answered outside the contract", f"{label}: not JSON") from None
        if "schema" not in content[media_type]:
            return
        errors = list(contract.validator(f"{pointer}/content/{escape(media_type)}/schema").iter_errors(instance))
        if errors:
            raise Violation(500, "The sandbox answered outside the contract", f"{label}: {describe(errors, 'body')}")


def problem_messages(violation: Violation) -> tuple[Message, Message]:
    body = json.dumps(violation.problem(), ensure_ascii=False).encode()
    headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
    return (
        {"type": "http.response.start", "status": violation.status, "headers": headers},
        {"type": "http.response.body", "body": body, "more_body": False},
    )


@functools.cache
def default_checker() -> ContractChecker:
    return ContractChecker(load_contracts(strict=False))


class ContractValidation:
    """ASGI middleware: requests under an agency's prefix are checked before the handler, answers after it."""

    def __init__(self, app: ASGIApp, checker: ContractChecker | None = None) -> None:
        self.app = app
        self.checker = checker or default_checker()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.checker.find(scope["method"], scope["path"]) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        op, path_values = found
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return  # the caller went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            must_refuse = self.checker.check_request(op, scope, path_values, bytes(body))
        except Violation as violation:
            for message in problem_messages(violation):
                await send(message)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        start: Message | None = None
        answer = bytearray()

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                answer.extend(message.get("body", b""))

        await self.app(scope, replay, hold)
        assert start is not None, "the handler sent no answer"
        try:
            self.checker.check_response(op, start["status"], list(start.get("headers", [])), bytes(answer))
            if must_refuse and start["status"] < 400:
                label = f"{op.method.upper()} {op.contract.prefix}{op.path} answered {start['status']}"
                detail = f"{label} to a request it must refuse: {must_refuse}"
                raise Violation(500, "The sandbox answered outside the contract", detail)
        except Violation as violation:
            log.error("SANDBOX ANSWER OUTSIDE THE CONTRACT: %s", violation.detail)
            for message in problem_messages(violation):
                await send(message)
            return
        await send(start)
        await send({"type": "http.response.body", "body": bytes(answer), "more_body": False})
