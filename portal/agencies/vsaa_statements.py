"""VSAA's 12 statements (izziņas) as the portal reads them: Pydantic models of contracts/vsaa-person-data.yaml.

A statement has key figures (`Figure`, the same shape for every kind, so a page can list them without knowing the
kind) and its kind's full data (`EP43Data` … `EP61Data`, told apart by their `kind`). Money is `Money` (a Decimal
amount in EUR). The client is portal/agencies/vsaa_data.py; the kinds' names for pages are there too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

StatementKind = Literal["EP43", "EP44", "EP45", "EP46", "EP47", "EP48", "EP49", "EP50", "EP51", "EP52", "EP53", "EP61"]
BenefitCode = Literal[
    "old_age_pension",
    "disability_pension",
    "survivors_pension",
    "sickness_benefit",
    "maternity_benefit",
    "parental_benefit",
    "childbirth_benefit",
    "unemployment_benefit",
    "transport_compensation",
    "disability_care_benefit",
    "guardian_benefit",
    "guardian_remuneration",
]
Frequency = Literal["monthly", "daily", "half_yearly", "one_off"]
Role = Literal["participant", "heir"]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class Money(_Answer):
    amount: Annotated[Decimal, Field(decimal_places=2)]
    currency: Literal["EUR"]


class Duration(_Answer):
    years: int
    months: int
    days: int


class Figure(_Answer):
    """One key figure; `type` says which fields carry it (money: amount and currency; period: text as an ISO 8601
    duration and number as whole months). `year` is the year it is of, when it is of one."""

    key: str
    type: Literal["money", "date", "number", "text", "period"]
    amount: Decimal | None
    currency: Literal["EUR"] | None
    date: dt.date | None
    number: Decimal | None
    text: str | None
    year: int | None


class InsurancePeriod(_Answer):
    start: dt.date
    end: dt.date | None
    kind: str
    employer: str | None


class ContributionYear(_Answer):
    year: int
    months_insured: int
    contribution_base: Money
    pension_contributions: Money
    pillar1_contributions: Money
    pillar2_contributions: Money


class EP43Data(_Answer):
    kind: Literal["EP43"]
    years: list[ContributionYear]
    periods: list[InsurancePeriod]


class AccountYear(_Answer):
    year: int
    opening_value: Money
    contributions: Money
    returns: Money
    fees: Money
    inherited: Money
    transferred_out: Money
    closing_value: Money


class EP44Data(_Answer):
    kind: Literal["EP44"]
    role: Role
    manager: str
    plan: str
    years: list[AccountYear]


class Inheritance(_Answer):
    from_participant: str
    date_of_death: dt.date
    amount: Money
    settled_on: dt.date
    how: Literal["added_to_pension_capital", "paid_out", "transferred_to_pillar2"]


class EP45Data(_Answer):
    kind: Literal["EP45"]
    role: Role
    choice: Literal["heirs", "spouse_pension_capital", "state_pension_budget"] | None
    chosen_on: dt.date | None
    inherited: list[Inheritance]


class BenefitTotals(_Answer):
    code: BenefitCode
    gross: Money
    tax: Money
    deductions: Money
    net: Money


class EP46Data(_Answer):
    kind: Literal["EP46"]
    by_benefit: list[BenefitTotals]
    total_gross: Money
    total_tax: Money
    total_net: Money


class EP47Data(_Answer):
    kind: Literal["EP47"]
    before_1996: Duration
    since_1996: Duration
    total: Duration
    periods: list[InsurancePeriod]


class CapitalYear(_Answer):
    year: int
    contributions: Money
    index: Decimal
    indexation: Money
    capital: Money


class EP48Data(_Answer):
    kind: Literal["EP48"]
    initial_capital: Money
    converted_to_pension_on: dt.date | None
    years: list[CapitalYear]


class EP49Data(_Answer):
    kind: Literal["EP49"]
    role: Role
    joined_on: dt.date
    manager: str
    plan: str
    risk_profile: Literal["conservative", "balanced", "active"]
    plan_since: dt.date
    contribution_rate: Decimal | None


class Deduction(_Answer):
    date: dt.date
    benefit: BenefitCode
    reason: Literal["overpayment_recovery", "court_order", "maintenance", "delivery_fee"]
    note: str | None
    amount: Money


class EP50Data(_Answer):
    kind: Literal["EP50"]
    deductions: list[Deduction]
    total: Money


class AmountPart(_Answer):
    key: str
    amount: Money


class AmountChange(_Answer):
    # `from` is a Python keyword; dumped by its alias, so that a kept answer reads back through this model.
    model_config = ConfigDict(frozen=True, validate_by_name=True, serialize_by_alias=True)

    from_: dt.date = Field(alias="from")
    amount: Money
    reason: Literal["grant", "indexation", "recalculation"]


class GrantedAmount(_Answer):
    code: BenefitCode
    service: str | None
    status: Literal["granted", "ended"]
    since: dt.date
    until: dt.date | None
    frequency: Frequency
    amount: Money
    components: list[AmountPart]
    changes: list[AmountChange]


class EP51Data(_Answer):
    kind: Literal["EP51"]
    benefits: list[GrantedAmount]


class SentPayment(_Answer):
    date: dt.date
    benefit: BenefitCode
    period_from: dt.date
    period_to: dt.date
    net: Money
    account: str | None


class EP52Data(_Answer):
    kind: Literal["EP52"]
    payments: list[SentPayment]
    total_net: Money


class TaxMonth(_Answer):
    month: int
    taxable_income: Money
    tax: Money


class EP53Data(_Answer):
    kind: Literal["EP53"]
    months: list[TaxMonth]
    total_tax: Money


class EP61Data(_Answer):
    kind: Literal["EP61"]
    status: Literal["projected", "receiving"]
    retirement_date: dt.date
    pillar1_capital: Money | None
    pillar2_capital: Money | None
    life_expectancy_months: int | None
    monthly_amount: Money


StatementData = Annotated[
    EP43Data
    | EP44Data
    | EP45Data
    | EP46Data
    | EP47Data
    | EP48Data
    | EP49Data
    | EP50Data
    | EP51Data
    | EP52Data
    | EP53Data
    | EP61Data,
    Field(discriminator="kind"),
]


class SummaryEntry(_Answer):
    kind: StatementKind
    available: bool
    figures: list[Figure]


class StatementSummary(_Answer):
    """All 12 kinds, each available or not, with their key figures."""

    as_of: AwareDatetime
    statements: list[SummaryEntry]

    def entry(self, kind: StatementKind) -> SummaryEntry:
        return next(s for s in self.statements if s.kind == kind)


class Statement(_Answer):
    """One kind's full statement. `year` is the year covered (None: every year, or the state today); `years` the
    years the person has data of for this kind; `data` is None when the kind is not available."""

    as_of: AwareDatetime
    kind: StatementKind
    available: bool
    year: int | None
    years: list[int]
    figures: list[Figure]
    data: StatementData | None
