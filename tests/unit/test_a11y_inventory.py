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


@pytest.mark.parametrize(
    ("entries_yaml", "problem"),
    [
        ("  - name: a\n    path: /a\n    route: /a\n", "`htmx` is missing"),
        ("  - name: a\n    path: /a?lang=en\n    route: /a\n    htmx: false\n", "must not choose a language"),
        ("  - name: a\n    path: /a\n    route: null\n    htmx: false\n", "only error states"),
        ("  - name: a\n    path: /a\n    route: /a\n    htmx: false\n    colour: red\n", "unknown fields"),
        ("  - name: a\n    path: /a\n    route: /a\n    htmx: false\n" * 2, "used twice"),
    ],
)
def test_malformed_inventories_are_refused(tmp_path: Path, entries_yaml: str, problem: str) -> None:
    with pytest.raises(InventoryError, match=problem):
        load_inventory(write(tmp_path, entries_yaml))


def test_an_exclusion_names_a_route_or_a_prefix(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="exactly one"):
        load_inventory(write(tmp_path, entries(1, set()), "excluded:\n  - reason: nothing\n"))
