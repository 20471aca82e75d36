"""Checks every HTML page the test client receives: the basics a page must never miss.

One h1, a non-empty title, `<html lang>`, every form control labelled, every form with an action and, when
it is not GET, a CSRF field. Hooked into the integration test client, so no page escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

LABELLABLE = {"input", "select", "textarea"}
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class _Form:
    action: str | None
    method: str
    has_csrf: bool = False


@dataclass
class PageFacts:
    lang: str | None = None
    title: str = ""
    h1_count: int = 0
    label_for: set[str] = field(default_factory=set)
    controls: list[tuple[str, dict[str, str | None], bool]] = field(default_factory=list)
    forms: list[_Form] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in_title = False
        self._label_depth = 0
        self._form: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.facts.lang = a.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "h1":
            self.facts.h1_count += 1
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.facts.label_for.add(a["for"] or "")
        elif tag == "form":
            self._form = _Form(action=a.get("action"), method=(a.get("method") or "get").lower())
            self.facts.forms.append(self._form)
        if tag in LABELLABLE:
            self.facts.controls.append((tag, a, self._label_depth > 0))
            if self._form and a.get("name") == "_csrf_token" and a.get("type") == "hidden":
                self._form.has_csrf = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        elif tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.facts.title += data


def page_problems(html: str) -> list[str]:
    parser = _Parser()
    parser.feed(html)
    facts = parser.facts
    problems = []
    if not facts.lang:
        problems.append("<html> has no lang")
    if not facts.title.strip():
        problems.append("the page has no title")
    if facts.h1_count != 1:
        problems.append(f"the page has {facts.h1_count} h1 elements, not one")
    for tag, attrs, wrapped in facts.controls:
        if tag == "input" and (attrs.get("type") or "text") in UNLABELLED_TYPES:
            continue
        labelled = wrapped or attrs.get("id") in facts.label_for or attrs.get("aria-label")
        if not labelled and not attrs.get("aria-labelledby"):
            problems.append(f"<{tag} name={attrs.get('name')!r}> has no label")
    for form in facts.forms:
        if not form.action:
            problems.append("a form has no action")
        if form.method != "get" and not form.has_csrf:
            problems.append(f"the form posting to {form.action!r} has no CSRF field")
    return problems
