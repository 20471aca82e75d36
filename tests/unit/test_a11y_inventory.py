"""The inventory loader: what the accessibility checks visit, and what the default run leaves to `make a11y`."""

from __future__ import annotations

from pathlib import Path

import pytest

from a11y.inventory import SMALL_INVENTORY, Entry, InventoryError, load_inventory, with_query

EXCLUDED = "excluded:\n  - route: /healthz\n    reason: probe\n"


def write(tmp_path: Path, entries: str, excluded: str = EXCLUDED) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(f"entries:\n{entries}{excluded}")
    return path


def entries(count: int, representative: set[int]) -> str:
    return "".join(
        f"  - name: page-{i}\n    path: /p{i}\n    route: /p{i}\n    htmx: false\n"
        + ("    representative: true\n" if i in representative else "")
        for i in range(count)
    )


def test_the_projects_inventory_loads() -> None:
    inventory = load_inventory()
    assert inventory.entries and inventory.exclusions
    assert inventory.is_excluded("/healthz") and inventory.is_excluded("/static/abc/css/portal.css")
    assert not inventory.is_excluded("/")


def test_a_small_inventory_is_checked_whole(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, entries(SMALL_INVENTORY, {0})))
    assert inventory.checked_entries(full=False) == inventory.entries


def test_a_grown_inventory_checks_representative_states_unless_full(tmp_path: Path) -> None:
    inventory = load_inventory(write(tmp_path, entries(SMALL_INVENTORY + 1, {0, 5})))
    assert [e.name for e in inventory.checked_entries(full=False)] == ["page-0", "page-5"]
    assert inventory.checked_entries(full=True) == inventory.entries


def test_full_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inventory = load_inventory(write(tmp_path, entries(SMALL_INVENTORY + 1, {0})))
    monkeypatch.delenv("PORTAL_A11Y_FULL", raising=False)
    assert len(inventory.checked_entries()) == 1
    monkeypatch.setenv("PORTAL_A11Y_FULL", "1")
    assert len(inventory.checked_entries()) == SMALL_INVENTORY + 1


def test_urls_in_each_language() -> None:
    entry = Entry(name="x", path="/components?state=error", route="/components", htmx=True)
    assert entry.url("lv") == "/components?state=error"
    assert entry.url("en") == "/components?state=error&lang=en"
    assert with_query("/", lang="en") == "/?lang=en"


def test_placeholders_are_filled_with_what_the_setup_made() -> None:
    entry = Entry(name="x", path="/applications/{draft}/check?page={page}", route="/r", htmx=False, setup="s")
    assert entry.placeholders == {"draft", "page"}
    made = {"draft": "5f0c", "page": "a/c"}
    assert entry.url("lv", made) == "/applications/5f0c/check?page=a%2Fc"
    assert entry.url("en", made) == "/applications/5f0c/check?page=a%2Fc&lang=en"
    with pytest.raises(InventoryError, match=r"no value for \{page\}"):
        entry.url("lv", {"draft": "5f0c"})


def test_an_entry_without_placeholders_needs_no_values() -> None:
    entry = Entry(name="x", path="/overview", route="/overview", htmx=False)
    assert entry.placeholders == frozenset()
    assert entry.url("lv") == "/overview"


def test_methods_and_the_routes_each_covers(tmp_path: Path) -> None:
    inventory = load_inventory(
        write(
            tmp_path,
            "  - name: a\n    path: /a\n    route: /a\n    htmx: false\n"
            "  - name: b\n    path: /b\n    route: /b\n    htmx: false\n    method: POST\n    status: 400\n",
        )
    )
    assert [e.method for e in inventory.entries] == ["GET", "POST"]
    assert inventory.routes() == {"/a"} and inventory.routes("POST") == {"/b"}


@pytest.mark.parametrize(
    ("entries_yaml", "problem"),
    [
        ("  - name: a\n    path: /a\n    route: /a\n", "`htmx` is missing"),
        ("  - name: a\n    path: /a?lang=en\n    route: /a\n    htmx: false\n", "must not choose a language"),
        ("  - name: a\n    path: /a\n    route: null\n    htmx: false\n", "only error states"),
        ("  - name: a\n    path: /a\n    route: /a\n    htmx: false\n    colour: red\n", "unknown fields"),
        ("  - name: a\n    path: /a\n    route: /a\n    htmx: false\n" * 2, "used twice"),
        ("  - name: a\n    path: /a/{draft}\n    route: /a/{id}\n    htmx: false\n", "only a setup can fill"),
        ("  - name: a\n    path: /a/{Draft}\n    route: /a\n    htmx: false\n    setup: s\n", "lowercase name"),
        ("  - name: a\n    path: /a\n    route: /a\n    htmx: false\n    method: PUT\n", "method must be"),
    ],
)
def test_malformed_inventories_are_refused(tmp_path: Path, entries_yaml: str, problem: str) -> None:
    with pytest.raises(InventoryError, match=problem):
        load_inventory(write(tmp_path, entries_yaml))


def test_an_exclusion_names_a_route_or_a_prefix(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="exactly one"):
        load_inventory(write(tmp_path, entries(1, set()), "excluded:\n  - reason: nothing\n"))
