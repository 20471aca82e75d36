"""The notification preferences form: an e-mail address and the channels new notices go out by."""

from __future__ import annotations

import re
from typing import Any

from wtforms import Field, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import ValidationError

from portal.notices.store import Preferences
from portal.web.form_input import error_summary_items, field_errors
from portal.web.forms import PortalForm
from portal.web.i18n import N_, gettext

CHANNELS = [
    SelectChoice("email", N_("E-mail")),
    SelectChoice("sms", N_("Text message (SMS)")),
    SelectChoice("eadrese", N_("E-address (e-adrese)")),
]
# Enough to catch a typing slip; whether the mailbox exists only a sent e-mail can tell.
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# A Latvian mobile number: eight digits from 2, with or without +371; spaces are allowed as people write them.
PHONE = re.compile(r"(?:\+371)?(2\d{7})")


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class NotificationsForm(PortalForm):
    email = StringField(filters=[_strip])
    phone = StringField(filters=[_strip])
    channels = SelectMultipleField(choices=CHANNELS, validate_choice=False)

    @classmethod
    def of(cls, chosen: Preferences) -> NotificationsForm:
        picked = [name for name, on in (("email", chosen.by_email), ("sms", chosen.by_sms)) if on]
        return cls(
            email=chosen.email or "",
            phone=chosen.phone or "",
            channels=picked + (["eadrese"] if chosen.by_eadrese else []),
        )

    def validate_email(self, field: Field) -> None:
        if field.data and (len(field.data) > 254 or not EMAIL.fullmatch(field.data)):
            raise ValidationError(N_("Enter an e-mail address in the correct format, like name@example.lv."))
        if not field.data and "email" in (self.channels.data or []):
            raise ValidationError(N_("Enter your e-mail address to get notices by e-mail."))

    def validate_phone(self, field: Field) -> None:
        if field.data:
            number = PHONE.fullmatch(re.sub(r"[\s-]", "", field.data))
            if number is None:
                raise ValidationError(N_("Enter a Latvian mobile number, like 20 123 456."))
            field.data = f"+371{number.group(1)}"
        elif "sms" in (self.channels.data or []):
            raise ValidationError(N_("Enter your mobile number to get notices by text message."))

    def validate_channels(self, field: Field) -> None:
        if any(value not in {c.value for c in CHANNELS} for value in field.data or []):
            raise ValidationError(N_("Choose the channels from the list."))

    def chosen(self, language: str) -> Preferences:
        picked = set(self.channels.data or [])
        return Preferences(
            self.email.data or None,
            self.phone.data or None,
            "email" in picked,
            "sms" in picked,
            "eadrese" in picked,
            language,
        )


def notifications_context(form: NotificationsForm, saved: bool) -> dict[str, Any]:
    return {
        "values": {
            "email": form.email.data or "",
            "phone": form.phone.data or "",
            "channels": form.channels.data or [],
        },
        "channel_choices": [{"value": c.value, "text": gettext(c.label)} for c in CHANNELS],
        "errors": field_errors(form),
        "summary": error_summary_items(form),
        "saved": saved,
    }
