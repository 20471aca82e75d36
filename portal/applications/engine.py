"""The journey through a definition: parsing a page, which page comes next, the task list and the check page.

Everything is computed on the server from the stored answers after each submit, so conditional pages work
without JavaScript, and an answer to a page the conditions skip is never shown, counted or submitted
(portal/catalogue/conditions.py decides which pages apply).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from portal.applications.questions import Parsed, Problem, RawForm, answer_text, parse, raw_from_answer
from portal.catalogue.conditions import applicable_pages, effective_answers
from portal.catalogue.definitions import Definition, Page, Question
from portal.web.i18n import N_

CHECK = "check"
TOO_FEW_ITEMS = N_("The list needs at least this many items: %(min)s.")
ITEMS = "items"  # the problem key of a repeating page's count
# A repeating page's inputs are `<index>-<input>`: the index of the item as it was drawn.
_ITEM = re.compile(r"^([0-9]{1,2})-")


@dataclass
class PageInput:
    """A page's submitted inputs: the answers to store, what to draw back, and the problems by question name."""

    answers: dict[str, Any] = field(default_factory=dict)
    raw: Any = field(default_factory=dict)  # a list of such dicts on a repeating page
    problems: dict[str, Problem] = field(default_factory=dict)  # "<index>-<question>" on a repeating page
    items: list[dict[str, Any]] = field(default_factory=list)  # a repeating page's answers

    @property
    def valid(self) -> bool:
        return not self.problems


def parse_page(page: Page, form: RawForm, today: dt.date) -> PageInput:
    """Only the page's own questions are read: any other submitted field (forged or stale) is ignored."""
    result = PageInput()
    for question in page.questions:
        parsed: Parsed = parse(question, form, today)
        result.raw[question.name] = parsed.raw
        if parsed.problem is not None:
            result.problems[question.name] = parsed.problem
        elif parsed.value is not None:
            result.answers[question.name] = parsed.value
    return result


def parse_repeat(page: Page, form: RawForm, today: dt.date) -> PageInput:
    """A repeating page: each drawn item parsed like a page of its own; an item left wholly empty is no item."""
    assert page.repeat is not None
    result = PageInput(raw=[])
    drawn = sorted({int(m.group(1)) for key in form if (m := _ITEM.match(key))})[: page.repeat.max]
    for index in drawn:
        prefix = f"{index}-"
        sub = {key[len(prefix) :]: values for key, values in form.items() if key.startswith(prefix)}
        if not any(str(value).strip() for values in sub.values() for value in values):
            continue
        item = parse_page(page, sub, today)
        position = len(result.raw)
        result.raw.append(item.raw)
        result.problems.update({f"{position}-{name}": problem for name, problem in item.problems.items()})
        result.items.append(item.answers)
    if not result.problems and len(result.items) < page.repeat.min:
        result.problems[ITEMS] = Problem(TOO_FEW_ITEMS, {"min": page.repeat.min})
    return result


def stored_input(page: Page, answers: Mapping[str, Any]) -> PageInput:
    """A page drawn from the stored answers (first visit, back link or change link)."""
    given = answers.get(page.name)
    if page.repeat is not None:
        items = [item for item in given if isinstance(item, Mapping)] if isinstance(given, list) else []
        raw = [{q.name: raw_from_answer(q, item.get(q.name)) for q in page.questions} for item in items]
        return PageInput(raw=raw, items=[dict(item) for item in items])
    stored = given if isinstance(given, Mapping) else {}
    return PageInput(answers=dict(stored), raw={q.name: raw_from_answer(q, stored.get(q.name)) for q in page.questions})


def input_id(question: Question) -> str:
    """The id an error summary link focuses: the first input of the question."""
    return {"date": f"{question.name}-day", "address": f"{question.name}-street"}.get(question.type, question.name)


def problem_anchor(question: Question, problem: Problem) -> str:
    return f"{question.name}-{problem.part}" if problem.part else input_id(question)


