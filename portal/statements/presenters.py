"""How the statements page words and formats what the agencies said, in the reader's language.

Names and labels come from the VSAA client's mappings (portal/agencies/vsaa_data.py, marked with N_); money,
dates and numbers go through Babel (portal/web/i18n.py): `12 345,67 €` in Latvian.
"""

from __future__ import annotations

import re
from typing import Any

from portal.agencies.vsaa_data import BENEFIT_NAMES, FIGURE_LABELS, INHERITANCE_CHOICES, STATEMENT_KINDS
from portal.statements.formats import years_months
from portal.statements.service import Disability, Figure
from portal.web.i18n import format_date, format_money, format_number, gettext

Row = dict[str, str]
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")


def statement_name(kind: str) -> str:
    name = STATEMENT_KINDS.get(kind)  # type: ignore[call-overload]
    return gettext(name) if name else kind


def _duration(figure: Figure) -> str:
    """A period as years and months (and days), from its ISO 8601 duration, else from its whole months."""
    match = _DURATION.match(figure.text or "")
    if match:
        years, months, days = (int(part or 0) for part in match.groups())
    elif figure.number is not None:
        years, months, days = int(figure.number) // 12, int(figure.number) % 12, 0
    else:
        return ""
    return years_months(years, months, days)


def _value(figure: Figure) -> str:
    if figure.type == "money" and figure.amount is not None:
        value = format_money(figure.amount, figure.currency or "EUR")
        if figure.date is not None:
            value = gettext("%(amount)s on %(date)s") % {"amount": value, "date": format_date(figure.date)}
    elif figure.type == "date" and figure.date is not None:
        value = format_date(figure.date)
    elif figure.type == "number" and figure.number is not None:
        value = format_number(figure.number)
    elif figure.type == "period":
        value = _duration(figure)
    elif figure.key == "pillar2_inheritance_choice" and figure.text in INHERITANCE_CHOICES:
        value = gettext(INHERITANCE_CHOICES[figure.text])
    else:
        value = figure.text or ""
    if figure.year is not None:
        value = gettext("%(value)s (year %(year)s)") % {"value": value, "year": figure.year}
    return value


def _label(figure: Figure) -> str:
    if figure.key == "granted_amount" and figure.text in BENEFIT_NAMES:
        return gettext(BENEFIT_NAMES[figure.text])
    label = FIGURE_LABELS.get(figure.key)
    return gettext(label) if label else figure.key.replace("_", " ").capitalize()


def figure_rows(figures: tuple[Figure, ...]) -> list[Row]:
    """Key figures as summary-list rows; a figure with nothing to show is left out."""
    rows = [{"key": _label(figure), "value": _value(figure)} for figure in figures]
    return [row for row in rows if row["value"]]


def disability_rows(disability: Disability) -> list[Row]:
    rows = []
    if disability.group:
        rows.append(
            {"key": gettext("Disability group"), "value": gettext("Group %(group)s") % {"group": disability.group}}
        )
    if disability.since:
        rows.append({"key": gettext("Disability set from"), "value": format_date(disability.since)})
    until = format_date(disability.valid_until) if disability.valid_until else gettext("Set for life")
    rows.append({"key": gettext("Disability term ends"), "value": until})
    return rows


PRESENTERS: dict[str, Any] = {
    "statement_name": statement_name,
    "figure_rows": figure_rows,
    "disability_rows": disability_rows,
}
