"""E-applications and questionnaires as data: the schema of `forms/<slug>.yaml` and its loader.

Every text is an English msgid (translated through Babel; portal/catalogue/extract.py puts them in the catalogue).
A bad definition is refused with messages that name the file and the line, at start-up and by `portal forms check`,
so that a typo in YAML is found before a person meets it half-way through an application.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from portal.catalogue.dates import is_date_bound
from portal.catalogue.dates import resolve_date as resolve_date  # re-exported for the engine
from portal.catalogue.life_situations import LIFE_SITUATIONS
from portal.catalogue.yaml_source import Loader, compose, duplicate_keys, line_of

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
ANSWER_KEY = re.compile(r"^[a-z][a-z0-9_]*(-[a-z0-9_]+)*$")
# Page names become URL segments next to the engine's own pages; a page must never shadow one of those.
RESERVED_PAGES = frozenset(
    {"check", "declaration", "confirmation", "delete", "tasks", "status", "receipt", "results", "send"}
)

QuestionType = Literal[
    "text", "textarea", "number", "money", "date", "yes_no", "choice", "multi_choice",
    "address", "iban", "personal_code", "file", "scale",
]  # fmt: skip
CHOICE_TYPES = frozenset({"choice", "multi_choice", "scale"})
PrefillSource = Literal["vsaa_prefill", "vdeavk_renewal"]
Filer = Literal["self", "representative", "assistant"]
M = TypeVar("M", bound=BaseModel)


def _msgid(value: str) -> str:
    if not value.strip():
        raise ValueError("a text must not be empty (it is the English message id)")
    return value


def _name(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{what} {value!r} must be lowercase ASCII letters and digits joined by hyphens")
        return value

    return AfterValidator(check)


Msgid = Annotated[str, AfterValidator(_msgid)]
Slug = Annotated[str, _name(SLUG, "the name")]
AnswerKey = Annotated[str, _name(ANSWER_KEY, "the name")]


class _Model(BaseModel):
    # A misspelt key (`lable:`) is an error, not silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Choice(_Model):
    value: Annotated[str, Field(min_length=1, max_length=100)]
    label: Msgid
    hint: Msgid | None = None


class Prefill(_Model):
    source: PrefillSource
    field: Annotated[str, Field(min_length=1)]
    editable: bool = True


class Condition(_Model):
    """Exactly one of: {question, equals} · {question, in} · {all: [...]} · {any: [...]} · {not: {...}}."""

    question: str | None = None
    equals: str | int | bool | None = None
    in_: list[str | int] | None = Field(None, alias="in")
    all: list[Condition] | None = None
    any: list[Condition] | None = None
    not_: Condition | None = Field(None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        groups = [part for part in (self.all, self.any, self.not_) if part is not None]
        if self.question is not None:
            valid = not groups and (self.equals is None) != (self.in_ is None)
        else:
            valid = len(groups) == 1 and self.equals is None and self.in_ is None
        if not valid:
            raise ValueError(
                "a condition is one of {question, equals}, {question, in}, {all: [...]}, {any: [...]} or {not: ...}"
            )
        if self.all == [] or self.any == [] or self.in_ == []:
            raise ValueError("all, any and in need at least one item")
        return self

    def questions(self) -> Iterator[str]:
        """Every "<page>.<question>" this condition reads."""
        if self.question is not None:
            yield self.question
        for part in (*(self.all or ()), *(self.any or ()), *((self.not_,) if self.not_ else ())):
            yield from part.questions()


class Repeat(_Model):
    min: Annotated[int, Field(ge=0)] = 0
    max: Annotated[int, Field(ge=1, le=50)]
    add_label: Msgid

    @model_validator(mode="after")
    def _bounds(self) -> Repeat:
        if self.min > self.max:
            raise ValueError(f"repeat min ({self.min}) is larger than max ({self.max})")
        return self


class Question(_Model):
    name: AnswerKey
    type: QuestionType
    label: Msgid
    hint: Msgid | None = None
    required: bool = True
    max_length: Annotated[int, Field(ge=1)] | None = None
    min: Decimal | str | None = None
    max: Decimal | str | None = None
    min_date: str | None = None
    max_date: str | None = None
    choices: list[Choice] | None = None
    prefill: Prefill | None = None
    accept: list[str] | None = None
    max_files: Annotated[int, Field(ge=1)] | None = None
    max_bytes: Annotated[int, Field(ge=1)] | None = None

    @model_validator(mode="after")
    def _fits_type(self) -> Question:
        if self.type in CHOICE_TYPES:
            if not self.choices:
                raise ValueError(f"a {self.type} question needs choices")
            values = [c.value for c in self.choices]
            if len(set(values)) != len(values):
                raise ValueError("choice values must be unique")
        elif self.choices is not None:
            raise ValueError(f"a {self.type} question has no choices")
        if self.max_length is not None and self.type not in ("text", "textarea"):
            raise ValueError("max_length is for text and textarea questions")
        if self.type != "file" and (self.accept or self.max_files or self.max_bytes):
            raise ValueError("accept, max_files and max_bytes are for file questions")
        if self.type != "date" and (self.min_date or self.max_date):
            raise ValueError("min_date and max_date are for date questions")
        if self.type == "date":
            for bound in (self.min, self.max, self.min_date, self.max_date):
                if bound is not None and not is_date_bound(str(bound)):
                    raise ValueError(f"{bound!r} is not a date bound: an ISO date, 'today' or e.g. '-18y'")
        elif self.min is not None or self.max is not None:
            if self.type not in ("number", "money", "scale"):
                raise ValueError("min and max are for number, money and date questions")
            if isinstance(self.min, str) or isinstance(self.max, str):
                raise ValueError("min and max of a number are numbers")
            if self.min is not None and self.max is not None and self.min > self.max:
                raise ValueError(f"min ({self.min}) is larger than max ({self.max})")
        return self

    def date_bounds(self) -> tuple[str | None, str | None]:
        """The (earliest, latest) bounds of a date question, unresolved (see `resolve_date`)."""
        low = self.min_date or (str(self.min) if self.min is not None else None)
        high = self.max_date or (str(self.max) if self.max is not None else None)
        return low, high


class ResultRule(_Model):
    """One line of a questionnaire's results (forms/results/<slug>.yaml): the service listed when `when` holds."""

    service: Slug
    when: Condition
    hint: Msgid


