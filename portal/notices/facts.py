"""Which notices the agencies' kept answers call for on a business date: pure functions, no database.

Each returns `NewNotice`s; storing them once per (person, kind, fact) is the store's job, so a function may
well return a notice that was made on an earlier pass.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from pydantic import ValidationError

from portal.agencies.vdeavk import DisabilityStatus
from portal.agencies.vsaa_applications import ApplicationsAnswer
from portal.agencies.vsaa_data import Entitlements

log = structlog.get_logger("portal.notices")

ENTITLEMENT = "entitlement"
TERM_ENDING = "disability_term_ending"
DRAFT_EXPIRING = "draft_expiring"
INFORMATION_REQUESTED = "information_requested"
DECISION_MADE = "decision_made"
NOT_DELIVERED = "not_delivered"
MANDATE_GRANTED = "mandate_granted"
MANDATE_ENDED = "mandate_ended"
# The VDEĀVK application, which prefills a renewal while a term is ending (portal/applications/prefill.py).
RENEWAL_SERVICE = "vdeavk-invaliditates-ekspertize"
# VDEĀVK reminds at least three months before a term ends, and once more a month before (DOMAIN.md).
REMINDER_MONTHS = (3, 1)
DRAFT_WARNING = dt.timedelta(days=7)
DECISION_RECENT = dt.timedelta(days=14)
RIGA = ZoneInfo("Europe/Riga")


@dataclass(frozen=True)
class NewNotice:
    kind: str
    fact: str
    agency: str
    link: str | None
    params: dict[str, Any] = field(default_factory=dict)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier; the month's last day when it is shorter (31 March → 28/29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _about_key(personal_code: str) -> str:
    """Tells two children's entitlements apart without keeping a personal code in the fact."""
    return hashlib.sha256(personal_code.encode()).hexdigest()[:16]


def entitlement_notices(payload: Any) -> list[NewNotice]:
    """One notice per unclaimed right VSAA lists; the fact is the right, whom it is about, and since when."""
    try:
        answer = Entitlements.model_validate(payload)
    except ValidationError:
        log.warning("notices_unreadable_answer", kind="entitlements")
        return []
    notices = []
    for right in answer.entitlements:
        about = right.about_person
        fact = f"{right.code}:{right.since.isoformat()}" + (f":{_about_key(about.personal_code)}" if about else "")
        params = {
            "code": right.code,
            "service": right.service,
            "about": f"{about.given_name} {about.family_name}" if about else None,
            "right_from": right.right_from.isoformat() if right.right_from else None,
            "apply_by": right.apply_by.isoformat() if right.apply_by else None,
            "explanation": right.explanation,
        }
        # The refund has nothing to apply for: its notice explains how it is paid.
        link = f"/services/{right.service}" if right.service else None
        notices.append(NewNotice(ENTITLEMENT, fact, "vsaa", link, params))
    return notices


def term_notices(payload: Any, today: dt.date) -> list[NewNotice]:
    """The reminder a term's end calls for today: the 3-month one from three months before the end, the 1-month
    one from a month before; only the latest due step (a term first seen three weeks before its end gets one
    reminder, not two), and none once the term has ended."""
    try:
        answer = DisabilityStatus.model_validate(payload)
    except ValidationError:
        log.warning("notices_unreadable_answer", kind="disability_status")
        return []
    until = answer.status.valid_until if answer.status else None
    if until is None or today > until:
        return []
    due = [months for months in REMINDER_MONTHS if today >= months_before(until, months)]
    if not due:
        return []
    step = min(due)
    params = {"valid_until": until.isoformat(), "months": step}
    return [NewNotice(TERM_ENDING, f"{until.isoformat()}:{step}", "vdeavk", f"/services/{RENEWAL_SERVICE}", params)]


def draft_notice(draft_id: str, service: str, agency: str | None, expires_on: dt.date) -> NewNotice:
    """A draft deleted within a week: the fact is the draft and its expiry day (a draft kept longer by its
    person's later work, and expiring again, is a new fact)."""
    params = {"service": service, "expires_on": expires_on.isoformat()}
    fact = f"{draft_id}:{expires_on.isoformat()}"
    return NewNotice(DRAFT_EXPIRING, fact, agency or "portal", f"/applications/{draft_id}", params)


def application_notices(payload: Any, today: dt.date) -> list[NewNotice]:
    """From VSAA's list of a person's applications (the portal's and those filed at an office): a request for
    information while it is open (the fact: the request), and a decision of the last `DECISION_RECENT` days (the
    fact: its document) — a person synced for the first time is not told of decisions years old."""
    try:
        answer = ApplicationsAnswer.model_validate(payload)
    except ValidationError:
        log.warning("notices_unreadable_answer", kind="applications")
        return []
    notices = []
    for application in answer.applications:
        link = f"/applications/sent/{application.reference}"
        about = {"reference": application.reference, "service_name": application.service_name}
        request = application.information_request
        if application.status == "needs_info" and request is not None:
            fact = f"{application.reference}:{request.id}"
            params = {**about, "deadline": request.deadline.isoformat()}
            notices.append(NewNotice(INFORMATION_REQUESTED, fact, "vsaa", link, params))
        decision = application.decision
        if decision is not None and today - decision.decided_at.astimezone(RIGA).date() <= DECISION_RECENT:
            fact = f"{application.reference}:{decision.document_id}"
            notices.append(NewNotice(DECISION_MADE, fact, "vsaa", link, about))
    return notices


def not_delivered_notice(submission_id: str, reference: str, service: str, agency: str) -> NewNotice:
    """An application the agency refused to register (the outbox's `not_delivered`): the fact is the submission."""
    params = {"reference": reference, "service": service}
    return NewNotice(NOT_DELIVERED, submission_id, agency, "/applications", params)


@dataclass(frozen=True)
class MandateFacts:
    """What the notices of one mandate need: its parties (ids and names) and how it stands."""

    mandate_id: str
    grantor: tuple[Any, str]  # (person id, full name)
    holder: tuple[Any, str]
    valid_until: dt.date
    ended_by: Any | None
    ended: bool


def mandate_notices(mandate: MandateFacts, today: dt.date) -> list[tuple[Any, NewNotice]]:
    """The holder is told of a mandate granted; when it ends, whoever did not end it is told (both, when its
    term ran out). Mandate notices are the person's own matter ("portal"): they link to /representation."""
    (grantor, grantor_name), (holder, holder_name) = mandate.grantor, mandate.holder
    link = "/representation"
    if not mandate.ended and today <= mandate.valid_until:
        params = {"name": grantor_name, "valid_until": mandate.valid_until.isoformat()}
        return [(holder, NewNotice(MANDATE_GRANTED, mandate.mandate_id, "portal", link, params))]
    told = [(p, other) for p, other in ((grantor, holder_name), (holder, grantor_name)) if p != mandate.ended_by]
    return [(p, NewNotice(MANDATE_ENDED, mandate.mandate_id, "portal", link, {"name": other})) for p, other in told]
