"""The accessibility inventory (a11y/inventory.yaml) names every HTML page the app serves, and nothing else."""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

from a11y.inventory import Inventory, load_inventory


def get_routes(app: Litestar, method: str = "GET") -> set[str]:
    """Every route template the app answers `method` on (OPTIONS and HEAD alone do not make a page)."""
    return {route.path for route in app.routes if isinstance(route, HTTPRoute) and method in route.methods}


def test_every_html_get_route_is_in_the_inventory(app: Litestar) -> None:
    inventory = load_inventory()
    pages = {route for route in get_routes(app) if not inventory.is_excluded(route)}
    missing = sorted(pages - inventory.routes())
    assert not missing, (
        f"HTML GET routes missing from a11y/inventory.yaml: {missing}. Add an entry for each state of the page "
        "(or, if it is not an HTML page for people, name it under `excluded` with the reason)."
    )


def test_the_inventory_names_only_routes_that_exist(app: Litestar) -> None:
    inventory = load_inventory()
    routes = get_routes(app)
    unknown = sorted(route for route in inventory.routes() if route not in routes)
    assert not unknown, f"a11y/inventory.yaml names routes the app does not have: {unknown}"
    excluded_pages = sorted(route for route in inventory.routes() if inventory.is_excluded(route))
    assert not excluded_pages, f"a11y/inventory.yaml both checks and excludes: {excluded_pages}"


def test_posted_states_name_routes_that_take_a_post(app: Litestar) -> None:
    unknown = sorted(load_inventory().routes("POST") - get_routes(app, "POST"))
    assert not unknown, f"a11y/inventory.yaml posts to routes that take no POST: {unknown}"


def test_every_exclusion_still_matches_a_route(app: Litestar) -> None:
    inventory = load_inventory()
    routes = get_routes(app)
    stale = [exclusion.label for exclusion in inventory.exclusions if not any(map(exclusion.matches, routes))]
    assert not stale, f"a11y/inventory.yaml excludes routes the app no longer has: {stale}"


def test_the_inventory_has_the_basic_pages_and_an_error_state() -> None:
    inventory: Inventory = load_inventory()
    paths = {entry.path for entry in inventory.entries}
    assert {"/", "/accessibility", "/privacy", "/contacts", "/components"} <= paths
    assert any(entry.status == 404 for entry in inventory.entries)
