"""VSAA person data: statements, benefits and payments, unclaimed entitlements, prefill, reports of wrong data.

The contract is contracts/vsaa-person-data.yaml; `HttpVsaaData` is its client, on the agency's `AgencyCaller`
(gateway.py: timeouts, retries, breaker), and in dev and tests it talks to the sandbox (sandbox/agencies/
vsaa_data.py) over HTTP. Personal codes travel only in request bodies, never in URLs. The statement models are in
vsaa_statements.py; the names pages show for kinds, figures, benefits and entitlements are here, marked for
translation with N_ and translated where shown.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from pydantic import AwareDatetime, BaseModel, ConfigDict

from portal.agencies.errors import AgencyRefused, AgencyUnavailable
from portal.agencies.gateway import AgencyCaller
from portal.agencies.vsaa_statements import (
    BenefitCode,
    Frequency,
    Money,
    Statement,
    StatementKind,
    StatementSummary,
)
from portal.people.personal_code import normalise
from portal.web.i18n import N_

AGENCY = "vsaa"
SUMMARY_PATH = "/v1/statements/summary"
STATEMENT_PATH = "/v1/statements/{kind}"
BENEFITS_PATH = "/v1/benefits"
ENTITLEMENTS_PATH = "/v1/entitlements"
PREFILL_PATH = "/v1/prefill"
CORRECTIONS_PATH = "/v1/data-corrections"

# The 12 kinds in the order pages list them (by topic, as DOMAIN.md does), with their names; the Latvian
# translations are the e-services' official names.
STATEMENT_KINDS: dict[StatementKind, str] = {
    "EP43": N_("Contributions and insurance periods"),
    "EP47": N_("Registered length of service"),
    "EP48": N_("Pension capital (pillar 1)"),
    "EP61": N_("Projected pension (pillars 1 and 2 together)"),
    "EP44": N_("Pillar-2 account statement"),
    "EP49": N_("Pillar-2 registration and investment plan"),
    "EP45": N_("Inheritance of pillar-2 capital"),
    "EP51": N_("Amount of a granted pension or benefit"),
    "EP52": N_("Payments sent"),
    "EP46": N_("Payments and tax withheld in a year (for the tax return)"),
    "EP50": N_("Deductions from pensions and benefits"),
    "EP53": N_("Income tax withheld"),
}

# Labels of the key figures the contract's statements carry, by `Figure.key`.
FIGURE_LABELS: dict[str, str] = {
    "contribution_base": N_("Contribution base"),
    "pension_contributions": N_("Pension insurance contributions"),
    "insured_months": N_("Months insured"),
    "pillar2_value": N_("Pillar-2 capital"),
    "pillar2_inheritance_choice": N_("Who inherits the pillar-2 capital"),
    "inherited_pillar2_capital": N_("Inherited pillar-2 capital"),
    "paid_gross": N_("Paid before tax"),
    "tax_withheld": N_("Tax withheld"),
    "insurance_record": N_("Length of insurance record"),
    "pension_capital": N_("Pension capital"),
    "pillar2_plan": N_("Investment plan"),
    "pillar2_joined_on": N_("Joined pillar 2 on"),
    "deductions_total": N_("Deducted in total"),
    "granted_amount": N_("Granted amount"),
    "paid_net": N_("Paid out"),
    "last_payment": N_("Last payment"),
    "projected_pension": N_("Monthly pension"),
    "retirement_date": N_("Retirement date"),
}

# `Figure.text` of the figure pillar2_inheritance_choice.
INHERITANCE_CHOICES: dict[str, str] = {
    "heirs": N_("The heirs inherit it"),
    "spouse_pension_capital": N_("It is added to the spouse's pension capital"),
    "state_pension_budget": N_("It goes to the state pension budget"),
}

BENEFIT_NAMES: dict[BenefitCode, str] = {
    "old_age_pension": N_("Old-age pension"),
    "disability_pension": N_("Disability pension"),
    "survivors_pension": N_("Survivor's pension"),
    "sickness_benefit": N_("Sickness benefit"),
    "maternity_benefit": N_("Maternity benefit"),
    "parental_benefit": N_("Parental benefit"),
    "childbirth_benefit": N_("Childbirth benefit"),
    "unemployment_benefit": N_("Unemployment benefit"),
    "transport_compensation": N_("Transport cost compensation for a person with a disability"),
    "disability_care_benefit": N_("Benefit for a person with a disability who needs care"),
    "guardian_benefit": N_("Guardian's benefit for a child's maintenance"),
    "guardian_remuneration": N_("Remuneration for a guardian's duties"),
}

EntitlementCode = Literal[
    "contribution_refund",
    "old_age_pension",
    "transport_compensation",
    "disability_care_benefit",
    "disability_pension",
    "childbirth_benefit",
    "parental_benefit",
]
ENTITLEMENT_NAMES: dict[EntitlementCode, str] = {
    "contribution_refund": N_("Refund of overpaid contributions"),
    "old_age_pension": N_("Old-age pension"),
    "transport_compensation": N_("Transport cost compensation for a person with a disability"),
    "disability_care_benefit": N_("Benefit for a person with a disability who needs care"),
    "disability_pension": N_("Disability pension"),
    "childbirth_benefit": N_("Childbirth benefit"),
    "parental_benefit": N_("Parental benefit"),
}

CorrectionAbout = StatementKind | Literal["benefits", "payments", "entitlements", "other"]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class Payment(_Answer):
    date: dt.date
    period_from: dt.date
    period_to: dt.date
    gross: Money
    tax: Money
    deductions: Money
    net: Money


class NextPayment(_Answer):
    date: dt.date
    amount: Money


class Benefit(_Answer):
    """A granted benefit; `amount` is the one in effect today (per day for a daily benefit); `account` is masked."""

    code: BenefitCode
    service: str | None
    status: Literal["granted", "ended"]
    since: dt.date
    until: dt.date | None
    frequency: Frequency
    amount: Money
    account: str | None
    payments: list[Payment]
    next_payment: NextPayment | None


class Benefits(_Answer):
    as_of: AwareDatetime
    benefits: list[Benefit]


class AboutPerson(_Answer):
    personal_code: str
    given_name: str
    family_name: str


class Entitlement(_Answer):
    """A right not claimed: apply for `service` (None: nothing to apply for) from `since`, by `apply_by` if set.
    `explanation` is VSAA's own text, in Latvian."""

    code: EntitlementCode
    service: str | None
    since: dt.date
    right_from: dt.date | None
    apply_by: dt.date | None
    about_person: AboutPerson | None
    explanation: str


