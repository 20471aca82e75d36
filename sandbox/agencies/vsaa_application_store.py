"""VSAA's applications in the sandbox, without HTTP: registering, the status timeline, answers and withdrawals.

An application is a list of events (status, time, note); each event becomes visible when the sandbox's business
clock reaches its day, so statuses move when tests move the clock and nothing runs in the background. A
portal submission received on day D is planned as (D+n: the n-th working day after D):

    D        received
    D+1      in_progress (08:00)
    D+2      needs_info (09:20), for services with an `information_request` in the data file
             (bezdarbnieka-pabalsts, apgadnieka-zaudejuma-pensija), with a deadline 14 days later; it stays there
             until answered
    D+3      decided (09:00), for every other service: granted when the applicant is in the service's `eligible`
             list (or there is none), else refused

Answering the information request on day A (only while `needs_info`, only the open request) puts the application
back to in_progress at once and plans `decided` for A+3. Withdrawing on day W (only before a decision) drops what
was still planned after W and ends the application as `withdrawn`. Applications filed elsewhere come from
data/vsaa_applications.yaml with a fixed history and follow the same rules from then on.

`decision_due` counts the service's term in working days (vsaa_calendar.py) from receipt, moved on by the working
days spent in needs_info, and is null while the application waits in needs_info.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import itertools
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from portal.people.personal_code import is_valid_personal_code
from sandbox.agencies.population_register import register
from sandbox.agencies.vsaa_calendar import RIGA, add_working_days, working_days_between

DATA_FILE = Path(__file__).resolve().parent / "data" / "vsaa_applications.yaml"
IN_PROGRESS_AFTER_DAYS, NEEDS_INFO_AFTER_DAYS, DECIDED_AFTER_DAYS = 1, 2, 3
INFORMATION_DEADLINE_DAYS = 14
IN_PROGRESS_AT, NEEDS_INFO_AT, DECIDED_AT = dt.time(8, 0), dt.time(9, 20), dt.time(9, 0)
ACCEPTED_FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_FILE_BYTES = 5 * 1024 * 1024
WITHDRAWABLE = ("received", "in_progress", "needs_info")
_DOCUMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:sandbox:vsaa:decision")

Status = Literal["received", "in_progress", "needs_info", "decided", "closed", "withdrawn", "appealed"]
Outcome = Literal["granted", "partly_granted", "refused"]


class Refusal(Exception):
    """VSAA will not do it: answered as a problem whose `detail` (Latvian) is shown to the person."""

    def __init__(self, problem_type: str, title: str, detail: str, status: int = 422) -> None:
        super().__init__(title)
        self.problem_type, self.title, self.detail, self.status = problem_type, title, detail, status


class NotFound(Exception):
    """No such application, or not this person's: VSAA does not tell the two apart."""


@dataclass(frozen=True)
class Service:
    slug: str
    name: str
    term_days: int
    about_person_required: bool = False
    eligible: frozenset[str] | None = None
    information_text: str | None = None
    information_note: str | None = None


@dataclass(frozen=True)
class InformationRequest:
    id: str
    text: str
    deadline: dt.date


@dataclass(frozen=True)
class Event:
    status: Status
    at: dt.datetime
    note: str | None = None
    information_request: InformationRequest | None = None
    outcome: Outcome | None = None

    @property
    def day(self) -> dt.date:
        return self.at.astimezone(RIGA).date()


@dataclass
class Application:
    reference: str
    service: Service
    applicant: str
    about_person: str | None
    channel: Literal["portal", "office"]
    events: list[Event]

    @property
    def document_id(self) -> str:
        return str(uuid.uuid5(_DOCUMENT_NAMESPACE, self.reference))

    def visible(self, today: dt.date) -> list[Event]:
        """What has happened by `today`; the receipt always shows, even when the clock was moved back past it."""
        return [self.events[0], *(e for e in self.events[1:] if e.day <= today)]

    def status(self, today: dt.date) -> Status:
        return self.visible(today)[-1].status

    def decision(self, today: dt.date) -> Event | None:
        return next((e for e in reversed(self.visible(today)) if e.status == "decided"), None)

    def decision_due(self, today: dt.date) -> dt.date | None:
        events = self.visible(today)
        if events[-1].status == "needs_info":
            return None
        paused = sum(
            working_days_between(event.day, following.day)
            for event, following in itertools.pairwise(events)
            if event.status == "needs_info"
        )
        return add_working_days(events[0].day, self.service.term_days + paused)

    def as_json(self, today: dt.date) -> dict[str, Any]:
        events = self.visible(today)
        last, decision = events[-1], self.decision(today)
        request = last.information_request if last.status == "needs_info" else None
        return {
            "reference": self.reference,
            "service": self.service.slug,
            "service_name": self.service.name,
            "status": last.status,
            "received_at": _timestamp(events[0].at),
            "decision_due": _date_or_none(self.decision_due(today)),
            "history": [{"status": e.status, "at": _timestamp(e.at), "note": e.note} for e in events],
            "information_request": None
            if request is None
            else {"id": request.id, "text": request.text, "deadline": request.deadline.isoformat()},
            "decision": None
            if decision is None
            else {
                "outcome": decision.outcome,
                "decided_at": _timestamp(decision.at),
                "document_id": self.document_id,
            },
            "channel": self.channel,
        }


