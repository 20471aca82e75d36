"""The Latvian personal code (personas kods): one validator for forms, agency clients and the sandbox.

Two formats. The old one, DDMMYY-CNNNK, carries the birth date (C is the century: 0 for the 1800s, 1 for the
1900s, 2 for the 2000s) and a check digit K: weights 1,6,3,7,9,10,5,8,4,2 over the first ten digits,
K = (1101 − sum) mod 11 (a remainder of 10 makes the code impossible). The new one (since 2017) is `32` and nine
more digits and carries nothing else that can be checked. People type either with or without the hyphen; the
portal keeps and sends one spelling, DDMMYY-NNNNN.
"""

from __future__ import annotations

import datetime as dt
import re

_SHAPE = re.compile(r"^([0-9]{6})-?([0-9]{5})$")
_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CENTURIES = {"0": 1800, "1": 1900, "2": 2000}


def _check_digit_ok(digits: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(digits[:10], _WEIGHTS, strict=True))
    return (1101 - total) % 11 == int(digits[10])


def _birth_date_ok(digits: str) -> bool:
    century = _CENTURIES.get(digits[6])
    if century is None:
        return False
    try:
        dt.date(century + int(digits[4:6]), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        return False
    return True


def is_valid_personal_code(code: str) -> bool:
    """Whether `code` (with or without the hyphen, surrounding spaces ignored) is a well-formed personal code."""
    match = _SHAPE.match(code.strip())
    if not match:
        return False
    digits = match.group(1) + match.group(2)
    if digits.startswith("32"):
        return True
    return _birth_date_ok(digits) and _check_digit_ok(digits)


def normalise(code: str) -> str:
    """The one spelling the portal keeps and sends, DDMMYY-NNNNN; ValueError when the code is not well-formed.

    The message never repeats the code: what callers log must not carry personal codes.
    """
    if not is_valid_personal_code(code):
        raise ValueError("not a well-formed personal code")
    digits = code.strip().replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"
