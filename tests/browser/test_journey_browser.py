"""Jānis applies for the old-age pension in a real browser, with JavaScript on and off: start page, every
question page his answers lead to, check your answers, declaration, confirmation, and his list of applications."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider
from tests.servers import Server

MAX_PAGES = 30
# Answers for inputs the persona's data does not fill in, by the input's name.
# A past date (the business clock's today is 2026-11-20): dates of events and terms that already began.
TYPED = (("iban", "LV80BANK0000435195001"), ("-day", "1"), ("-month", "10"), ("-year", "2026"), ("postcode", "1010"))
PDF = {
    "name": "izzina.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}


def typed_answer(name: str) -> str:
    return next((value for part, value in TYPED if part in name), "Rīga, Brīvības iela 1")


def add_files(page: Page) -> None:
    """A file question's own form (outside the page's form): one small PDF each, as a person would add it."""
    for chooser in page.locator("main form[enctype='multipart/form-data'] input[type=file]").all():
        chooser.set_input_files(PDF)
        chooser.locator("xpath=ancestor::form").get_by_role("button", name="Pievienot datni").click()
        page.wait_for_load_state()


def answer(form: Locator) -> None:
    """Keeps what is there (prefilled or typed before) and answers the rest: the first choice, plain text."""
    for name in form.locator("input[type=checkbox]").evaluate_all("els => [...new Set(els.map(e => e.name))]"):
        group = form.locator(f"input[type=checkbox][name='{name}']")
        if not any(group.nth(i).is_checked() for i in range(group.count())):
            group.first.check()
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
        problems = page.locator(".error-summary li").all_inner_texts()
        assert not problems, f"{page.url}: {problems}"
        add_files(page)
        form = page.locator("main form[method=post]").filter(has=page.get_by_role("button", name="Turpināt"))
        answer(form)
        form.get_by_role("button", name="Turpināt").click()
        page.wait_for_load_state()
    raise AssertionError(f"no check page after {MAX_PAGES} pages; stuck at {page.url}")


# Each e-service and the persona DOMAIN.md names for it.
PERSONAS = {
    "vecuma-pensija": JANIS,
    "invaliditates-pensija": "300978-15174",
    "apgadnieka-zaudejuma-pensija": "190583-11654",
    "berna-piedzimsanas-pabalsts": "050694-14213",
    "vecaku-pabalsts": "050694-14213",
    "pabalsts-transporta-izdevumu-kompensesanai": "300978-15174",
    "invalida-kopsanas-pabalsts": "300978-15174",
    "pabalsts-aizbildnim-par-berna-uzturesanu": "220470-16382",
    "atlidziba-par-aizbildna-pienakumu-pildisanu": "220470-16382",
    "bezdarbnieka-pabalsts": "328804-19324",
    "vdeavk-invaliditates-ekspertize": "300978-15174",
    "aprupe-majas": "011245-11123",
}
REGISTRATION_WAIT_MS = 15_000


def registered_once(sandbox: Server, reference: str, page: Page) -> None:
    """The portal's worker delivers in the background: ask the agency until it has registered the reference."""
    agency = reference.split("-")[0].lower()
    for _ in range(REGISTRATION_WAIT_MS // 250):
        book = page.request.get(f"{sandbox.url}/_control/{agency}/registrations").json()["registered"]
        ids = [entry["id"] for entry in book]
        if reference in ids:
            assert ids.count(reference) == 1
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{agency} never registered {reference}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("slug", sorted(PERSONAS))
def test_every_e_service_by_its_persona(
    new_context: NewContext, live_servers: dict[str, Server], slug: str, javascript: bool
) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, PERSONAS[slug])
    page = context.new_page()
    page.goto(f"/services/{slug}")
    page.get_by_role("button", name="Sākt").click()
    page.wait_for_load_state()
    if "/services/" in page.url:  # asked for whom, or which child: the first one offered
        page.locator("main ul.list form button").first.click()
    walk_to_check(page)
    page.get_by_role("link", name="Turpināt").click()
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Nosūtīt iesniegumu").click()
    page.wait_for_url("**/confirmation")
    reference = page.locator(".reference").inner_text()
    registered_once(live_servers["sandbox"], reference, page)
    page.goto("/applications")
    expect(page.get_by_text(reference)).to_have_count(1)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_janis_applies_for_the_old_age_pension(new_context: NewContext, javascript: bool) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, JANIS)
    page = context.new_page()
    page.goto("/services/vecuma-pensija")
    page.get_by_role("button", name="Sākt").click()
    if javascript:  # a pause in typing saves the answers, and the status line says so
        page.locator("main form input[type=text]").first.fill("1")
        expect(page.locator("#autosave-status")).to_contain_text("Jūsu atbildes saglabātas plkst.")
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
