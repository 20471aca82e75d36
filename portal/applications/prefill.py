"""Prefill, once only: what an agency already knows is put into a new draft, marked with its source and date.

Each value goes through the question's own parser (as if the person had typed it), so an agency's answer that
the question would refuse (a date out of range, a choice the form does not offer) is left for the person to give,
never stored unchecked. An agency that does not answer leaves the draft empty: the person answers themselves.

Sources, as a definition names them (`prefill: [...]`, and `prefill: {source, field}` on a question):
- `vsaa_prefill`: VSAA's answers for the service, by field (a dotted field reads inside an answer);
- `vdeavk_renewal`: VDEĀVK's latest application: `answers.<name>`, `self_assessment.<area>.difficulty|helps`, and
  `kind` ("renewal" while the person has a disability term that ends, the only case a renewal fits).
When VDEĀVK has no self-assessment (none earlier, or it does not answer), the person's own completed stand-alone
self-assessment questionnaire stands in for it: its pages carry the same names, questions and scale as the
application's self-assessment pages (tests/unit/test_forms_catalogue.py), and each answer is taken only where the
page and question line up (same name and type).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from litestar.di import NamedDependency
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.agencies.errors import AgencyError
from portal.agencies.vdeavk import RenewalPrefill, Vdeavk
from portal.agencies.vsaa_data import VsaaData
from portal.applications import engine
from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.drafts import DraftService
from portal.applications.questions import ADDRESS_PARTS, RawForm, parse
from portal.catalogue.definitions import Definition, Definitions, Page, Question
from portal.clock import RIGA
from portal.web.i18n import format_date

log = structlog.get_logger("portal.prefill")
SOURCE_NAMES = {"vsaa_prefill": "vsaa", "vdeavk_renewal": "vdeavk"}
# How a page names the agency a mark comes from (the marks keep the lower-case code).
AGENCY_NAMES = {"vsaa": "VSAA", "vdeavk": "VDEĀVK"}
QUESTIONNAIRE = "questionnaire"
# The stand-alone questionnaire that stands in for VDEĀVK's self-assessment fields when VDEĀVK has none.
SELF_ASSESSMENT_QUESTIONNAIRE = "pasnovertejuma-anketa"
SELF_ASSESSMENT_FIELDS = "self_assessment."


@dataclass(frozen=True)
class PrefillSources:
    """Where a new draft's known answers come from; built per request by `provide_prefill_sources`, so a handler
    passes it on without knowing which agencies a definition asks."""

    vsaa_data: VsaaData
    vdeavk: Vdeavk
    db: AsyncSession
    definitions: Definitions


def provide_prefill_sources(
    vsaa_data: NamedDependency[VsaaData],
    vdeavk: NamedDependency[Vdeavk],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> PrefillSources:
    return PrefillSources(vsaa_data, vdeavk, db_session, definitions)


@dataclass(frozen=True)
class Known:
    """One source's answers by field, as of a moment (kept as ISO text in the marks)."""

    source: str
    as_of: str
    fields: Mapping[str, Any]

    def get(self, field: str) -> Any:
        """The value of a field; a dotted field reads inside an answer (`deceased.date_of_death`)."""
        if field in self.fields:
            return self.fields[field]
        value: Any = self.fields
        for part in field.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value


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


def renewal_fields(renewal: RenewalPrefill) -> dict[str, Any]:
    """VDEĀVK's renewal prefill by the fields definitions name."""
    fields: dict[str, Any] = {f"answers.{name}": value for name, value in renewal.answers.items()}
    for area, assessment in (renewal.self_assessment or {}).items():
        fields[f"self_assessment.{area}.difficulty"] = assessment.difficulty
        fields[f"self_assessment.{area}.helps"] = assessment.helps
    term = renewal.current_status
    if term is not None and term.valid_until is not None:
        fields["kind"] = "renewal"  # a term that ends is renewed; a first assessment is for someone without one
    return fields


async def _vsaa(sources: PrefillSources, personal_code: str, service: str) -> Known | None:
    known = await sources.vsaa_data.prefill(personal_code, service)
    return Known("vsaa", known.as_of.isoformat(), known.answers)


async def _vdeavk(sources: PrefillSources, personal_code: str, service: str) -> Known | None:
    renewal = await sources.vdeavk.renewal_prefill(personal_code)
    return Known("vdeavk", renewal.as_of.isoformat(), renewal_fields(renewal))


ASK = {"vsaa_prefill": _vsaa, "vdeavk_renewal": _vdeavk}


async def _ask(source: str, sources: PrefillSources, personal_code: str, service: str) -> Known | None:
    try:
        return await ASK[source](sources, personal_code, service)
    except AgencyError as error:
        log.info("prefill.unavailable", source=source, service=service, error=type(error).__name__)
        return None


