"""VDEĀVK, the disability assessment commission: disability terms, expertise applications and decisions.

The contract is contracts/vdeavk.yaml; `HttpVdeavk` is its client, and in dev and tests it talks to the sandbox
(sandbox/agencies/vdeavk.py) over HTTP. Personal codes travel only in request bodies, never in URLs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.agencies.submissions import ApplicationBody, Filer, Person, Receipt, Scalar
from portal.people.personal_code import normalise

AGENCY = "vdeavk"
STATUS_PATH = "/v1/disability-status"
APPLICATIONS_PATH = "/v1/expertise-applications"
PREFILL_PATH = "/v1/renewal-prefill"
SEARCH_APPLICATIONS_PATH = "/v1/applications/search"
SEARCH_DECISIONS_PATH = "/v1/decisions/search"
DECISION_PATH = "/v1/decisions/{document_id}"
DOCUMENT_NOT_FOUND = "document-not-found"
# A term changes on a date, not within minutes: a page and its fragments may share one answer for a while.
# Application statuses and decisions are not cached, since a person checks them right after a change.
CACHE_SECONDS = 30.0

Group = Literal["I", "II", "III"]
Domain = Literal[
    "mobility", "self_care", "communication", "learning", "domestic_life", "relationships", "work_or_school",
    "community_life",
]  # fmt: skip
ApplicationStatus = Literal["received", "in_progress", "needs_info", "decided", "withdrawn"]
_Model = TypeVar("_Model", bound=BaseModel)


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class DisabilityTerm(_Answer):
    group: Group | None  # None for a child: children's disability has no groups
    since: dt.date
    valid_until: dt.date | None  # None: for life
    functioning_limits: tuple[Domain, ...] = ()


class DisabilityStatus(_Answer):
    as_of: AwareDatetime
    status: DisabilityTerm | None


class DomainAssessment(BaseModel):
    """One area of the self-assessment questionnaire: 0 no difficulty … 4 cannot do, and what helps."""

    difficulty: int = Field(ge=0, le=4)
    helps: str = Field("", max_length=2000)


class ExpertiseApplication(ApplicationBody):
    """What the portal sends; `reference` is the portal's (VDEAVK-<year>-<6 digits>, below 900000)."""

    reference: str = Field(pattern=r"^VDEAVK-[0-9]{4}-[0-9]{6}$")
    applicant: Person
    filer: Filer
    kind: Literal["first", "renewal"]
    answers: dict[str, Scalar | list[Scalar]]
    self_assessment: dict[Domain, DomainAssessment] | None = None
    submitted_at: AwareDatetime


class RenewalPrefill(_Answer):
    as_of: AwareDatetime
    previous_reference: str | None
    current_status: DisabilityTerm | None
    answers: dict[str, Any]
    self_assessment: dict[Domain, DomainAssessment] | None


class StatusChange(_Answer):
    status: ApplicationStatus
    at: AwareDatetime


class Application(_Answer):
    reference: str
    kind: Literal["first", "renewal"]
    channel: Literal["portal", "office", "post"]
    status: ApplicationStatus
    received_at: AwareDatetime
    decision_due: dt.date
    history: tuple[StatusChange, ...]
    decision_document_id: str | None


class Applications(_Answer):
    as_of: AwareDatetime
    applications: tuple[Application, ...]


class Decision(_Answer):
    document_id: str
    reference: str
    title: str
    decided_on: dt.date
    outcome: Literal["granted", "refused"]
    group: Group | None
    valid_from: dt.date | None
    valid_until: dt.date | None


class Decisions(_Answer):
    as_of: AwareDatetime
    decisions: tuple[Decision, ...]


class _Problem(BaseModel):
    type: str | None = None


