"""One question's raw form values → a stored answer, or a message that says how to fix it.

Each question type reads its own inputs (`<name>`, or `<name>-day` … for dates and `<name>-street` … for
addresses), so a page is parsed question by question and a forged or missing input can only ever make that one
answer invalid. Answers are JSON-ready (see the shared design): dates ISO strings, money "123.45", yes_no
"yes"/"no", multi_choice a list of values, file a list of upload ids, address a dict of its parts.

Messages are msgids (N_) with %(name)s parameters; `Problem.text()` translates them when the page is drawn.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from portal.catalogue.definitions import resolve_date
from portal.people.personal_code import is_valid_personal_code, normalise
from portal.web.form_input import DATE_PARTS, INCOMPLETE_DATE, MISSING_PART, NOT_A_DATE, YEAR_DIGITS
from portal.web.i18n import N_, format_date, format_money, gettext, ngettext

RawForm = Mapping[str, Sequence[str]]
"""Submitted inputs, every name with all its values (a multi-select or repeated hidden input sends several)."""

ADDRESS_PARTS = ("street", "town", "postcode")
TEXT_LIMITS = {"text": 200, "textarea": 2000}
MONEY_LIMIT = Decimal("1000000")
MAX_FILES = 10
# People paste IBANs and codes with spaces or non-breaking spaces; these never belong in the stored value.
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# Control characters other than line breaks and tabs cannot come from a keyboard: they are forged or pasted junk.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_POSTCODE = re.compile(r"^(?:LV-?)?([0-9]{4})$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_IBAN_LENGTHS = {"LV": 21, "LT": 20, "EE": 20, "DE": 22, "FI": 18, "SE": 24}

REQUIRED = {
    "text": N_("Enter your answer."),
    "textarea": N_("Enter your answer."),
    "number": N_("Enter a number."),
    "money": N_("Enter an amount in euros."),
    "date": N_("Enter the day, the month and the year of the date."),
    "yes_no": N_("Select yes or no."),
    "choice": N_("Select one of the options."),
    "multi_choice": N_("Select at least one of the options."),
    "address": N_("Enter the street and house, the town and the postcode."),
    "iban": N_("Enter a bank account number (IBAN)."),
    "personal_code": N_("Enter a personal code."),
    "file": N_("Upload at least one file."),
    "scale": N_("Select one of the options."),
}
TOO_LONG = N_("The answer must be %(max)s characters or fewer.")
BAD_CHARACTERS = N_("The answer contains characters that cannot be typed; remove them and try again.")
NOT_A_NUMBER = N_("Enter a whole number using digits, for example 3.")
NUMBER_TOO_SMALL = N_("The number must be %(min)s or more.")
NUMBER_TOO_BIG = N_("The number must be %(max)s or less.")
NOT_MONEY = N_("Enter an amount in euros using digits, for example 120.50.")
MONEY_CENTS = N_("The amount can have at most two digits after the decimal point.")
MONEY_NEGATIVE = N_("The amount cannot be negative.")
MONEY_TOO_SMALL = N_("The amount must be %(min)s euros or more.")
MONEY_TOO_BIG = N_("The amount must be %(max)s euros or less.")
DATE_NOT_FUTURE = N_("The date must be today or in the past.")
DATE_NOT_PAST = N_("The date must be today or in the future.")
DATE_TOO_EARLY = N_("The date must be on or after %(date)s.")
DATE_TOO_LATE = N_("The date must be on or before %(date)s.")
NOT_AN_OPTION = N_("Select one of the options shown.")
ADDRESS_STREET = N_("Enter the street and house number.")
ADDRESS_TOWN = N_("Enter the town, city or parish.")
ADDRESS_POSTCODE = N_("Enter the postcode as four digits, for example LV-1010.")
IBAN_SHAPE = N_("Enter the IBAN as it is written by your bank, for example LV80BANK0000435195001.")
IBAN_CHECKSUM = N_("The IBAN is not correct: check that you copied every character.")
CODE_SHAPE = N_("Enter the personal code as 11 digits, for example 010180-10006.")
CODE_INVALID = N_("The personal code is not correct: check every digit.")
CODE_FUTURE = N_("The personal code gives a birth date in the future: check every digit.")
FILE_INVALID = N_("The file could not be found; upload it again.")
TOO_MANY_FILES = N_("You can upload at most %(max)s files.")


class ChoiceLike(Protocol):
    @property
    def value(self) -> Any: ...
    @property
    def label(self) -> str: ...


class QuestionLike(Protocol):
    """What the parser needs of a definition's question (portal/catalogue/definitions.py's Question)."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def required(self) -> bool: ...


