"""The component gallery's demonstration form: a text input, a date in three fields and radios with a
conditional question, validated on the server like every form of the portal."""

from __future__ import annotations

from typing import Any

from wtforms import Field, RadioField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from portal.web.form_input import DateInputField, error_summary_items, field_errors
from portal.web.forms import PortalForm
from portal.web.i18n import N_, gettext

CONTACT_CHOICES = [
    SelectChoice("email", N_("By email")),
    SelectChoice("phone", N_("By phone")),
    SelectChoice("post", N_("By post")),
]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class GalleryDemoForm(PortalForm):
    full_name = StringField(
        filters=[_strip],
        validators=[
            InputRequired(N_("Enter your full name.")),
            Length(max=100, message=N_("Your full name must be 100 characters or fewer.")),
        ],
    )
    date_of_birth = DateInputField(required_message=N_("Enter your date of birth."))
    contact = RadioField(
        choices=CONTACT_CHOICES,
        validate_choice=False,
        validators=[AnyOf([c.value for c in CONTACT_CHOICES], message=N_("Choose how we should contact you."))],
    )
    email = StringField(filters=[_strip])

    def validate_email(self, field: Field) -> None:
        if self.contact.data != "email":
            return
        if not field.data:
            raise ValidationError(N_("Enter your email address."))
        if "@" not in field.data.strip("@"):
            raise ValidationError(N_("Enter an email address in the correct format, like name@example.lv."))


def demo_context(form: GalleryDemoForm | None = None) -> dict[str, Any]:
    """Plain values for the macros: what was typed, the errors per field and the summary."""
    form = form or GalleryDemoForm()
    return {
        "values": {
            "full_name": form.full_name.data or "",
            "date_of_birth": form.date_of_birth.parts,
            "contact": form.contact.data,
            "email": form.email.data or "",
        },
        "contact_choices": [{"value": c.value, "text": gettext(c.label)} for c in CONTACT_CHOICES],
        "errors": field_errors(form),
        "error_parts": form.date_of_birth.error_parts,
        "summary": error_summary_items(form),
    }


def validated(formdata: Any) -> tuple[bool, dict[str, Any]]:
    form = GalleryDemoForm(formdata)
    valid = form.validate()
    return valid, demo_context(form)
