"""Every e-service completed in a real browser by the persona DOMAIN.md names for it, with JavaScript on and off:
start page, for whom, every question page the answers lead to, check your answers, declaration, confirmation,
registered once by the agency and listed in /applications.

Every page on the way is also checked as the inventory's pages are (tests/browser/pagechecks.py): `<html lang>`,
reflow and axe with the project's rule set, in Latvian with JavaScript on at 1280 px and in English (chosen with
the language switch) with it off at 320 px; and each page's HTML, as the server sent it, goes to the Nu checker in
one batch at the end of the test. The CSP is bypassed here for axe: test_a11y.py's CSP pass keeps the policy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from a11y.inventory import WIDTHS
from tests.browser.conftest import JANIS, NewContext, sign_in_through_the_provider
from tests.browser.pagechecks import HEIGHT, JourneyChecks, Replay, with_axe
from tests.browser.walk import draft_id, say, send, start, walk_to_check
from tests.servers import Server
from tests.vnu import html_errors

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
# With JavaScript on: Latvian, the desktop width; off: English, the narrowest width WCAG's reflow asks for.
RUNS = {True: ("lv", WIDTHS[1]), False: ("en", WIDTHS[0])}


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
    new_context: NewContext,
    live_servers: dict[str, Server],
    axe_incomplete: list[dict[str, Any]],
    tmp_path: Path,
    slug: str,
    javascript: bool,
) -> None:
    language, width = RUNS[javascript]
    viewport = {"width": width, "height": HEIGHT}
    context = new_context(java_script_enabled=javascript, bypass_csp=javascript, viewport=viewport)
    if javascript:
        with_axe(context)
    sign_in_through_the_provider(context, PERSONAS[slug])
    replay = None if javascript else Replay(new_context(bypass_csp=True, viewport=viewport))
    checks = JourneyChecks(language, width, axe_incomplete, replay)
    page = checks.watch(context.new_page())
    start(page, slug, checks, language)
    walk_to_check(page, checks)
    reference = send(page, checks)
    registered_once(live_servers["sandbox"], reference, page)
    page.goto("/applications")
    checks(page)
    expect(page.get_by_text(reference)).to_have_count(1)
    assert not checks.failures, f"{len(checks.failures)} accessibility problems:\n" + "\n".join(checks.failures)
    errors = html_errors(checks.pages, tmp_path / "html")
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_janis_applies_for_the_old_age_pension(new_context: NewContext, javascript: bool) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, JANIS)
    page = context.new_page()
    start(page, "vecuma-pensija")
    if page.url.endswith("/check"):  # a draft answered earlier in the session is resumed: begin at its start
        page.goto(f"/applications/{draft_id(page)}/pension-start")
    if javascript:  # a pause in typing saves the answers, and the status line says so
        page.locator("main form input[type=text]").first.fill("1")
        expect(page.locator("#autosave-status")).to_contain_text("Jūsu atbildes saglabātas plkst.")
    walk_to_check(page)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    reference = send(page)
    assert re.fullmatch(r"VSAA-2026-\d{6}", reference)
    # Back to the declaration and send again (a resent form): the same application, not a second one.
    page.go_back()
    again = page.get_by_role("button", name=say(page, "Send the application"))
    if again.count():
        page.get_by_role("checkbox").check()
        again.click()
    page.wait_for_url("**/confirmation")
    expect(page.locator(".reference")).to_have_text(reference)
    page.goto("/applications")
    expect(page.get_by_text(reference)).to_have_count(1)