class Page(_Model):
    name: Slug
    title: Msgid
    when: Condition | None = None
    repeat: Repeat | None = None
    questions: Annotated[list[Question], Field(min_length=1)]

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)


class Definition(_Model):
    slug: Slug
    kind: Literal["application", "questionnaire"]
    agency: Literal["vsaa", "vdeavk", "pasv"] | None = None
    title: Msgid
    summary: Msgid
    life_situations: list[str] = Field(default_factory=list)
    about: Literal["child"] | None = None
    filers: Annotated[list[Filer], Field(min_length=1)] = Field(default_factory=lambda: list[Filer](["self"]))
    decision_term_days: Annotated[int, Field(ge=1, le=366)] | None = None
    draft_days: Annotated[int, Field(ge=1, le=366)] = 90
    prefill: list[PrefillSource] = Field(default_factory=list)
    pages: Annotated[list[Page], Field(min_length=1)]
    declaration: Msgid | None = None
    what_next: Msgid | None = None
    # How a questionnaire ends (an application ends with its declaration): "saved" keeps the answers for the
    # person, "results" lists the services of forms/results/<slug>.yaml that the answers match, "satisfaction"
    # sends one anonymous response (portal/applications/satisfaction.py).
    ending: Literal["saved", "results", "satisfaction"] = "saved"
    # Set by load_definitions from forms/results/<slug>.yaml (portal/catalogue/endings.py), never in the definition.
    results: tuple[ResultRule, ...] = ()

    @model_validator(mode="after")
    def _application_complete(self) -> Definition:
        if self.kind == "application":
            needed = ("agency", "decision_term_days", "declaration", "what_next")
            missing = [key for key in needed if getattr(self, key) is None]
            if missing:
                raise ValueError(f"an application needs {', '.join(missing)}")
        return self

    def page(self, name: str) -> Page | None:
        return next((p for p in self.pages if p.name == name), None)


Definitions = Mapping[str, Definition]


# --- loading ---------------------------------------------------------------------------------------------------


