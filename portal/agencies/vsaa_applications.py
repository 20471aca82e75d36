"""VSAA applications: submit one, follow a person's applications, answer an information request, withdraw, and
fetch a sealed decision.

The contract is contracts/vsaa-applications.yaml; `HttpVsaaApplications` is its client, on the shared
`AgencyCaller` (timeouts, retries for idempotent calls, breaker, typed errors), and in dev and tests it talks to
the sandbox (sandbox/agencies/vsaa_applications.py) over HTTP. Personal codes travel only in request bodies;
references and document ids in URLs are not personal data.

Errors: AgencyRefused when VSAA refuses (422 with its reason for the person in `reason`; 404 for an application
or decision it does not know or that is not this person's; 409 when the reference is already registered under
another idempotency key), AgencyUnavailable for everything else. Changes carry an idempotency key, so the caller
may send them again after a timeout and VSAA acts once.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, field_validator

from portal.agencies.errors import AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.people.personal_code import normalise

AGENCY = "vsaa"
APPLICATIONS_PATH = "/v1/applications"
SEARCH_PATH = "/v1/applications/search"
REFERENCE = re.compile(r"^VSAA-[0-9]{4}-[0-9]{6}$")
DOCUMENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
PDF_MEDIA_TYPE = "application/pdf"

Basis = Literal["self", "parent", "guardian", "mandate", "assistant"]
Status = Literal["received", "in_progress", "needs_info", "decided", "closed", "withdrawn", "appealed"]
Outcome = Literal["granted", "partly_granted", "refused"]


class _Answer(BaseModel):
    # Fields VSAA adds later are ignored rather than refused: the contract allows additions.
    model_config = ConfigDict(frozen=True, extra="ignore")


class PersonRef(BaseModel):
    model_config = ConfigDict(frozen=True)

    personal_code: str

    @field_validator("personal_code")
    @classmethod
    def _one_spelling(cls, code: str) -> str:
        """The contract's spelling, hyphen included; a malformed code fails here, before any call."""
        return normalise(code)


class Filer(PersonRef):
    basis: Basis


class Submission(BaseModel):
    """An application as the portal accepted it; `reference` is the portal's own (`VSAA-<year>-<6 digits>`)."""

    model_config = ConfigDict(frozen=True)

    reference: str
    service: str
    applicant: PersonRef
    about_person: PersonRef | None
    filer: Filer
    answers: dict[str, Any]
    submitted_at: dt.datetime

    @field_validator("reference")
    @classmethod
    def _reference(cls, reference: str) -> str:
        return _checked(REFERENCE, reference, "reference")

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Receipt(_Answer):
    reference: str
    status: Literal["received"]
    received_at: dt.datetime
    decision_due: dt.date
    as_of: dt.datetime


class HistoryEntry(_Answer):
    status: Status
    at: dt.datetime
    note: str | None


class InformationRequest(_Answer):
    id: str
    text: str
    deadline: dt.date


class Decision(_Answer):
    outcome: Outcome
    decided_at: dt.datetime
    document_id: str


class Application(_Answer):
    reference: str
    service: str
    service_name: str | None = None
    status: Status
    received_at: dt.datetime
    decision_due: dt.date | None
    history: list[HistoryEntry]
    information_request: InformationRequest | None
    decision: Decision | None
    channel: Literal["portal", "office"]


class ApplicationAnswer(Application):
    """One application after the person acted on it."""

    as_of: dt.datetime


class ApplicationsAnswer(_Answer):
    as_of: dt.datetime
    applications: list[Application]


class AnswerFile(BaseModel):
    """A file the person attaches to an answer: PDF, JPEG or PNG, at most 5 MB (VSAA refuses others with 422)."""

    model_config = ConfigDict(frozen=True)

    name: str
    content_type: str
    content: bytes

    def body(self) -> dict[str, str]:
        encoded = base64.b64encode(self.content).decode("ascii")
        return {"name": self.name, "content_type": self.content_type, "content_base64": encoded}


