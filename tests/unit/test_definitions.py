"""Definitions in forms/: a good one loads; every bad one is refused naming the file and the line."""

# ruff: noqa: E501 - the table of bad definitions reads best one case a line

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from portal.catalogue.definitions import (
    Definition,
    DefinitionsInvalid,
    load_definition,
    load_definitions,
    resolve_date,
)
from portal.catalogue.extract import extract_forms
from portal.settings import PROJECT_ROOT

GOOD = Path(__file__).parent / "definitions" / "testa-pabalsts.yaml"
GOOD_TEXT = GOOD.read_text()


def line_of(text: str, fragment: str) -> int:
    """The 1-based line of the fragment in the good definition (the line the error must name)."""
    return text[: text.index(fragment)].count("\n") + 1


def write(folder: Path, text: str, name: str = "testa-pabalsts") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def test_a_good_definition_loads_with_every_part():
    definition = load_definition(GOOD)
    assert isinstance(definition, Definition)
    assert definition.slug == "testa-pabalsts"
    assert [p.name for p in definition.pages][:3] == ["bank-account", "married", "spouse"]
    assert definition.pages[0].questions[0].prefill is not None
    assert definition.pages[0].questions[0].prefill.field == "bank_account"
    spouse = definition.page("spouse")
    assert spouse is not None and spouse.when is not None
    # `yes` in a condition is the answer "yes", not YAML 1.1's boolean.
    assert spouse.when.equals == "yes"
    children = definition.page("children")
    assert children is not None and children.repeat is not None and children.repeat.max == 5
    assert {q.type for p in definition.pages for q in p.questions} >= {
        "text", "textarea", "number", "money", "date", "yes_no", "choice", "multi_choice",
        "address", "iban", "personal_code", "file", "scale",
    }  # fmt: skip


def test_an_absent_or_empty_folder_is_an_empty_catalogue(tmp_path):
    assert load_definitions(tmp_path / "nowhere") == {}
    assert load_definitions(tmp_path) == {}


def test_the_folder_loads_by_slug(tmp_path):
    write(tmp_path, GOOD_TEXT)
    assert list(load_definitions(tmp_path)) == ["testa-pabalsts"]


