"""VDEĀVK in the sandbox: disability terms, expertise applications on the business clock, sealed decisions.

It serves what portal/agencies/contracts/vdeavk.yaml says, under `/vdeavk`, and nothing more (a test compares
the two). Records come from data/vdeavk.yaml (Pēteris's 2025 application and its group II decision) plus what
the portal submits. A submitted application moves on the sandbox clock, counted from the day it was received:

    day 0        received
    day 1        in_progress
    day 14       decided (within VDEĀVK's one month): a renewal continues the current term's group for two
                 years from the day after it ends, without a gap; a first expertise sets group III for one year
                 from the day of receipt

A person's status is the granted decision whose term covers today. Decision PDFs are sealed on first download
and kept, so every download is the same bytes. The records and the decision documents live in
sandbox/agencies/vdeavk_records.py. Faults: sandbox/agencies/faults.py (agency code `vdeavk`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.people.personal_code import is_valid_personal_code, normalise
from sandbox.agencies import sealing
from sandbox.agencies.faults import bad_request, fault_hook, problem
from sandbox.agencies.idempotency import book, business_now, timestamp
from sandbox.agencies.population_register import register
from sandbox.agencies.vdeavk_records import (
    DECISION_DUE_MONTHS,
    Application,
    Decision,
    add_months,
    add_years,
    decision_json,
    document,
    records,
)

AGENCY, NAME, PREFIX = "vdeavk", "VDEĀVK", "/vdeavk"
IN_PROGRESS_AFTER = dt.timedelta(days=1)
DECIDED_AFTER = dt.timedelta(days=14)
RENEWAL_YEARS, FIRST_TERM_YEARS, FIRST_GROUP = 2, 1, "III"
ADULT_AGE = 18
AGENCY_NUMBERS_FROM = 900_000
STATUS_CHANGE_TIME = dt.time(7, 0, tzinfo=dt.UTC)  # 09:00 in Riga in winter: when IIS's night batch has run
DOCUMENTS = uuid.UUID("0d5a3f3e-5c1b-4d7e-9a53-7f2f0c6e2b11")  # namespace of the decisions' document ids
Domain = Literal[
    "mobility", "self_care", "communication", "learning", "domestic_life", "relationships", "work_or_school",
    "community_life",
]  # fmt: skip
Scalar = str | int | float | bool | None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonalCodeRequest(_Body):
    personal_code: str


class Filer(_Body):
    personal_code: str
    basis: Literal["self", "parent", "guardian", "mandate", "assistant"]
    organisation: str | None = Field(None, max_length=200)


class DomainAnswer(_Body):
    difficulty: int = Field(ge=0, le=4)
    helps: str = Field(max_length=2000)


class ExpertiseApplication(_Body):
    reference: str = Field(pattern=r"^VDEAVK-[0-9]{4}-[0-9]{6}$")
    applicant: PersonalCodeRequest
    filer: Filer
    kind: Literal["first", "renewal"]
    answers: dict[str, Scalar | list[Scalar]]
    self_assessment: dict[Domain, DomainAnswer] | None = Field(None, min_length=1)
    submitted_at: AwareDatetime


def _today(state: State) -> dt.date:
    today: dt.date = state.sandbox.today
    return today


def _malformed(*codes: str) -> Response[dict[str, Any]] | None:
    # The contract asks for one spelling, hyphen included.
    if all(is_valid_personal_code(code) and normalise(code) == code for code in codes):
        return None
    return problem(422, "The personal code is not well-formed")


def _refused(detail: str) -> Response[dict[str, Any]]:
    return problem(422, "The application was refused", detail=detail, problem_type="application-refused")


def _is_adult(personal_code: str, today: dt.date) -> bool:
    """From the register's birth date, else the old-format code's; a new-format code alone tells nothing."""
    person = register().persons.get(personal_code)
    born = person.birth_date if person else None
    if born is None and not personal_code.startswith("32"):
        century = {"0": 1800, "1": 1900, "2": 2000}[personal_code[7]]
        born = dt.date(century + int(personal_code[4:6]), int(personal_code[2:4]), int(personal_code[:2]))
    return born is not None and add_years(born, ADULT_AGE) <= today


def _refusal(data: ExpertiseApplication, current: Decision | None, today: dt.date) -> Response[dict[str, Any]] | None:
    if int(data.reference[-6:]) >= AGENCY_NUMBERS_FROM:
        return _refused("Iesniegumu numuri no 900000 ir VDEĀVK pašas numuri; portāls piešķir mazākus.")
    if data.filer.basis == "self" and data.filer.personal_code != data.applicant.personal_code:
        return _refused("Ja iesniegumu iesniedz cita persona, jānorāda, uz kāda pamata tā to dara.")
    if data.kind == "renewal" and current is None:
        return _refused(
            "Personai nav spēkā esošas invaliditātes, ko atkārtoti izvērtēt; "
            "iesniedziet iesniegumu pirmreizējai ekspertīzei."
        )
    if not data.self_assessment and _is_adult(data.applicant.personal_code, today):
        return _refused("Personai no 18 gadu vecuma jāaizpilda funkcionālo spēju pašnovērtējuma anketa.")
    return None


def _decision(data: ExpertiseApplication, current: Decision | None, received: dt.date) -> Decision:
    limits = tuple(d for d, a in (data.self_assessment or {}).items() if a.difficulty >= 2)
    if data.kind == "renewal" and current is not None and current.valid_until is not None:
        valid_from = current.valid_until + dt.timedelta(days=1)
        group = current.group
        valid_until = add_years(valid_from, RENEWAL_YEARS) - dt.timedelta(days=1)
    else:
        valid_from, group = received, FIRST_GROUP
        valid_until = add_years(valid_from, FIRST_TERM_YEARS) - dt.timedelta(days=1)
    document_id = str(uuid.uuid5(DOCUMENTS, data.reference))
    return Decision(document_id, "granted", group, valid_from, valid_until, limits)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, STATUS_CHANGE_TIME)


@post("/v1/disability-status", status_code=200, sync_to_thread=False)
def disability_status(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if bad := _malformed(data.personal_code):
        return bad
    today = _today(state)
    term = records(state).current_term(data.personal_code, today)
    return Response({"as_of": timestamp(business_now(today)), "status": term.term() if term else None})


@post("/v1/expertise-applications", sync_to_thread=False)
def submit_expertise_application(
    request: Request[Any, Any, Any], state: State, data: JSONBody[ExpertiseApplication]
) -> Response[dict[str, Any]]:
    registrations = book(state, AGENCY)
    if earlier := registrations.earlier(request, data):
        return earlier
    if bad := _malformed(data.applicant.personal_code, data.filer.personal_code):
        return bad
    if data.reference in records(state).applications:
        title = "An application with this reference is already registered"
        return problem(409, title, problem_type="reference-taken")
    today = _today(state)
    current = records(state).current_term(data.applicant.personal_code, today)
    if refusal := _refusal(data, current, today):
        return refusal
    received_at = business_now(today)
    application = Application(
        reference=data.reference,
        personal_code=data.applicant.personal_code,
        kind=data.kind,
        channel="portal",
        received_at=received_at,
        in_progress_at=_at(today + IN_PROGRESS_AFTER),
        decided_at=_at(today + DECIDED_AFTER),
        answers=data.answers,
        self_assessment={d: a.model_dump() for d, a in data.self_assessment.items()} if data.self_assessment else None,
        decision=_decision(data, current, today),
    )
    records(state).applications[data.reference] = application
    receipt = {
        "reference": data.reference,
        "status": "received",
        "received_at": timestamp(received_at),
        "decision_due": add_months(today, DECISION_DUE_MONTHS).isoformat(),
        "as_of": timestamp(received_at),
    }
    registrations.register(request, data, data.reference, receipt)
    return Response(receipt, status_code=201)


@post("/v1/renewal-prefill", status_code=200, sync_to_thread=False)
def renewal_prefill(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if bad := _malformed(data.personal_code):
        return bad
    today = _today(state)
    term = records(state).current_term(data.personal_code, today)
    latest = next(iter(records(state).of(data.personal_code)), None)
    return Response(
        {
            "as_of": timestamp(business_now(today)),
            "previous_reference": latest.reference if latest else None,
            "current_status": term.term() if term else None,
            "answers": latest.answers if latest else {},
            "self_assessment": latest.self_assessment if latest else None,
        }
    )


@post("/v1/applications/search", status_code=200, sync_to_thread=False)
def search_applications(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if bad := _malformed(data.personal_code):
        return bad
    today = _today(state)
    applications = [a.as_json(today) for a in records(state).of(data.personal_code)]
    return Response({"as_of": timestamp(business_now(today)), "applications": applications})


@post("/v1/decisions/search", status_code=200, sync_to_thread=False)
def search_decisions(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if bad := _malformed(data.personal_code):
        return bad
    today = _today(state)
    decided = [decision_json(a) for a in records(state).of(data.personal_code) if a.decided(today)]
    return Response({"as_of": timestamp(business_now(today)), "decisions": decided})


@get("/v1/decisions/{document_id:str}")
async def decision_document(state: State, document_id: FromPath[str]) -> Response[Any]:
    today = _today(state)
    found = next((a for a in records(state).applications.values() if a.decision.document_id == document_id), None)
    if found is None or not found.decided(today):
        return problem(404, "No decision document with this id", problem_type="document-not-found")
    kept = records(state).sealed
    if document_id not in kept:
        sealed = await sealing.seal(document(found), reason="VDEĀVK lēmums")
        # Sealed once: a download racing this one keeps whichever seal was stored first.
        kept.setdefault(document_id, sealed)
    return Response(kept[document_id], media_type="application/pdf")


def vdeavk_router() -> Router:
    sealing.authority()  # the seal's certificates are made when the sandbox starts, not on the first download
    return Router(
        path=PREFIX,
        route_handlers=[
            disability_status,
            submit_expertise_application,
            renewal_prefill,
            search_applications,
            search_decisions,
            decision_document,
        ],
        before_request=fault_hook(AGENCY, NAME),
        exception_handlers={HTTP_400_BAD_REQUEST: bad_request},
    )
