"""VSAA person data in the sandbox: portal/agencies/contracts/vsaa-person-data.yaml, served under `/vsaa`.

The data is data/vsaa_persons.yaml; vsaa_data_build.py and vsaa_data_statements.py compute from it, for the
business clock's day, everything that follows from other figures. Anyone VSAA holds nothing about (Laura, the
children, any well-formed code not in the file) gets the same answers as a person with no history: nothing
available, nothing granted, nothing known.

`as_of` is the day's extract: the business clock's day at 06:00 Riga time (EXTRACT_TIME), so that tests can
reason about it. Entitlements are listed from their `since` day until their `apply_by` day, and no longer once
the person has an application for the service (about the same person) registered with the sandbox's VSAA
applications (vsaa_applications.py) and not withdrawn.

Reports of wrong data go through the sandbox's idempotency book (idempotency.py) under the name
`vsaa-data-corrections`; tests read them at `GET /_control/vsaa-data-corrections/registrations` (outside the
contract), and what each report said (code, about, text) at `GET /_control/vsaa-data-corrections/reports`.
Faults (`PUT /_control/faults/vsaa`) answer before any route, as faults.py says.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, Router, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import BaseModel, ConfigDict

from portal.people.personal_code import is_valid_personal_code, normalise
from sandbox.agencies import vsaa_data_build as build
from sandbox.agencies import vsaa_data_statements as statements
from sandbox.agencies.faults import bad_request, fault_hook, problem
from sandbox.agencies.idempotency import book, timestamp
from sandbox.agencies.population_register import register
from sandbox.agencies.vsaa_applications import applications_store
from sandbox.agencies.vsaa_calendar import business_now

AGENCY = "vsaa"
PREFIX = "/vsaa"
CORRECTIONS_BOOK = "vsaa-data-corrections"
REPORTS_KEY = "vsaa_data_correction_reports"
RIGA = ZoneInfo("Europe/Riga")
EXTRACT_TIME = dt.time(6, 0)
YEARS = range(1990, 2101)
CORRECTION_TOPICS = (*statements.KINDS, "benefits", "payments", "entitlements", "other")
MAX_CORRECTION_TEXT = 2000


# The models hold the shape only: a value that breaks the contract's rules (a pattern, a range) is VSAA's own
# refusal, 422, which the handlers give (the contract check in validation.py lets such requests through).
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonalCodeRequest(_Strict):
    personal_code: str


class StatementRequest(_Strict):
    personal_code: str
    year: int | None = None


class PrefillRequest(_Strict):
    personal_code: str
    service: str


class CorrectionRequest(_Strict):
    personal_code: str
    about: str
    text: str


def _today(state: State) -> dt.date:
    today: dt.date = state.sandbox.today
    return today


def as_of(today: dt.date) -> str:
    return dt.datetime.combine(today, EXTRACT_TIME, tzinfo=RIGA).isoformat()


def _malformed(code: str) -> Response[dict[str, Any]] | None:
    # The contract asks for one spelling, hyphen included.
    if is_valid_personal_code(code) and normalise(code) == code:
        return None
    return problem(422, "The personal code is not well-formed")


@post("/v1/statements/summary", status_code=200, sync_to_thread=False)
def statement_summary(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if refused := _malformed(data.personal_code):
        return refused
    today = _today(state)
    return Response({"as_of": as_of(today), "statements": statements.summary(data.personal_code, today)})


@post("/v1/statements/{kind:str}", status_code=200, sync_to_thread=False)
def statement(state: State, kind: FromPath[str], data: JSONBody[StatementRequest]) -> Response[dict[str, Any]]:
    if kind not in statements.KINDS:
        return problem(404, "No statement kind of this code", problem_type="unknown-statement-kind")
    if refused := _malformed(data.personal_code):
        return refused
    if data.year is not None and data.year not in YEARS:
        return problem(422, "The year is outside the documented range")
    today = _today(state)
    return Response({"as_of": as_of(today), **statements.statement(data.personal_code, kind, today, data.year)})


@post("/v1/benefits", status_code=200, sync_to_thread=False)
def benefits(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if refused := _malformed(data.personal_code):
        return refused
    today = _today(state)
    record = build.person(data.personal_code)
    paid = build.payments(record, today)
    account = statements.masked((record.get("account") or {}).get("iban"))
    granted = []
    for benefit in build.benefits_in_view(record, today):
        upcoming = build.next_payment(benefit, today)
        last_day = min(today, build.day(benefit.get("until")) or today)
        granted.append(
            {
                "code": benefit["code"],
                "service": benefit.get("service"),
                "status": build.benefit_status(benefit, today),
                "since": benefit["since"],
                "until": benefit.get("until"),
                "frequency": benefit["frequency"],
                "amount": build.money(build.amount_on(benefit, last_day) or build.ZERO),
                "account": account,
                "payments": [payment_json(p) for p in paid if p.benefit == benefit["code"]],
                "next_payment": None
                if upcoming is None
                else {"date": upcoming[0].isoformat(), "amount": build.money(upcoming[1])},
            }
        )
    return Response({"as_of": as_of(today), "benefits": granted})


def payment_json(payment: build.Payment) -> dict[str, Any]:
    return {
        "date": payment.date.isoformat(),
        "period_from": payment.period_from.isoformat(),
        "period_to": payment.period_to.isoformat(),
        "gross": build.money(payment.gross),
        "tax": build.money(payment.tax),
        "deductions": build.money(payment.deductions),
        "net": build.money(payment.net),
    }


@post("/v1/entitlements", status_code=200, sync_to_thread=False)
def entitlements(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    if refused := _malformed(data.personal_code):
        return refused
    today = _today(state)
    claimed = _claimed(state, data.personal_code, today)
    listed = []
    for entitlement in build.person(data.personal_code).get("entitlements", []):
        since, apply_by = build.day(entitlement["since"]), build.day(entitlement["apply_by"])
        if not since or since > today or (apply_by and today > apply_by):
            continue
        if (entitlement["service"], entitlement["about"]) in claimed:
            continue
        listed.append(
            {
                "code": entitlement["code"],
                "service": entitlement["service"],
                "since": entitlement["since"],
                "right_from": entitlement["right_from"],
                "apply_by": entitlement["apply_by"],
                "about_person": _about(entitlement["about"]),
                "explanation": entitlement["explanation"],
            }
        )
    return Response({"as_of": as_of(today), "entitlements": listed})


def _claimed(state: State, personal_code: str, today: dt.date) -> set[tuple[str, str | None]]:
    """(service, about-person) of the person's applications registered with VSAA and not withdrawn."""
    return {
        (application.service.slug, application.about_person)
        for application in applications_store(state).applications.values()
        if application.applicant == personal_code and application.status(today) != "withdrawn"
    }


