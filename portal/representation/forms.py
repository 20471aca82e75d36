"""The form for granting a mandate: to whom (personal code), for which matters, until when."""

from __future__ import annotations

from typing import Any

from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import AnyOf, InputRequired, ValidationError

from portal.people.personal_code import is_valid_personal_code, normalise
from portal.representation.service import AGENCIES, MandateRefused
from portal.web.form_input import DateInputField, error_summary_items, field_errors
from portal.web.forms import PortalForm
from portal.web.i18n import N_, gettext

SCOPE_CHOICES = [
    SelectChoice("all", N_("All matters")),
    SelectChoice("agencies", N_("Only the matters of chosen agencies")),
]
AGENCY_NAMES = {
    "VSAA": N_("State Social Insurance Agency (VSAA)"),
    "VDEAVK": N_("State Medical Commission for the Assessment of Health Condition and Working Ability (VDEĀVK)"),
    "PASV": N_("Municipal social service"),
}


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class MandateForm(PortalForm):
    holder_code = StringField(
        filters=[_strip], validators=[InputRequired(N_("Enter the personal code of the person."))]
    )
    scope = RadioField(
        choices=SCOPE_CHOICES,
        validate_choice=False,
        validators=[AnyOf([c.value for c in SCOPE_CHOICES], message=N_("Choose what the mandate covers."))],
    )
    agencies = SelectMultipleField(choices=[SelectChoice(code, code) for code in AGENCIES], validate_choice=False)
    valid_until = DateInputField(required_message=N_("Enter the date the mandate ends."))

    def validate_holder_code(self, field: Field) -> None:
        if not is_valid_personal_code(field.data or ""):
            raise ValidationError(N_("Enter a personal code in the correct format, like 010185-12345."))
        field.data = normalise(field.data)

    def validate_agencies(self, field: Field) -> None:
        if self.scope.data != "agencies":
            field.data = []
            return
        if not field.data:
            raise ValidationError(N_("Choose at least one agency."))
        if any(code not in AGENCIES for code in field.data):
            raise ValidationError(N_("Choose the agencies from the list."))


def mandate_form_context(form: MandateForm, refusal: MandateRefused | None = None) -> dict[str, Any]:
    """Plain values for the page; a refusal from the rules shows by its field like any other error."""
    summary = error_summary_items(form)
    errors = field_errors(form)
    if refusal:
        anchor = "valid_until-day" if refusal.field == "valid_until" else refusal.field
        summary.append({"href": f"#{anchor}", "text": gettext(refusal.reason)})
        errors[refusal.field] = gettext(refusal.reason)
    return {
        "values": {
            "holder_code": form.holder_code.data or "",
            "scope": form.scope.data,
            "agencies": form.agencies.data or [],
            "valid_until": form.valid_until.parts,
        },
        "scope_choices": [{"value": c.value, "text": gettext(c.label)} for c in SCOPE_CHOICES],
        "agency_choices": [{"value": code, "text": gettext(AGENCY_NAMES[code])} for code in AGENCIES],
        "errors": errors,
        "error_parts": form.valid_until.error_parts,
        "summary": summary,
    }
