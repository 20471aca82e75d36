"""Jānis reads his statements in a real browser: with JavaScript the kept panel is refreshed through htmx and the
status region says so; without it the kept answer with its "as of" is the page. axe passes in both."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from a11y.axe import AXE_OPTIONS, AXE_SCRIPT, describe
from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider

EP48_LV = "Informācija par apdrošinātās personas pensijas kapitālu"  # the e-service's official name
AS_OF = re.compile(r"VSAA dati uz \d{4}\. gada \d{1,2}\. \w+ \d{2}:\d{2}\.")
LV_MONEY = re.compile(r"\d{1,3}(?:\xa0\d{3})*,\d{2}\xa0€")


def axe_violations(page: Page) -> list[dict[str, object]]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    results: dict[str, list[dict[str, object]]] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results["violations"]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_janis_opens_his_statements(new_context: NewContext, javascript: bool) -> None:
    context = new_context(bypass_csp=True, viewport={"width": 320, "height": 800})
    sign_in_through_the_provider(context, JANIS)
    if not javascript:
        # The page's scripts (ours and htmx) never load, as with JavaScript off; axe can still be injected.
        context.route(
            "**/*", lambda route: route.abort() if route.request.resource_type == "script" else route.continue_()
        )
    page = context.new_page()
    # The first visit makes sure something is kept (the worker's sync, or the page's own fetch); the second
    # shows it at once and, with JavaScript, asks VSAA for a fresh one.
    page.goto("/statements")
    page.goto("/statements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jūsu izziņas")
    expect(
        page.get_by_role("heading", level=2, name="Informācija par apdrošinātās personas pensijas kapitālu")
    ).to_be_visible()
    expect(page.get_by_text(AS_OF)).to_be_visible()
    status = page.locator("#statements-status")
    if javascript:
        expect(status).to_have_text("Izziņu dati ir aktuāli.")
        expect(page.locator("#statements-panel")).not_to_have_attribute("data-hx-get", re.compile(".*"))
    else:
        assert page.evaluate("document.body.classList.contains('no-js')")
        expect(status).to_be_hidden()
        expect(page.locator("#statements-panel")).to_have_attribute("data-hx-get", "/statements/fresh")
    assert LV_MONEY.search(page.locator("#statements-panel").inner_text())
    assert JANIS not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "320 px"
    violations = axe_violations(page)
    assert not violations, describe(violations)
