"""Property-based: whatever a person (or an attacker) posts to any page of any definition, parsing never fails
unexpectedly, every problem has a message in both languages, and what is stored shows back as it was stored.

At least 100 derandomised examples per definition (the same examples on every run, so a failure reproduces).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.applications.engine import parse_page
from portal.applications.questions import answer_text, choice_values, raw_from_answer
from portal.catalogue.definitions import Definition, load_definitions
from portal.settings import PROJECT_ROOT
from portal.web.i18n import set_locale

CATALOGUE = load_definitions(PROJECT_ROOT / "forms")
TODAY = dt.date(2026, 11, 20)
SUFFIXES = ("", "-day", "-month", "-year", "-street", "-town", "-postcode")
# Text people type, and text they should not: Latvian letters, combining marks, markup, control characters,
# digits of every script, very long runs.
SAMPLES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "yes", "no", "0", "1", "4", "31", "2", "2026", "1850", "3000", "LV-1010", "1010",
                     "LV80BANK0000435195001", "150162-12342", "15016212342", "<script>alert(1)</script>",
                     "Ģirts Šķēle Ūdrīte", "a\u0304", "١٢٣", "12,50", "-5", "1e9", "9" * 400]),
)  # fmt: skip


def plausible(question) -> st.SearchStrategy[dict[str, list[str]]]:
    """Inputs a person could well send for the question: most get through, some fail a rule."""
    name = question.name
    if question.type in ("choice", "yes_no", "scale", "multi_choice"):
        return st.lists(st.sampled_from(choice_values(question)), min_size=1, max_size=2).map(lambda v: {name: v})
    if question.type == "date":
        return st.dates(dt.date(1920, 1, 1), dt.date(2030, 12, 31)).map(
            lambda d: {f"{name}-day": [str(d.day)], f"{name}-month": [str(d.month)], f"{name}-year": [str(d.year)]}
        )
    if question.type == "address":
        return st.just({f"{name}-street": ["Brīvības iela 1"], f"{name}-town": ["Rīga"], f"{name}-postcode": ["1010"]})
    fixed = {"iban": "LV80BANK0000435195001", "personal_code": "150162-12342"}
    if question.type in fixed:
        return st.just({name: [fixed[question.type]]})
    if question.type in ("number", "money"):
        return st.integers(0, 5000).map(lambda n: {name: [str(n)]})
    return st.text(min_size=1, max_size=60).map(lambda t: {name: [t]})


def forms_for(definition: Definition) -> st.SearchStrategy[tuple[str, dict[str, list[str]]]]:
    """A page, and what is posted to it: plausible answers, hostile ones, and fields of other pages."""
    pages = [page for page in definition.pages if page.repeat is None]
    keys = [f"{q.name}{suffix}" for page in pages for q in page.questions for suffix in SUFFIXES]
    hostile = st.dictionaries(st.sampled_from(keys), st.lists(SAMPLES, min_size=1, max_size=3), max_size=len(keys))

    def posted(page_name: str) -> st.SearchStrategy[dict[str, list[str]]]:
        page = next(page for page in pages if page.name == page_name)
        answers = st.fixed_dictionaries({}, optional={q.name: plausible(q) for q in page.questions})
        merged = answers.map(lambda parts: {k: v for part in parts.values() for k, v in part.items()})
        return st.one_of(merged, hostile, st.tuples(merged, hostile).map(lambda pair: {**pair[1], **pair[0]}))

    return st.sampled_from([page.name for page in pages]).flatmap(lambda name: st.tuples(st.just(name), posted(name)))


@pytest.mark.parametrize("slug", sorted(CATALOGUE))
def test_any_input_to_any_page_is_parsed_or_refused_with_a_message(slug):
    definition = CATALOGUE[slug]
    stored: list[str] = []

    @settings(max_examples=100, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(forms_for(definition))
    def check(case: tuple[str, dict[str, list[str]]]) -> None:
        page_name, form = case
        page = next(page for page in definition.pages if page.name == page_name)
        result = parse_page(page, form, TODAY)
        for locale in ("lv", "en"):
            set_locale(locale)
            for problem in result.problems.values():
                assert problem.text().strip()
        questions = {q.name: q for q in page.questions}
        for name, value in result.answers.items():
            stored.append(name)
            question = questions[name]
            # What is stored parses again to itself from what the page would draw back.
            again = parse_page(page, {k: v for k, v in _raw(question, value).items()}, TODAY)
            assert name not in again.problems and again.answers.get(name) == value, (name, value)
            assert isinstance(answer_text(question, value), str)

    check()
    assert stored, "the examples never got an answer through: the round trip above was never tried"


def _raw(question, value) -> dict[str, list[str]]:
    raw = raw_from_answer(question, value)
    if isinstance(raw, dict):
        return {f"{question.name}-{part}" if part else question.name: [str(v)] for part, v in raw.items()}
    if isinstance(raw, list):
        return {question.name: [str(v) for v in raw]}
    return {question.name: [str(raw)]}