@dataclass
class ApplicationStore:
    """One sandbox's applications, kept in memory for the life of the sandbox app."""

    services: dict[str, Service]
    applications: dict[str, Application]
    decision_pdfs: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def seeded(cls) -> ApplicationStore:
        services = _services()
        seeded = [_seeded(entry, services) for entry in _data()["applications"]]
        return cls(services=dict(services), applications={a.reference: a for a in seeded})

    def submit(self, submission: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
        """Registers the contract's Submission and gives its receipt. Repeats under one idempotency key never get
        here (the routes answer them from the registration book, idempotency.py)."""
        reference = submission["reference"]
        if reference in self.applications:
            raise Refusal(
                "reference-taken",
                "The reference is already registered",
                "Iesniegums ar šādu numuru jau reģistrēts.",
                409,
            )
        service = self.services.get(submission["service"])
        if service is None:
            detail = f'VSAA nepieņem iesniegumus pakalpojumam "{submission["service"]}".'
            raise Refusal("unknown-service", "Unknown service", detail)
        applicant = _known(submission["applicant"]["personal_code"], "Unknown applicant", "iesniedzēju")
        about = submission["about_person"]
        about_person = _known(about["personal_code"], "Unknown about-person", "personu") if about else None
        if not is_valid_personal_code(submission["filer"]["personal_code"]):
            raise _malformed()
        if service.about_person_required and about_person is None:
            detail = "Iesniegumā nav norādīts, par kuru personu (piemēram, bērnu) tas iesniegts."
            raise Refusal("missing-about-person", "The person the application is about is missing", detail)
        delivery = submission["answers"].get("decision_delivery")
        if not isinstance(delivery, str) or not delivery.strip():
            raise Refusal("missing-answers", "Answers are missing", "Iesniegumā nav norādīts: kā saņemt lēmumu.")
        day = now.date()
        events = [Event("received", now), Event("in_progress", _at(day, IN_PROGRESS_AFTER_DAYS, IN_PROGRESS_AT))]
        application = Application(reference, service, applicant, about_person, "portal", events)
        if service.information_text:
            asked = _at(day, NEEDS_INFO_AFTER_DAYS, NEEDS_INFO_AT)
            request = InformationRequest(
                f"{reference}-1", service.information_text, asked.date() + dt.timedelta(INFORMATION_DEADLINE_DAYS)
            )
            events.append(Event("needs_info", asked, service.information_note, information_request=request))
        else:
            events.append(_decided(application, _at(day, DECIDED_AFTER_DAYS, DECIDED_AT)))
        self.applications[reference] = application
        return {
            "reference": reference,
            "status": "received",
            "received_at": _timestamp(now),
            "decision_due": _date_or_none(application.decision_due(day)),
            "as_of": _timestamp(now),
        }

    def applications_of(self, personal_code: str) -> list[Application]:
        """The person's applications (as applicant), newest first."""
        if not is_valid_personal_code(personal_code):
            raise _malformed()
        mine = [a for a in self.applications.values() if a.applicant == personal_code]
        return sorted(mine, key=lambda a: a.events[0].at, reverse=True)

    def answer(self, reference: str, body: dict[str, Any], now: dt.datetime) -> Application:
        """`body` is the contract's InformationAnswer."""
        application = self._of(reference, body["personal_code"])
        today = now.date()
        open_request = application.visible(today)[-1].information_request
        if application.status(today) != "needs_info" or open_request is None:
            detail = "VSAA šobrīd nelūdz papildu informāciju par šo iesniegumu."
            raise Refusal("no-information-request", "No information is asked for", detail)
        if body["request_id"] != open_request.id:
            detail = "Šis informācijas pieprasījums vairs nav atvērts."
            raise Refusal("unknown-information-request", "Not the open information request", detail)
        _check_answer(body["text"], body["files"])
        at = self._act(application, now)
        application.events.append(Event("in_progress", at, "Saņemta papildu informācija."))
        application.events.append(_decided(application, _at(today, DECIDED_AFTER_DAYS, DECIDED_AT)))
        return application

    def withdraw(self, reference: str, personal_code: str, now: dt.datetime) -> Application:
        application = self._of(reference, personal_code)
        if application.status(now.date()) not in WITHDRAWABLE:
            detail = "Par iesniegumu jau pieņemts lēmums vai tas ir noslēgts, tādēļ to vairs nevar atsaukt."
            raise Refusal("cannot-withdraw", "The application cannot be withdrawn", detail)
        at = self._act(application, now)
        application.events.append(Event("withdrawn", at, "Iesniegumu atsaucis iesniedzējs."))
        return application

    def decided(self, document_id: str, today: dt.date) -> Application | None:
        """The application whose decision, taken by `today`, has this document id."""
        return next(
            (a for a in self.applications.values() if a.document_id == document_id and a.decision(today)),
            None,
        )

    def reseed(self, reference: str) -> Application:
        """Puts an application filed elsewhere back as the data file has it (tests that answer or withdraw it);
        NotFound for any other reference."""
        entry = next((e for e in _data()["applications"] if e["reference"] == reference), None)
        if entry is None:
            raise NotFound(reference)
        application = self.applications[reference] = _seeded(entry, self.services)
        return application

    def _of(self, reference: str, personal_code: str) -> Application:
        application = self.applications.get(reference)
        if application is None or application.applicant != personal_code:
            raise NotFound(reference)
        return application

    @staticmethod
    def _act(application: Application, now: dt.datetime) -> dt.datetime:
        """Drops what was planned after today and gives the person's act a time after everything before it."""
        today = now.date()
        application.events[:] = application.visible(today)
        return max(now, application.events[-1].at + dt.timedelta(seconds=1))


def _decided(application: Application, at: dt.datetime) -> Event:
    eligible = application.service.eligible
    if eligible is None or application.applicant in eligible:
        return Event("decided", at, "Pakalpojums piešķirts.", outcome="granted")
    return Event("decided", at, "Pakalpojums atteikts.", outcome="refused")


def _at(day: dt.date, working_days_after: int, time: dt.time) -> dt.datetime:
    """VSAA works on working days: its steps land on the n-th working day after `day`."""
    return dt.datetime.combine(add_working_days(day, working_days_after), time, tzinfo=RIGA)


def _known(personal_code: str, title: str, who: str) -> str:
    if not is_valid_personal_code(personal_code):
        raise _malformed()
    if personal_code not in register().persons:
        raise Refusal("unknown-person", title, f"VSAA nav ziņu par {who} ar šo personas kodu.")
    return personal_code


def _malformed() -> Refusal:
    return Refusal("malformed-personal-code", "The personal code is not well-formed", "Personas kods nav derīgs.")


def _check_answer(text: str, files: list[dict[str, str]]) -> None:
    if not text.strip() and not files:
        raise Refusal("empty-answer", "The answer is empty", "Atbildē nav ne teksta, ne pievienotu datņu.")
    for file in files:
        if file["content_type"] not in ACCEPTED_FILE_TYPES:
            detail = f'Datne "{file["name"]}" nav PDF, JPEG vai PNG formātā.'
            raise Refusal("file-not-accepted", "A file is not accepted", detail)
        try:
            content = base64.b64decode(file["content_base64"], validate=True)
        except binascii.Error:
            raise Refusal(
                "file-not-accepted", "A file is not accepted", f'Datni "{file["name"]}" nevar nolasīt.'
            ) from None
        if len(content) > MAX_FILE_BYTES:
            detail = f'Datne "{file["name"]}" ir lielāka par 5 MB.'
            raise Refusal("file-not-accepted", "A file is not accepted", detail)


def _timestamp(at: dt.datetime) -> str:
    return at.astimezone(RIGA).isoformat()


def _date_or_none(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@functools.cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def _services() -> dict[str, Service]:
    return {
        slug: Service(
            slug=slug,
            name=s["name"],
            term_days=s["term_days"],
            about_person_required=s.get("about_person") == "required",
            eligible=frozenset(s["eligible"]) if "eligible" in s else None,
            information_text=(s.get("information_request") or {}).get("text"),
            information_note=(s.get("information_request") or {}).get("note"),
        )
        for slug, s in _data()["services"].items()
    }


def _seeded(entry: dict[str, Any], services: dict[str, Service]) -> Application:
    events = []
    for e in entry["history"]:
        request = e.get("information_request")
        events.append(
            Event(
                status=e["status"],
                at=dt.datetime.fromisoformat(e["at"]),
                note=e.get("note"),
                information_request=InformationRequest(
                    request["id"], request["text"], dt.date.fromisoformat(request["deadline"])
                )
                if request
                else None,
                outcome=e.get("outcome"),
            )
        )
    return Application(entry["reference"], services[entry["service"]], entry["applicant"], None, "office", events)
