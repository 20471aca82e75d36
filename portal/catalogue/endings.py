"""How a questionnaire ends, checked with the definitions: its results (a personal, non-binding list of services) and
the shape of the satisfaction survey.

A questionnaire with `ending: results` has its rules in `forms/results/<slug>.yaml`: `questionnaire` (its slug) and
`results`, a list of {service, when, hint}. `when` reads the questionnaire's answers in the definitions' condition
shape; `hint` is the plain reason shown with the link (a message id: the forms extractor reads forms/**.yaml). The
rules are checked at start-up and by `portal forms check` like the definitions, naming the file and the line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from portal.catalogue.conditions import effective_answers, evaluate
from portal.catalogue.definitions import (
    Definition,
    DefinitionsInvalid,
    Question,
    ResultRule,
    Slug,
    _display,
    _Model,
    _where,
    check_condition,
    read_yaml,
    validated,
)
from portal.catalogue.yaml_source import line_of

RESULTS_FOLDER = "results"
Problems = Iterator[tuple[tuple[int | str, ...], str]]


class ResultsFile(_Model):
    questionnaire: Slug
    results: Annotated[list[ResultRule], Field(min_length=1)]


def matching_results(definition: Definition, answers: Mapping[str, Any]) -> list[ResultRule]:
    """The rules the answers match, in the file's order; only answers to pages that apply count."""
    counted = effective_answers(definition, answers)
    return [rule for rule in definition.results if evaluate(rule.when, counted)]


def surveyed_service(definitions: Mapping[str, Definition], survey: str, slug: str | None) -> str | None:
    """The e-service a satisfaction survey is about: `slug` when it names one of the catalogue and `survey` is a
    satisfaction survey. Anything else (forged, stale, a questionnaire) is ignored rather than refused: the answers
    are worth having without it."""
    found = definitions.get(slug or "")
    if definitions.get(survey) is None or definitions[survey].ending != "satisfaction":
        return None
    return found.slug if found is not None and found.kind == "application" else None


def with_results(forms_dir: Path, definitions: dict[str, Definition]) -> dict[str, Definition]:
    """The definitions with their results attached; DefinitionsInvalid for a bad results file, a questionnaire
    whose ending needs one and has none, or a satisfaction survey that asks what it cannot keep."""
    problems: list[str] = []
    for slug, definition in definitions.items():
        if definition.ending == "satisfaction":
            problems.extend(_located(forms_dir / f"{slug}.yaml", _satisfaction_shape(definition)))
        if definition.ending == "results" and definition.what_next is None:
            # Shown above the list: that it is not a decision, and the agency decides.
            problems.append(f"{_display(forms_dir / f'{slug}.yaml')}:1: ending: results needs what_next")
    found: dict[str, tuple[ResultRule, ...]] = {}
    files = sorted((forms_dir / RESULTS_FOLDER).glob("*.yaml"))
    for path in files:
        try:
            found[path.stem] = _load_results(path, definitions)
        except DefinitionsInvalid as error:
            problems.extend(error.problems)
    for slug, definition in definitions.items():
        if definition.ending == "results" and slug not in {path.stem for path in files}:
            problems.append(f"{_display(forms_dir / f'{slug}.yaml')}:1: ending: results needs results/{slug}.yaml")
    if problems:
        raise DefinitionsInvalid(problems)
    return {
        slug: definition.model_copy(update={"results": found[slug]}) if slug in found else definition
        for slug, definition in definitions.items()
    }


def _located(path: Path, problems: Problems) -> list[str]:
    shown = _display(path)
    found = list(problems)
    if not found:
        return []
    node, _ = read_yaml(path, shown, "a definition")
    return [f"{shown}:{line_of(node, loc)}: {_where(loc)}: {message}" for loc, message in found]


def _load_results(path: Path, definitions: Mapping[str, Definition]) -> tuple[ResultRule, ...]:
    shown = _display(path)
    node, data = read_yaml(path, shown, "a results file (questionnaire:, results: ...)")
    rules = validated(ResultsFile, data, node, shown)
    checked = _check(rules, path.stem, definitions)
    problems = [f"{shown}:{line_of(node, loc)}: {_where(loc)}: {message}" for loc, message in checked]
    if problems:
        raise DefinitionsInvalid(problems)
    return tuple(rules.results)


def _check(rules: ResultsFile, file_slug: str, definitions: Mapping[str, Definition]) -> Problems:
    questionnaire = definitions.get(rules.questionnaire)
    if rules.questionnaire != file_slug:
        yield ("questionnaire",), f"the questionnaire {rules.questionnaire!r} must equal the file name {file_slug!r}"
    if questionnaire is None or questionnaire.kind != "questionnaire" or questionnaire.ending != "results":
        yield ("questionnaire",), f"{rules.questionnaire!r} is not a questionnaire with `ending: results`"
        return
    # Any question of the questionnaire may be read (all pages come before the results), except repeating ones.
    asked: dict[str, Question] = {
        f"{page.name}.{q.name}": q for page in questionnaire.pages if page.repeat is None for q in page.questions
    }
    services = sorted(slug for slug, d in definitions.items() if d.kind == "application")
    for i, rule in enumerate(rules.results):
        if rule.service not in services:
            yield ("results", i, "service"), f"unknown service {rule.service!r}; the services are {services}"
        yield from check_condition(rule.when, asked, ("results", i, "when"))


def _satisfaction_shape(definition: Definition) -> Problems:
    """What a satisfaction response keeps: a `score` of 1 to 5 and an optional text `comment`; nothing else is
    asked, since nothing else would be stored."""
    for p, page in enumerate(definition.pages):
        for q, question in enumerate(page.questions):
            here = ("pages", p, "questions", q)
            if question.name == "score":
                values = [c.value for c in question.choices or ()]
                if question.type != "scale" or values != ["1", "2", "3", "4", "5"] or page.repeat or page.when:
                    yield here, "a satisfaction score is a scale of the values 1 to 5 on a page always asked"
            elif question.name != "comment" or question.type not in ("text", "textarea") or question.required:
                yield here, "a satisfaction survey asks only `score` and an optional text `comment`"
    if not any(q.name == "score" for page in definition.pages for q in page.questions):
        yield ("pages",), "a satisfaction survey needs a `score` question"