def error_summary(page: Page, page_input: PageInput) -> list[dict[str, str]]:
    """The error summary's links, in the order of the questions on the page (item by item on a repeating one)."""
    if page.repeat is not None:
        links = []
        for position in range(len(page_input.raw)):
            for q in page.questions:
                problem = page_input.problems.get(f"{position}-{q.name}")
                if problem is not None:
                    links.append({"href": f"#{position}-{problem_anchor(q, problem)}", "text": problem.text()})
        if ITEMS in page_input.problems:
            links.append({"href": "#add-item", "text": page_input.problems[ITEMS].text()})
        return links
    return [
        {"href": f"#{problem_anchor(q, page_input.problems[q.name])}", "text": page_input.problems[q.name].text()}
        for q in page.questions
        if q.name in page_input.problems
    ]


def is_complete(page: Page, answers: Mapping[str, Any]) -> bool:
    """Every required question of the page has an answer (a page that was saved with only optional ones counts)."""
    given = answers.get(page.name)
    if page.repeat is not None:
        return isinstance(given, list) and len(given) >= page.repeat.min
    if not isinstance(given, Mapping):
        return False
    return all(given.get(q.name) not in (None, "", []) for q in page.questions if q.required)


def pages(definition: Definition, answers: Mapping[str, Any]) -> list[Page]:
    return applicable_pages(definition, answers)


def find_page(definition: Definition, answers: Mapping[str, Any], name: str) -> Page | None:
    """The page, if the answers so far make it apply (a skipped page's URL is not a way to answer it)."""
    return next((page for page in pages(definition, answers) if page.name == name), None)


def next_step(definition: Definition, answers: Mapping[str, Any], current: str) -> str:
    """After `current`: the next page that applies and is not complete yet; the check page when none is left.

    Pages already answered are passed over so that a change that opens a new branch asks only the new pages.
    """
    asked = pages(definition, answers)
    names = [page.name for page in asked]
    start = names.index(current) + 1 if current in names else 0
    for page in asked[start:]:
        if not is_complete(page, answers):
            return page.name
    return first_incomplete(definition, answers) or CHECK


def following_page(definition: Definition, answers: Mapping[str, Any], current: str) -> str:
    """The page after `current` among those that apply, in the definition's order; the check page after the last."""
    names = [page.name for page in pages(definition, answers)]
    if current not in names:
        return first_incomplete(definition, answers) or CHECK
    index = names.index(current)
    return names[index + 1] if index + 1 < len(names) else CHECK


def previous_step(definition: Definition, answers: Mapping[str, Any], current: str) -> str | None:
    """The page before `current` among those that apply (the back link); None on the first page."""
    names = [page.name for page in pages(definition, answers)]
    if current == CHECK:
        return names[-1] if names else None
    if current not in names:
        return None
    index = names.index(current)
    return names[index - 1] if index > 0 else None


def first_incomplete(definition: Definition, answers: Mapping[str, Any]) -> str | None:
    return next((page.name for page in pages(definition, answers) if not is_complete(page, answers)), None)


def task_list(definition: Definition, answers: Mapping[str, Any], base: str) -> list[dict[str, Any]]:
    """One row per page that applies: its title, link and whether it is done (for long applications)."""
    return [
        {"title": page.title, "href": f"{base}/{page.name}", "done": is_complete(page, answers)}
        for page in pages(definition, answers)
    ]


def check_rows(definition: Definition, answers: Mapping[str, Any], base: str) -> list[dict[str, Any]]:
    """Check-your-answers rows: question label (a msgid), the answer as text, and a change link back here."""
    counted = effective_answers(definition, answers)
    rows: list[dict[str, Any]] = []
    for page in pages(definition, answers):
        given = counted.get(page.name)
        # A repeating page shows each item's answers, numbered; an ordinary page is one item without a number.
        items = given if isinstance(given, list) else [given if isinstance(given, Mapping) else {}]
        for number, stored in enumerate(items, start=1):
            for question in page.questions:
                rows.append(
                    {
                        "key": question.label,
                        "item": number if page.repeat is not None else None,
                        "value": answer_text(question, stored.get(question.name)),
                        "href": f"{base}/{page.name}?return=check",
                        "page": page.name,
                        "question": question.name,
                    }
                )
    return rows
