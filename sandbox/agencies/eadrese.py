"""e-adrese in the sandbox: who has an active official electronic address, and delivery of messages to it.

It serves what portal/agencies/contracts/eadrese.yaml says, under `/eadrese`, and nothing more (a test compares
the two). Addresses come from data/eadrese.yaml. A message accepted on day A (the sandbox clock) is delivered
on the next working day after A (sandbox/agencies/vsaa_calendar.py), or fails when the recipient's e-address
is no longer active that day; it is read `reads_after` working days after delivery (never when null).
Faults: sandbox/agencies/faults.py (agency code `eadrese`).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import BaseModel, ConfigDict, Field

from portal.people.personal_code import is_valid_personal_code, normalise
from sandbox.agencies.faults import bad_request, fault_hook, problem
from sandbox.agencies.idempotency import book, business_now, timestamp
from sandbox.agencies.vsaa_calendar import add_working_days

AGENCY, NAME, PREFIX = "eadrese", "e-adrese", "/eadrese"
DATA_FILE = Path(__file__).resolve().parent / "data" / "eadrese.yaml"
STATE_KEY = "eadrese_messages"
DELIVERY_TIME = dt.time(7, 0, tzinfo=dt.UTC)  # 09:00 in Riga in winter: e-adrese's morning delivery run
READ_TIME = dt.time(8, 0, tzinfo=dt.UTC)  # an hour after delivery, on the day the person opens it
FAILURE = "The recipient's e-address was no longer active on the day of delivery."


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonalCodeRequest(_Body):
    personal_code: str


class Link(_Body):
    href: str = Field(pattern=r"^https?://", max_length=2000)
    title: str = Field(min_length=1, max_length=200)


class Message(_Body):
    recipient: PersonalCodeRequest
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=20000)
    links: list[Link] = Field(max_length=10)


@dataclass(frozen=True)
class Address:
    active_from: dt.date
    active_until: dt.date | None
    reads_after: int | None

    def active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)


@functools.cache
def addresses() -> dict[str, Address]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return {
        item["personal_code"]: Address(
            active_from=dt.date.fromisoformat(item["active_from"]),
            active_until=dt.date.fromisoformat(item["active_until"]) if item["active_until"] else None,
            reads_after=item["reads_after"],
        )
        for item in data["addresses"]
    }


def active(personal_code: str, day: dt.date) -> bool:
    address = addresses().get(personal_code)
    return address is not None and address.active_on(day)


@dataclass(frozen=True)
class Delivery:
    id: str
    recipient: str
    accepted_at: dt.datetime

    def as_json(self, today: dt.date) -> dict[str, Any]:
        delivery_day = add_working_days(self.accepted_at.date(), 1)
        answer: dict[str, Any] = {
            "id": self.id,
            "status": "accepted",
            "accepted_at": timestamp(self.accepted_at),
            "delivered_at": None,
            "read_at": None,
            "failure": None,
        }
        if today < delivery_day:
            return answer
        if not active(self.recipient, delivery_day):
            return {**answer, "status": "failed", "failure": FAILURE}
        answer.update(status="delivered", delivered_at=timestamp(dt.datetime.combine(delivery_day, DELIVERY_TIME)))
        reads_after = addresses()[self.recipient].reads_after
        if reads_after is not None and (read_day := add_working_days(delivery_day, reads_after)) <= today:
            answer.update(status="read", read_at=timestamp(dt.datetime.combine(read_day, READ_TIME)))
        return answer


def deliveries(state: State) -> dict[str, Delivery]:
    found: dict[str, Delivery] = state.setdefault(STATE_KEY, {})
    return found


def _today(state: State) -> dt.date:
    today: dt.date = state.sandbox.today
    return today


def _malformed(code: str) -> Response[dict[str, Any]] | None:
    # The contract asks for one spelling, hyphen included.
    if is_valid_personal_code(code) and normalise(code) == code:
        return None
    return problem(422, "The personal code is not well-formed")


@post("/v1/addresses/lookup", status_code=200, sync_to_thread=False)
def lookup_address(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if bad := _malformed(data.personal_code):
        return bad
    today = _today(state)
    return Response({"as_of": timestamp(business_now(today)), "active": active(data.personal_code, today)})


@post("/v1/messages", sync_to_thread=False)
def send_message(request: Request[Any, Any, Any], state: State, data: JSONBody[Message]) -> Response[dict[str, Any]]:
    registrations = book(state, AGENCY)
    if earlier := registrations.earlier(request, data):
        return earlier
    if bad := _malformed(data.recipient.personal_code):
        return bad
    today = _today(state)
    if not active(data.recipient.personal_code, today):
        return problem(
            422,
            "The recipient has no active e-address",
            detail="Personai nav aktīvas oficiālās elektroniskās adreses.",
            problem_type="no-active-e-address",
        )
    accepted_at = business_now(today)
    delivery = Delivery(str(uuid.uuid4()), data.recipient.personal_code, accepted_at)
    deliveries(state)[delivery.id] = delivery
    accepted = {"id": delivery.id, "status": "accepted", "as_of": timestamp(accepted_at)}
    registrations.register(request, data, delivery.id, accepted)
    return Response(accepted, status_code=202)


@get("/v1/messages/{id:str}", sync_to_thread=False)
def message_status(state: State, id: FromPath[str]) -> Response[dict[str, Any]]:
    found = deliveries(state).get(id)
    if found is None:
        return problem(404, "No message with this id", problem_type="message-not-found")
    today = _today(state)
    return Response({**found.as_json(today), "as_of": timestamp(business_now(today))})


def eadrese_router() -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[lookup_address, send_message, message_status],
        before_request=fault_hook(AGENCY, NAME),
        exception_handlers={HTTP_400_BAD_REQUEST: bad_request},
    )
