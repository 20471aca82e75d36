"""Prefill, once only: what an agency already knows is put into a new draft, marked with its source and date.

Each value goes through the question's own parser (as if the person had typed it), so an agency's answer that
the question would refuse (a date out of range, a choice the form does not offer) is left for the person to give,
never stored unchecked. An agency that does not answer leaves the draft empty: the person answers themselves.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import structlog

from portal.agencies.errors import AgencyError
from portal.agencies.vsaa_data import VsaaData
from portal.applications.draft_models import Draft
from portal.applications.drafts import DraftService
from portal.applications.questions import ADDRESS_PARTS, RawForm, parse
from portal.catalogue.definitions import Definition, Question

log = structlog.get_logger("portal.prefill")
SOURCE_NAMES = {"vsaa_prefill": "vsaa", "vdeavk_renewal": "vdeavk"}


def as_form(question: Question, value: Any) -> RawForm:
    """The inputs a person would have sent to give `value` as the answer."""
    name = question.name
    if question.type == "date":
        date = dt.date.fromisoformat(str(value))
        return {f"{name}-day": [str(date.day)], f"{name}-month": [str(date.month)], f"{name}-year": [str(date.year)]}
    if question.type == "address" and isinstance(value, dict):
        return {f"{name}-{part}": [str(value.get(part, ""))] for part in ADDRESS_PARTS}
    if isinstance(value, bool):
        return {name: ["yes" if value else "no"]}
    if isinstance(value, list):
        return {name: [str(item) for item in value]}
    return {name: [str(value)]}


def checked_value(question: Question, value: Any, today: dt.date) -> Any:
    """The agency's value as the answer the question keeps, or None when the question would refuse it."""
    if value is None or question.type == "file":
        return None
    try:
        parsed = parse(question, as_form(question, value), today)
    except (ValueError, TypeError):
        return None
    return parsed.value if parsed.problem is None else None


async def prefill_draft(
    drafts: DraftService,
    draft: Draft,
    definition: Definition,
    personal_code: str,
    vsaa_data: VsaaData,
    today: dt.date,
) -> None:
    """Fills a new draft's questions that name a prefill source the definition uses (VSAA's, for now)."""
    if "vsaa_prefill" not in definition.prefill:
        return
    try:
        known = await vsaa_data.prefill(personal_code, definition.slug)
    except AgencyError as error:
        log.info("prefill.unavailable", service=definition.slug, error=type(error).__name__)
        return
    as_of = known.as_of.isoformat()
    for page in definition.pages:
        answers: dict[str, Any] = {}
        provenance: dict[str, Any] = {}
        for question in page.questions:
            spec = question.prefill
            if spec is None or spec.source != "vsaa_prefill" or spec.field not in known.answers:
                continue
            value = checked_value(question, known.answers[spec.field], today)
            if value is not None:
                answers[question.name] = value
                # The value too, so that the mark can be dropped once the person gives another answer.
                provenance[question.name] = {"source": SOURCE_NAMES[spec.source], "as_of": as_of, "value": value}
        if answers:
            await drafts.save_page(draft, page.name, answers, provenance)


def still_prefilled(marks: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The provenance marks of a page whose answers are still the agency's values."""
    return {
        name: mark for name, mark in marks.items() if isinstance(mark, dict) and answers.get(name) == mark.get("value")
    }
