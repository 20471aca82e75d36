"""Which pages of a definition apply to a person's answers, and which answers count.

A page whose `when` is false is skipped: it is not asked, not shown on the check page and its answers (kept in the
draft in case the person changes their mind) are not submitted. Conditions read only answers on pages that apply,
so skipping a page also skips the pages that depended on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from portal.catalogue.definitions import Condition, Definition, Page

Answers = Mapping[str, Any]


def _text(value: Any) -> str:
    # YAML's true/false in a condition mean the yes_no answers "yes"/"no"; numbers compare as their text.
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _answer(answers: Answers, reference: str) -> Any:
    page, _, question = reference.partition(".")
    on_page = answers.get(page)
    if not isinstance(on_page, Mapping):
        return None  # not answered, or a repeating page (a list): no single value to compare
    return on_page.get(question)


def evaluate(condition: Condition, answers: Answers) -> bool:
    """The condition against answers keyed page → question; an unanswered question matches nothing."""
    if condition.all is not None:
        return all(evaluate(part, answers) for part in condition.all)
    if condition.any is not None:
        return any(evaluate(part, answers) for part in condition.any)
    if condition.not_ is not None:
        return not evaluate(condition.not_, answers)
    assert condition.question is not None  # the schema allows no other form
    value = _answer(answers, condition.question)
    if value is None or value == "" or value == []:
        return False
    given = {_text(v) for v in value} if isinstance(value, list) else {_text(value)}
    wanted = {_text(condition.equals)} if condition.equals is not None else {_text(v) for v in condition.in_ or ()}
    # A multi_choice answer matches when any of its chosen values is wanted.
    return bool(given & wanted)


def applicable_pages(definition: Definition, answers: Answers) -> list[Page]:
    """The pages asked, in order, given the answers so far."""
    pages: list[Page] = []
    counted: dict[str, Any] = {}
    for page in definition.pages:
        if page.when is None or evaluate(page.when, counted):
            pages.append(page)
            if page.name in answers:
                counted[page.name] = answers[page.name]
    return pages


def effective_answers(definition: Definition, answers: Answers) -> dict[str, Any]:
    """The answers that count: only pages that apply and only questions those pages ask (forged keys dropped)."""
    result: dict[str, Any] = {}
    for page in applicable_pages(definition, answers):
        given = answers.get(page.name)
        names = {q.name for q in page.questions}
        if isinstance(given, Mapping) and page.repeat is None:
            result[page.name] = {k: v for k, v in given.items() if k in names}
        elif isinstance(given, list) and page.repeat is not None:
            result[page.name] = [
                {k: v for k, v in item.items() if k in names} for item in given if isinstance(item, Mapping)
            ]
    return result


def skipped_pages(definition: Definition, answers: Answers) -> list[Page]:
    """The pages the answers skip (the check page leaves them out; their stored answers are ignored)."""
    asked = {page.name for page in applicable_pages(definition, answers)}
    return [page for page in definition.pages if page.name not in asked]
