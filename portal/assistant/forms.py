"""The form for opening a client: who (personal code), how they were identified, and that they are here."""

from __future__ import annotations

import re
from typing import Any

from wtforms import BooleanField, Field, RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import AnyOf, InputRequired, ValidationError

from portal.people.personal_code import is_valid_personal_code, normalise
from portal.web.form_input import error_summary_items, field_errors
from portal.web.forms import PortalForm
from portal.web.i18n import N_, gettext

DOCUMENT_CHOICES = [
    SelectChoice("passport", N_("Passport")),
    SelectChoice("id_card", N_("Identity card (eID card)")),
    SelectChoice("residence_permit", N_("Residence permit")),
]
DOCUMENT_NAMES = {choice.value: choice.label for choice in DOCUMENT_CHOICES}
# Only the last characters of the number: enough to find the document again, too little to misuse it.
_LAST_DIGITS = re.compile(r"^[A-Za-z0-9]{4}$")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _squeeze(value: str | None) -> str | None:
    """People copy "12 34" from a document: the spaces are not part of the number."""
    return value.replace(" ", "").upper() if isinstance(value, str) else value


class OpenClientForm(PortalForm):
    personal_code = StringField(
        filters=[_strip], validators=[InputRequired(N_("Enter the personal code of the client."))]
    )
    document_type = RadioField(
        choices=DOCUMENT_CHOICES,
        validate_choice=False,
        validators=[
            AnyOf([c.value for c in DOCUMENT_CHOICES], message=N_("Choose the document the client showed you."))
        ],
    )
    document_last_digits = StringField(
        filters=[_squeeze],
        validators=[InputRequired(N_("Enter the last 4 characters of the document number."))],
    )
    present_in_person = BooleanField()

    def validate_personal_code(self, field: Field) -> None:
        if not is_valid_personal_code(field.data or ""):
            raise ValidationError(N_("Enter a personal code in the correct format, like 010185-12345."))
        field.data = normalise(field.data)

    def validate_document_last_digits(self, field: Field) -> None:
        if not _LAST_DIGITS.match(field.data or ""):
            raise ValidationError(N_("The last characters of the document number must be exactly 4 letters or digits."))

    def validate_present_in_person(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(N_("Confirm that the client is here in person."))


def open_client_context(
    form: OpenClientForm, refusal: str | None = None, unavailable: str | None = None
) -> dict[str, Any]:
    """What the page needs: values as typed, choices, errors. A refusal belongs to the personal code field; an
    unavailable register is nobody's typing error, so it stands in the summary alone and every value is kept."""
    summary = error_summary_items(form)
    errors = field_errors(form)
    if refusal:
        summary.append({"href": "#personal_code", "text": gettext(refusal)})
        errors["personal_code"] = gettext(refusal)
    if unavailable:
        summary.append({"href": "#personal_code", "text": gettext(unavailable)})
    return {
        "values": {
            "personal_code": form.personal_code.data or "",
            "document_type": form.document_type.data,
            "document_last_digits": form.document_last_digits.data or "",
            "present_in_person": ["yes"] if form.present_in_person.data else [],
        },
        "document_choices": [{"value": c.value, "text": gettext(c.label)} for c in DOCUMENT_CHOICES],
        "errors": errors,
        "summary": summary,
    }
