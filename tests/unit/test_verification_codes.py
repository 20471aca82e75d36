"""Verification codes: 12 Crockford base32 characters in three groups; what people type is read leniently."""

from __future__ import annotations

import re

import pytest

from portal.documents.codes import ALPHABET, new_code, normalise_code

PRINTED = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def test_new_codes_are_printed_in_three_groups_of_the_unambiguous_alphabet():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000, "codes repeat"
    assert all(PRINTED.match(code) for code in codes)
    # Every character of the alphabet turns up, and none outside it (I, L, O, U never).
    used = set("".join(codes).replace("-", ""))
    assert used == set(ALPHABET) and not used & set("ILOU")


def test_a_new_code_reads_back_as_itself():
    for _ in range(100):
        code = new_code()
        assert normalise_code(code) == code


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("7k4m-q2zp-9xwd", "7K4M-Q2ZP-9XWD"),
        ("7K4MQ2ZP9XWD", "7K4M-Q2ZP-9XWD"),
        (" 7K4M Q2ZP 9XWD ", "7K4M-Q2ZP-9XWD"),
        ("7K4M–Q2ZP–9XWD", "7K4M-Q2ZP-9XWD"),  # an en dash, as word processors make it
        ("OOOO-IIII-LLLL", "0000-1111-1111"),  # the look-alikes Crockford reads as digits
    ],
)
def test_typed_codes_are_read_leniently(typed, read):
    assert normalise_code(typed) == read


@pytest.mark.parametrize(
    "typed", ["", "7K4M-Q2ZP", "7K4M-Q2ZP-9XWD-1", "7K4M-Q2ZP-9XWU", "7K4M-Q2ZP-9XW!", "Ā" * 12, "7" * 41]
)
def test_what_cannot_be_a_code_is_refused(typed):
    assert normalise_code(typed) is None
