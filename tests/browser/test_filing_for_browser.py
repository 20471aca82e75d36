"""Filing for someone in a real browser, with JavaScript on and off: Ilze for Rasma under her VSAA mandate, and
Inese (a VPVKAC assistant) for a client she has identified, about the client's child too. Each application is
registered once by the agency's sandbox and shows in the list of the person it was filed for, who sees it when
signing in herself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import ILZE, INESE, RASMA, NewContext, open_peteris_as_client, sign_in_through_the_provider
from tests.browser.test_journey_browser import registered_once, walk_to_check
from tests.servers import Server

ANNA, PETERIS = "050694-14213", "300978-15174"
# A VSAA service Rasma may be filed for under the mandate (VSAA decides whether she is entitled).
VSAA_SERVICE = "pabalsts-transporta-izdevumu-kompensesanai"


def start(page: Page, slug: str) -> None:
    page.goto(f"/services/{slug}")
    page.get_by_role("button", name="Sākt").click()
    page.wait_for_load_state()


def send(page: Page) -> str:
    """From the question pages to the confirmation; returns the application's reference."""
    walk_to_check(page)
    page.get_by_role("link", name="Turpināt").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Nosūtīt iesniegumu").click()
    page.wait_for_url("**/confirmation")
    return page.locator(".reference").inner_text()


def sees_in_own_list(context: BrowserContext, personal_code: str, reference: str) -> None:
    context.clear_cookies()
    sign_in_through_the_provider(context, personal_code)
    page = context.new_page()
    page.goto("/applications")
    expect(page.get_by_role("heading", level=1)).to_have_text("Jūsu iesniegumi")
    expect(page.get_by_text(reference)).to_have_count(1)


def open_client(page: Page, personal_code: str) -> None:
    page.goto("/staff")
    page.get_by_label("Klienta personas kods").fill(personal_code)
    page.get_by_label("Pase").check()
    page.get_by_label("Dokumenta numura pēdējās 4 rakstzīmes").fill("4821")
    page.locator("input[name=present_in_person]").check()
    page.locator("form[action='/staff/clients'] button[type=submit]").click()
    page.wait_for_url("**/overview?for=*")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_ilze_files_a_vsaa_service_for_rasma_and_rasma_sees_it(
    new_context: NewContext, live_servers: dict[str, Server], javascript: bool
) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, ILZE)
    page = context.new_page()
    start(page, VSAA_SERVICE)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kam iesniegums ir paredzēts?")
    page.get_by_role("button", name="Personai Rasma Liepa").click()
    reference = send(page)
    registered_once(live_servers["sandbox"], reference, page)

    # Ilze's list for Rasma, reached as a person would: whom I act for, Rasma's overview, her applications.
    page.goto("/representation")
    page.get_by_role("link", name="Pārskats: Rasma Liepa").click()
    page.get_by_role("link", name="Iesniegumi: Rasma Liepa").click()
    expect(page).to_have_url(re.compile(r"/applications\?for=[0-9a-f-]{36}$"))
    expect(page.get_by_text(reference)).to_have_count(1)

    # Home care is the municipality's: the VSAA mandate does not reach it, so Rasma is not offered.
    start(page, "aprupe-majas")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kam iesniegums ir paredzēts?")
    expect(page.get_by_role("button", name="Sev")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Rasma"))).to_have_count(0)

    sees_in_own_list(context, RASMA, reference)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_inese_files_for_her_identified_client_and_he_sees_it(
    new_context: NewContext, live_servers: dict[str, Server], javascript: bool
) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, INESE, staff=True)
    page = context.new_page()
    open_peteris_as_client(page)
    banner = page.get_by_role("region", name="Jūs strādājat klienta Pēteris Ozols vārdā.")
    start(page, "invalida-kopsanas-pabalsts")  # only the client to file for: nobody is asked
    expect(banner).to_be_visible()
    reference = send(page)
    registered_once(live_servers["sandbox"], reference, page)
    page.goto("/applications")  # an assistant's pages are the open client's
    expect(page.get_by_role("heading", level=1)).to_have_text("Iesniegumi: Pēteris Ozols")
    expect(page.get_by_text(reference)).to_have_count(1)
    sees_in_own_list(context, PETERIS, reference)


def test_inese_files_the_childbirth_benefit_for_anna_about_elza(
    new_context: NewContext, live_servers: dict[str, Server]
) -> None:
    context = new_context()
    sign_in_through_the_provider(context, INESE, staff=True)
    page = context.new_page()
    open_client(page, ANNA)
    start(page, "berna-piedzimsanas-pabalsts")  # Anna has one child in the register: Elza, not asked
    expect(page.get_by_role("region", name="Jūs strādājat klienta Anna Kalniņa vārdā.")).to_be_visible()
    reference = send(page)
    registered_once(live_servers["sandbox"], reference, page)
    page.goto("/applications")
    expect(page.get_by_text(reference)).to_have_count(1)
    # Anna, signing in herself, sees it in her list, and in Elza's, whom it is about.
    sees_in_own_list(context, ANNA, reference)
    page = context.new_page()
    page.goto("/representation")
    page.get_by_role("link", name="Pārskats: Elza Kalniņa").click()
    page.get_by_role("link", name="Iesniegumi: Elza Kalniņa").click()
    expect(page.get_by_text(reference)).to_have_count(1)
