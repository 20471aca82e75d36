"""Questionnaires that end somewhere, in a real browser with JavaScript on and off: the support check ends in its
list of services, and the satisfaction survey, sent with a double click, is stored once.

Every page on the way is checked as the journey walk's are (tests/browser/pagechecks.py): `<html lang>`, reflow and
axe, in Latvian with JavaScript on at 1280 px and in English with it off at 320 px, and the Nu checker at the end.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from a11y.inventory import WIDTHS
from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider
from tests.browser.pagechecks import HEIGHT, JourneyChecks, Replay
from tests.browser.walk import say
from tests.servers import Server
from tests.vnu import html_errors

LAURA = "080890-17710"
# With JavaScript on: Jānis, in Latvian at the desktop width; off: Laura, in English at the narrowest width.
RUNS = {True: (JANIS, "lv", WIDTHS[1]), False: (LAURA, "en", WIDTHS[0])}


def go_on(page: Page, checks: JourneyChecks, name: str = "Continue", role: str = "button") -> None:
    page.get_by_role(role, name=say(page, name), exact=True).click()
    page.wait_for_load_state()
    checks(page)


def responses(portal: Server, service: str) -> int:
    """Responses the live portal has stored (its SQLite file, read only)."""
    database = portal.log.parent / "var" / "portal.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM satisfaction_responses WHERE service = ?", (service,)
        ).fetchone()
    return int(count)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_support_check_lists_services_and_the_survey_is_sent_once(
    new_context: NewContext,
    live_servers: dict[str, Server],
    axe_incomplete: list[dict[str, Any]],
    tmp_path: Path,
    javascript: bool,
) -> None:
    persona, language, width = RUNS[javascript]
    viewport = {"width": width, "height": HEIGHT}
    context = new_context(java_script_enabled=javascript, bypass_csp=javascript, viewport=viewport)
    sign_in_through_the_provider(context, persona)
    replay = None if javascript else Replay(new_context(bypass_csp=True, viewport=viewport))
    checks = JourneyChecks(language, width, axe_incomplete, replay)
    page = checks.watch(context.new_page())

    page.goto(f"/questionnaires/atbalsta-parbaude?lang={language}")
    checks(page)
    go_on(page, checks, "Start now")
    page.get_by_label(say(page, "I am reaching the retirement age"), exact=True).check()
    go_on(page, checks)
    page.get_by_label(say(page, "Yes"), exact=True).check()
    go_on(page, checks)
    page.get_by_label(say(page, "No"), exact=True).check()
    go_on(page, checks)
    assert page.url.endswith("/check")
    go_on(page, checks, "See the services that may suit you", role="link")
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
    checks(page)
    go_on(page, checks, "Start now")
    page.get_by_label(say(page, "Satisfied"), exact=True).check()
    page.get_by_label(say(page, "How could we improve it? (optional)")).fill("Viss skaidrs, paldies.")
    go_on(page, checks)
    assert page.url.endswith("/check")
    page.get_by_role("button", name=say(page, "Send"), exact=True).dblclick()
    page.wait_for_url("**/questionnaires/apmierinatiba/thanks")
    page.wait_for_load_state()
    checks(page)
    assert page.get_by_role("heading", level=1).inner_text() == say(page, "Thank you for your answers")
    assert responses(live_servers["portal"], "vecuma-pensija") == before + 1

    assert not checks.failures, f"{len(checks.failures)} accessibility problems:\n" + "\n".join(checks.failures)
    errors = html_errors(checks.pages, tmp_path / "html")
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)
