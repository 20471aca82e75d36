"""Municipal social services (PASV) in the sandbox: social care applications and their assessment of needs.

It serves what portal/agencies/contracts/pasv.yaml says, under `/pasv`, and nothing more (a test compares the
two). Municipalities and what they provide come from data/pasv.yaml. A registered application moves on the
sandbox clock, counted from the day D it was received (working days from sandbox/agencies/vsaa_calendar.py):

    D                          received
    the next working day       in_progress: a social worker is assigned and the assessment visit is set for
                               D + 7 (or the next working day)
    the working day after it   needs_info: the service asks for a doctor's statement, due in 14 days
    5 working days later       in_progress: the statement has arrived
    D + 28 (or the next        decided: granted, the service starting 10 working days later
    working day)

`closed` and `withdrawn` are in the contract for the real services; the sandbox never reaches them.
Faults: sandbox/agencies/faults.py (agency code `pasv`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.people.personal_code import is_valid_personal_code, normalise
from sandbox.agencies.faults import bad_request, fault_hook, problem
from sandbox.agencies.idempotency import book, business_now, timestamp
from sandbox.agencies.vsaa_calendar import add_working_days, is_working_day

AGENCY, NAME, PREFIX = "pasv", "PASV", "/pasv"
DATA_FILE = Path(__file__).resolve().parent / "data" / "pasv.yaml"
STATE_KEY = "pasv_records"
VISIT_AFTER_DAYS = 7
RESUMED_AFTER_WORKING_DAYS = 5
INFORMATION_DUE_DAYS = 14
DECIDED_AFTER_DAYS = 28
SERVICE_FROM_WORKING_DAYS = 10
DECISION_DUE_DAYS = 30  # "within one month"; the contract's receipt gives the day
AGENCY_NUMBERS_FROM = 900_000
STATUS_CHANGE_TIME = dt.time(7, 0, tzinfo=dt.UTC)  # 09:00 in Riga in winter: the start of a social worker's day

Service = Literal["aprupe-majas", "dienas-aprupes-centrs", "grupu-dzivoklis"]
Scalar = str | int | float | bool | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(_Body):
    personal_code: str


class Filer(_Body):
    personal_code: str
    basis: Literal["self", "parent", "guardian", "mandate", "assistant"]
    organisation: str | None = Field(None, max_length=200)


class SocialCareApplication(_Body):
    reference: str = Field(pattern=r"^PASV-[0-9]{4}-[0-9]{6}$")
    municipality: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$", max_length=40)
    service: Service
    applicant: Person
    filer: Filer
    answers: dict[str, Scalar | list[Scalar]]
    submitted_at: AwareDatetime


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    services: frozenset[str]


@dataclass(frozen=True)
class Directory:
    municipalities: dict[str, Municipality]
    information_requests: dict[str, str]
    visit_note: str


@functools.cache
def directory() -> Directory:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    municipalities = {
        code: Municipality(code, item["name"], frozenset(item["services"]))
        for code, item in data["municipalities"].items()
    }
    return Directory(municipalities, data["information_requests"], data["visit_note"])


def _working_day_from(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class CareApplication:
    reference: str
    municipality: Municipality
    service: str
    personal_code: str
    received_at: dt.datetime

    @property
    def received_on(self) -> dt.date:
        return self.received_at.date()

    @functools.cached_property
    def visit_on(self) -> dt.date:
        return _working_day_from(self.received_on + dt.timedelta(days=VISIT_AFTER_DAYS))

    @functools.cached_property
    def steps(self) -> tuple[tuple[str, dt.date], ...]:
        """Every status after `received`, with the day it comes."""
        asked = add_working_days(self.visit_on, 1)
        decided = _working_day_from(self.received_on + dt.timedelta(days=DECIDED_AFTER_DAYS))
        return (
            ("in_progress", add_working_days(self.received_on, 1)),
            ("needs_info", asked),
            ("in_progress", add_working_days(asked, RESUMED_AFTER_WORKING_DAYS)),
            ("decided", decided),
        )

    def as_json(self, today: dt.date) -> dict[str, Any]:
        reached = [(status, day) for status, day in self.steps if day <= today]
        history = [{"status": "received", "at": timestamp(self.received_at)}]
        history += [
            {"status": status, "at": timestamp(dt.datetime.combine(day, STATUS_CHANGE_TIME))} for status, day in reached
        ]
        status = history[-1]["status"]
        decided_on = self.steps[-1][1]
        asked_on = self.steps[1][1]
        return {
            "reference": self.reference,
            "municipality": self.municipality.code,
            "municipality_name": self.municipality.name,
            "service": self.service,
            "status": status,
            "received_at": timestamp(self.received_at),
            "decision_due": (self.received_on + dt.timedelta(days=DECISION_DUE_DAYS)).isoformat(),
            "history": history,
            "assessment_visit": {"date": self.visit_on.isoformat(), "note": directory().visit_note}
            if reached
            else None,
            "information_request": {
                "text": directory().information_requests[self.service],
                "due": (asked_on + dt.timedelta(days=INFORMATION_DUE_DAYS)).isoformat(),
            }
            if status == "needs_info"
            else None,
            "decision": {
                "outcome": "granted",
                "decided_on": decided_on.isoformat(),
                "service_from": add_working_days(decided_on, SERVICE_FROM_WORKING_DAYS).isoformat(),
            }
            if status == "decided"
            else None,
        }


def records(state: State) -> dict[str, CareApplication]:
    found: dict[str, CareApplication] = state.setdefault(STATE_KEY, {})
    return found


def _today(state: State) -> dt.date:
    today: dt.date = state.sandbox.today
    return today


def _refused(detail: str) -> Response[dict[str, Any]]:
    return problem(422, "The application was refused", detail=detail, problem_type="application-refused")


def _refusal(data: SocialCareApplication) -> Response[dict[str, Any]] | None:
    if int(data.reference[-6:]) >= AGENCY_NUMBERS_FROM:
        return _refused("Iesniegumu numuri no 900000 ir sociālo dienestu pašu numuri; portāls piešķir mazākus.")
    if data.filer.basis == "self" and data.filer.personal_code != data.applicant.personal_code:
        return _refused("Ja iesniegumu iesniedz cita persona, jānorāda, uz kāda pamata tā to dara.")
    municipality = directory().municipalities.get(data.municipality)
    if municipality is None:
        return _refused(
            "Šī pašvaldība portālā iesniegumus sociālajai aprūpei nepieņem; sazinieties ar tās sociālo dienestu."
        )
    if data.service not in municipality.services:
        return _refused(
            f"{municipality.name} šo pakalpojumu nesniedz; jautājiet sociālajam dienestam, ko tas var piedāvāt."
        )
    return None


@post("/v1/social-care-applications", sync_to_thread=False)
def submit_social_care_application(
    request: Request[Any, Any, Any], state: State, data: JSONBody[SocialCareApplication]
) -> Response[dict[str, Any]]:
    registrations = book(state, AGENCY)
    if earlier := registrations.earlier(request, data):
        return earlier
    codes = (data.applicant.personal_code, data.filer.personal_code)
    # The contract asks for one spelling, hyphen included.
    if not all(is_valid_personal_code(code) and normalise(code) == code for code in codes):
        return problem(422, "The personal code is not well-formed")
    if data.reference in records(state):
        return problem(409, "An application with this reference is already registered", problem_type="reference-taken")
    if refusal := _refusal(data):
        return refusal
    today = _today(state)
    received_at = business_now(today)
    records(state)[data.reference] = CareApplication(
        reference=data.reference,
        municipality=directory().municipalities[data.municipality],
        service=data.service,
        personal_code=data.applicant.personal_code,
        received_at=received_at,
    )
    receipt = {
        "reference": data.reference,
        "status": "received",
        "received_at": timestamp(received_at),
        "decision_due": (today + dt.timedelta(days=DECISION_DUE_DAYS)).isoformat(),
        "as_of": timestamp(received_at),
    }
    registrations.register(request, data, data.reference, receipt)
    return Response(receipt, status_code=201)


@get("/v1/social-care-applications/{reference:str}", sync_to_thread=False)
def get_social_care_application(state: State, reference: FromPath[str]) -> Response[dict[str, Any]]:
    found = records(state).get(reference)
    if found is None:
        return problem(404, "No application with this reference", problem_type="application-not-found")
    today = _today(state)
    return Response({**found.as_json(today), "as_of": timestamp(business_now(today))})


def pasv_router() -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[submit_social_care_application, get_social_care_application],
        before_request=fault_hook(AGENCY, NAME),
        exception_handlers={HTTP_400_BAD_REQUEST: bad_request},
    )
