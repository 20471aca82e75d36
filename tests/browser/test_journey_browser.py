"""Jānis applies for the old-age pension in a real browser, with JavaScript on and off: start page, every
question page his answers lead to, check your answers, declaration, confirmation, and his list of applications."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider

MAX_PAGES = 30
# Answers for inputs the persona's data does not fill in, by the input's name.
TYPED = (("iban", "LV80BANK0000435195001"), ("-day", "1"), ("-month", "12"), ("-year", "2026"), ("postcode", "1010"))


def typed_answer(name: str) -> str:
    return next((value for part, value in TYPED if part in name), "Rīga, Brīvības iela 1")


def answer(form: Locator) -> None:
    """Keeps what is there (prefilled or typed before) and answers the rest: the first choice, plain text."""
    for name in form.locator("input[type=radio]").evaluate_all("els => [...new Set(els.map(e => e.name))]"):
        group = form.locator(f"input[type=radio][name='{name}']")
        if not any(group.nth(i).is_checked() for i in range(group.count())):
            group.first.check()
    for field in form.locator("input[type=text], input[type=email], input[type=tel], textarea").all():
        if not field.input_value() and field.is_visible():
            field.fill(typed_answer(field.get_attribute("name") or ""))


def walk_to_check(page: Page) -> None:
    for _ in range(MAX_PAGES):
        if page.url.endswith("/check"):
            return
        expect(page.locator(".error-summary")).to_have_count(0)
        form = page.locator("main form[method=post]").filter(has=page.get_by_role("button", name="Turpināt"))
        answer(form)
        form.get_by_role("button", name="Turpināt").click()
        page.wait_for_load_state()
    raise AssertionError(f"no check page after {MAX_PAGES} pages; stuck at {page.url}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_janis_applies_for_the_old_age_pension(new_context: NewContext, javascript: bool) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, JANIS)
    page = context.new_page()
    page.goto("/services/vecuma-pensija")
    page.get_by_role("button", name="Sākt").click()
    walk_to_check(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("link", name="Turpināt").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Nosūtīt iesniegumu").click()
    page.wait_for_url("**/confirmation")
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"VSAA-2026-\d{6}", reference)
    # Back to the declaration and send again (a resent form): the same application, not a second one.
    page.go_back()
    if page.get_by_role("button", name="Nosūtīt iesniegumu").count():
        page.get_by_role("checkbox").check()
        page.get_by_role("button", name="Nosūtīt iesniegumu").click()
    page.wait_for_url("**/confirmation")
    expect(page.locator(".reference")).to_have_text(reference)
    page.goto("/applications")
    expect(page.get_by_text(reference)).to_have_count(1)
