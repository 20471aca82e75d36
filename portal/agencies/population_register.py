"""The population register (PMLP): who a person is and whom they legally represent.

The contract is contracts/population-register.yaml; `HttpPopulationRegister` is its client, and in dev and tests
it talks to the sandbox (sandbox/agencies/population_register.py) over HTTP. Personal codes travel only in
request bodies, never in URLs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from portal.agencies.errors import AgencyUnavailable
from portal.people.personal_code import normalise

AGENCY = "pmlp"
LOOKUP_PATH = "/v1/persons/lookup"
REPRESENTATIONS_PATH = "/v1/representations"
# The contract's 404 for an unknown person carries this type; any other 404 (a wrong base URL, a gateway's
# own page) is outside the contract.
PERSON_NOT_FOUND = "person-not-found"


class RegisterPerson(BaseModel):
    model_config = ConfigDict(frozen=True)

    personal_code: str
    given_name: str
    family_name: str
    birth_date: dt.date | None


class Representation(BaseModel):
    """Someone the asking person currently represents by law; never a mandate (those are the portal's own)."""

    model_config = ConfigDict(frozen=True)

    relation: Literal["parent", "guardian"]
    guardian_kind: Literal["aizbildnis", "aizgadnis"] | None
    person: RegisterPerson


class _Representations(BaseModel):
    represented: list[Representation]


class _Problem(BaseModel):
    type: str | None = None


@runtime_checkable  # Litestar checks injected values against their annotation
class PopulationRegister(Protocol):
    """Both methods take a personal code with or without the hyphen and raise ValueError for a malformed one
    (validate what people type first, with `portal.people.personal_code`), and AgencyUnavailable when the
    register gives no usable answer.
    """

    async def person(self, personal_code: str) -> RegisterPerson | None:
        """The registered person, or None when the register has no one with this code."""
        ...

    async def represented_by(self, personal_code: str) -> list[Representation]:
        """Whom this person currently represents by law (minor children, persons under guardianship); empty
        when nobody, or when the register has no one with this code."""
        ...


_Model = TypeVar("_Model", bound=BaseModel)


class HttpPopulationRegister:
    def __init__(self, client: httpx.AsyncClient) -> None:
        """`client` comes from `portal.agencies.http.create_http_client(settings.pmlp_base_url)`."""
        self._client = client

    async def person(self, personal_code: str) -> RegisterPerson | None:
        code = normalise(personal_code)
        response = await self._ask(LOOKUP_PATH, code)
        if response is None:
            return None
        person = _parse(RegisterPerson, response)
        if person.personal_code != code:
            raise AgencyUnavailable(f"{AGENCY}: answered about another person than asked")
        return person

    async def represented_by(self, personal_code: str) -> list[Representation]:
        response = await self._ask(REPRESENTATIONS_PATH, normalise(personal_code))
        if response is None:
            return []
        return _parse(_Representations, response).represented

    async def _ask(self, path: str, code: str) -> httpx.Response | None:
        """The 200 answer, or None for the contract's "no such person"; anything else is AgencyUnavailable."""
        try:
            response = await self._client.post(path, json={"personal_code": code})
        except httpx.TimeoutException as exc:
            raise AgencyUnavailable(f"{AGENCY}: timed out") from exc
        except httpx.HTTPError as exc:
            raise AgencyUnavailable(f"{AGENCY}: {type(exc).__name__}") from exc
        if response.status_code == httpx.codes.OK:
            return response
        if response.status_code == httpx.codes.NOT_FOUND and _is_person_not_found(response):
            return None
        raise AgencyUnavailable(f"{AGENCY}: answered {response.status_code}")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise AgencyUnavailable(f"{AGENCY}: answered something that is not JSON") from exc


def _parse(model: type[_Model], response: httpx.Response) -> _Model:
    try:
        return model.model_validate(_json(response))
    except ValidationError as exc:
        # The error's text would quote the answer, personal codes included: say only where it broke.
        raise AgencyUnavailable(f"{AGENCY}: answered outside its contract ({exc.error_count()} errors)") from None


def _is_person_not_found(response: httpx.Response) -> bool:
    try:
        return _Problem.model_validate(response.json()).type == PERSON_NOT_FOUND
    except (ValueError, ValidationError):
        return False


class UnconfiguredPopulationRegister:
    """Dev or test without the sandbox and without PORTAL_PMLP_BASE_URL: the register cannot be asked."""

    async def person(self, personal_code: str) -> RegisterPerson | None:
        raise AgencyUnavailable(f"{AGENCY}: PORTAL_PMLP_BASE_URL is not set")

    async def represented_by(self, personal_code: str) -> list[Representation]:
        raise AgencyUnavailable(f"{AGENCY}: PORTAL_PMLP_BASE_URL is not set")
