import datetime as dt
from decimal import Decimal

import pytest

from portal.web import i18n


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "lv"),
        ("en", None, None, "en"),
        ("lv", "en", "en", "lv"),
        (None, "en", None, "en"),
        (None, None, "en-GB,en;q=0.9", "en"),
        (None, None, "de-DE,de;q=0.9,en;q=0.5", "en"),
        (None, None, "en;q=0.3,lv;q=0.8", "lv"),
        (None, None, "ru,de", "lv"),
        ("xx", "../../etc", "en;q=abc,,;;", "lv"),
        ("EN", None, None, "lv"),
    ],
)
def test_negotiation_order(query, cookie, accept, expected):
    assert i18n.negotiate(query, cookie, accept) == expected


def test_latvian_formats():
    i18n.set_locale("lv")
    assert i18n.format_money(Decimal("1234.50")) == "1\xa0234,50\xa0€"
    assert i18n.format_date(dt.date(2026, 11, 20)) == "2026. gada 20. novembris"
    i18n.set_locale("en")
    assert i18n.format_date(dt.date(2026, 11, 20)) == "20 November 2026"
    assert i18n.format_money(Decimal("1234.50")) == "€1,234.50"


@pytest.mark.parametrize(
    ("moment", "lv", "en"),
    [
        (dt.datetime(2026, 11, 20, 12, 5, tzinfo=dt.UTC), "2026. gada 20. novembris 14:05", "20 November 2026, 14:05"),
        (dt.datetime(2026, 7, 1, 21, 30), "2026. gada 2. jūlijs 00:30", "2 July 2026, 00:30"),  # naive is UTC; summer
    ],
)
def test_date_and_time_are_in_riga_time(moment, lv, en):
    i18n.set_locale("lv")
    assert i18n.format_datetime(moment) == lv
    i18n.set_locale("en")
    assert i18n.format_datetime(moment) == en


def test_unknown_locale_falls_back_to_latvian():
    i18n.set_locale("de")
    assert i18n.current_locale() == "lv"


def test_language_names_are_in_their_own_language():
    assert i18n.language_name("lv") == "Latviešu"
    assert i18n.language_name("en") == "English"
