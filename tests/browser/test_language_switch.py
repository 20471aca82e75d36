"""The language switch in a real browser, by keyboard, with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext

MAX_TABS = 10


def tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element is the link called `name`; fail if it is not reachable."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement && document.activeElement.textContent.trim()")
        if focused == name:
            return
        seen.append(focused)
    pytest.fail(f"the {name!r} link is not among the first {MAX_TABS} tab stops: {seen}")


@pytest.mark.a11y
@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_english_by_keyboard_and_remembered(new_context: NewContext, javascript: bool) -> None:
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "lv")

    tab_to(page, "English")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for support and see your statements")

    # The next page, opened without `?lang=`, is still in English: the choice was remembered.
    page.get_by_role("link", name="Privacy").click()
    expect(page).to_have_url(re.compile(r"/privacy$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Latviešu")).to_be_visible()
