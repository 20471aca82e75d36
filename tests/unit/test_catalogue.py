"""Latvian is the default language: its catalogue is complete, not fuzzy, and actually Latvian."""

import re

from babel.messages.pofile import read_po

from portal.web.i18n import LOCALES_DIR

# Messages that are the same in both languages: codes, names and abbreviations.
SAME_IN_BOTH = {"English", "VSAA", "VDEĀVK", "VPVKAC", "e-adrese"}


def _catalog(locale):
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def _entries(locale):
    return [m for m in _catalog(locale) if m.id]


def test_latvian_is_complete_and_not_fuzzy():
    missing = [
        m.id for m in _entries("lv") if not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string))
    ]
    assert missing == []


def _has_words(message_id: str) -> bool:
    """A pattern such as "%(start)s – %(end)s" has no words of its own to translate."""
    return any(c.isalpha() for c in re.sub(r"%\(\w+\)[sd]|%%", "", message_id))


def test_latvian_is_not_english():
    same = [
        m.id
        for m in _entries("lv")
        if isinstance(m.id, str) and m.string == m.id and m.id not in SAME_IN_BOTH and _has_words(m.id)
    ]
    assert same == []
    assert not _has_words("%(months)s (%(duration)s)") and _has_words("%(months)s months")


def test_english_is_complete():
    assert [m.id for m in _entries("en") if not m.string or m.fuzzy] == []


def test_both_catalogues_hold_every_extracted_message():
    with (LOCALES_DIR / "messages.pot").open("rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert template
    for locale in ("lv", "en"):
        assert {m.id for m in _entries(locale)} == template, locale


def test_latvian_plurals_have_three_forms():
    catalog = _catalog("lv")
    assert catalog.num_plurals == 3
    for message in catalog:
        if isinstance(message.id, tuple):
            assert len(message.string) == 3 and all(message.string), message.id


def test_placeholders_survive_translation():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for message in _entries("lv"):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(placeholder.findall(ids[0])) | set(placeholder.findall(ids[-1]))
        for string in strings:
            assert set(placeholder.findall(string)) <= wanted, message.id


def test_titles_sort_in_latvian_dictionary_order():
    from portal.catalogue.routes import alphabetical

    words = ["Zāle", "Čaula", "Cena", "Ābols", "Dārzs", "Šķērsielas", "Sula", "Bērns", "Bezdarbs", "Aka"]
    expected = ["Ābols", "Aka", "Bērns", "Bezdarbs", "Cena", "Čaula", "Dārzs", "Sula", "Šķērsielas", "Zāle"]
    assert sorted(words, key=alphabetical) == expected