def _about(personal_code: str | None) -> dict[str, str] | None:
    if personal_code is None:
        return None
    person = register().persons[personal_code]
    return {"personal_code": person.personal_code, "given_name": person.given_name, "family_name": person.family_name}


@post("/v1/prefill", status_code=200, sync_to_thread=False)
def prefill(state: State, data: JSONBody[PrefillRequest]) -> Response[dict[str, Any]]:
    if refused := _malformed(data.personal_code):
        return refused
    if data.service not in build.data()["services"]:
        return problem(422, "Unknown service", detail="VSAA nesniedz šādu pakalpojumu.", problem_type="unknown-service")
    record = build.person(data.personal_code)
    answers = dict(record.get("prefill", {}).get(data.service, {}))
    if answers.get("insurance_record") == "auto":
        total = build.insurance_record(record)["total"]
        answers["insurance_record"] = {"years": total["years"], "months": total["months"]}
    return Response({"as_of": as_of(_today(state)), "service": data.service, "answers": answers})


@post("/v1/data-corrections", status_code=202, sync_to_thread=False)
def report_wrong_data(
    request: Request[Any, Any, Any], state: State, data: JSONBody[CorrectionRequest]
) -> Response[dict[str, Any]]:
    corrections = book(state, CORRECTIONS_BOOK)
    if earlier := corrections.earlier(request, data):
        return earlier
    if refused := _malformed(data.personal_code):
        return refused
    if data.about not in CORRECTION_TOPICS:
        return problem(422, "Not something a report of wrong data can be about")
    if not 1 <= len(data.text) <= MAX_CORRECTION_TEXT:
        return problem(
            422,
            "The report's text is empty or too long",
            detail=f"Aprakstiet, kas ir nepareizi, ne vairāk kā {MAX_CORRECTION_TEXT} rakstzīmēs.",
        )
    now = business_now(_today(state))
    report_id = f"VSAA-DL-{now.year}-{len(corrections.by_key) + 1:06d}"
    receipt = {"id": report_id, "status": "received", "received_at": timestamp(now), "as_of": timestamp(now)}
    corrections.register(request, data, report_id, receipt)
    _reports(state).append({"id": report_id, **data.model_dump()})
    return Response(receipt, status_code=202)


def _reports(state: State) -> list[dict[str, str]]:
    reports: list[dict[str, str]] = state.setdefault(REPORTS_KEY, [])
    return reports


@get("/_control/vsaa-data-corrections/reports", sync_to_thread=False, include_in_schema=False)
def read_reports(state: State) -> dict[str, Any]:
    """What VSAA was told in each report registered, oldest first (a control endpoint, outside the contract)."""
    return {"reports": list(_reports(state))}


def vsaa_data_router() -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[statement_summary, statement, benefits, entitlements, prefill, report_wrong_data],
        before_request=fault_hook(AGENCY, "VSAA"),
        exception_handlers={HTTP_400_BAD_REQUEST: bad_request},
    )