@dataclass(frozen=True)
class Problem:
    """A msgid with its parameters, and which input of the question to focus (`day`, `postcode`, …)."""

    message: str
    params: Mapping[str, object] = field(default_factory=dict)
    part: str | None = None

    def text(self) -> str:
        translated = gettext(self.message)
        return translated % dict(self.params) if self.params else translated


@dataclass(frozen=True)
class Parsed:
    """`value` is the answer to store (None: not answered); `raw` is what to show back in the inputs."""

    value: Any
    raw: Any
    problem: Problem | None = None


def _opt(question: QuestionLike, name: str) -> Any:
    # Optional settings differ per type; a definition model may leave them out altogether.
    return getattr(question, name, None)


def _first(form: RawForm, key: str) -> str:
    values = form.get(key) or []
    return str(values[0]) if values else ""


def clean_text(value: str) -> str:
    """NFC, so a Latvian letter typed as letter + combining mark is stored as the one letter it looks like."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()


def choice_values(question: QuestionLike) -> list[str]:
    if question.type == "yes_no":
        return ["yes", "no"]
    choices: Sequence[ChoiceLike] = _opt(question, "choices") or []
    if not choices and question.type == "scale":
        low, high = int(_opt(question, "min") or 1), int(_opt(question, "max") or 5)
        return [str(number) for number in range(low, high + 1)]
    return [str(choice.value) for choice in choices]


def _bound(spec: object, today: dt.date) -> dt.date | None:
    """A date limit from a definition ("today", "-18y", "+30d", "-6m" or ISO), counted from the business today."""
    if spec is None:
        return None
    return spec if isinstance(spec, dt.date) else resolve_date(str(spec).strip(), today)


def parse(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    """Parse one question's inputs; an empty optional question gives `Parsed(None, …)` without a problem."""
    parser = _PARSERS[question.type]
    parsed = parser(question, form, today)
    if parsed.value is None and parsed.problem is None and question.required:
        part = "day" if question.type == "date" else ("street" if question.type == "address" else None)
        return Parsed(None, parsed.raw, Problem(REQUIRED[question.type], part=part))
    return parsed


