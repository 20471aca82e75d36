"""Automated accessibility checks over the page inventory (a11y/inventory.yaml).

- axe-core with the project's one rule set (a11y/axe.py) and reflow (no horizontal scrolling) at 320 and
  1280 px, in Latvian and English, with `<html lang>` matching;
- every entry once more with the CSP enforced: no `securitypolicyviolation`, no CSP console error;
- entries that htmx changes once more with JavaScript off.

axe needs its script injected, which the strict CSP forbids, so the axe contexts bypass the CSP; the CSP pass
is what keeps the policy honest. axe's "incomplete" results need a human: they are reported at the end of
the run and written to a11y/report/axe-incomplete.json, never counted as failures. While the inventory is small
the default run checks every entry; once it grows only the representative ones (`make a11y` checks all).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page

from a11y.axe import AXE_OPTIONS, AXE_SCRIPT, describe
from a11y.inventory import DEFAULT_LANGUAGE, LANGUAGES, WIDTHS, Entry, load_inventory
from tests.browser.conftest import RECORD_CSP_VIOLATIONS, NewContext, csp_violations, prepare

pytestmark = pytest.mark.a11y

INVENTORY = load_inventory()
HEIGHT = 800


def matrix() -> list[Any]:
    """Entry × language; both widths are checked in one test on one load (resizing is cheaper than reloading)."""
    return [
        pytest.param(entry, language, id=f"{entry.name}-{language}")
        for entry in INVENTORY.checked_entries()
        for language in LANGUAGES
    ]


def every_entry() -> list[Any]:
    return [pytest.param(entry, id=entry.name) for entry in INVENTORY.entries]


def htmx_entries() -> list[Any]:
    return [pytest.param(entry, id=entry.name) for entry in INVENTORY.htmx_entries()]


def open_entry(page: Page, entry: Entry, language: str) -> None:
    response = page.goto(entry.url(language))
    assert response is not None, f"{entry.name}: no response"
    assert response.status == entry.status, f"{entry.name}: HTTP {response.status}, expected {entry.status}"
    # A redirect (to sign-in, say) would check some other page under this entry's name.
    landed, wanted = urlsplit(page.url), urlsplit(entry.url(language))
    assert (landed.path, landed.query) == (wanted.path, wanted.query), f"{entry.name}: landed on {page.url}"
    lang = page.evaluate("document.documentElement.lang")
    assert lang == language, f"{entry.name}: <html lang={lang!r}> on the {language} page"


def horizontal_scrolling(page: Page, width: int) -> str | None:
    """A problem when the page scrolls sideways (WCAG 1.4.10 Reflow), else None."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= client_width:
        return None
    return f"scrolls sideways at {width} px (content {scroll_width} px wide, window {client_width} px): WCAG 1.4.10"


def run_axe(page: Page) -> dict[str, Any]:
    """axe with the project's rule set; the page must have axe injected (`add_script_tag`, CSP bypassed)."""
    results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results


@pytest.mark.parametrize(("entry", "language"), matrix())
def test_axe_and_reflow(
    new_context: NewContext, axe_incomplete: list[dict[str, Any]], entry: Entry, language: str
) -> None:
    page = prepare(new_context(bypass_csp=True, viewport={"width": WIDTHS[0], "height": HEIGHT}), entry).new_page()
    open_entry(page, entry, language)
    page.add_script_tag(path=AXE_SCRIPT)
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        if problem := horizontal_scrolling(page, width):
            failures.append(problem)
        results = run_axe(page)
        if results["incomplete"]:
            axe_incomplete.append({"page": entry.url(language), "width": width, "incomplete": results["incomplete"]})
        if results["violations"]:
            failures.append(f"axe violations at {width} px:\n{describe(results['violations'])}")
    assert not failures, f"{entry.url(language)}:\n" + "\n".join(failures)


@pytest.mark.parametrize("entry", every_entry())
def test_csp_holds(new_context: NewContext, entry: Entry) -> None:
    """Every entry, in both languages, with the CSP the portal sends enforced: nothing is blocked."""
    context = prepare(new_context(), entry)  # no bypass_csp: this is the pass that sees the policy at work
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "content security policy" in message.text.lower():
            console_errors.append(message.text)

    page.on("console", on_console)
    for language in LANGUAGES:
        response = page.goto(entry.url(language))
        assert response is not None
        assert response.status == entry.status
        assert "default-src" in (response.headers.get("content-security-policy") or ""), "the page sends no CSP"
        if entry.htmx:  # what htmx loads after the page (lazy panels, polling) must obey the policy too
            page.wait_for_load_state("networkidle")
        violations = csp_violations(page)
        assert not violations, f"{entry.url(language)}: the CSP blocked {violations}"
    assert not console_errors, f"{entry.name}: CSP errors in the console: {console_errors}"


@pytest.mark.parametrize("entry", htmx_entries())
def test_without_javascript(new_context: NewContext, axe_incomplete: list[dict[str, Any]], entry: Entry) -> None:
    """htmx only enhances: with JavaScript off the page is complete, readable and accessible.

    A page with JavaScript off cannot run axe (injected scripts and timers do not run), so the page is checked
    twice: truly without JavaScript for what it shows, and with every script request refused for axe, which
    renders the same page apart from `<noscript>` content.
    """
    page = prepare(
        new_context(java_script_enabled=False, viewport={"width": WIDTHS[0], "height": HEIGHT}), entry
    ).new_page()
    open_entry(page, entry, DEFAULT_LANGUAGE)
    assert page.evaluate("document.body.classList.contains('no-js')"), "the page's own script ran with JavaScript off"
    problem = horizontal_scrolling(page, WIDTHS[0])
    assert problem is None, f"{entry.path} without JavaScript {problem}"

    context = prepare(new_context(bypass_csp=True, viewport={"width": WIDTHS[0], "height": HEIGHT}), entry)
    context.route("**/*", lambda route: route.abort() if route.request.resource_type == "script" else route.continue_())
    page = context.new_page()
    open_entry(page, entry, DEFAULT_LANGUAGE)
    page.add_script_tag(path=AXE_SCRIPT)
    results = run_axe(page)
    if results["incomplete"]:
        axe_incomplete.append(
            {"page": f"{entry.path} (no JavaScript)", "width": WIDTHS[0], "incomplete": results["incomplete"]}
        )
    assert not results["violations"], (
        f"axe violations on {entry.path} without JavaScript:\n{describe(results['violations'])}"
    )
