"""Names of the codes a statement's full data carries (contracts/vsaa-person-data.yaml), marked with N_ and
translated where shown; an unknown code is shown as VSAA sent it rather than hidden."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from babel.dates import get_month_names

from portal.agencies.vsaa_data import BENEFIT_NAMES
from portal.web.i18n import FORMAT_LOCALES, N_, current_locale, gettext

PERIOD_KINDS = {
    "employment": N_("Employment"),
    "self_employment": N_("Self-employment"),
    "military": N_("Military service"),
    "study": N_("Full-time study"),
    "childcare": N_("Childcare"),
    "sickness": N_("Sickness benefit"),
    "maternity": N_("Maternity benefit"),
    "unemployment": N_("Unemployment benefit"),
    "disability_pension": N_("Disability pension"),
    "old_age_pension": N_("Old-age pension"),
}

RISK_PROFILES = {
    "conservative": N_("conservative"),
    "balanced": N_("balanced"),
    "active": N_("active"),
}

ROLES = {
    "participant": N_("Participant"),
    "heir": N_("Heir of a participant"),
}

INHERITED_HOW = {
    "added_to_pension_capital": N_("Added to your pension capital"),
    "paid_out": N_("Paid out"),
    "transferred_to_pillar2": N_("Transferred to your pillar-2 account"),
}

DEDUCTION_REASONS = {
    "overpayment_recovery": N_("Recovery of an overpayment"),
    "court_order": N_("Court order"),
    "maintenance": N_("Maintenance for a child"),
    "delivery_fee": N_("Delivery fee"),
}

CHANGE_REASONS = {
    "grant": N_("Granted"),
    "indexation": N_("Indexation"),
    "recalculation": N_("Recalculation"),
}

AMOUNT_PARTS = {
    "base": N_("Pension or benefit"),
    "supplement_pre_1996": N_("Supplement for the insurance record before 1996"),
}

BENEFIT_STATUS = {
    "granted": N_("Being paid"),
    "ended": N_("Ended"),
}


def label(names: Mapping[Any, str], code: str | None) -> str:
    """The translated name of a code, or the code itself when this portal does not know it yet."""
    if code is None:
        return ""
    name = names.get(code)
    return gettext(name) if name else code


def benefit(code: str) -> str:
    return label(BENEFIT_NAMES, code)


def month(number: int) -> str:
    """A month's name standing alone ("marts", "March"), from Babel's CLDR data."""
    names = get_month_names("wide", context="stand-alone", locale=FORMAT_LOCALES[current_locale()])
    return str(names[number]) if 1 <= number <= 12 else str(number)