def _text(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = _first(form, question.name)
    value = clean_text(raw)
    limit = int(_opt(question, "max_length") or TEXT_LIMITS[question.type])
    if not value:
        return Parsed(None, raw)
    if _CONTROL.search(value) or (question.type == "text" and "\n" in value):
        return Parsed(None, raw, Problem(BAD_CHARACTERS))
    if len(value) > limit:
        return Parsed(None, raw, Problem(TOO_LONG, {"max": limit}))
    return Parsed(value, value)


def _number(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = _first(form, question.name)
    text = _SPACES.sub("", raw)
    if not text:
        return Parsed(None, raw)
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        return Parsed(None, raw, Problem(NOT_A_NUMBER))
    number = int(text)
    low, high = _opt(question, "min"), _opt(question, "max")
    if low is not None and number < int(low):
        return Parsed(None, raw, Problem(NUMBER_TOO_SMALL, {"min": low}))
    if high is not None and number > int(high):
        return Parsed(None, raw, Problem(NUMBER_TOO_BIG, {"max": high}))
    return Parsed(number, str(number))


def _money(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = _first(form, question.name)
    # Latvians write a decimal comma and often the euro sign; both are accepted, one spelling is stored.
    text = _SPACES.sub("", raw).removeprefix("€").removesuffix("€").replace(",", ".")
    if not text:
        return Parsed(None, raw)
    if text.startswith("-"):
        return Parsed(None, raw, Problem(MONEY_NEGATIVE))
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]*)?", text):
        return Parsed(None, raw, Problem(NOT_MONEY))
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return Parsed(None, raw, Problem(NOT_MONEY))
    if "." in text and len(text.split(".")[1]) > 2:
        return Parsed(None, raw, Problem(MONEY_CENTS))
    low, high = _opt(question, "min"), _opt(question, "max")
    if low is not None and amount < Decimal(str(low)):
        return Parsed(None, raw, Problem(MONEY_TOO_SMALL, {"min": low}))
    if amount > (Decimal(str(high)) if high is not None else MONEY_LIMIT):
        return Parsed(None, raw, Problem(MONEY_TOO_BIG, {"max": high if high is not None else MONEY_LIMIT}))
    value = str(amount.quantize(Decimal("0.01")))
    return Parsed(value, value)


def _date(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    parts = {part: _SPACES.sub("", _first(form, f"{question.name}-{part}")) for part in DATE_PARTS}
    missing = [part for part in DATE_PARTS if not parts[part]]
    if len(missing) == len(DATE_PARTS):
        return Parsed(None, parts)
    if missing:
        return Parsed(
            None, parts, Problem(MISSING_PART[missing[0]] if len(missing) == 1 else INCOMPLETE_DATE, part=missing[0])
        )
    if not _digits(parts["year"]) or len(parts["year"]) != 4:
        return Parsed(None, parts, Problem(YEAR_DIGITS, part="year"))
    try:
        if not (_digits(parts["day"]) and _digits(parts["month"])):
            raise ValueError
        date = dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return Parsed(None, parts, Problem(NOT_A_DATE, part="day"))
    low = _bound(_opt(question, "min_date") or _opt(question, "min"), today)
    high = _bound(_opt(question, "max_date") or _opt(question, "max"), today)
    if high is not None and date > high:
        message = DATE_NOT_FUTURE if high == today else DATE_TOO_LATE
        return Parsed(None, parts, Problem(message, {} if high == today else {"date": _show_date(high)}, "day"))
    if low is not None and date < low:
        message = DATE_NOT_PAST if low == today else DATE_TOO_EARLY
        return Parsed(None, parts, Problem(message, {} if low == today else {"date": _show_date(low)}, "day"))
    return Parsed(date.isoformat(), _date_parts(date))


def _digits(text: str) -> bool:
    # str.isdigit also takes other scripts' digits and superscripts; a date is typed in ASCII digits.
    return text.isascii() and text.isdigit()


def _date_parts(date: dt.date) -> dict[str, str]:
    return {"day": str(date.day), "month": str(date.month), "year": str(date.year)}


def _show_date(date: dt.date) -> str:
    return format_date(date)


def _one_of(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = _first(form, question.name).strip()
    if not raw:
        return Parsed(None, raw)
    if raw not in choice_values(question):
        # Only a forged form sends a value that was not offered.
        return Parsed(None, "", Problem(NOT_AN_OPTION))
    return Parsed(raw, raw)


def _many_of(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    chosen = {str(value).strip() for value in form.get(question.name) or [] if str(value).strip()}
    offered = choice_values(question)
    if chosen - set(offered):
        return Parsed(None, [value for value in offered if value in chosen], Problem(NOT_AN_OPTION))
    value = [option for option in offered if option in chosen]  # the definition's order, duplicates dropped
    return Parsed(value or None, value)


def _address(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = {part: clean_text(_first(form, f"{question.name}-{part}")) for part in ADDRESS_PARTS}
    if not any(raw.values()):
        return Parsed(None, raw)
    for part, message in (("street", ADDRESS_STREET), ("town", ADDRESS_TOWN)):
        if not raw[part]:
            return Parsed(None, raw, Problem(message, part=part))
        if _CONTROL.search(raw[part]) or "\n" in raw[part]:
            return Parsed(None, raw, Problem(BAD_CHARACTERS, part=part))
        if len(raw[part]) > TEXT_LIMITS["text"]:
            return Parsed(None, raw, Problem(TOO_LONG, {"max": TEXT_LIMITS["text"]}, part))
    postcode = _POSTCODE.match(_SPACES.sub("", raw["postcode"]).upper())
    if not postcode:
        return Parsed(None, raw, Problem(ADDRESS_POSTCODE, part="postcode"))
    value = {"street": raw["street"], "town": raw["town"], "postcode": f"LV-{postcode.group(1)}"}
    return Parsed(value, value)


def iban_ok(iban: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers (A=10), mod 97 must be 1."""
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def _iban(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = _first(form, question.name)
    text = _SPACES.sub("", raw).replace("-", "").upper()
    if not text:
        return Parsed(None, raw)
    if not text.isascii() or not _IBAN_SHAPE.match(text) or len(text) != _IBAN_LENGTHS.get(text[:2], len(text)):
        return Parsed(None, raw, Problem(IBAN_SHAPE))
    if not iban_ok(text):
        return Parsed(None, raw, Problem(IBAN_CHECKSUM))
    return Parsed(text, text)


def _personal_code(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    raw = _first(form, question.name)
    text = _SPACES.sub("", raw)
    if not text:
        return Parsed(None, raw)
    if not re.fullmatch(r"[0-9]{6}-?[0-9]{5}", text):
        return Parsed(None, raw, Problem(CODE_SHAPE))
    if not is_valid_personal_code(text):
        return Parsed(None, raw, Problem(CODE_INVALID))
    code = normalise(text)
    if not code.startswith("32"):
        century = {"0": 1800, "1": 1900, "2": 2000}[code[7]]
        if dt.date(century + int(code[4:6]), int(code[2:4]), int(code[0:2])) > today:
            return Parsed(None, raw, Problem(CODE_FUTURE))
    return Parsed(code, code)


def _file(question: QuestionLike, form: RawForm, today: dt.date) -> Parsed:
    # The inputs carry upload ids; whose upload it is, is checked by the uploads store when the page is saved.
    ids: list[str] = []
    for value in form.get(question.name) or []:
        text = str(value).strip()
        if not text:
            continue
        try:
            upload_id = str(uuid.UUID(text))
        except ValueError:
            return Parsed(None, ids, Problem(FILE_INVALID))
        if upload_id not in ids:
            ids.append(upload_id)
    limit = int(_opt(question, "max_files") or MAX_FILES)
    if len(ids) > limit:
        return Parsed(None, ids, Problem(TOO_MANY_FILES, {"max": limit}))
    return Parsed(ids or None, ids)


_PARSERS = {
    "text": _text,
    "textarea": _text,
    "number": _number,
    "money": _money,
    "date": _date,
    "yes_no": _one_of,
    "choice": _one_of,
    "scale": _one_of,
    "multi_choice": _many_of,
    "address": _address,
    "iban": _iban,
    "personal_code": _personal_code,
    "file": _file,
}
QUESTION_TYPES = frozenset(_PARSERS)


def raw_from_answer(question: QuestionLike, value: Any) -> Any:
    """What the inputs show for a stored answer (a page drawn again, or a change link from the check page)."""
    if value is None:
        return {} if question.type in ("date", "address") else ([] if question.type in ("multi_choice", "file") else "")
    if question.type == "date":
        return _date_parts(dt.date.fromisoformat(str(value)))
    return value


def answer_text(question: QuestionLike, value: Any) -> str:
    """The answer as the check-your-answers page shows it, in the current language."""
    if value is None or value == [] or value == "":
        return ""
    if question.type == "date":
        return _show_date(dt.date.fromisoformat(str(value)))
    if question.type == "money":
        return format_money(Decimal(str(value)))
    if question.type == "yes_no":
        return gettext("Yes") if value == "yes" else gettext("No")
    if question.type in ("choice", "scale", "multi_choice"):
        labels = {str(choice.value): gettext(choice.label) for choice in _opt(question, "choices") or []}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(item), str(item)) for item in values)
    if question.type == "address":
        return ", ".join(str(value.get(part, "")) for part in ADDRESS_PARTS if value.get(part))
    if question.type == "file":
        return ngettext("%(num)d file", "%(num)d files", len(value)) % {"num": len(value)}
    return str(value)
