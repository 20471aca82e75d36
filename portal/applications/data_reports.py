"""Reporting that VSAA's data is wrong, from a question VSAA prefilled: the person's words go to VSAA through the
gateway (VsaaData.report_wrong_data), and the audit trail records who sent it for whom.

A report is about what VSAA gave: only a question whose answer came from VSAA (its prefill mark is still there)
can be reported. `about` follows from the field VSAA gave (its bank account is about payments, an employer about
contributions and insurance periods, ...); anything else is `other`, and the person's words say the rest.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

from portal.agencies.vsaa_data import CorrectionAbout, CorrectionReceipt, VsaaData
from portal.applications import engine
from portal.applications.draft_models import Draft
from portal.applications.drafts import DraftService
from portal.applications.questions import BAD_CHARACTERS, Problem, clean_text
from portal.audit.service import AuditTrail
from portal.auth.access import Access
from portal.catalogue.definitions import Definition, Page, Question
from portal.people.models import Person
from portal.web.i18n import N_

REPORTED_ACTION = "data.reported"
MAX_TEXT = 2000  # VSAA's limit (contracts/vsaa-person-data.yaml, CorrectionRequest.text)
TEXT_REQUIRED = N_("Describe what is wrong.")
TEXT_TOO_LONG = N_("Describe what is wrong in %(max)s characters or fewer.")
# VSAA's report numbers (CorrectionReceipt.id); a page shows one from its query only if it has this shape.
REFERENCE = re.compile(r"^VSAA-DL-[0-9]{4}-[0-9]{6}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# What VSAA's data is in, by the prefill field (its first part) VSAA gave.
ABOUT_BY_FIELD: dict[str, CorrectionAbout] = {
    "iban": "payments",
    "payment_method": "payments",
    "employer": "EP43",
    "last_employer": "EP43",
    "employment": "EP43",
    "employed_on_claim_date": "EP43",
    "employment_ended_on": "EP43",
    "insurance_record": "EP47",
    "pillar2_capital_use": "EP49",
}


@dataclass(frozen=True)
class Reportable:
    """A question whose answer VSAA gave, and what a report about it is about."""

    page: Page
    question: Question
    about: CorrectionAbout


def reportable(definition: Definition, draft: Draft, page_name: str, question_name: str | None) -> Reportable | None:
    """The question on a page that applies, if VSAA prefilled it; None otherwise (nothing VSAA gave to report)."""
    page = engine.find_page(definition, draft.answers, page_name)
    if page is None or page.repeat is not None:
        return None
    question = next((q for q in page.questions if q.name == question_name), None)
    mark = (draft.prefilled.get(page.name) or {}).get(question_name or "")
    if question is None or question.prefill is None or question.prefill.source != "vsaa_prefill":
        return None
    if not isinstance(mark, dict) or mark.get("source") != "vsaa":
        return None
    return Reportable(page, question, ABOUT_BY_FIELD.get(question.prefill.field.split(".")[0], "other"))


def checked_text(raw: str) -> tuple[str, Problem | None]:
    """The report's text as VSAA gets it, or the problem to show."""
    text = clean_text(raw)
    if not text:
        return text, Problem(TEXT_REQUIRED)
    if len(text) > MAX_TEXT:
        return text, Problem(TEXT_TOO_LONG, {"max": MAX_TEXT})
    if _CONTROL.search(text):
        return text, Problem(BAD_CHARACTERS)
    return text, None


def report_reference(value: str | None) -> str | None:
    """A VSAA report number taken from a URL, only if it looks like one (a link cannot make a page say anything)."""
    return value if value and REFERENCE.fullmatch(value) else None


def idempotency_key(draft_id: uuid.UUID, reportable: Reportable, text: str) -> str:
    # The same report sent again (a double click, a retry after VSAA did not answer) is registered once; other
    # words are another report.
    content = f"{draft_id}\n{reportable.page.name}\n{reportable.question.name}\n{text}"
    return "report-" + hashlib.sha256(content.encode()).hexdigest()[:48]


class WrongDataReports:
    def __init__(self, vsaa_data: VsaaData, audit: AuditTrail) -> None:
        self._vsaa_data = vsaa_data
        self._audit = audit

    async def send(
        self, draft: Draft, applicant: Person, reportable: Reportable, text: str, access: Access
    ) -> CorrectionReceipt:
        """Sends the report in the applicant's name; AgencyUnavailable or AgencyRefused as VsaaData raises them."""
        subject = DraftService.subject_for(draft, access)
        key = idempotency_key(draft.id, reportable, text)
        receipt = await self._vsaa_data.report_wrong_data(applicant.personal_code, reportable.about, text, key)
        await self._audit.action(access.actor, subject, REPORTED_ACTION, receipt.id)
        return receipt
