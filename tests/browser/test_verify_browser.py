"""Jānis issues a statement, waits on its "being prepared" page (htmx swaps the download link into the status
region), downloads the PDF and checks it on /verify by uploading it: genuine; the same file with one byte changed
is not. axe passes on the answers."""

from __future__ import annotations

import re

from playwright.sync_api import BrowserContext, expect

from a11y.axe import AXE_OPTIONS, AXE_SCRIPT, describe
from tests.browser.conftest import JANIS, NewContext, csrf_token, sign_in_through_the_provider

GENUINE = "Dokuments ir īsts"
NOT_GENUINE = "Fails nav īsts portāla dokuments"


def issue(context: BrowserContext, kind: str) -> str:
    """Presses "issue anew" as the statement page's form does (POST with the CSRF token): where the 303 leads."""
    answer = context.request.post(
        f"/statements/{kind}/issue", form={"_csrf_token": csrf_token(context)}, max_redirects=0
    )
    assert answer.status == 303, answer.status
    return answer.headers["location"]


def check_file(context: BrowserContext, pdf: bytes, expected: str) -> None:
    page = context.new_page()
    page.goto("/verify")
    page.get_by_label("Dokumenta PDF fails").set_input_files(
        {"name": "izzina.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Pārbaudīt failu").click()
    expect(page.get_by_role("heading", level=2, name=expected)).to_be_visible()
    verdict = page.locator(".verdict").inner_text()  # the header names whoever is signed in; the answer no one
    assert JANIS not in page.content() and "Jānis" not in verdict
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    assert not violations, describe(violations)
    page.close()


def test_janis_downloads_a_statement_and_it_verifies_by_upload(new_context: NewContext) -> None:
    context = new_context(bypass_csp=True)
    sign_in_through_the_provider(context, JANIS)
    page = context.new_page()
    page.goto(issue(context, "EP48"))
    # The worker in the web process renders it; htmx polls and swaps the link into the status region.
    link = page.locator("#statement-status").get_by_role("link", name="Lejupielādēt izziņu (PDF)")
    expect(link).to_be_visible(timeout=30_000)
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/statements/EP48/[0-9a-f-]{36}\.pdf", href), href
    download = context.request.get(href)
    assert download.status == 200 and download.headers["content-type"] == "application/pdf"
    pdf = download.body()
    assert context.request.get(href).body() == pdf, "the PDF changed between downloads"

    check_file(context, pdf, GENUINE)
    changed = bytearray(pdf)
    changed[len(pdf) // 2] ^= 0x01
    check_file(context, bytes(changed), NOT_GENUINE)
