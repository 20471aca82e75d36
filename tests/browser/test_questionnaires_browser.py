"""Questionnaires that end somewhere, in a real browser with JavaScript on and off: the support check ends in its
list of services, and the satisfaction survey, sent with a double click, is stored once."""

from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import Page

from portal.web.i18n import translations
from tests.browser.conftest import JANIS, sign_in_through_the_provider
from tests.servers import Server

LAURA = "080890-17710"


def say(page: Page, message: str) -> str:
    """`message` (an English msgid) in the page's language."""
    return translations(page.evaluate("document.documentElement.lang")).gettext(message)


def go_on(page: Page, name: str = "Continue", role: str = "button") -> None:
    page.get_by_role(role, name=say(page, name), exact=True).click()
    page.wait_for_load_state()


def responses(portal: Server, service: str) -> int:
    """Responses the live portal has stored (its SQLite file, read only)."""
    database = portal.log.parent / "var" / "portal.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM satisfaction_responses WHERE service = ?", (service,)
        ).fetchone()
    return int(count)


@pytest.mark.parametrize(("javascript", "persona"), [(True, JANIS), (False, LAURA)], ids=["js", "no-js"])
def test_the_support_check_lists_services_and_the_survey_is_sent_once(new_context, live_servers, javascript, persona):
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, persona)
    page = context.new_page()

    page.goto("/questionnaires/atbalsta-parbaude")
    go_on(page, "Start now")
    page.get_by_label(say(page, "I am reaching the retirement age"), exact=True).check()
    go_on(page)
    page.get_by_label(say(page, "Yes"), exact=True).check()
    go_on(page)
    page.get_by_label(say(page, "No"), exact=True).check()
    go_on(page)
    assert page.url.endswith("/check")
    go_on(page, "See the services that may suit you", role="link")
    assert page.url.endswith("/results")
    listed = page.locator("main .card__title a")
    assert [listed.nth(i).get_attribute("href") for i in range(listed.count())] == [
        "/services/vecuma-pensija",
        "/services/aprupe-majas",
    ]
    assert listed.first.inner_text() == say(page, "Old-age pension")
    listed.first.click()
    page.wait_for_url("**/services/vecuma-pensija")

    before = responses(live_servers["portal"], "vecuma-pensija")
    page.goto("/questionnaires/apmierinatiba?service=vecuma-pensija")
    go_on(page, "Start now")
    page.get_by_label(say(page, "Satisfied"), exact=True).check()
    page.get_by_label(say(page, "How could we improve it? (optional)")).fill("Viss skaidrs, paldies.")
    go_on(page)
    assert page.url.endswith("/check")
    page.get_by_role("button", name=say(page, "Send"), exact=True).dblclick()
    page.wait_for_url("**/questionnaires/apmierinatiba/thanks")
    assert page.get_by_role("heading", level=1).inner_text() == say(page, "Thank you for your answers")
    assert responses(live_servers["portal"], "vecuma-pensija") == before + 1
