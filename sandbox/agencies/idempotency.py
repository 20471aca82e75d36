"""Idempotent registration for the sandbox's agencies: the same Idempotency-Key registers once.

An agency client sends every submission with an `Idempotency-Key` header and may send it again after a timeout
or a crash. The agency keeps, per key, a fingerprint of the request and the answer it gave:

    no key, or a malformed one          400 problem
    a new key                           the route registers and answers 201 (or 202)
    a known key with the same request   200 with the first answer, registered nothing
    a known key with another request    422 problem: a key names one request

Tests read what each agency registered at `GET /_control/<agency>/registrations` (a control endpoint, outside
the contracts): `count` of registrations, `replays` answered from the book, and each key with the id it got.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from litestar.params import FromPath
from pydantic import BaseModel

from sandbox.agencies.faults import problem

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_SHAPE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
STATE_KEY = "registrations"


@dataclass(frozen=True)
class Registration:
    idempotency_key: str
    fingerprint: str
    id: str
    answer: dict[str, Any]


@dataclass
class RegistrationBook:
    """One agency's registrations by idempotency key."""

    by_key: dict[str, Registration] = field(default_factory=dict)
    replays: int = 0

    def earlier(self, request: Request[Any, Any, Any], body: BaseModel) -> Response[dict[str, Any]] | None:
        """The answer when the request must not register anything new, else None (go on and register)."""
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return problem(400, "The Idempotency-Key header is required")
        if not KEY_SHAPE.match(key):
            return problem(400, "The Idempotency-Key header is not of the documented shape")
        known = self.by_key.get(key)
        if known is None:
            return None
        if known.fingerprint != fingerprint(body):
            return problem(
                422,
                "The Idempotency-Key was used for another request",
                detail="This Idempotency-Key was already used for a different request; send it with a new key.",
                problem_type="idempotency-key-reused",
            )
        self.replays += 1
        return Response(known.answer, status_code=200)

    def register(self, request: Request[Any, Any, Any], body: BaseModel, id_: str, answer: dict[str, Any]) -> None:
        key = request.headers[IDEMPOTENCY_HEADER]
        self.by_key[key] = Registration(key, fingerprint(body), id_, answer)

    def summary(self) -> dict[str, Any]:
        return {
            "count": len(self.by_key),
            "replays": self.replays,
            "registered": [{"idempotency_key": r.idempotency_key, "id": r.id} for r in self.by_key.values()],
        }


def fingerprint(body: BaseModel) -> str:
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def book(state: State, agency: str) -> RegistrationBook:
    """The agency's book in the app's state, made on first use (the sandbox is one process)."""
    books: dict[str, RegistrationBook] = state.setdefault(STATE_KEY, {})
    return books.setdefault(agency, RegistrationBook())


@get("/_control/{agency:str}/registrations", sync_to_thread=False, include_in_schema=False)
def read_registrations(state: State, agency: FromPath[str]) -> dict[str, Any]:
    return book(state, agency).summary()


def business_now(today: dt.date) -> dt.datetime:
    """Now on the business clock: the sandbox's day with the wall clock's time of day (UTC, whole seconds), for
    `received_at` and `as_of`."""
    return dt.datetime.combine(today, dt.datetime.now(dt.UTC).time().replace(microsecond=0), tzinfo=dt.UTC)


def timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
