"""Edgars answers VSAA's information request in a real browser, with the keyboard, JavaScript on and off: from his
list to the application, the words typed, the certificate attached, Send reached with Tab and pressed with Enter;
the page then says the answer went and the application is being examined again.

Each run puts Edgars's office application back as seeded first (the sandbox's control route), and again at the
end, so the session's inventory checks find it waiting as DOMAIN.md says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import EDGARS, NewContext, sign_in_through_the_provider
from tests.servers import Server

REFERENCE = "VSAA-2026-903118"
PAGE = f"/applications/sent/{REFERENCE}"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def edgars_waiting(live_servers: dict[str, Server]) -> Iterator[None]:
    def reseed() -> None:
        url = f"{live_servers['sandbox'].url}/_control/vsaa-applications/{REFERENCE}/reseed"
        assert httpx.put(url).json()["status"] == "needs_info"

    reseed()
    yield
    reseed()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_edgars_answers_the_information_request_with_the_keyboard(
    new_context: NewContext, edgars_waiting: None, javascript: bool, tmp_path: Path
) -> None:
    context = new_context(java_script_enabled=javascript)
    sign_in_through_the_provider(context, EDGARS)
    page = context.new_page()
    page.goto("/applications")
    page.locator(f'a[href="{PAGE}"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{PAGE}")
    expect(page.get_by_role("heading", level=2, name="VSAA lūdz papildu informāciju")).to_be_visible()
    expect(page.get_by_text("Atbildiet līdz 2026. gada 4. decembris.")).to_be_visible()
    expect(page.get_by_text("būs atlikušas 26 dienas")).to_be_visible()

    page.get_by_label("Jūsu atbilde").focus()
    words = f"Pievienoju darba devēja izziņu ({'ar' if javascript else 'bez'} JavaScript)."
    page.keyboard.type(words)
    certificate = tmp_path / "izzina.pdf"
    certificate.write_bytes(PDF)
    # A file is chosen in the system's dialogue, which no page can drive: the test hands the file to the input.
    page.get_by_label("Dokuments (nav obligāts)").set_input_files(certificate)
    page.keyboard.press("Tab")  # from the answer to the file chooser
    expect(page.get_by_label("Dokuments (nav obligāts)")).to_be_focused()
    page.keyboard.press("Tab")
    send = page.get_by_role("button", name="Nosūtīt atbildi")
    expect(send).to_be_focused()
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{PAGE}?done=answered")
    banner = page.locator("#done-banner")
    expect(banner).to_contain_text("Jūsu atbilde ir nosūtīta VSAA.")
    if javascript:
        expect(banner).to_be_focused()  # announced and focused, as every success banner is
    expect(page.locator("main")).to_contain_text("Tiek izskatīts")
    expect(page.get_by_label("Jūsu atbilde")).to_have_count(0)
    # Paused from 6 to 20 November: 30 days from 2 November, 14 more.
    expect(page.get_by_text("Līdz 2026. gada 16. decembris")).to_be_visible()