@runtime_checkable  # Litestar checks injected values against their annotation
class Vdeavk(Protocol):
    """Methods that take a personal code accept it with or without the hyphen and raise ValueError for a
    malformed one before any call. Every method raises AgencyUnavailable when VDEĀVK gives no usable answer;
    `submit` also raises AgencyRefused (with VDEĀVK's reason) when VDEĀVK will not register the application.
    """

    async def disability_status(self, personal_code: str) -> DisabilityStatus:
        """The disability term valid today, or `status=None`."""
        ...

    async def submit(self, application: ExpertiseApplication, idempotency_key: str) -> Receipt:
        """Registers the application once per key: sending it again with the same key returns the same receipt."""
        ...

    async def renewal_prefill(self, personal_code: str) -> RenewalPrefill:
        """The current term and the latest application's answers, to prefill a renewal."""
        ...

    async def applications(self, personal_code: str) -> Applications:
        """The person's applications, newest first, however they were filed."""
        ...

    async def decisions(self, personal_code: str) -> Decisions:
        """The person's decisions, newest first."""
        ...

    async def decision_document(self, document_id: str) -> bytes | None:
        """The decision's sealed PDF as VDEĀVK issued it (the same bytes every time), or None for an unknown id."""
        ...


class HttpVdeavk:
    def __init__(self, client: httpx.AsyncClient) -> None:
        """`client` comes from registry.py, with VDEĀVK's retry policy, breaker and cache attached."""
        self._caller = AgencyCaller(AGENCY, client)

    async def disability_status(self, personal_code: str) -> DisabilityStatus:
        code = normalise(personal_code)
        return await self._ask(STATUS_PATH, code, DisabilityStatus, cache_seconds=CACHE_SECONDS)

    async def submit(self, application: ExpertiseApplication, idempotency_key: str) -> Receipt:
        body = application.body()
        receipt = await self._caller.call(
            "POST", APPLICATIONS_PATH, Receipt, json=body, idempotency_key=idempotency_key
        )
        if receipt.reference != application.reference:
            raise AgencyUnavailable(f"{AGENCY}: registered another reference than sent", AGENCY)
        return receipt

    async def renewal_prefill(self, personal_code: str) -> RenewalPrefill:
        code = normalise(personal_code)
        return await self._ask(PREFILL_PATH, code, RenewalPrefill, cache_seconds=CACHE_SECONDS)

    async def applications(self, personal_code: str) -> Applications:
        return await self._ask(SEARCH_APPLICATIONS_PATH, normalise(personal_code), Applications)

    async def decisions(self, personal_code: str) -> Decisions:
        return await self._ask(SEARCH_DECISIONS_PATH, normalise(personal_code), Decisions)

    async def decision_document(self, document_id: str) -> bytes | None:
        try:
            # Document ids are UUIDs: anything else names no document, and must not reach the URL as it is.
            path = DECISION_PATH.format(document_id=uuid.UUID(document_id))
        except ValueError:
            return None
        response = await self._caller.send("GET", path, accept=(httpx.codes.NOT_FOUND,))
        if response.status_code == httpx.codes.NOT_FOUND:
            if _problem_type(response) == DOCUMENT_NOT_FOUND:
                return None
            raise AgencyUnavailable(f"{AGENCY}: answered 404", AGENCY)
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        if media_type != "application/pdf":
            raise AgencyUnavailable(f"{AGENCY}: answered {media_type or 'no content type'}, not a PDF", AGENCY)
        return response.content

    async def _ask(self, path: str, code: str, model: type[_Model], cache_seconds: float | None = None) -> _Model:
        # A search changes nothing at VDEĀVK, so it may be retried like a GET.
        return await self._caller.call(
            "POST",
            path,
            model,
            json={"personal_code": code},
            idempotent=True,
            cache_seconds=cache_seconds,
            person=code if cache_seconds else None,
        )


def _problem_type(response: httpx.Response) -> str | None:
    try:
        return _Problem.model_validate(response.json()).type
    except ValueError:
        return None


class UnconfiguredVdeavk:
    """Dev or test without the sandbox and without PORTAL_VDEAVK_BASE_URL: VDEĀVK cannot be asked."""

    def _unavailable(self) -> AgencyUnavailable:
        return AgencyUnavailable(f"{AGENCY}: PORTAL_VDEAVK_BASE_URL is not set", AGENCY)

    async def disability_status(self, personal_code: str) -> DisabilityStatus:
        raise self._unavailable()

    async def submit(self, application: ExpertiseApplication, idempotency_key: str) -> Receipt:
        raise self._unavailable()

    async def renewal_prefill(self, personal_code: str) -> RenewalPrefill:
        raise self._unavailable()

    async def applications(self, personal_code: str) -> Applications:
        raise self._unavailable()

    async def decisions(self, personal_code: str) -> Decisions:
        raise self._unavailable()

    async def decision_document(self, document_id: str) -> bytes | None:
        raise self._unavailable()
