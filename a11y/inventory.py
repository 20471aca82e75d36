"""The page and state inventory (a11y/inventory.yaml), loaded for the integration and the browser tests.

It also decides which entries the default run checks: every entry while the inventory is small, only the
representative ones once it has grown (`make a11y`, with PORTAL_A11Y_FULL=1, always checks every entry).

A path may hold placeholders (`/applications/{draft}/check`) for ids that only the entry's setup can know,
because the setup made the record (a draft, a submitted application); each tier's setups hand back their values.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import yaml

INVENTORY_FILE = Path(__file__).resolve().parent / "inventory.yaml"
LANGUAGES = ("lv", "en")
DEFAULT_LANGUAGE = "lv"
# The narrowest width WCAG 1.4.10 (Reflow) asks for, and a common desktop width.
WIDTHS = (320, 1280)
# Up to this many entries the default run checks all of them; past it, the representative ones only.
SMALL_INVENTORY = 12
FULL_ENV = "PORTAL_A11Y_FULL"
METHODS = ("GET", "POST")
# `{draft}` in a path: a value the entry's setup made. Route templates (`{draft_id:uuid}`) are never filled.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class InventoryError(ValueError):
    """The inventory file is malformed."""


@dataclass(frozen=True)
class Entry:
    name: str
    path: str
    route: str | None
    htmx: bool
    status: int = 200
    representative: bool = False
    setup: str | None = None
    # POST: the checks send the form at `path` with nothing but the CSRF token (a person pressing the button
    # without answering) and check the page that answers; it is how states that only a POST shows are reached.
    method: str = "GET"

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(PLACEHOLDER.findall(self.path))

    def url(self, language: str, values: Mapping[str, str] | None = None) -> str:
        """The entry's path in a language, placeholders filled from `values` (what the setup made): Latvian is
        the default and gets no `lang`, English `?lang=en`."""
        path = fill(self.path, values or {}, self.name)
        if language == DEFAULT_LANGUAGE:
            return path
        return with_query(path, lang=language)


@dataclass(frozen=True)
class Exclusion:
    reason: str
    route: str | None = None
    prefix: str | None = None

    def matches(self, route: str) -> bool:
        if self.route is not None:
            return route == self.route
        return self.prefix is not None and route.startswith(self.prefix)

    @property
    def label(self) -> str:
        return self.route if self.route is not None else f"{self.prefix}…"


@dataclass(frozen=True)
class Inventory:
    entries: tuple[Entry, ...]
    exclusions: tuple[Exclusion, ...]

    def is_excluded(self, route: str) -> bool:
        return any(exclusion.matches(route) for exclusion in self.exclusions)

    def routes(self, method: str = "GET") -> set[str]:
        """The route templates the entries of one method cover (GET: the pages; POST: states only a post shows)."""
        return {entry.route for entry in self.entries if entry.route is not None and entry.method == method}

    def checked_entries(self, full: bool | None = None) -> tuple[Entry, ...]:
        """The entries a run checks in every language and width: all, or the representative ones."""
        if full is None:
            full = bool(os.environ.get(FULL_ENV))
        if full or len(self.entries) <= SMALL_INVENTORY:
            return self.entries
        return tuple(entry for entry in self.entries if entry.representative)

    def htmx_entries(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.htmx)


def with_query(path: str, **params: str) -> str:
    """`path` with query parameters set (replacing any of the same name), other parameters kept."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode([*query, *params.items()])))


def fill(path: str, values: Mapping[str, str], name: str = "") -> str:
    """`path` with each `{placeholder}` replaced by its value, quoted for a URL path."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise InventoryError(f"entry {name!r}: its setup gave no value for {{{key}}} (it gave {sorted(values)})")
        return quote(values[key], safe="")

    return PLACEHOLDER.sub(value, path)


def _field(
    raw: Mapping[str, Any], key: str, kind: type, where: str, *, default: Any = ..., nullable: bool = False
) -> Any:
    if key not in raw:
        if default is ...:
            raise InventoryError(f"{where}: `{key}` is missing")
        return default
    value = raw[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InventoryError(f"{where}: `{key}` must be {kind.__name__}, not {value!r}")
    return value


def _entry(raw: Any, index: int) -> Entry:
    if not isinstance(raw, Mapping):
        raise InventoryError(f"entry {index} is not a mapping")
    where = f"entry {raw.get('name', index)!r}"
    known = {"name", "path", "route", "htmx", "status", "representative", "setup", "method"}
    if unknown := set(raw) - known:
        raise InventoryError(f"{where}: unknown fields {sorted(unknown)}")
    entry = Entry(
        name=_field(raw, "name", str, where),
        path=_field(raw, "path", str, where),
        route=_field(raw, "route", str, where, nullable=True),
        htmx=_field(raw, "htmx", bool, where),
        status=_field(raw, "status", int, where, default=200),
        representative=_field(raw, "representative", bool, where, default=False),
        setup=_field(raw, "setup", str, where, default=None, nullable=True),
        method=_field(raw, "method", str, where, default="GET"),
    )
    if not entry.path.startswith("/"):
        raise InventoryError(f"{where}: path must start with /")
    if "lang" in dict(parse_qsl(urlsplit(entry.path).query)):
        raise InventoryError(f"{where}: path must not choose a language; the checks visit every language")
    if entry.route is None and entry.status == 200:
        raise InventoryError(f"{where}: only error states may name no route")
    if entry.method not in METHODS:
        raise InventoryError(f"{where}: method must be one of {', '.join(METHODS)}, not {entry.method!r}")
    if entry.placeholders and entry.setup is None:
        raise InventoryError(f"{where}: only a setup can fill {sorted(entry.placeholders)}; name one")
    if "{" in PLACEHOLDER.sub("", entry.path) or "}" in PLACEHOLDER.sub("", entry.path):
        raise InventoryError(f"{where}: a placeholder is a lowercase name in braces, like {{draft}}")
    return entry


def _exclusion(raw: Any, index: int) -> Exclusion:
    if not isinstance(raw, Mapping):
        raise InventoryError(f"exclusion {index} is not a mapping")
    where = f"exclusion {index}"
    if unknown := set(raw) - {"route", "prefix", "reason"}:
        raise InventoryError(f"{where}: unknown fields {sorted(unknown)}")
    exclusion = Exclusion(
        reason=_field(raw, "reason", str, where),
        route=_field(raw, "route", str, where, default=None),
        prefix=_field(raw, "prefix", str, where, default=None),
    )
    if (exclusion.route is None) == (exclusion.prefix is None):
        raise InventoryError(f"{where}: give exactly one of `route` and `prefix`")
    return exclusion


def _unique(names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InventoryError(f"entry name {name!r} is used twice")
        seen.add(name)


def load_inventory(path: Path = INVENTORY_FILE) -> Inventory:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, Mapping) or set(data) != {"entries", "excluded"}:
        raise InventoryError(f"{path}: expected exactly the keys `entries` and `excluded`")
    entries = tuple(_entry(raw, i) for i, raw in enumerate(data["entries"] or []))
    _unique(entry.name for entry in entries)
    exclusions = tuple(_exclusion(raw, i) for i, raw in enumerate(data["excluded"] or []))
    return Inventory(entries=entries, exclusions=exclusions)
