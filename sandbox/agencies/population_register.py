"""The population register (PMLP) in the sandbox: persons and legal representation from personas.yaml.

It serves what portal/agencies/contracts/population-register.yaml says, under `/pmlp`, and nothing more (a test
compares the two). Representation follows the sandbox clock: a parent's or an aizbildnis's ends when the child
turns 18 (a child whose birth date the register does not hold counts as a minor). Mandates are the portal's,
not the register's, and are never served.

Faults (`PUT /_control/faults/pmlp`), applied before every route of the register:
    ok      answers as the contract says
    down    503 problem with Retry-After, as a register in maintenance
    error   500 problem, as a register that failed
    refuse  403 problem, as a gateway that refuses the caller's certificate or agreement
    slow    answers normally after SANDBOX_SLOW_SECONDS (environment; default 6 s, just beyond the portal's 5 s
            read timeout, so the portal sees a timeout); set it below 5 for a slow register that still answers
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from litestar import Request, Response, Router, post
from litestar.datastructures import State
from litestar.params import JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import BaseModel, ConfigDict

from portal.people.personal_code import is_valid_personal_code, normalise

if TYPE_CHECKING:
    from sandbox.agencies.app import SandboxState

AGENCY = "pmlp"
PREFIX = "/pmlp"
PERSONAS_FILE = Path(__file__).resolve().parent.parent / "personas.yaml"
DEFAULT_SLOW_SECONDS = 6.0
SLOW_SECONDS = float(os.environ.get("SANDBOX_SLOW_SECONDS", DEFAULT_SLOW_SECONDS))
RETRY_AFTER_SECONDS = 60
MAJORITY_YEARS = 18
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class RegisteredPerson:
    personal_code: str
    given_name: str
    family_name: str
    birth_date: dt.date | None

    def as_json(self) -> dict[str, Any]:
        return {
            "personal_code": self.personal_code,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }

    def is_adult(self, today: dt.date) -> bool:
        if self.birth_date is None:
            return False
        born = self.birth_date
        # Born on 29 February: of age on 1 March of a common year.
        try:
            of_age = born.replace(year=born.year + MAJORITY_YEARS)
        except ValueError:
            of_age = dt.date(born.year + MAJORITY_YEARS, 3, 1)
        return today >= of_age


@dataclass(frozen=True)
class LegalRepresentation:
    relation: Literal["parent", "guardian"]
    guardian_kind: Literal["aizbildnis", "aizgadnis"] | None
    representative: str
    represented: str

    def current(self, person: RegisteredPerson, today: dt.date) -> bool:
        ends_at_majority = self.relation == "parent" or self.guardian_kind == "aizbildnis"
        return not (ends_at_majority and person.is_adult(today))


@dataclass(frozen=True)
class Register:
    persons: dict[str, RegisteredPerson]
    representations: tuple[LegalRepresentation, ...]


@functools.cache
def register() -> Register:
    data = yaml.safe_load(PERSONAS_FILE.read_text(encoding="utf-8"))
    persons = {
        p["personal_code"]: RegisteredPerson(
            personal_code=p["personal_code"],
            given_name=p["given_name"],
            family_name=p["family_name"],
            birth_date=dt.date.fromisoformat(p["birth_date"]) if p.get("birth_date") else None,
        )
        for p in data["personas"]
    }
    representations = tuple(
        _representation(r)
        for r in data["relations"]
        # Only register facts: mandates live in the portal's database.
        if r["source"] == "population_register" and r["type"] in ("parent", "guardian")
    )
    return Register(persons, representations)


def _representation(relation: dict[str, Any]) -> LegalRepresentation:
    kind = relation.get("kind") if relation["type"] == "guardian" else None
    if relation["type"] == "guardian" and kind not in ("aizbildnis", "aizgadnis"):
        raise ValueError(f"personas.yaml: a guardian's kind is aizbildnis or aizgadnis, not {kind!r}")
    return LegalRepresentation(
        relation=relation["type"],
        guardian_kind=kind,
        representative=relation["representative"],
        represented=relation["represented"],
    )


def problem(status: int, title: str, **extra: Any) -> Response[dict[str, Any]]:
    headers = extra.pop("headers", None)
    return Response(
        {"title": title, "status": status, **extra}, status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _sandbox(state: State) -> SandboxState:
    sandbox: SandboxState = state.sandbox
    return sandbox


async def apply_fault(request: Request[Any, Any, Any]) -> Response[dict[str, Any]] | None:
    mode = _sandbox(request.app.state).faults[AGENCY]
    if mode == "slow":
        await asyncio.sleep(SLOW_SECONDS)
    elif mode == "down":
        return problem(
            503, "The population register is not available", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
        )
    elif mode == "error":
        return problem(500, "The population register failed")
    elif mode == "refuse":
        return problem(403, "The caller may not ask the population register")
    return None


def bad_request(_request: Request[Any, Any, Any], _exc: Exception) -> Response[dict[str, Any]]:
    # Malformed JSON or the wrong shape; Litestar's own 400 would echo the body, personal code included.
    return problem(400, "The request body is not of the documented shape")


class PersonalCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    personal_code: str


def _known(code: str) -> RegisteredPerson | Response[dict[str, Any]]:
    # The contract asks for one spelling, hyphen included.
    if not is_valid_personal_code(code) or normalise(code) != code:
        return problem(422, "The personal code is not well-formed")
    person = register().persons.get(code)
    if person is None:
        return problem(404, "No person with this personal code", type="person-not-found")
    return person


@post("/v1/persons/lookup", status_code=200, sync_to_thread=False)
def lookup_person(data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    found = _known(data.personal_code)
    return found if isinstance(found, Response) else Response(found.as_json())


@post("/v1/representations", status_code=200, sync_to_thread=False)
def list_representations(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    found = _known(data.personal_code)
    if isinstance(found, Response):
        return found
    today = _sandbox(state).today
    represented = []
    for representation in register().representations:
        person = register().persons[representation.represented]
        if representation.representative == found.personal_code and representation.current(person, today):
            represented.append(
                {
                    "relation": representation.relation,
                    "guardian_kind": representation.guardian_kind,
                    "person": person.as_json(),
                }
            )
    return Response({"represented": represented})


def population_register_router() -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[lookup_person, list_representations],
        before_request=apply_fault,
        exception_handlers={HTTP_400_BAD_REQUEST: bad_request},
    )