# (what is wrong, the text replaced in the good definition, its replacement, the fragment on the line to name,
#  words the message must contain)
BAD = [
    ("slug format", "slug: testa-pabalsts", "slug: Testa_Pabalsts", "slug: Testa", "lowercase"),
    ("slug not the file name", "slug: testa-pabalsts", "slug: cits-pabalsts", "slug: cits", "file name"),
    ("unknown agency", "agency: vsaa", "agency: vid", "agency: vid", "agency"),
    ("unknown life situation", "[birth-of-a-child]", "[birth-of-a-child, moving-house]", "life_situations:", "moving"),
    ("unknown kind", "kind: application", "kind: survey", "kind: survey", "kind"),
    ("misspelt key", '    title: "Are you married?"', '    titel: "Are you married?"', "titel:", "titel"),
    ("page name twice", "- name: spouse", "- name: married", "- name: married\n    title: \"About", "twice"),
    ("page name not URL-safe", "- name: spouse", "- name: Spouse Page", "- name: Spouse", "lowercase"),
    ("page name the engine's", "- name: spouse", "- name: check", "- name: check", "engine"),
    ("question name twice", "- name: born", "- name: code", "- name: code\n        type: date", "twice"),
    ("when on a later page", "question: married.answer, equals", "question: how.channel, equals", "{question: how", "earlier"),
    ("when on no question", "question: married.answer, equals", "question: married.nope, equals", "{question: married.nope", "earlier"),
    ("when value impossible", "equals: yes}", "equals: maybe}", "{question: married.answer, equals: maybe", "maybe"),
    ("when of two forms", "equals: yes}", "equals: yes, in: [no]}", "{question: married.answer, equals: yes, in", "condition"),
    ("choices missing", '        choices:\n          - {value: e-adrese, label: "In my e-address"}\n          - {value: post, label: "By post"}\n', "", "      - name: channel", "choices"),
    ("key twice", "        type: choice\n", "        type: choice\n        choices: []\n", "        choices:\n          - {value: e-adrese", "twice"),
    ("choices on a text", "        max_length: 100\n", "        choices: [{value: a, label: A}]\n", "      - name: name", "no choices"),
    ("unknown type", "type: address", "type: postcode", "type: postcode", "type"),
    ("prefill source unknown", "source: vsaa_prefill, field", "source: vid_prefill, field", "source: vid", "source"),
    ("prefill source not listed", "prefill: [vsaa_prefill]", "prefill: [vdeavk_renewal]", "{source: vsaa_prefill", "prefill list"),
    ("repeat bounds", "{min: 0, max: 5,", "{min: 6, max: 5,", "repeat: {min: 6", "larger"),
    ("repeat without max", "{min: 0, max: 5,", "{min: 0,", "repeat: {min: 0,", "max"),
    ("empty label", 'label: "Your postal address"', 'label: "  "', 'label: "  "', "empty"),
    ("empty declaration", 'declaration: "I confirm that the information I have given is true and complete."', 'declaration: ""', 'declaration: ""', "empty"),
    ("application without term", "decision_term_days: 10\n", "", "slug:", "decision_term_days"),
    ("bad date bound", 'min_date: "-120y"', 'min_date: "long ago"', "      - name: born", "date bound"),
    ("min above max", "min: 0\n        max: 100000", "min: 7\n        max: 1", "      - name: income", "larger"),
    ("no pages", "pages:\n", "pages: []\nold_pages:\n", "pages: []", "pages"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "old", "new", "at", "words"), BAD, ids=[case[0] for case in BAD])
def test_a_bad_definition_is_refused_naming_file_and_line(tmp_path, case, old, new, at, words):
    assert old in GOOD_TEXT, case
    text = GOOD_TEXT.replace(old, new, 1)
    name = "cits-pabalsts" if "cits" in new and "slug" in case and "file" not in case else "testa-pabalsts"
    path = write(tmp_path, text, name)
    with pytest.raises(DefinitionsInvalid) as caught:
        load_definitions(tmp_path)
    problems = caught.value.problems
    expected = f"{path.name}:{line_of(text, at)}:"
    assert any(expected in p and words in p for p in problems), (expected, words, problems)
    # The message says which file, so that `portal forms check` can be followed from an editor.
    assert all(str(path.name) in p for p in problems)


def test_bad_yaml_is_refused_with_its_line(tmp_path):
    write(tmp_path, "slug: testa-pabalsts\npages:\n  - name: [unclosed\n")
    with pytest.raises(DefinitionsInvalid) as caught:
        load_definitions(tmp_path)
    assert "testa-pabalsts.yaml:" in caught.value.problems[0]
    assert "not valid YAML" in caught.value.problems[0]


def test_every_bad_file_is_reported_at_once(tmp_path):
    write(tmp_path, GOOD_TEXT.replace("agency: vsaa", "agency: vid"))
    write(tmp_path, GOOD_TEXT.replace("slug: testa-pabalsts", "slug: otrs-pabalsts"), "otrs-pabalsts")
    write(tmp_path, "- just a list\n", "list")
    with pytest.raises(DefinitionsInvalid) as caught:
        load_definitions(tmp_path)
    files = {p.split(":")[0] for p in caught.value.problems}
    assert {Path(f).name for f in files} == {"testa-pabalsts.yaml", "list.yaml"}


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("today", date(2026, 11, 20)),
        ("-18y", date(2008, 11, 20)),
        ("+30d", date(2026, 12, 20)),
        ("-9m", date(2026, 2, 20)),
        ("2026-01-02", date(2026, 1, 2)),
    ],
)
def test_date_bounds_count_from_the_business_day(bound, expected):
    assert resolve_date(bound, date(2026, 11, 20)) == expected


