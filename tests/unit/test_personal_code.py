"""portal.people.personal_code: both formats, with or without the hyphen, date and check digit for the old one."""

from __future__ import annotations

import pytest

from portal.people.personal_code import is_valid_personal_code, normalise
from tests.unit.test_personas import PERSONAS, check_digit_ok


@pytest.mark.parametrize("persona", PERSONAS, ids=[p["personal_code"] for p in PERSONAS])
def test_every_persona_code_is_valid_and_already_normal(persona):
    code = persona["personal_code"]
    assert is_valid_personal_code(code)
    assert normalise(code) == code
    assert normalise(code.replace("-", "")) == code


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("150162-12342", "150162-12342"),
        ("15016212342", "150162-12342"),
        ("  150162-12342 ", "150162-12342"),
        ("32751284427", "327512-84427"),
        ("320000-00000", "320000-00000"),  # the new format carries no date and no check digit to test
        ("290200-20009", "290200-20009"),  # 29 February 2000 existed
    ],
)
def test_valid_codes_normalise_to_one_spelling(typed, normal):
    assert is_valid_personal_code(typed)
    assert normalise(typed) == normal


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("150162-12343", "wrong check digit"),
        ("150162-32342", "century digit 3 does not exist"),
        ("310462-12342", "31 April"),
        ("290201-20009", "29 February 2001"),
        ("000162-12342", "day 0"),
        ("151362-12342", "month 13"),
        ("150162 12342", "a space is not a hyphen"),
        ("150162--12342", "two hyphens"),
        ("1501-6212342", "hyphen in the wrong place"),
        ("150162-1234", "ten digits"),
        ("150162-123420", "twelve digits"),
        ("33751284427", "new format starts with 32"),
        ("１５０１６２-１２３４２", "full-width digits"),
        ("３２７５１２-８４４２７", "full-width digits, new format"),
        ("", "empty"),
        ("abcdef-ghijk", "letters"),
    ],
)
def test_malformed_codes_are_refused(code, why):
    assert not is_valid_personal_code(code), why
    with pytest.raises(ValueError, match="not a well-formed personal code") as raised:
        normalise(code)
    assert code.strip() == "" or code not in str(raised.value), "the message must not repeat the code"


def test_a_remainder_of_ten_makes_the_old_format_impossible():
    # 010100-0000K: the sum of the weighted digits is 1*0+6*1+3*0+7*1 = 13, and (1101 - 13) mod 11 = 10.
    assert not any(is_valid_personal_code(f"010100-0000{k}") for k in range(10))


def test_agrees_with_the_personas_check_on_every_last_digit():
    for base in ("050694-1421", "220470-1638", "011245-1112", "300978-1517"):
        for last in range(10):
            code = f"{base}{last}"
            assert is_valid_personal_code(code) == check_digit_ok(code), code
