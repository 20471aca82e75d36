"""The population register (PMLP): who a person is and whom they legally represent.

The contract is contracts/population-register.yaml; `HttpPopulationRegister` is its client, and in dev and tests
it talks to the sandbox (sandbox/agencies/population_register.py) over HTTP. Personal codes travel only in
request bodies, never in URLs.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
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


class HttpPopulationRegister:
    def __init__(self, client: httpx.AsyncClient) -> None:
        """`client` comes from `portal.agencies.http.create_http_client(settings.pmlp_base_url)`; the register's
        retry policy, breaker and answer cap are the ones registry.py attached to it (resilience.py)."""
        self._caller = AgencyCaller(AGENCY, client)

    async def person(self, personal_code: str) -> RegisterPerson | None:
        code = normalise(personal_code)
        response = await self._ask(LOOKUP_PATH, code)
        if response is None:
            return None
        person = self._caller.parse(RegisterPerson, response)
        if person.personal_code != code:
            raise AgencyUnavailable(f"{AGENCY}: answered about another person than asked", AGENCY)
        return person

    async def represented_by(self, personal_code: str) -> list[Representation]:
        response = await self._ask(REPRESENTATIONS_PATH, normalise(personal_code))
        if response is None:
            return []
        return self._caller.parse(_Representations, response).represented

    async def _ask(self, path: str, code: str) -> httpx.Response | None:
        """The 200 answer, or None for the contract's "no such person"; anything else is AgencyUnavailable."""
        try:
            # A lookup changes nothing at the register, so it may be retried like a GET. Not cached: the
            # representation it answers ends on a date, and the portal must see that day's answer.
            response = await self._caller.send(
                "POST", path, json={"personal_code": code}, idempotent=True, accept=(httpx.codes.NOT_FOUND,)
            )
        except AgencyRefused as refused:
            # The codes were validated first, so a 4xx is the register's or our configuration's fault.
            raise AgencyUnavailable(f"{AGENCY}: answered {refused.status}", AGENCY) from None
        if response.status_code == httpx.codes.NOT_FOUND:
            if _is_person_not_found(response):
                return None
            raise AgencyUnavailable(f"{AGENCY}: answered {response.status_code}", AGENCY)
        return response


def _is_person_not_found(response: httpx.Response) -> bool:
    try:
        return _Problem.model_validate(response.json()).type == PERSON_NOT_FOUND
    except (ValueError, ValidationError):
        return False


class UnconfiguredPopulationRegister:
    """Dev or test without the sandbox and without PORTAL_PMLP_BASE_URL: the register cannot be asked."""

    async def person(self, personal_code: str) -> RegisterPerson | None:
        raise AgencyUnavailable(f"{AGENCY}: PORTAL_PMLP_BASE_URL is not set", AGENCY)

    async def represented_by(self, personal_code: str) -> list[Representation]:
        raise AgencyUnavailable(f"{AGENCY}: PORTAL_PMLP_BASE_URL is not set", AGENCY)
