"""VSAA applications in the sandbox: portal/agencies/contracts/vsaa-applications.yaml, served under `/vsaa`.

The routes are thin: vsaa_application_store.py keeps the applications of one sandbox app (in its State, for the
life of the app) and moves them on the business clock; its docstring gives the timeline, which services stop in
needs_info, and the seeded applications filed at offices (Edgars's VSAA-2026-903118 among them).

Decisions are one-page PDFs sealed with the sandbox's e-seal (sealing.py) the first time they are fetched, and
kept: every later download is the same bytes.

Faults (`PUT /_control/faults/vsaa`) answer before any route, as faults.py says.

Every change (submission, answer, withdrawal) goes through the sandbox's idempotency book (idempotency.py): a
repeat under the same key and body gets the first answer and changes nothing. Tests read what VSAA registered at
`GET /_control/vsaa/registrations` (outside the contract): each key with the reference it acted on, the id
`<reference>` for a submission, `<reference>/information` and `<reference>/withdrawal` for the others.
`PUT /_control/vsaa-applications/<reference>/reseed` puts an application filed elsewhere back as the data file
has it (a test that answered or withdrew it leaves it as DOMAIN.md says for the rest of the session).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from litestar import Request, Response, Router, get, post, put
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_400_BAD_REQUEST
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from sandbox.agencies import sealing
from sandbox.agencies.faults import bad_request, fault_hook, problem
from sandbox.agencies.idempotency import book
from sandbox.agencies.population_register import register
from sandbox.agencies.vsaa_application_store import Application, ApplicationStore, NotFound, Refusal
from sandbox.agencies.vsaa_calendar import business_now

AGENCY = "vsaa"
PREFIX = "/vsaa"
STATE_KEY = "vsaa_applications"
REFERENCE = re.compile(r"^VSAA-[0-9]{4}-[0-9]{6}$")
OUTCOME_TEXT = {
    "granted": "VSAA nolēma pakalpojumu piešķirt.",
    "partly_granted": "VSAA nolēma pakalpojumu piešķirt daļēji.",
    "refused": "VSAA nolēma pakalpojumu atteikt, jo iesniedzējs neatbilst tā piešķiršanas nosacījumiem.",
}

PersonalCode = Annotated[str, Field(pattern=r"^[0-9]{6}-[0-9]{5}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonRef(_Strict):
    personal_code: PersonalCode


class Filer(_Strict):
    personal_code: PersonalCode
    basis: Literal["self", "parent", "guardian", "mandate", "assistant"]


class Submission(_Strict):
    reference: Annotated[str, Field(pattern=REFERENCE.pattern)]
    service: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
    applicant: PersonRef
    about_person: PersonRef | None
    filer: Filer
    answers: dict[str, Any]
    submitted_at: AwareDatetime


class PersonalCodeRequest(_Strict):
    personal_code: PersonalCode


class AnswerFile(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    content_type: str
    content_base64: str


class InformationAnswer(_Strict):
    personal_code: PersonalCode
    request_id: Annotated[str, Field(min_length=1, max_length=64)]
    text: Annotated[str, Field(max_length=5000)]
    files: Annotated[list[AnswerFile], Field(max_length=10)]


def applications_store(state: State) -> ApplicationStore:
    """This sandbox app's store, made (seeded) on first use."""
    store: ApplicationStore | None = state.get(STATE_KEY)
    if store is None:
        store = state[STATE_KEY] = ApplicationStore.seeded()
    return store


def _today(state: State) -> Any:
    return state.sandbox.today


def _refusal(refusal: Refusal) -> Response[dict[str, Any]]:
    return problem(refusal.status, refusal.title, detail=refusal.detail, problem_type=refusal.problem_type)


def _not_found() -> Response[dict[str, Any]]:
    return problem(404, "No such application for this person", problem_type="application-not-found")


def _acted(
    request: Request[Any, Any, Any], state: State, body: BaseModel, acted_on: str, application: Application
) -> Response[dict[str, Any]]:
    """The application after the person's act, kept in the book as the answer to a repeat of the same key."""
    today = _today(state)
    answer = {"as_of": business_now(today).isoformat(), **application.as_json(today)}
    book(state, AGENCY).register(request, body, acted_on, answer)
    return Response(answer)


@post("/v1/applications", status_code=201, sync_to_thread=False)
def submit_application(
    request: Request[Any, Any, Any], state: State, data: JSONBody[Submission]
) -> Response[dict[str, Any]]:
    registrations = book(state, AGENCY)
    if earlier := registrations.earlier(request, data):
        return earlier
    try:
        receipt = applications_store(state).submit(data.model_dump(mode="json"), business_now(_today(state)))
    except Refusal as refusal:
        return _refusal(refusal)
    registrations.register(request, data, data.reference, receipt)
    return Response(receipt, status_code=201)


