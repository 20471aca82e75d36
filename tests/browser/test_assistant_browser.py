"""A VPVKAC assistant in a real browser: staff sign-in through the dev identity provider, a client identified with
the keyboard alone, the client's pages under the banner, and closing the client."""

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import NewContext

INESE = "120385-13468"
PETERIS = "300978-15174"
MAX_TABS = 40


def sign_in_as_staff(context: BrowserContext, personal_code: str = INESE) -> None:
    """Like conftest.sign_in_through_the_provider, through the staff client (`/staff/login`)."""
    page = context.new_page()
    page.goto("/staff/login?next=/staff")
    page.get_by_label("Personas kods").select_option(personal_code)
    page.get_by_role("button", name="Pieslēgties").click()
    page.wait_for_url(re.compile(r"/staff$"))
    page.close()


def tab_to(page: Page, selector: str) -> None:
    """Presses Tab until the focused element matches `selector`, as a keyboard user moves through the page."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_assistant_identifies_a_client_with_the_keyboard_and_works_for_them(
    new_context: NewContext, javascript: bool
) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_as_staff(context)
    page = context.new_page()
    page.goto("/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Atvērt klientu")
    expect(page.get_by_text("atslēdzam, ja 15 minūtes neko nedarāt")).to_be_visible()

    tab_to(page, "#personal_code")
    page.keyboard.type(PETERIS)
    tab_to(page, "input[name=document_type]")
    page.keyboard.press("Space")
    expect(page.get_by_label("Pase")).to_be_checked()
    tab_to(page, "#document_last_digits")
    page.keyboard.type("4821")
    tab_to(page, "#present_in_person")
    page.keyboard.press("Space")
    expect(page.locator("#present_in_person")).to_be_checked()
    tab_to(page, "form[action='/staff/clients'] button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/overview\?for=[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pārskats: Pēteris Ozols")
    banner = page.get_by_role("region", name="Jūs strādājat klienta Pēteris Ozols vārdā.")
    expect(banner).to_be_visible()
    assert PETERIS not in page.content() and PETERIS not in page.url

    tab_to(page, "main a[href^='/applications?for=']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/applications\?for=[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Iesniegumi: Pēteris Ozols")
    expect(banner).to_be_visible()

    tab_to(page, "form[action='/staff/client/close'] button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/staff$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Atvērt klientu")
    expect(page.get_by_role("region", name=re.compile("Jūs strādājat klienta"))).to_have_count(0)

    page.goto("/overview")
    expect(page).to_have_url(re.compile(r"/staff$"))
