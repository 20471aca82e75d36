"""e-adrese, the official electronic address: whether a person has one, delivering a message, its status.

The contract is contracts/eadrese.yaml; `HttpEAddress` is its client, and in dev and tests it talks to the
sandbox (sandbox/agencies/eadrese.py) over HTTP. Personal codes travel only in request bodies; a message is
followed by its id.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, Protocol, runtime_checkable

import httpx
from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.people.personal_code import normalise

AGENCY = "eadrese"
LOOKUP_PATH = "/v1/addresses/lookup"
MESSAGES_PATH = "/v1/messages"
MESSAGE_PATH = "/v1/messages/{id}"
NO_ACTIVE_ADDRESS = "no-active-e-address"
MESSAGE_NOT_FOUND = "message-not-found"
# Whether someone has an e-address changes when they open or close it, not within minutes: the notices a worker
# sends in one run may share one answer per person.
CACHE_SECONDS = 60.0


class NoActiveEAddress(AgencyRefused):
    """The recipient has no active e-address: send the notice through another channel."""


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class AddressStatus(_Answer):
    as_of: AwareDatetime
    active: bool


class Link(BaseModel):
    href: AnyHttpUrl  # into the portal; never with a personal code in it
    title: str = Field(min_length=1, max_length=200)


class Message(BaseModel):
    """A notice for e-adrese; the recipient's personal code goes in the body only."""

    recipient_code: str
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    links: tuple[Link, ...] = Field((), max_length=10)

    def request_body(self) -> dict[str, Any]:
        """The contract's shape, the code in its one spelling (ValueError when malformed)."""
        return {
            "recipient": {"personal_code": normalise(self.recipient_code)},
            "subject": self.subject,
            "body": self.body,
            "links": [link.model_dump(mode="json") for link in self.links],
        }


class Accepted(_Answer):
    id: str
    status: Literal["accepted"]
    as_of: AwareDatetime


class MessageStatus(_Answer):
    id: str
    status: Literal["accepted", "delivered", "read", "failed"]
    accepted_at: AwareDatetime
    delivered_at: AwareDatetime | None
    read_at: AwareDatetime | None
    failure: str | None  # for operators, in English
    as_of: AwareDatetime


class _Problem(BaseModel):
    type: str | None = None
    title: str | None = None
    detail: str | None = None


@runtime_checkable  # Litestar checks injected values against their annotation
class EAddress(Protocol):
    """Every method raises AgencyUnavailable when e-adrese gives no usable answer."""

    async def has_active_address(self, personal_code: str) -> AddressStatus:
        """Whether the person has an active e-address today (ValueError for a malformed code, before any call)."""
        ...

    async def send(self, message: Message, idempotency_key: str) -> Accepted:
        """Accepts the message for delivery once per key (the same key again returns the same acceptance).
        NoActiveEAddress when the recipient has none; AgencyRefused for another refusal."""
        ...

    async def message_status(self, message_id: str) -> MessageStatus | None:
        """How the delivery stands; None for an unknown (or malformed) id."""
        ...


class HttpEAddress:
    def __init__(self, client: httpx.AsyncClient) -> None:
        """`client` comes from registry.py, with e-adrese's retry policy, breaker and cache attached."""
        self._caller = AgencyCaller(AGENCY, client)

    async def has_active_address(self, personal_code: str) -> AddressStatus:
        code = normalise(personal_code)
        # A lookup changes nothing at e-adrese, so it may be retried like a GET.
        return await self._caller.call(
            "POST",
            LOOKUP_PATH,
            AddressStatus,
            json={"personal_code": code},
            idempotent=True,
            cache_seconds=CACHE_SECONDS,
            person=code,
        )

    async def send(self, message: Message, idempotency_key: str) -> Accepted:
        body, key, refused = message.request_body(), idempotency_key, httpx.codes.UNPROCESSABLE_ENTITY
        response = await self._caller.send("POST", MESSAGES_PATH, json=body, idempotency_key=key, accept=(refused,))
        if response.status_code == refused:
            problem = _problem(response)
            error = NoActiveEAddress if problem.type == NO_ACTIVE_ADDRESS else AgencyRefused
            reason = (problem.detail or problem.title or "")[:500]
            raise error(f"{AGENCY}: refused (422)", AGENCY, status=422, reason=reason)
        return self._caller.parse(Accepted, response)

    async def message_status(self, message_id: str) -> MessageStatus | None:
        try:
            # Message ids are UUIDs: anything else names no message, and must not reach the URL as it is.
            path = MESSAGE_PATH.format(id=uuid.UUID(message_id))
        except ValueError:
            return None
        response = await self._caller.send("GET", path, accept=(httpx.codes.NOT_FOUND,))
        if response.status_code == httpx.codes.NOT_FOUND:
            if _problem(response).type == MESSAGE_NOT_FOUND:
                return None
            raise AgencyUnavailable(f"{AGENCY}: answered 404", AGENCY)
        status = self._caller.parse(MessageStatus, response)
        if status.id != str(uuid.UUID(message_id)):
            raise AgencyUnavailable(f"{AGENCY}: answered about another message than asked", AGENCY)
        return status


def _problem(response: httpx.Response) -> _Problem:
    try:
        return _Problem.model_validate(response.json())
    except (ValueError, ValidationError):
        return _Problem()


class UnconfiguredEAddress:
    """Dev or test without the sandbox and without PORTAL_EADRESE_BASE_URL: e-adrese cannot be asked."""

    def _unavailable(self) -> AgencyUnavailable:
        return AgencyUnavailable(f"{AGENCY}: PORTAL_EADRESE_BASE_URL is not set", AGENCY)

    async def has_active_address(self, personal_code: str) -> AddressStatus:
        raise self._unavailable()

    async def send(self, message: Message, idempotency_key: str) -> Accepted:
        raise self._unavailable()

    async def message_status(self, message_id: str) -> MessageStatus | None:
        raise self._unavailable()
