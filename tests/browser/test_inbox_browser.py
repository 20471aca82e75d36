"""The inbox in a real browser, with JavaScript and without: the embedded worker has made the person's notices
from the sync on the business clock; the unread one is opened with the keyboard, leads to its prefilled
application, and is read afterwards. axe passes on both pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from a11y.axe import describe
from tests.browser.conftest import NewContext, sign_in_through_the_provider
from tests.browser.test_statements_browser import axe_violations

# Whom each run signs in as, the notice's title (a pattern: it carries a date) and where its button leads.
# Notices no earlier browser test takes away: the session's sandbox drops an entitlement once its application is
# registered (test_filing_for_browser.py files Anna's childbirth benefit), and the term's end does not move.
PETERIS = "300978-15174"
CASES = {
    True: (PETERIS, "Jūsu invaliditātes termiņš beidzas", "/services/vdeavk-invaliditates-ekspertize"),
    False: (
        PETERIS,
        "Jums var būt tiesības uz pabalstu transporta izdevumu kompensēšanai",
        "/services/pabalsts-transporta-izdevumu-kompensesanai",
    ),
}
# The worker syncs a person after sign-in and makes notices on its next pass (about a second apart); the inbox is
# opened again until the notice is there, as a person reloading would.
ATTEMPTS = 60


def open_inbox_until(page: Page, title: re.Pattern[str]) -> None:
    for _ in range(ATTEMPTS):
        page.goto("/inbox")
        if page.get_by_role("link", name=title).count():
            return
    pytest.fail("the worker made no notice")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_notice_is_opened_from_the_inbox(new_context: NewContext, javascript: bool) -> None:
    code, start, action = CASES[javascript]
    title = re.compile(start)
    context = new_context(bypass_csp=True)
    sign_in_through_the_provider(context, code)
    if not javascript:
        # The page's scripts (ours and htmx) never load, as with JavaScript off; axe can still be injected.
        context.route(
            "**/*", lambda route: route.abort() if route.request.resource_type == "script" else route.continue_()
        )
    page = context.new_page()
    open_inbox_until(page, title)
    expect(page.get_by_role("heading", level=1)).to_have_text("Jūsu paziņojumi")
    assert page.evaluate("document.body.classList.contains('no-js')") is not javascript
    card = page.locator(".card", has=page.get_by_role("link", name=title))
    expect(card.get_by_text("Nelasīts")).to_be_visible()
    assert code not in page.content()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    link = page.get_by_role("link", name=title)
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("link", name=re.compile("Pieteikties|Sākt iesniegumu"))).to_have_attribute("href", action)
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_role("link", name="Atpakaļ uz paziņojumiem").first.click()
    page.wait_for_url(re.compile(r"/inbox$"))
    expect(page.locator(".card", has=page.get_by_role("link", name=title)).get_by_text("Nelasīts")).to_have_count(0)
