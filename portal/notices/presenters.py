"""What a notice says, in the reader's language: message ids by kind, filled with the notice's parameters when
shown (a notice made while its person read Latvian is read in English after a language switch)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from portal.auth.access import Subject, subject_url
from portal.notices.facts import (
    DECISION_MADE,
    DRAFT_EXPIRING,
    ENTITLEMENT,
    INFORMATION_REQUESTED,
    MANDATE_ENDED,
    MANDATE_GRANTED,
    NOT_DELIVERED,
    TERM_ENDING,
)
from portal.notices.models import Notice
from portal.web.i18n import N_, format_date, gettext

ENTITLEMENT_TITLES = {
    "contribution_refund": N_("You may get back social insurance contributions you overpaid"),
    "old_age_pension": N_("You may apply for the old-age pension"),
    "transport_compensation": N_("You may be entitled to transport cost compensation"),
    "disability_care_benefit": N_("You may be entitled to the benefit for a person with a disability who needs care"),
    "disability_pension": N_("You may be entitled to the disability pension"),
    "childbirth_benefit": N_("You may apply for the childbirth benefit"),
    "parental_benefit": N_("You may apply for the parental benefit"),
}
OTHER_ENTITLEMENT = N_("You may be entitled to a VSAA benefit")


@dataclass(frozen=True)
class ShownNotice:
    id: str
    title: str
    lines: tuple[str, ...]
    agency_text: str | None  # the agency's own words, in Latvian
    action: str | None
    action_url: str | None
    created_on: dt.date
    unread: bool
    url: str


def _day(value: Any) -> str:
    return format_date(dt.date.fromisoformat(str(value)))


def _entitlement(params: Mapping[str, Any]) -> tuple[str, list[str], str | None]:
    title = gettext(ENTITLEMENT_TITLES.get(str(params.get("code")), OTHER_ENTITLEMENT))
    lines = [gettext("VSAA has found a right you have not claimed yet.")]
    if params.get("about"):
        lines.append(gettext("It concerns %(name)s.") % {"name": params["about"]})
    if params.get("apply_by"):
        lines.append(gettext("Apply by %(date)s.") % {"date": _day(params["apply_by"])})
    if params.get("service"):
        lines.append(gettext("The application is prefilled with what VSAA already knows; check it and send it."))
        return title, lines, gettext("Start the application")
    lines.append(gettext("You do not need to apply: VSAA explains below how it is paid."))
    return title, lines, None


def _term(params: Mapping[str, Any]) -> tuple[str, list[str], str | None]:
    title = gettext("Your disability term ends on %(date)s") % {"date": _day(params["valid_until"])}
    lines = [
        gettext("Apply for a new assessment in time, so that your status and support continue without a gap."),
        gettext("The application is prefilled with your latest answers: change only what has changed."),
    ]
    return title, lines, gettext("Apply for a new assessment")


def _draft(params: Mapping[str, Any], titles: Mapping[str, str]) -> tuple[str, list[str], str | None]:
    title = gettext("Your draft application will be deleted on %(date)s") % {"date": _day(params["expires_on"])}
    service = titles.get(str(params.get("service")))
    lines = [gettext("Application: %(service)s.") % {"service": gettext(service)}] if service else []
    lines.append(gettext("Send it before then, or it is deleted with its answers and files."))
    return title, lines, gettext("Continue the application")


def _application(params: Mapping[str, Any]) -> list[str]:
    if params.get("service_name"):
        values = {"reference": params["reference"], "service": params["service_name"]}
        return [gettext("Application %(reference)s: %(service)s.") % values]
    return [gettext("Application %(reference)s.") % {"reference": params["reference"]}]


def _information(params: Mapping[str, Any]) -> tuple[str, list[str], str | None]:
    title = gettext("VSAA asks for more information by %(date)s") % {"date": _day(params["deadline"])}
    lines = [*_application(params), gettext("On the application's page you see what VSAA asks and can answer.")]
    return title, lines, gettext("Answer VSAA")


def _decision(params: Mapping[str, Any]) -> tuple[str, list[str], str | None]:
    lines = [*_application(params), gettext("The decision says how and by when you can contest it.")]
    return gettext("VSAA has decided on your application"), lines, gettext("Read the decision")


def _not_delivered(params: Mapping[str, Any], titles: Mapping[str, str]) -> tuple[str, list[str], str | None]:
    title = gettext("Your application %(reference)s was not delivered") % {"reference": params["reference"]}
    service = titles.get(str(params.get("service")))
    lines = [gettext("Application: %(service)s.") % {"service": gettext(service)}] if service else []
    lines.append(gettext("The agency did not register it. You can apply again, or ask the agency why."))
    return title, lines, gettext("Your applications")


def _mandate(kind: str, params: Mapping[str, Any]) -> tuple[str, list[str], str | None]:
    if kind == MANDATE_GRANTED:
        title = gettext("%(name)s has granted you a mandate") % {"name": params["name"]}
        lines = [
            gettext("You can act for them in the matters it covers until %(date)s.")
            % {"date": _day(params["valid_until"])}
        ]
    else:
        title = gettext("The mandate between you and %(name)s has ended") % {"name": params["name"]}
        lines = [gettext("Your mandates are listed on the page about acting for someone.")]
    return title, lines, gettext("Acting for someone")


def shown(notice: Notice, subject: Subject | None, titles: Mapping[str, str]) -> ShownNotice:
    """`titles`: the e-services' names (msgids) by slug, for drafts."""
    params = notice.params or {}
    if notice.kind == ENTITLEMENT:
        title, lines, action = _entitlement(params)
    elif notice.kind == TERM_ENDING:
        title, lines, action = _term(params)
    elif notice.kind == DRAFT_EXPIRING:
        title, lines, action = _draft(params, titles)
    elif notice.kind == INFORMATION_REQUESTED:
        title, lines, action = _information(params)
    elif notice.kind == DECISION_MADE:
        title, lines, action = _decision(params)
    elif notice.kind == NOT_DELIVERED:
        title, lines, action = _not_delivered(params, titles)
    elif notice.kind in (MANDATE_GRANTED, MANDATE_ENDED):
        title, lines, action = _mandate(notice.kind, params)
    else:
        title, lines, action = gettext("A notice"), [], None
    explanation = params.get("explanation") if notice.kind == ENTITLEMENT else None
    return ShownNotice(
        id=str(notice.id),
        title=title,
        lines=tuple(lines),
        agency_text=str(explanation) if explanation else None,
        action=action if notice.link else None,
        action_url=subject_url(notice.link, subject) if notice.link else None,
        created_on=notice.created_on,
        unread=notice.read_at is None,
        url=subject_url(f"/inbox/{notice.id}", subject),
    )
