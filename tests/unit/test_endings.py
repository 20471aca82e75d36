"""How questionnaires end: the support check's results rules and the satisfaction survey's shape are checked with
the definitions, every problem naming its file and line; a personal code in a comment is replaced."""

# ruff: noqa: E501 - the table of bad files reads best one case a line

import shutil
import subprocess
import sys
from decimal import Decimal

import pytest

from portal.applications.satisfaction import ServiceScores, without_personal_codes
from portal.catalogue.definitions import DefinitionsInvalid, load_definitions
from portal.catalogue.endings import surveyed_service
from portal.settings import PROJECT_ROOT

FORMS = PROJECT_ROOT / "forms"
RESULTS = "results/atbalsta-parbaude.yaml"


@pytest.fixture
def forms(tmp_path):
    folder = tmp_path / "forms"
    shutil.copytree(FORMS, folder)
    return folder


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_the_real_results_are_attached_in_order():
    check = load_definitions(FORMS)["atbalsta-parbaude"]
    services = [rule.service for rule in check.results]
    assert services[:3] == ["vecuma-pensija", "vdeavk-invaliditates-ekspertize", "invaliditates-pensija"]
    assert services[-1] == "bezdarbnieka-pabalsts" and len(services) == 12


# (what is wrong, file, text replaced, its replacement, the fragment on the line to name, words the message has)
BAD = [
    ("unknown service", RESULTS, "service: vecuma-pensija", "service: vecuma-pensja", "service: vecuma-pensja", "unknown service 'vecuma-pensja'"),
    ("a questionnaire as a service", RESULTS, "service: aprupe-majas", "service: apmierinatiba", "service: apmierinatiba", "unknown service"),
    ("unknown question", RESULTS, "{question: pension-age.pension_age,", "{question: pension-age.retired,", "{question: pension-age.retired", "'pension-age.retired'"),
    ("unknown page", RESULTS, "{question: survivor.survivor_child,", "{question: survivors.survivor_child,", "{question: survivors", "'survivors.survivor_child'"),
    ("impossible answer", RESULTS, 'in: ["yes", not_sure]}\n    hint: "You have reached', 'in: ["yes", maybe]}\n    hint: "You have reached', 'in: ["yes", maybe]', "'maybe' is not an answer"),
    ("another questionnaire", RESULTS, "questionnaire: atbalsta-parbaude", "questionnaire: apmierinatiba", "questionnaire: apmierinatiba", "file name"),
    ("misspelt key", RESULTS, '    hint: "You are a court-appointed guardian of a child."', '    hnit: "You are a court-appointed guardian of a child."', "hnit:", "hnit"),
    ("empty hint", RESULTS, 'hint: "You are a court-appointed guardian of a child."', 'hint: " "', 'hint: " "', "empty"),
    ("a satisfaction question that is not kept", "apmierinatiba.yaml", "      - name: comment\n", "      - name: phone\n", "      - name: phone", "only `score`"),
    ("a required comment", "apmierinatiba.yaml", "        required: false\n", "", "      - name: comment", "optional"),
    ("a score of 0 to 10", "apmierinatiba.yaml", '{value: "1", label: "Very dissatisfied"}', '{value: "0", label: "Very dissatisfied"}', "      - name: score", "1 to 5"),
    ("ending on an application", "vecuma-pensija.yaml", "kind: application\n", "kind: application\nending: results\n", "ending: results", "declaration"),
    ("results inside a definition", "atbalsta-parbaude.yaml", "ending: results\n", "ending: results\nresults: []\n", "results: []", "results/atbalsta-parbaude.yaml"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "name", "old", "new", "at", "words"), BAD, ids=[case[0] for case in BAD])
def test_a_bad_ending_is_refused_naming_file_and_line(forms, case, name, old, new, at, words):
    path = forms / name
    text = path.read_text(encoding="utf-8")
    assert old in text, case
    changed = text.replace(old, new, 1)
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(DefinitionsInvalid) as caught:
        load_definitions(forms)
    expected = f"{path.name}:{line_of(changed, at)}:"
    assert any(expected in p and words in p for p in caught.value.problems), (expected, words, caught.value.problems)


def test_a_results_ending_needs_its_results_file_and_a_statement(forms):
    (forms / RESULTS).unlink()
    with pytest.raises(DefinitionsInvalid, match=r"atbalsta-parbaude\.yaml:1: ending: results needs results/"):
        load_definitions(forms)
    shutil.copy(FORMS / RESULTS, forms / RESULTS)
    check = forms / "atbalsta-parbaude.yaml"
    text = check.read_text(encoding="utf-8")
    check.write_text(text[: text.index("what_next:")], encoding="utf-8")
    with pytest.raises(DefinitionsInvalid, match="ending: results needs what_next"):
        load_definitions(forms)


def test_portal_forms_check_names_the_results_file(forms, tmp_path):
    path = forms / RESULTS
    path.write_text(path.read_text(encoding="utf-8").replace("service: bezdarbnieka-pabalsts", "service: nav-tada"))
    env = {"PATH": "/usr/bin:/bin", "PORTAL_FORMS_DIR": str(forms), "PORTAL_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "portal", "forms", "check"], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT
    )
    assert done.returncode == 1
    line = line_of(path.read_text(encoding="utf-8"), "service: nav-tada")
    assert f"atbalsta-parbaude.yaml:{line}: results.11.service: unknown service 'nav-tada'" in done.stderr


def test_the_surveyed_service_is_an_e_service_of_the_catalogue():
    definitions = load_definitions(FORMS)
    assert surveyed_service(definitions, "apmierinatiba", "vecuma-pensija") == "vecuma-pensija"
    for forged in ("nav-tada", "atbalsta-parbaude", "", None, "../vecuma-pensija"):
        assert surveyed_service(definitions, "apmierinatiba", forged) is None
    # Only a satisfaction survey is about a service.
    assert surveyed_service(definitions, "pasnovertejuma-anketa", "vecuma-pensija") is None


@pytest.mark.parametrize(
    ("comment", "kept"),
    [
        ("Mans kods ir 010203-12345, lūdzu sazinieties.", "Mans kods ir [personas kods], lūdzu sazinieties."),
        ("kods 32123412345 un 321234 12345", "kods [personas kods] un [personas kods]"),
        ("IBAN LV80BANK0000435195001 paliek", "IBAN LV80BANK0000435195001 paliek"),
        ("Tālrunis 29123456, 2026-11-20", "Tālrunis 29123456, 2026-11-20"),
        ("Ļoti ērti! <b>paldies</b>", "Ļoti ērti! <b>paldies</b>"),
    ],
)
def test_personal_codes_are_replaced_and_nothing_else(comment, kept):
    assert without_personal_codes(comment) == kept


def test_the_mean_is_rounded_half_up_to_two_places():
    # 5 + 4 + 4 = 13 over 3 = 4.333…; 2 + 3 = 5 over 2 = 2.5; 1 + 2 + 2 + 2 + 2 + 2 + 2 + 2 = 15 over 8 = 1.875.
    assert ServiceScores("a", {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}).mean == Decimal("4.33")
    assert ServiceScores("a", {1: 0, 2: 1, 3: 1, 4: 0, 5: 0}).mean == Decimal("2.50")
    assert ServiceScores("a", {1: 1, 2: 7, 3: 0, 4: 0, 5: 0}).mean == Decimal("1.88")