class Entitlements(_Answer):
    as_of: AwareDatetime
    entitlements: list[Entitlement]


class Prefill(_Answer):
    """Answers VSAA already knows for an application of `service`, keyed by question name (the contract lists
    the keys by service); empty when it knows none."""

    as_of: AwareDatetime
    service: str
    answers: dict[str, Any]


class CorrectionReceipt(_Answer):
    id: str
    status: Literal["received"]
    received_at: AwareDatetime
    as_of: AwareDatetime


@runtime_checkable  # Litestar checks injected values against their annotation
class VsaaData(Protocol):
    """Every method takes a personal code with or without the hyphen and raises ValueError for a malformed one
    (validate what people type first, with `portal.people.personal_code`), and AgencyUnavailable when VSAA gives
    no usable answer. A person VSAA holds nothing about gets empty answers, never an error.
    """

    async def statement_summary(self, personal_code: str) -> StatementSummary:
        """All 12 statement kinds, available or not, with their key figures."""
        ...

    async def statement(self, personal_code: str, kind: StatementKind, year: int | None = None) -> Statement:
        """One kind's full statement; `year` as the contract says per kind (ValueError for an unknown kind)."""
        ...

    async def benefits(self, personal_code: str) -> Benefits:
        """Granted benefits (current, or ended this or last year) with this and last year's payments."""
        ...

    async def entitlements(self, personal_code: str) -> Entitlements:
        """Rights the person has not claimed yet (the proactive notices' source)."""
        ...

    async def prefill(self, personal_code: str, service: str) -> Prefill:
        """Known answers for an application; AgencyRefused (with VSAA's reason) for a service VSAA has not."""
        ...

    async def report_wrong_data(
        self, personal_code: str, about: CorrectionAbout, text: str, idempotency_key: str
    ) -> CorrectionReceipt:
        """Registers the person's report once per `idempotency_key` (send it again after a failure with the same
        key); AgencyRefused when VSAA refuses it (the key was used for another report)."""
        ...


