"""What forms need beyond WTForms: a date typed in three inputs, and errors shaped for the component macros.

The macros in templates/components/ take plain values (ids, texts, errors); these helpers turn a validated
form into them, so that a page never digs into WTForms internals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from wtforms import Field, Form
from wtforms.form import BaseForm
from wtforms.validators import StopValidation

from portal.web.i18n import N_, gettext

DATE_PARTS = ("day", "month", "year")
MISSING_PART = {
    "day": N_("The date must include a day."),
    "month": N_("The date must include a month."),
    "year": N_("The date must include a year."),
}
INCOMPLETE_DATE = N_("Enter the day, the month and the year of the date.")
NOT_A_DATE = N_("The date must be a real date, for example 27 3 1985.")
YEAR_DIGITS = N_("The year must have four digits.")


class DateInputField(Field):
    """A date entered as day, month and year in the inputs `<name>-day`, `<name>-month`, `<name>-year`.

    Which parts are wrong is kept in `error_parts`, so the page marks only those inputs and the error summary
    links to the first of them (`anchor`).
    """

    data: dt.date | None

    def __init__(self, label: str | None = None, required_message: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required_message = required_message
        self.parts: dict[str, str] = dict.fromkeys(DATE_PARTS, "")
        self.error_parts: list[str] = []

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.data = data if isinstance(data, dt.date) else None
        if self.data:
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        for part in DATE_PARTS:
            key = f"{self.name}-{part}"
            self.parts[part] = formdata.getlist(key)[0].strip() if key in formdata else ""
        self.raw_data = [self.parts[part] for part in DATE_PARTS if self.parts[part]]
        self.data = _to_date(self.parts)

    def pre_validate(self, form: BaseForm) -> None:
        missing = [part for part in DATE_PARTS if not self.parts[part]]
        if len(missing) == len(DATE_PARTS):
            if self.required_message:
                self._fail(self.required_message, list(DATE_PARTS))
            return
        if missing:
            self._fail(MISSING_PART[missing[0]] if len(missing) == 1 else INCOMPLETE_DATE, missing)
        if not self.parts["year"].isdigit() or len(self.parts["year"]) != 4:
            self._fail(YEAR_DIGITS, ["year"])
        if self.data is None:
            self._fail(NOT_A_DATE, list(DATE_PARTS))

    def _fail(self, message: str, parts: list[str]) -> None:
        self.error_parts = parts
        raise StopValidation(message)

    @property
    def anchor(self) -> str:
        """The id of the input an error summary link should focus."""
        return f"{self.id}-{(self.error_parts or ['day'])[0]}"


def _to_date(parts: dict[str, str]) -> dt.date | None:
    if not all(parts[part].isdigit() for part in DATE_PARTS):
        return None
    try:
        return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None


def field_anchor(field: Field) -> str:
    return field.anchor if isinstance(field, DateInputField) else str(field.id)


def field_errors(form: Form) -> dict[str, str]:
    """The first error of each field, translated (our messages are msgids until they are shown)."""
    return {field.name: gettext(str(field.errors[0])) for field in form if field.errors}


def error_summary_items(form: Form) -> list[dict[str, str]]:
    """Links for the error summary, in the order of the fields on the page."""
    return [
        {"href": f"#{field_anchor(field)}", "text": gettext(str(field.errors[0]))} for field in form if field.errors
    ]
