"""The automated accessibility checks of one browser page, shared by the inventory (test_a11y.py) and the journey
walk (test_journey_browser.py): axe with the project's rule set (a11y/axe.py), reflow (no sideways scrolling,
WCAG 1.4.10) and `<html lang>`. axe's "incomplete" results go to the session's collector (`axe_incomplete`).

axe is injected as a script, which the portal's CSP forbids: pages checked here come from contexts made with
`bypass_csp=True`; test_a11y.py's CSP pass is what keeps the policy honest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, Page, Response, Route

from a11y.axe import AXE_OPTIONS, AXE_SCRIPT, describe

HEIGHT = 800


def horizontal_scrolling(page: Page, width: int) -> str | None:
    """A problem when the page scrolls sideways (WCAG 1.4.10 Reflow), else None."""
    scroll_width, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if scroll_width <= client_width:
        return None
    return f"scrolls sideways at {width} px (content {scroll_width} px wide, window {client_width} px): WCAG 1.4.10"


def run_axe(page: Page) -> dict[str, Any]:
    """axe with the project's rule set; the page must have axe injected (`add_script_tag`, CSP bypassed)."""
    results: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results


def with_axe(context: BrowserContext) -> BrowserContext:
    """Every page of the context gets axe as it loads (an init script): cheaper than injecting it page by page
    when a test checks many pages. Only where scripts run: a context with JavaScript off never runs it."""
    context.add_init_script(path=AXE_SCRIPT)
    return context


def axe_and_reflow(page: Page, widths: tuple[int, ...], where: str, axe_incomplete: list[dict[str, Any]]) -> list[str]:
    """Checks the page at each width (resizing, not reloading), injecting axe unless the context gave it;
    returns the problems found."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=AXE_SCRIPT)
    failures = []
    for width in widths:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        if problem := horizontal_scrolling(page, width):
            failures.append(problem)
        results = run_axe(page)
        if results["incomplete"]:
            axe_incomplete.append({"page": where, "width": width, "incomplete": results["incomplete"]})
        if results["violations"]:
            failures.append(f"axe violations at {width} px:\n{describe(results['violations'])}")
    return failures


def language_of(page: Page) -> str:
    lang: str = page.evaluate("document.documentElement.lang")
    return lang


class Replay:
    """Shows a page's HTML again in a context with JavaScript on but every script refused, so that axe (which
    needs timers) can check what a browser without JavaScript showed: the same markup, the same CSS, apart from
    `<noscript>` content. The HTML is served at its own URL, so relative links and styles load as they did."""

    def __init__(self, context: BrowserContext) -> None:
        self.html: dict[str, str] = {}
        with_axe(context).route("**/*", self._serve)
        self.page = context.new_page()

    def _serve(self, route: Route) -> None:
        request = route.request
        if request.is_navigation_request() and request.url in self.html:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self.html.pop(request.url))
        elif request.resource_type == "script":
            route.abort()
        else:
            route.continue_()

    def show(self, url: str, html: str) -> Page:
        address = url.split("#")[0]  # a request never carries the fragment
        self.html[address] = html
        self.page.goto(address)
        return self.page


@dataclass
class JourneyChecks:
    """Checks every page a journey passes (call it with the page): `<html lang>`, reflow and axe at one width
    (the context's viewport, and the replay's), and keeps each page's HTML as the server sent it, for one batch
    run of the HTML checker at the end. With JavaScript on, axe runs on the live page; with it off, on a
    `Replay` of the same HTML."""

    language: str
    width: int
    axe_incomplete: list[dict[str, Any]]
    replay: Replay | None = None
    failures: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    _document: Response | None = None

    def watch(self, page: Page) -> Page:
        """Remembers the document each navigation of `page` ends on (not the redirects on the way)."""

        def remember(response: Response) -> None:
            request = response.request
            if request.is_navigation_request() and request.frame == page.main_frame and response.status < 300:
                self._document = response

        page.on("response", remember)
        return page

    def __call__(self, page: Page) -> None:
        where = f"{page.url} ({len(self.pages) + 1})"
        document = self._document
        here = page.url.split("#")[0]
        assert document is not None and document.url == here, f"{page.url}: no document seen for the page"
        html = document.text()
        self.pages[where] = html
        if (lang := language_of(page)) != self.language:
            self.failures.append(f"{where}: <html lang={lang!r}>, expected {self.language!r}")
        if problem := horizontal_scrolling(page, self.width):
            self.failures.append(f"{where}: {problem}")
        checked = page if self.replay is None else self.replay.show(page.url, html)
        problems = axe_and_reflow(checked, (self.width,), where, self.axe_incomplete)
        self.failures.extend(f"{where}: {problem}" for problem in problems)