async def _questionnaire(sources: PrefillSources, applicant_id: uuid.UUID) -> tuple[Definition, Draft] | None:
    """The applicant's latest complete self-assessment questionnaire (questionnaires are never sent: they stay
    drafts until they expire)."""
    definition = sources.definitions.get(SELF_ASSESSMENT_QUESTIONNAIRE)
    if definition is None:
        return None
    drafts = await sources.db.scalars(
        select(Draft)
        .where(
            Draft.service == definition.slug,
            Draft.applicant_id == applicant_id,
            Draft.status == DraftStatus.DRAFT.value,
            Draft.expires_at > dt.datetime.now(dt.UTC),
        )
        .order_by(Draft.updated_at.desc())
    )
    complete = next((d for d in drafts if engine.first_incomplete(definition, d.answers) is None), None)
    return (definition, complete) if complete is not None else None


def _questionnaire_answer(found: tuple[Definition, Draft], page: Page, question: Question) -> Any:
    """The questionnaire's answer to the same question on the page of the same name, if they line up."""
    definition, draft = found
    same_page = next((p for p in definition.pages if p.name == page.name and p.repeat is None), None)
    same = next((q for q in same_page.questions if q.name == question.name), None) if same_page else None
    if same is None or same.type != question.type:
        return None
    answers = draft.answers.get(page.name)
    return answers.get(question.name) if isinstance(answers, dict) else None


@dataclass(frozen=True)
class Gathered:
    """What the sources know for a new draft, asked before the draft is written (so that on SQLite no write lock
    is held while the agencies answer)."""

    known: Mapping[str, Known]
    stand_in: tuple[Definition, Draft] | None


async def gather(
    definition: Definition, personal_code: str, applicant_id: uuid.UUID, sources: PrefillSources
) -> Gathered:
    """Asks the sources a definition names, at once (a page waits for the slower one, not for both in turn);
    reads only."""
    asked = [s for s in definition.prefill if s in ASK]
    answered = await asyncio.gather(*(_ask(s, sources, personal_code, definition.slug) for s in asked))
    known: dict[str, Known] = {s: found for s, found in zip(asked, answered, strict=True) if found is not None}
    renewal = known.get("vdeavk_renewal")
    has_self_assessment = renewal is not None and any(f.startswith(SELF_ASSESSMENT_FIELDS) for f in renewal.fields)
    stand_in = None
    if "vdeavk_renewal" in definition.prefill and not has_self_assessment:
        stand_in = await _questionnaire(sources, applicant_id)
    return Gathered(known, stand_in)


async def fill(drafts: DraftService, draft: Draft, definition: Definition, found: Gathered, today: dt.date) -> None:
    """Fills a new draft's questions that name a prefill source with what `gather` found, each answer checked by
    its question and marked with its source and date."""
    known, stand_in = found.known, found.stand_in
    for page in definition.pages:
        answers: dict[str, Any] = {}
        provenance: dict[str, Any] = {}
        for question in page.questions:
            spec = question.prefill
            if spec is None or page.repeat is not None:
                continue
            value, mark = None, ("", "")
            if (source := known.get(spec.source)) is not None:
                value, mark = checked_value(question, source.get(spec.field), today), (source.source, source.as_of)
            if value is None and stand_in is not None and spec.field.startswith(SELF_ASSESSMENT_FIELDS):
                value = checked_value(question, _questionnaire_answer(stand_in, page, question), today)
                mark = (QUESTIONNAIRE, _iso(stand_in[1].updated_at))
            if value in (None, ""):  # nothing known (an empty text is nothing to show either)
                continue
            answers[question.name] = value
            # The value too, so that the mark can be dropped once the person gives another answer.
            provenance[question.name] = {"source": mark[0], "as_of": mark[1], "value": value}
        if answers:
            await drafts.save_page(draft, page.name, answers, provenance)


def still_prefilled(marks: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The provenance marks of a page whose answers are still the agency's values."""
    return {
        name: mark for name, mark in marks.items() if isinstance(mark, dict) and answers.get(name) == mark.get("value")
    }


def _iso(moment: dt.datetime) -> str:
    # SQLite gives back what was stored in UTC without its offset.
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).isoformat()


def _local_date(as_of: str) -> dt.date:
    moment = dt.datetime.fromisoformat(as_of)
    return moment.astimezone(RIGA).date() if moment.tzinfo else moment.date()


def shown_sources(marks: Mapping[str, Any], problems: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Where each answer of a page came from, as the question page says it: while the answer is still the source's
    (a changed answer is the person's) and not refused. `source` picks the sentence; `agency` names the agency."""
    shown = {}
    for name, mark in marks.items():
        if not isinstance(mark, dict) or "as_of" not in mark or name in problems:
            continue
        source = str(mark.get("source"))
        shown[name] = {
            "source": source,
            "agency": AGENCY_NAMES.get(source, source.upper()),
            "date": format_date(_local_date(str(mark["as_of"]))),
        }
    return shown
