"""Acting for someone in a real browser: the relations of DOMAIN.md, the banner, two tabs, and a mandate."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ILZE, RASMA, NewContext, sign_in_through_the_provider

ANNA = "050694-14213"
LAURA, DACE = "080890-17710", "190583-11654"
BANNER = ".acting-for"


def open_representation(page: Page) -> None:
    page.goto("/overview")
    page.get_by_role("link", name="Rīkošanās citas personas vārdā").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rīkošanās citas personas vārdā")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_anna_acts_for_elza(new_context: NewContext, javascript: bool) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, ANNA)
    page = context.new_page()
    open_representation(page)
    expect(page.get_by_text("Jūs esat šīs personas vecāks.")).to_be_visible()
    page.get_by_role("button", name="Rīkoties personas Elza Kalniņa vārdā").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pārskats: Elza Kalniņa")
    expect(page.locator(BANNER)).to_contain_text("Jūs rīkojaties personas Elza Kalniņa vārdā kā vecāks.")
    page.get_by_role("link", name="Iesniegumi: Elza Kalniņa").click()
    assert re.search(r"/applications\?for=[0-9a-f-]{36}$", page.url), "the link keeps naming its subject"
    expect(page.locator(BANNER)).to_be_visible()
    page.locator(BANNER).get_by_role("button", name="Rīkoties savā vārdā").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jūsu pārskats")
    expect(page.locator(BANNER)).to_have_count(0)


def test_ilze_acts_for_kristaps_as_guardian_and_for_rasma_in_vsaa_matters_in_two_tabs(new_context: NewContext) -> None:
    context = new_context()
    sign_in_through_the_provider(context, ILZE)
    first = context.new_page()
    open_representation(first)
    expect(first.get_by_text("Jūs esat šīs personas aizbildnis.")).to_be_visible()
    expect(first.get_by_text("Šī persona jums piešķīrusi pilnvarojumu šo iestāžu lietās: VSAA.")).to_be_visible()
    first.get_by_role("link", name="Pārskats: Kristaps Liepa").click()
    expect(first.locator(BANNER)).to_contain_text("kā bērna aizbildnis")

    second = context.new_page()
    open_representation(second)
    second.get_by_role("link", name="Pārskats: Rasma Liepa").click()
    expect(second.locator(BANNER)).to_contain_text("ar pilnvarojumu šo iestāžu lietās: VSAA")
    # Each tab names its own subject in its URL: reloading the first tab is still about Kristaps.
    first.reload()
    expect(first.get_by_role("heading", level=1)).to_have_text("Pārskats: Kristaps Liepa")


def test_laura_grants_dace_a_mandate_after_a_step_up_using_only_the_keyboard(new_context: NewContext) -> None:
    context = new_context()
    sign_in_through_the_provider(context, LAURA)
    page = context.new_page()
    open_representation(page)
    page.get_by_role("link", name="Piešķirt pilnvarojumu").focus()
    page.keyboard.press("Enter")
    # The identity provider asks again, at high assurance, which it has preselected.
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    expect(page.locator("input[name=acr][value$='/high']")).to_be_checked()
    page.get_by_label("Personas kods").select_option(LAURA)
    page.get_by_role("button", name="Pieslēgties").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/representation/mandates/new")

    page.get_by_label("Tās personas kods, kurai uzticaties").focus()
    page.keyboard.type(DACE)
    page.keyboard.press("Tab")  # to the hint-free radios: "All matters"
    page.keyboard.press("Space")
    page.get_by_label("Diena").focus()
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("12")
    page.keyboard.press("Tab")
    page.keyboard.type("2027")
    page.get_by_role("button", name="Piešķirt pilnvarojumu").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/representation?done=granted")
    expect(page.get_by_role("alert")).to_contain_text("Pilnvarojums piešķirts.")
    expect(page.get_by_role("heading", name="Dace Egle")).to_be_visible()


def test_rasma_sees_the_mandate_she_granted_ilze(new_context: NewContext) -> None:
    context = new_context()
    sign_in_through_the_provider(context, RASMA)
    page = context.new_page()
    open_representation(page)
    expect(page.get_by_role("heading", name="Ilze Liepa")).to_be_visible()
    expect(page.get_by_text("Šo iestāžu lietās: VSAA.")).to_be_visible()