@runtime_checkable  # Litestar checks injected values against their annotation
class VsaaApplications(Protocol):
    """Personal codes with or without the hyphen; a malformed one raises ValueError before any call."""

    async def submit(self, request: Submission, idempotency_key: str) -> Receipt:
        """Registers the application once, however often it is sent with the same key (and the same body)."""
        ...

    async def applications_of(self, personal_code: str) -> ApplicationsAnswer:
        """Every application the person is the applicant of, portal or office, newest first."""
        ...

    async def answer_information(
        self,
        personal_code: str,
        reference: str,
        request_id: str,
        text: str,
        files: Sequence[AnswerFile],
        idempotency_key: str,
    ) -> ApplicationAnswer:
        """Answers the open information request; the application goes back to in_progress."""
        ...

    async def withdraw(self, personal_code: str, reference: str, idempotency_key: str) -> ApplicationAnswer:
        """Withdraws an application not yet decided."""
        ...

    async def decision_pdf(self, document_id: str) -> bytes:
        """The sealed decision; the same bytes on every download."""
        ...


class HttpVsaaApplications:
    def __init__(self, caller: AgencyCaller) -> None:
        """`caller` is `AgencyCaller("vsaa", client)` on the client registry.py builds for VSAA."""
        self._caller = caller

    async def submit(self, request: Submission, idempotency_key: str) -> Receipt:
        receipt = await self._caller.call(
            "POST", APPLICATIONS_PATH, Receipt, json=request.body(), idempotency_key=idempotency_key
        )
        if receipt.reference != request.reference:
            raise AgencyUnavailable(f"{AGENCY}: registered under another reference than sent", AGENCY)
        return receipt

    async def applications_of(self, personal_code: str) -> ApplicationsAnswer:
        body = {"personal_code": normalise(personal_code)}
        # A search changes nothing, so it may be retried like a GET.
        return await self._caller.call("POST", SEARCH_PATH, ApplicationsAnswer, json=body, idempotent=True)

    async def answer_information(
        self,
        personal_code: str,
        reference: str,
        request_id: str,
        text: str,
        files: Sequence[AnswerFile],
        idempotency_key: str,
    ) -> ApplicationAnswer:
        body = {
            "personal_code": normalise(personal_code),
            "request_id": request_id,
            "text": text,
            "files": [file.body() for file in files],
        }
        path = f"{APPLICATIONS_PATH}/{_checked(REFERENCE, reference, 'reference')}/information"
        return await self._caller.call("POST", path, ApplicationAnswer, json=body, idempotency_key=idempotency_key)

    async def withdraw(self, personal_code: str, reference: str, idempotency_key: str) -> ApplicationAnswer:
        body = {"personal_code": normalise(personal_code)}
        path = f"{APPLICATIONS_PATH}/{_checked(REFERENCE, reference, 'reference')}/withdrawal"
        return await self._caller.call("POST", path, ApplicationAnswer, json=body, idempotency_key=idempotency_key)

    async def decision_pdf(self, document_id: str) -> bytes:
        path = f"/v1/decisions/{_checked(DOCUMENT_ID, document_id, 'document id')}"
        response = await self._caller.send("GET", path)
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != PDF_MEDIA_TYPE or not response.content.startswith(b"%PDF-"):
            raise AgencyUnavailable(f"{AGENCY}: a decision that is not a PDF", AGENCY)
        return response.content


class UnconfiguredVsaaApplications:
    """Dev or test without the sandbox and without PORTAL_VSAA_BASE_URL: VSAA cannot be asked."""

    def _unavailable(self) -> AgencyUnavailable:
        return AgencyUnavailable(f"{AGENCY}: PORTAL_VSAA_BASE_URL is not set", AGENCY)

    async def submit(self, request: Submission, idempotency_key: str) -> Receipt:
        raise self._unavailable()

    async def applications_of(self, personal_code: str) -> ApplicationsAnswer:
        raise self._unavailable()

    async def answer_information(
        self,
        personal_code: str,
        reference: str,
        request_id: str,
        text: str,
        files: Sequence[AnswerFile],
        idempotency_key: str,
    ) -> ApplicationAnswer:
        raise self._unavailable()

    async def withdraw(self, personal_code: str, reference: str, idempotency_key: str) -> ApplicationAnswer:
        raise self._unavailable()

    async def decision_pdf(self, document_id: str) -> bytes:
        raise self._unavailable()


def _checked(pattern: re.Pattern[str], value: str, what: str) -> str:
    """Values that go into a URL path must be of the contract's shape (nothing that could change the path)."""
    if not pattern.fullmatch(value):
        raise ValueError(f"not a VSAA {what}")
    return value