def test_a_year_before_the_29th_of_february_is_the_28th():
    assert resolve_date("-1y", date(2028, 2, 29)) == date(2027, 2, 28)


def test_the_extractor_yields_every_text_with_its_line():
    with GOOD.open("rb") as f:
        found = [(line, message) for line, _, message, _ in extract_forms(f, ["_"], [], {})]
    messages = [m for _, m in found]
    for text in (
        "Test benefit",  # title
        "Apply for the test benefit when a test child is born.",  # summary
        "Where should we pay the benefit?",  # page title
        "Bank account number (IBAN)",  # label
        "For example, LV80BANK0000435195001.",  # hint
        "In my e-address",  # choice label
        "Add another child",  # repeat's add_label
        "I confirm that the information I have given is true and complete.",  # declaration
        "VSAA will decide within 10 days and tell you in your e-address and here in the portal.",  # what_next
    ):
        assert (line_of(GOOD_TEXT, text), text) in found
    # Names, values and sources are not for people to read.
    assert not {"testa-pabalsts", "bank-account", "e-adrese", "vsaa_prefill", "bank_account"} & set(messages)


def test_babel_extracts_the_forms_through_the_configured_method(tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    write(forms, GOOD_TEXT)
    out = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", str(PROJECT_ROOT / "locales" / "babel.cfg"),
         "-o", str(out), "."],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    pot = out.read_text()
    assert 'msgid "Add another child"' in pot
    assert f"forms/testa-pabalsts.yaml:{line_of(GOOD_TEXT, 'Add another child')}" in pot


def _portal(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "portal", *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT
    )


def test_portal_forms_check_exits_1_with_file_and_line(tmp_path, monkeypatch):
    write(tmp_path, GOOD_TEXT.replace("agency: vsaa", "agency: vid"))
    env = {"PATH": "/usr/bin:/bin", "PORTAL_FORMS_DIR": str(tmp_path), "PORTAL_VAR_DIR": str(tmp_path / "var")}
    result = _portal("forms", "check", env=env)
    assert result.returncode == 1
    assert f"testa-pabalsts.yaml:{line_of(GOOD_TEXT, 'agency:')}: agency" in result.stderr


def test_portal_forms_check_passes_on_a_good_folder_and_the_real_forms(tmp_path):
    write(tmp_path, GOOD_TEXT)
    env = {"PATH": "/usr/bin:/bin", "PORTAL_FORMS_DIR": str(tmp_path), "PORTAL_VAR_DIR": str(tmp_path / "var")}
    assert _portal("forms", "check", env=env).returncode == 0
    real = _portal("forms", "check", env={"PATH": "/usr/bin:/bin", "PORTAL_VAR_DIR": str(tmp_path / "var")})
    assert real.returncode == 0, real.stderr


def test_the_app_refuses_to_start_on_a_bad_definition(tmp_path):
    from portal.app import create_app
    from portal.settings import Settings

    write(tmp_path, GOOD_TEXT.replace("type: address", "type: postcode"))
    settings = Settings(forms_dir=tmp_path, var_dir=tmp_path / "var")
    with pytest.raises(DefinitionsInvalid, match=r"testa-pabalsts\.yaml:\d+: .*type"):
        create_app(settings)


def test_the_app_starts_without_forms_and_provides_the_definitions(tmp_path):
    from portal.app import create_app
    from portal.settings import Settings

    empty = create_app(Settings(forms_dir=tmp_path / "nowhere", var_dir=tmp_path / "var"))
    assert empty.state.definitions == {}
    folder = tmp_path / "forms"
    folder.mkdir()
    write(folder, GOOD_TEXT)
    app = create_app(Settings(forms_dir=folder, var_dir=tmp_path / "var"))
    assert list(app.state.definitions) == ["testa-pabalsts"]
    assert "definitions" in app.dependencies
