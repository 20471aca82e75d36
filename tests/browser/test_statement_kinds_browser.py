"""Jānis reads one statement in a real browser, with JavaScript on and off: the explanation with his figures,
the tables, and for the projected pension (EP61) the chart, whose accessible name states its data. With
JavaScript the kept statement is refreshed through htmx and the status region says so; axe passes, and the page
does not scroll sideways at 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from a11y.axe import AXE_OPTIONS, AXE_SCRIPT, describe
from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider

# Written by hand from sandbox/agencies/data/vsaa_persons.yaml (see tests/integration/test_statement_kinds.py).
PAGES = {
    "EP61": (
        "Jūsu vecuma pensija būtu aptuveni 482,43\xa0€ mēnesī.",
        "Kā aprēķināta prognozētā pensija",
    ),
    "EP47": ("Jūsu apdrošināšanas stāžs ir 46 gadi un 2 mēneši", "Apdrošināšanas periodi"),
}


def axe_violations(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    results: dict[str, list[dict[str, object]]] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results["violations"]


@pytest.mark.parametrize("kind", list(PAGES))
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_janis_reads_one_statement(new_context: NewContext, javascript: bool, kind: str) -> None:
    context = new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    sign_in_through_the_provider(context, JANIS)
    if not javascript:
        context.route(
            "**/*", lambda route: route.abort() if route.request.resource_type == "script" else route.continue_()
        )
    page = context.new_page()
    # The first visit keeps the statement; the second shows it at once and, with JavaScript, asks VSAA afresh.
    page.goto(f"/statements/{kind}")
    page.goto(f"/statements/{kind}")
    sentence, caption = PAGES[kind]
    expect(page.get_by_role("heading", level=2, name="Ko tas Jums nozīmē")).to_be_visible()
    expect(page.get_by_text(sentence)).to_be_visible()
    expect(page.get_by_role("table", name=caption)).to_be_visible()
    status = page.locator("#statements-status")
    if javascript:
        expect(status).to_have_text("Izziņu dati ir aktuāli.")
        expect(page.locator("#statements-panel")).not_to_have_attribute("data-hx-get", re.compile(".*"))
    else:
        assert page.evaluate("document.body.classList.contains('no-js')")
        expect(status).to_be_hidden()
        expect(page.locator("#statements-panel")).to_have_attribute("data-hx-get", f"/statements/{kind}/fresh")
    if kind == "EP61":
        chart = page.get_by_role("img", name=re.compile("Kapitāls, no kura aprēķina Jūsu pensiju"))
        expect(chart).to_be_visible()
        expect(chart).to_have_accessible_name(re.compile("87\xa0773,61\xa0€.*18\xa0843,15\xa0€.*106\xa0616,76\xa0€"))
    # A wide table scrolls in its own region, which the keyboard reaches.
    region = page.locator(".table-scroll").first
    region.focus()
    expect(region).to_be_focused()
    assert JANIS not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "320 px"
    violations = axe_violations(page)
    assert not violations, describe(violations)
