"""A person signs in and out through the dev identity provider in a real browser, with JavaScript on and off."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_and_out(new_context: NewContext, javascript: bool) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, JANIS)
    page = context.new_page()
    page.goto("/overview")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jūsu pārskats")
    expect(page.get_by_role("link", name="Jānis Bērziņš")).to_be_visible()

    page.get_by_role("button", name="Atslēgties").click()
    page.get_by_role("button", name="Jā, atslēgties no visiem").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/(\?.*)?$"))  # the portal's start page
    expect(page.get_by_role("link", name="Pieslēgties")).to_be_visible()
    page.goto("/overview")
    assert "/overview" not in page.url, "the session must be gone after signing out"
