"""Going through an e-application in the browser as a person would, in whichever language the page speaks.

Buttons and links are found by their role and accessible name, the name taken from the portal's own catalogue
in the page's `<html lang>`, so the same walk works in Latvian and in English.
Each step can hand the page it reached to `visit` (the journey test checks every page it passes that way).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page

from portal.web.i18n import translations
from tests.browser.pagechecks import language_of

MAX_PAGES = 30
# Answers for inputs the persona's data does not fill in, by the input's name.
# A past date (the business clock's today is 2026-11-20): dates of events and terms that already began.
TYPED = (("iban", "LV80BANK0000435195001"), ("-day", "1"), ("-month", "10"), ("-year", "2026"), ("postcode", "1010"))
PDF = {
    "name": "izzina.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
}
DRAFT_URL = re.compile(r"/applications/([0-9a-f-]{36})(?:/|$)")

Visit = Callable[[Page], None]


def _nothing(page: Page) -> None:
    """The default `visit`: look at nothing."""


def say(page: Page, message: str) -> str:
    """`message` (an English msgid) as the page's language says it."""
    return translations(language_of(page)).gettext(message)


def draft_id(page: Page) -> str:
    match = DRAFT_URL.search(page.url)
    assert match, f"not on a draft's page: {page.url}"
    return match.group(1)


def typed_answer(name: str) -> str:
    return next((value for part, value in TYPED if part in name), "Rīga, Brīvības iela 1")


def add_files(page: Page) -> None:
    """A file question's own form (outside the page's form): one small PDF each, as a person would add it."""
    for chooser in page.locator("main form[enctype='multipart/form-data'] input[type=file]").all():
        chooser.set_input_files(PDF)
        chooser.locator("xpath=ancestor::form").get_by_role("button", name=say(page, "Add the file")).click()
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


def start(page: Page, slug: str, visit: Visit = _nothing, language: str | None = None) -> None:
    """From the service's start page to its first question, choosing the first person or child when asked;
    `language` is chosen first with the switch every page offers (remembered for the pages after)."""
    page.goto(f"/services/{slug}")
    if language is not None and language_of(page) != language:
        page.locator(f"a[hreflang='{language}']").first.click()
        page.wait_for_url(f"**lang={language}")
    visit(page)
    page.get_by_role("button", name=say(page, "Start now")).click()
    page.wait_for_load_state()
    if "/services/" in page.url:  # asked for whom, or which child: the first one offered
        visit(page)
        page.locator("main ul.list form button").first.click()
        page.wait_for_load_state()


def walk_to_check(page: Page, visit: Visit = _nothing) -> None:
    """Answers each question page in turn (files first, in their own forms) until the check page."""
    for _ in range(MAX_PAGES):
        if page.url.endswith("/check"):
            visit(page)
            return
        problems = page.locator(".error-summary li").all_inner_texts()
        assert not problems, f"{page.url}: {problems}"
        visit(page)
        add_files(page)
        proceed = say(page, "Continue")
        form = page.locator("main form[method=post]").filter(has=page.get_by_role("button", name=proceed, exact=True))
        answer(form)
        form.get_by_role("button", name=proceed, exact=True).click()
        page.wait_for_load_state()
    raise AssertionError(f"no check page after {MAX_PAGES} pages; stuck at {page.url}")


def send(page: Page, visit: Visit = _nothing) -> str:
    """From the check page: the declaration, ticked and sent; returns the reference the confirmation shows."""
    page.get_by_role("link", name=say(page, "Continue"), exact=True).click()
    page.wait_for_url("**/declaration")
    visit(page)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name=say(page, "Send the application")).click()
    page.wait_for_url("**/confirmation")
    visit(page)
    return page.locator(".reference").inner_text()