_Model = TypeVar("_Model", bound=BaseModel)


class HttpVsaaData:
    def __init__(self, caller: AgencyCaller, cache_seconds: float | None = None) -> None:
        """`caller` is VSAA's (registry.py builds it on the agency's client). `cache_seconds` keeps read answers
        that long per person; off by default, because the answers follow the business clock (a payment day, an
        entitlement's deadline) and the sync worker keeps the answers pages show (portal/sync/)."""
        self._caller = caller
        self._cache_seconds = cache_seconds

    async def statement_summary(self, personal_code: str) -> StatementSummary:
        code = normalise(personal_code)
        return await self._read(SUMMARY_PATH, StatementSummary, {"personal_code": code}, code)

    async def statement(self, personal_code: str, kind: StatementKind, year: int | None = None) -> Statement:
        if kind not in STATEMENT_KINDS:
            raise ValueError(f"not a VSAA statement kind: {kind!r}")
        code = normalise(personal_code)
        body = {"personal_code": code, "year": year}
        answer = await self._read(STATEMENT_PATH.format(kind=kind), Statement, body, code)
        if answer.kind != kind or (answer.data is not None and answer.data.kind != kind):
            raise AgencyUnavailable(f"{AGENCY}: answered another statement kind than asked", AGENCY)
        return answer

    async def benefits(self, personal_code: str) -> Benefits:
        code = normalise(personal_code)
        return await self._read(BENEFITS_PATH, Benefits, {"personal_code": code}, code)

    async def entitlements(self, personal_code: str) -> Entitlements:
        code = normalise(personal_code)
        return await self._read(ENTITLEMENTS_PATH, Entitlements, {"personal_code": code}, code)

    async def prefill(self, personal_code: str, service: str) -> Prefill:
        code = normalise(personal_code)
        body = {"personal_code": code, "service": service}
        # Asking changes nothing at VSAA, so it may be retried; a refusal is VSAA's word on the service.
        return await self._caller.call(
            "POST", PREFILL_PATH, Prefill, json=body, idempotent=True, cache_seconds=self._cache_seconds, person=code
        )

    async def report_wrong_data(
        self, personal_code: str, about: CorrectionAbout, text: str, idempotency_key: str
    ) -> CorrectionReceipt:
        body = {"personal_code": normalise(personal_code), "about": about, "text": text}
        return await self._caller.call(
            "POST", CORRECTIONS_PATH, CorrectionReceipt, json=body, idempotency_key=idempotency_key
        )

    async def _read(self, path: str, model: type[_Model], body: dict[str, Any], code: str) -> _Model:
        try:
            # A question changes nothing at VSAA, so it may be retried like a GET.
            return await self._caller.call(
                "POST", path, model, json=body, idempotent=True, cache_seconds=self._cache_seconds, person=code
            )
        except AgencyRefused as refused:
            # The code and kind were checked first, so a 4xx is VSAA's or our configuration's fault.
            raise AgencyUnavailable(f"{AGENCY}: answered {refused.status}", AGENCY) from None


class UnconfiguredVsaaData:
    """Dev or test without the sandbox and without PORTAL_VSAA_BASE_URL: VSAA cannot be asked."""

    def _unavailable(self) -> AgencyUnavailable:
        return AgencyUnavailable(f"{AGENCY}: PORTAL_VSAA_BASE_URL is not set", AGENCY)

    async def statement_summary(self, personal_code: str) -> StatementSummary:
        raise self._unavailable()

    async def statement(self, personal_code: str, kind: StatementKind, year: int | None = None) -> Statement:
        raise self._unavailable()

    async def benefits(self, personal_code: str) -> Benefits:
        raise self._unavailable()

    async def entitlements(self, personal_code: str) -> Entitlements:
        raise self._unavailable()

    async def prefill(self, personal_code: str, service: str) -> Prefill:
        raise self._unavailable()

    async def report_wrong_data(
        self, personal_code: str, about: CorrectionAbout, text: str, idempotency_key: str
    ) -> CorrectionReceipt:
        raise self._unavailable()