class DefinitionsInvalid(RuntimeError):
    """One or more definitions in forms/ are bad; `problems` are "file:line: message" lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Bad e-service definitions:\n" + "\n".join(problems))


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(k) for k in loc if not str(k).startswith("function-after"))


def read_yaml(path: Path, shown: str, what: str) -> tuple[yaml.Node | None, dict[str, Any]]:
    """The file's YAML node (for line numbers) and data, a mapping without repeated keys, or DefinitionsInvalid."""
    try:
        text = path.read_text(encoding="utf-8")
        node = compose(text)
        data = yaml.load(text, Loader=Loader)  # noqa: S506 - Loader is a SafeLoader
    except (OSError, UnicodeDecodeError) as error:
        raise DefinitionsInvalid([f"{shown}:1: cannot be read: {error}"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise DefinitionsInvalid([f"{shown}:{line}: not valid YAML: {getattr(error, 'problem', error)}"]) from error
    if not isinstance(data, dict):
        raise DefinitionsInvalid([f"{shown}:1: {what} is a mapping"])
    if duplicates := list(duplicate_keys(node)):
        # YAML lets a later key silently replace an earlier one; in a definition that hides a mistake.
        raise DefinitionsInvalid([f"{shown}:{line}: {key!r} is given twice" for line, key in duplicates])
    return node, data


def validated(model: type[M], data: dict[str, Any], node: yaml.Node | None, shown: str) -> M:
    """`model` from the data, or DefinitionsInvalid with the file and line of each problem."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            loc = tuple(k for k in item["loc"] if not (isinstance(k, str) and "[" in k))
            message = item["msg"].removeprefix("Value error, ")
            where = _where(loc)
            problems.append(f"{shown}:{line_of(node, loc)}: {where + ': ' if where else ''}{message}")
        raise DefinitionsInvalid(problems) from error


def load_definition(path: Path, display: str | None = None) -> Definition:
    """One definition file, checked; raises DefinitionsInvalid naming the file and line of each problem."""
    shown = display or str(path)
    node, data = read_yaml(path, shown, "a definition (slug:, kind:, pages: ...)")
    if "results" in data:
        line = line_of(node, ("results",))
        raise DefinitionsInvalid([f"{shown}:{line}: results: are kept in results/{path.stem}.yaml"])
    definition = validated(Definition, data, node, shown)
    problems = [
        f"{shown}:{line_of(node, loc)}: {_where(loc)}: {message}" for loc, message in check(definition, path.stem)
    ]
    if problems:
        raise DefinitionsInvalid(problems)
    return definition


def check(definition: Definition, file_slug: str) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """The rules a single field cannot check: names unique, references known, conditions looking backwards."""
    if definition.slug != file_slug:
        yield ("slug",), f"the slug {definition.slug!r} must equal the file name {file_slug!r}"
    known_situations = {s.slug for s in LIFE_SITUATIONS}
    for i, situation in enumerate(definition.life_situations):
        if situation not in known_situations:
            yield ("life_situations", i), f"unknown life situation {situation!r}; known: {sorted(known_situations)}"
    if len(set(definition.prefill)) != len(definition.prefill):
        yield ("prefill",), "a prefill source is listed twice"
    if definition.kind == "application" and definition.ending != "saved":
        yield ("ending",), "an application ends with its declaration: `ending` is for questionnaires"
    earlier: dict[str, Question] = {}
    seen_pages: set[str] = set()
    for p, page in enumerate(definition.pages):
        if page.name in seen_pages:
            yield ("pages", p, "name"), f"the page name {page.name!r} is used twice"
        if page.name in RESERVED_PAGES:
            yield ("pages", p, "name"), f"{page.name!r} is the engine's own page; choose another name"
        seen_pages.add(page.name)
        if page.when is not None:
            yield from check_condition(page.when, earlier, ("pages", p, "when"))
        names: set[str] = set()
        for q, question in enumerate(page.questions):
            if question.name in names:
                yield ("pages", p, "questions", q, "name"), f"the question name {question.name!r} is used twice"
            names.add(question.name)
            if question.prefill is not None and question.prefill.source not in definition.prefill:
                yield (
                    ("pages", p, "questions", q, "prefill", "source"),
                    f"the prefill source {question.prefill.source!r} is not in the definition's prefill list",
                )
            if page.repeat is None:
                # Answers on a repeating page are a list: no condition can read one value from it.
                earlier[f"{page.name}.{question.name}"] = question


def check_condition(
    condition: Condition, earlier: Mapping[str, Question], loc: tuple[int | str, ...]
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    if condition.question is not None:
        question = earlier.get(condition.question)
        if question is None:
            yield (
                (*loc, "question"),
                f"the condition reads {condition.question!r}, which is not a question on an earlier page "
                "(write <page>.<question>)",
            )
            return
        wanted = [condition.equals] if condition.equals is not None else list(condition.in_ or ())
        allowed = _values_of(question)
        if allowed is not None:
            for value in wanted:
                shown = "yes" if value is True else "no" if value is False else str(value)
                if shown not in allowed:
                    yield (
                        (*loc, "equals" if condition.in_ is None else "in"),
                        (f"{shown!r} is not an answer {condition.question!r} can have; it can be {sorted(allowed)}"),
                    )
    for key, parts in (("all", condition.all), ("any", condition.any)):
        for i, part in enumerate(parts or ()):
            yield from check_condition(part, earlier, (*loc, key, i))
    if condition.not_ is not None:
        yield from check_condition(condition.not_, earlier, (*loc, "not"))


def _values_of(question: Question) -> set[str] | None:
    if question.type == "yes_no":
        return {"yes", "no"}
    if question.choices:
        return {c.value for c in question.choices}
    return None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load_definitions(forms_dir: Path) -> dict[str, Definition]:
    """Every `forms_dir/*.yaml`, by slug; an absent or empty folder is an empty catalogue, not an error."""
    if not forms_dir.is_dir():
        return {}
    definitions: dict[str, Definition] = {}
    problems: list[str] = []
    for path in sorted(forms_dir.glob("*.yaml")):
        try:
            definition = load_definition(path, _display(path))
        except DefinitionsInvalid as error:
            problems.extend(error.problems)
            continue
        definitions[definition.slug] = definition
    if problems:
        raise DefinitionsInvalid(problems)
    # Imported here: the endings are checked against the definitions, whose schema lives in this module.
    from portal.catalogue.endings import with_results

    return with_results(forms_dir, definitions)
