"""The base of every WTForms form: messages in the request's language, through our own catalogue."""

from __future__ import annotations

from typing import Any

from wtforms import Form

from portal.web.i18n import N_, FormTranslations


def Np_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural message pair for extraction (`pybabel extract -k Np_:1,2`)."""
    return singular, plural


class PortalForm(Form):
    class Meta:
        def get_translations(self, form: Any) -> FormTranslations:
            return FormTranslations()


# WTForms ships no Latvian: its own messages are listed here so that extraction puts them in our catalogue.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid time value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid integer value."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Date must be at least %(min)s."),
    N_("Date must be at most %(max)s."),
    N_("Date must be between %(min)s and %(max)s."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Invalid email address."),
    N_("Invalid value, must be one of: %(values)s."),
    N_("Invalid value, can't be any of: %(values)s."),
    N_("This field cannot be edited."),
    N_("This field is disabled and cannot have a value."),
)
WTFORMS_PLURALS = (
    Np_("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    Np_("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    Np_("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
    Np_(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
    ),
)
