"""The session timeout warning (WCAG 2.2.1) in a real browser, the page's clock moved instead of waited for.

Each test signs in on its own (the shared persona session must not be kept alive or ended here). The portal's
clock keeps real time while the page's jumps by minutes, so the answers of /session/status are shifted by
the time the page skipped since the person's last activity (`ServerTime`); keep-alive goes to the portal
untouched. The integration tests check the endpoints themselves against a moved server clock.

The open warning is checked with axe here rather than through a11y/inventory.yaml: an inventory entry is a
URL with an optional setup before the page loads, and cannot say "28 minutes after loading".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Route, expect

from a11y.axe import AXE_OPTIONS, AXE_SCRIPT, describe
from a11y.inventory import WIDTHS
from tests.browser.conftest import (
    JANIS,
    RECORD_CSP_VIOLATIONS,
    NewContext,
    csp_violations,
    sign_in_through_the_provider,
)

WARNED_AFTER = "28:00"  # the citizen idle limit (30 min) less the warning's lead (2 min)
NAMES = {"lv": "Drīz jūs atslēgsim", "en": "You are about to be signed out"}


class ServerTime:
    """Answers /session/status as the portal would if its clock had moved as far as the page's has."""

    def __init__(self) -> None:
        self.skipped_s = 0
        self.passive_headers: list[str | None] = []

    def answer(self, route: Route) -> None:
        self.passive_headers.append(route.request.headers.get("x-portal-passive"))
        response = route.fetch()
        real = response.json()
        left = real["expires_in"] - self.skipped_s
        route.fulfill(response=response, json={"signed_in": real["signed_in"] and left > 0, "expires_in": max(0, left)})


def signed_in_page(context: BrowserContext, path: str = "/overview") -> tuple[Page, ServerTime]:
    sign_in_through_the_provider(context, JANIS)
    server = ServerTime()
    context.route("**/session/status", server.answer)
    page = context.new_page()
    page.clock.install()  # before the page's script reads the time
    page.goto(path)
    return page, server


def warned(page: Page, server: ServerTime, language: str = "lv") -> Locator:
    """Moves the page to two minutes before the end, with nobody active in another tab: the warning opens."""
    expect(page.locator("#session-timeout")).to_be_hidden()
    server.skipped_s = 28 * 60
    page.clock.fast_forward(WARNED_AFTER)
    dialog = page.get_by_role("dialog", name=NAMES[language])
    expect(dialog).to_be_visible()
    return dialog


def focus_is_inside(page: Page) -> bool:
    inside: bool = page.evaluate("document.getElementById('session-timeout').contains(document.activeElement)")
    return inside


def test_warning_continue_by_keyboard_and_then_the_end(new_context: NewContext) -> None:
    context = new_context()  # the CSP enforced: the script and its requests must live with it
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    page, server = signed_in_page(context)
    where_i_was = page.locator(".site-header__name")
    where_i_was.focus()

    dialog = warned(page, server)
    expect(dialog).to_have_accessible_description(re.compile(r"atslēgsim pēc 2 minūtēm, ja neko nedarīsiet"))
    stay = dialog.get_by_role("button", name="Turpināt")
    leave = dialog.get_by_role("button", name="Atslēgties")
    expect(stay).to_be_focused()
    for key, expected in [("Tab", leave), ("Tab", stay), ("Shift+Tab", leave), ("Shift+Tab", stay)]:
        page.keyboard.press(key)
        expect(expected).to_be_focused()
        assert focus_is_inside(page), f"{key} took focus out of the warning"
    assert server.passive_headers == ["1"], "the script asks before warning, passively"

    with page.expect_request(lambda r: r.url.endswith("/session/keep-alive") and r.method == "POST") as sent:
        page.keyboard.press("Enter")
    keep_alive = sent.value
    assert keep_alive.headers.get("x-csrftoken"), "keep-alive carries the CSRF header"
    answer = keep_alive.response()
    assert answer is not None and answer.status == 200 and answer.json()["signed_in"] is True
    expect(page.locator("#session-timeout")).to_be_hidden()
    expect(where_i_was).to_be_focused()
    server.skipped_s = 0  # the portal counts from the keep-alive again
    assert not csp_violations(page), f"the CSP blocked {csp_violations(page)}"

    # Nobody does anything more: warned again, one announcement at the minute, then signed out.
    dialog = warned(page, server)
    live = dialog.locator("[aria-live=polite]")
    expect(live).to_have_text("")
    page.clock.run_for("01:01")
    expect(live).to_have_text("Jūsu drošībai mēs jūs atslēgsim pēc 1 minūtes, ja neko nedarīsiet.")
    expect(dialog).to_have_accessible_description(re.compile(r"pēc 55 sekundēm"))
    server.skipped_s = 30 * 60 + 5
    page.clock.fast_forward("01:05")
    page.wait_for_url(re.compile(r"/session-ended\?next=/overview$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jūs esat atslēgts no portāla")


def test_activity_in_another_tab_moves_the_warning(new_context: NewContext) -> None:
    page, server = signed_in_page(new_context())
    server.skipped_s = 10 * 60  # the other tab was used 18 minutes into the half hour: 20 minutes are left
    page.clock.fast_forward(WARNED_AFTER)
    expect(page.locator("#session-timeout")).to_be_hidden()
    assert server.passive_headers == ["1"]
    server.skipped_s += 18 * 60
    page.clock.fast_forward("18:00")  # two minutes before the end the other tab set
    expect(page.get_by_role("dialog", name=NAMES["lv"])).to_be_visible()
    assert server.passive_headers == ["1", "1"]


def test_escape_means_continue(new_context: NewContext) -> None:
    page, server = signed_in_page(new_context())
    warned(page, server)
    with page.expect_request(lambda r: r.url.endswith("/session/keep-alive") and r.method == "POST"):
        page.keyboard.press("Escape")
    expect(page.locator("#session-timeout")).to_be_hidden()
    expect(page.locator("#main")).to_be_focused()  # nothing had focus before: the main content gets it


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_open_warning_passes_axe_and_reflows(
    new_context: NewContext, axe_incomplete: list[dict[str, Any]], language: str
) -> None:
    context = new_context(bypass_csp=True, viewport={"width": WIDTHS[0], "height": 800})
    page, server = signed_in_page(context, "/overview" if language == "lv" else "/overview?lang=en")
    warned(page, server, language)
    page.add_script_tag(path=AXE_SCRIPT)
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        scroll_width, client_width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll_width > client_width:
            failures.append(f"scrolls sideways at {width} px with the warning open")
        results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        if results["incomplete"]:
            where = f"/overview (timeout warning, {language})"
            axe_incomplete.append({"page": where, "width": width, "incomplete": results["incomplete"]})
        if results["violations"]:
            failures.append(f"axe violations at {width} px:\n{describe(results['violations'])}")
    assert not failures, "\n".join(failures)
