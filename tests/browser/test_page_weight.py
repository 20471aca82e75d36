"""Page weight: a first visit to any page costs at most 50 KB on the wire, all of it from the portal itself.

Many users are on mobile data in the countryside or on old phones; third-party requests would also tell
someone else who visits which page of a public service.

What is counted: for every response, the bytes Chromium actually received for it, taken from the DevTools
protocol's `Network.loadingFinished.encodedDataLength` (compressed body plus response headers, what the
DevTools "transferred" column shows). The alternatives fall short: `Content-Length` is missing on chunked or
streamed responses (compressed and static-file responses are streamed) and counts no headers, and
`request.sizes()` reads the same protocol data back one request at a time. A fresh context means an empty
cache, so nothing is counted as zero because it was cached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from a11y.inventory import Entry, load_inventory
from tests.browser.conftest import NewContext, goto_entry, prepare

BUDGET_BYTES = 50 * 1024
SETTLE_DEADLINE_MS = 5000


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.mark.parametrize("entry", [pytest.param(entry, id=entry.name) for entry in load_inventory().entries])
def test_first_visit_weight_and_origins(new_context: NewContext, base_url: str, entry: Entry) -> None:
    context = new_context()
    values = prepare(context, entry)
    page = context.new_page()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    urls: dict[str, str] = {}
    received: dict[str, int] = {}
    failed: dict[str, str] = {}

    def on_request(event: dict[str, Any]) -> None:
        urls[event["requestId"]] = event["request"]["url"]

    def on_finished(event: dict[str, Any]) -> None:
        received[event["requestId"]] = int(event["encodedDataLength"])

    def on_failed(event: dict[str, Any]) -> None:
        failed[event["requestId"]] = event.get("errorText", "")

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.loadingFailed", on_failed)

    response = goto_entry(page, entry, "lv", values)
    assert response.status == entry.status
    # Late requests (the favicon) may still be on their way after `load`: wait until every one has ended.
    waited = 0
    while set(urls) - set(received) - set(failed) and waited < SETTLE_DEADLINE_MS:
        page.wait_for_timeout(25)
        waited += 25
    unfinished = [urls[r] for r in set(urls) - set(received) - set(failed)]
    assert not unfinished, f"requests still unfinished after {SETTLE_DEADLINE_MS} ms: {unfinished}"
    assert not failed, f"requests failed: {[(urls[r], error) for r, error in failed.items()]}"

    foreign = sorted({url for url in requested if not url.startswith(("data:", "blob:")) and origin(url) != base_url})
    assert not foreign, f"{entry.path} makes requests to other origins: {foreign}"

    total = sum(received.values())
    breakdown = "\n".join(
        f"  {received[r]:>7} B  {urlsplit(urls[r]).path}" for r in sorted(received, key=received.get, reverse=True)
    )
    assert total <= BUDGET_BYTES, (
        f"{entry.path} weighs {total} B on a first visit (budget {BUDGET_BYTES} B):\n{breakdown}"
    )
    assert received, "nothing was counted: the measurement is broken"