@post("/v1/applications/search", status_code=200, sync_to_thread=False)
def search_applications(state: State, data: JSONBody[PersonalCodeRequest]) -> Response[dict[str, Any]]:
    try:
        found = applications_store(state).applications_of(data.personal_code)
    except Refusal as refusal:
        return _refusal(refusal)
    today = _today(state)
    return Response({"as_of": business_now(today).isoformat(), "applications": [a.as_json(today) for a in found]})


@post("/v1/applications/{reference:str}/information", status_code=200, sync_to_thread=False)
def answer_information_request(
    request: Request[Any, Any, Any], state: State, reference: FromPath[str], data: JSONBody[InformationAnswer]
) -> Response[dict[str, Any]]:
    registrations = book(state, AGENCY)
    if earlier := registrations.earlier(request, data):
        return earlier
    if not REFERENCE.fullmatch(reference):
        return _not_found()
    try:
        application = applications_store(state).answer(
            reference, data.model_dump(mode="json"), business_now(_today(state))
        )
    except NotFound:
        return _not_found()
    except Refusal as refusal:
        return _refusal(refusal)
    return _acted(request, state, data, f"{reference}/information", application)


@post("/v1/applications/{reference:str}/withdrawal", status_code=200, sync_to_thread=False)
def withdraw_application(
    request: Request[Any, Any, Any], state: State, reference: FromPath[str], data: JSONBody[PersonalCodeRequest]
) -> Response[dict[str, Any]]:
    registrations = book(state, AGENCY)
    if earlier := registrations.earlier(request, data):
        return earlier
    if not REFERENCE.fullmatch(reference):
        return _not_found()
    try:
        application = applications_store(state).withdraw(reference, data.personal_code, business_now(_today(state)))
    except NotFound:
        return _not_found()
    except Refusal as refusal:
        return _refusal(refusal)
    return _acted(request, state, data, f"{reference}/withdrawal", application)


@get("/v1/decisions/{document_id:str}")
async def get_decision(state: State, document_id: FromPath[str]) -> Response[Any]:
    store = applications_store(state)
    pdf = store.decision_pdfs.get(document_id)
    if pdf is None:
        application = store.decided(document_id, _today(state))
        if application is None:
            return problem(404, "No such decision", problem_type="decision-not-found")
        sealed = await sealing.seal(sealing.simple_pdf(*decision_text(application, state)), reason="VSAA lēmums")
        # Two first downloads at once seal twice: the first kept wins, so every answer is the same bytes.
        pdf = store.decision_pdfs.setdefault(document_id, sealed)
    return Response(pdf, media_type="application/pdf")


@put("/_control/vsaa-applications/{reference:str}/reseed", sync_to_thread=False, include_in_schema=False)
def reseed_application(state: State, reference: FromPath[str]) -> Response[dict[str, Any]]:
    """Outside the contract: an office application back as seeded (browser tests answer Edgars's request in each
    of their runs, and leave it open again for the session)."""
    try:
        application = applications_store(state).reseed(reference)
    except NotFound:
        return _not_found()
    return Response(application.as_json(_today(state)))


def decision_text(application: Application, state: State) -> tuple[str, list[str]]:
    decision = application.decision(_today(state))
    assert decision is not None and decision.outcome is not None
    persons = register().persons
    applicant = persons[application.applicant]
    paragraphs = [
        "Valsts sociālās apdrošināšanas aģentūra",
        f"Pakalpojums: {application.service.name}",
        f"Iesnieguma numurs: {application.reference}",
        f"Lēmuma datums: {decision.day.isoformat()}",
        f"Iesniedzējs: {applicant.given_name} {applicant.family_name}, personas kods {application.applicant}",
    ]
    if application.about_person and (about := persons.get(application.about_person)):
        paragraphs.append(f"Persona, par kuru iesniegts iesniegums: {about.given_name} {about.family_name}")
    paragraphs += [
        "",
        OUTCOME_TEXT[decision.outcome],
        "Lēmumu var apstrīdēt VSAA direktoram viena mēneša laikā no tā spēkā stāšanās dienas.",
        "",
        "Dokuments sagatavots VSAA smilškastē (sandbox) un nav īsts VSAA lēmums.",
        f"Dokumenta identifikators: {application.document_id}",
    ]
    return f"Lēmums: {application.service.name}", paragraphs


def vsaa_applications_router() -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[
            submit_application,
            search_applications,
            answer_information_request,
            withdraw_application,
            get_decision,
        ],
        before_request=fault_hook(AGENCY, "VSAA"),
        exception_handlers={HTTP_400_BAD_REQUEST: bad_request},
    )
