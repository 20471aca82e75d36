"""Automated accessibility checks over the page inventory (a11y/inventory.yaml).

- axe-core with the project's one rule set (a11y/axe.py) and reflow (no horizontal scrolling) at 320 and
  1280 px, in Latvian and English, with `<html lang>` matching;
- every entry once more with the CSP enforced: no `securitypolicyviolation`, no CSP console error;
- entries that htmx changes once more with JavaScript off.

Entries with a setup get a fresh context prepared by it (tests/browser/conftest.py SETUPS), which hands back
the ids their `{placeholders}` need; POST entries are opened by sending their form empty (`goto_entry`). The
axe and reflow helpers (tests/browser/pagechecks.py) are the ones the journey walk uses too.

axe needs its script injected, which the strict CSP forbids, so the axe contexts bypass the CSP; the CSP pass
is what keeps the policy honest. axe's "incomplete" results need a human: they are reported at the end of
the run and written to a11y/report/axe-incomplete.json, never counted as failures. While the inventory is small
the default run checks every entry; once it grows only the representative ones (`make a11y` checks all).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import ConsoleMessage, Page

from a11y.inventory import DEFAULT_LANGUAGE, LANGUAGES, WIDTHS, Entry, load_inventory
from tests.browser.conftest import RECORD_CSP_VIOLATIONS, NewContext, csp_violations, goto_entry, prepare
from tests.browser.pagechecks import HEIGHT, axe_and_reflow, horizontal_scrolling, language_of

pytestmark = pytest.mark.a11y

INVENTORY = load_inventory()


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


def open_entry(page: Page, entry: Entry, language: str, values: Mapping[str, str]) -> None:
    response = goto_entry(page, entry, language, values)
    assert response.status == entry.status, f"{entry.name}: HTTP {response.status}, expected {entry.status}"
    # A redirect (to sign-in, say) would check some other page under this entry's name.
    landed, wanted = urlsplit(page.url), urlsplit(entry.url(language, values))
    assert (landed.path, landed.query) == (wanted.path, wanted.query), f"{entry.name}: landed on {page.url}"
    lang = language_of(page)
    assert lang == language, f"{entry.name}: <html lang={lang!r}> on the {language} page"


@pytest.mark.parametrize(("entry", "language"), matrix())
def test_axe_and_reflow(
    new_context: NewContext, axe_incomplete: list[dict[str, Any]], entry: Entry, language: str
) -> None:
    context = new_context(bypass_csp=True, viewport={"width": WIDTHS[0], "height": HEIGHT})
    values = prepare(context, entry)
    page = context.new_page()
    open_entry(page, entry, language, values)
    failures = axe_and_reflow(page, WIDTHS, entry.url(language, values), axe_incomplete)
    assert not failures, f"{entry.url(language, values)}:\n" + "\n".join(failures)


@pytest.mark.parametrize("entry", every_entry())
def test_csp_holds(new_context: NewContext, entry: Entry) -> None:
    """Every entry, in both languages, with the CSP the portal sends enforced: nothing is blocked."""
    context = new_context()  # no bypass_csp: this is the pass that sees the policy at work
    values = prepare(context, entry)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page = context.new_page()
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "content security policy" in message.text.lower():
            console_errors.append(message.text)

    page.on("console", on_console)
    for language in LANGUAGES:
        response = goto_entry(page, entry, language, values)
        assert response.status == entry.status
        assert "default-src" in (response.headers.get("content-security-policy") or ""), "the page sends no CSP"
        if entry.htmx:  # what htmx loads after the page (lazy panels, polling) must obey the policy too
            page.wait_for_load_state("networkidle")
        violations = csp_violations(page)
        assert not violations, f"{entry.url(language, values)}: the CSP blocked {violations}"
    assert not console_errors, f"{entry.name}: CSP errors in the console: {console_errors}"


@pytest.mark.parametrize("entry", htmx_entries())
def test_without_javascript(new_context: NewContext, axe_incomplete: list[dict[str, Any]], entry: Entry) -> None:
    """htmx only enhances: with JavaScript off the page is complete, readable and accessible.

    A page with JavaScript off cannot run axe (injected scripts and timers do not run), so the page is checked
    twice: truly without JavaScript for what it shows, and with every script request refused for axe, which
    renders the same page apart from `<noscript>` content.
    """
    context = new_context(java_script_enabled=False, viewport={"width": WIDTHS[0], "height": HEIGHT})
    values = prepare(context, entry)
    page = context.new_page()
    open_entry(page, entry, DEFAULT_LANGUAGE, values)
    assert page.evaluate("document.body.classList.contains('no-js')"), "the page's own script ran with JavaScript off"
    problem = horizontal_scrolling(page, WIDTHS[0])
    assert problem is None, f"{entry.url(DEFAULT_LANGUAGE, values)} without JavaScript {problem}"

    context = new_context(bypass_csp=True, viewport={"width": WIDTHS[0], "height": HEIGHT})
    prepare(context, entry)
    context.route("**/*", lambda route: route.abort() if route.request.resource_type == "script" else route.continue_())
    page = context.new_page()
    open_entry(page, entry, DEFAULT_LANGUAGE, values)
    where = f"{entry.url(DEFAULT_LANGUAGE, values)} (no JavaScript)"
    failures = axe_and_reflow(page, (WIDTHS[0],), where, axe_incomplete)
    assert not failures, f"{where}:\n" + "\n".join(failures)
