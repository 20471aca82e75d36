"""Municipal social services (PASV): social care applications and their assessment of needs.

The contract is contracts/pasv.yaml; `HttpSocialServices` is its client, and in dev and tests it talks to the
sandbox (sandbox/agencies/pasv.py) over HTTP. Personal codes travel only in request bodies; an application is
followed by its reference.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal, Protocol, runtime_checkable

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.agencies.submissions import ApplicationBody, Filer, Person, Receipt, Scalar

AGENCY = "pasv"
APPLICATIONS_PATH = "/v1/social-care-applications"
APPLICATION_PATH = "/v1/social-care-applications/{reference}"
APPLICATION_NOT_FOUND = "application-not-found"
REFERENCE = re.compile(r"^PASV-[0-9]{4}-[0-9]{6}$")

CareService = Literal["aprupe-majas", "dienas-aprupes-centrs", "grupu-dzivoklis"]
CareStatus = Literal["received", "in_progress", "needs_info", "decided", "closed", "withdrawn"]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class SocialCareApplication(ApplicationBody):
    """What the portal sends; `reference` is the portal's (PASV-<year>-<6 digits>, below 900000)."""

    reference: str = Field(pattern=REFERENCE.pattern)
    municipality: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$", max_length=40)
    service: CareService
    applicant: Person
    filer: Filer
    answers: dict[str, Scalar | list[Scalar]]
    submitted_at: AwareDatetime


class StatusChange(_Answer):
    status: CareStatus
    at: AwareDatetime


class AssessmentVisit(_Answer):
    date: dt.date
    note: str | None = None


class InformationRequest(_Answer):
    """What the social service asks for (in Latvian, for the person) and by when."""

    text: str
    due: dt.date


class CareDecision(_Answer):
    outcome: Literal["granted", "refused"]
    decided_on: dt.date
    service_from: dt.date | None


class CareApplication(_Answer):
    reference: str
    municipality: str
    municipality_name: str
    service: CareService
    status: CareStatus
    received_at: AwareDatetime
    decision_due: dt.date
    history: tuple[StatusChange, ...]
    assessment_visit: AssessmentVisit | None
    information_request: InformationRequest | None
    decision: CareDecision | None
    as_of: AwareDatetime


class _Problem(BaseModel):
    type: str | None = None


@runtime_checkable  # Litestar checks injected values against their annotation
class SocialServices(Protocol):
    """Every method raises AgencyUnavailable when the social services give no usable answer."""

    async def submit(self, application: SocialCareApplication, idempotency_key: str) -> Receipt:
        """Registers the application once per key (the same key again returns the same receipt); AgencyRefused
        with the service's reason when it will not; ValueError for a malformed personal code, before any call."""
        ...

    async def application(self, reference: str) -> CareApplication | None:
        """The application's status, history, assessment visit, information request and decision; None when the
        service has no application with this reference (or it is not a PASV reference)."""
        ...


class HttpSocialServices:
    def __init__(self, client: httpx.AsyncClient) -> None:
        """`client` comes from registry.py, with the services' retry policy, breaker and cache attached."""
        self._caller = AgencyCaller(AGENCY, client)

    async def submit(self, application: SocialCareApplication, idempotency_key: str) -> Receipt:
        key, body = idempotency_key, application.body()
        receipt = await self._caller.call("POST", APPLICATIONS_PATH, Receipt, json=body, idempotency_key=key)
        if receipt.reference != application.reference:
            raise AgencyUnavailable(f"{AGENCY}: registered another reference than sent", AGENCY)
        return receipt

    async def application(self, reference: str) -> CareApplication | None:
        if not REFERENCE.match(reference):
            return None  # never reaches the URL as it is
        path = APPLICATION_PATH.format(reference=reference)
        # Not cached: a person looks right after a status changes, and the worker refreshes it anyway.
        response = await self._caller.send("GET", path, accept=(httpx.codes.NOT_FOUND,))
        if response.status_code == httpx.codes.NOT_FOUND:
            if _problem_type(response) == APPLICATION_NOT_FOUND:
                return None
            raise AgencyUnavailable(f"{AGENCY}: answered 404", AGENCY)
        found = self._caller.parse(CareApplication, response)
        if found.reference != reference:
            raise AgencyUnavailable(f"{AGENCY}: answered about another application than asked", AGENCY)
        return found


def _problem_type(response: httpx.Response) -> str | None:
    try:
        return _Problem.model_validate(response.json()).type
    except (ValueError, ValidationError):
        return None


class UnconfiguredSocialServices:
    """Dev or test without the sandbox and without PORTAL_PASV_BASE_URL: the social services cannot be asked."""

    async def submit(self, application: SocialCareApplication, idempotency_key: str) -> Receipt:
        raise AgencyUnavailable(f"{AGENCY}: PORTAL_PASV_BASE_URL is not set", AGENCY)

    async def application(self, reference: str) -> CareApplication | None:
        raise AgencyUnavailable(f"{AGENCY}: PORTAL_PASV_BASE_URL is not set", AGENCY)
