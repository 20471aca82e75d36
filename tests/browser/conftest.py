"""Browser tests: one live portal and agency sandbox per session, Debian's chromium, helpers for contexts.

The servers are real processes (granian, as in production) on free loopback ports, each in its own process
group so that killing the group at the end of the session also stops granian's workers. Run this tier in its
own pytest process (STACK.md: sync Playwright keeps an event loop running).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, Route

from a11y.inventory import Entry
from portal.settings import PROJECT_ROOT
from tests.browser.walk import draft_id, send, start, walk_to_check
from tests.ports import free_port
from tests.servers import Server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PR_SET_PDEATHSIG = 1  # linux/prctl.h
START_DEADLINE_S = 30.0
# Playwright's Chromium asks for en-US by default, which the portal would honour; Latvian is what a visitor
# without a choice gets, so contexts speak Latvian unless a test asks otherwise.
BROWSER_LOCALE = "lv-LV"
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective, blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber,
  });
});
"""


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when pytest dies, even by a signal that skips teardown
    (`timeout` in `make a11y`, a killed CI job), so no server outlives its session."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def spawn(name: str, command: list[str], env: dict[str, str], url: str, logs: Path) -> Server:
    """Start a server in its own process group (so that stopping it also stops granian's workers)."""
    log = logs / f"{name.replace(' ', '-')}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
    return Server(name, url, process, log)


def wait_until_ready(server: Server, probe: str) -> None:
    """Poll `probe` until it answers 200; fail with the server's output if it exits or the deadline passes."""
    deadline = time.monotonic() + START_DEADLINE_S
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"the {server.name} exited with {server.process.returncode} before it was ready:\n{server.output()}"
            )
        try:
            with urllib.request.urlopen(server.url + probe, timeout=2) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last = f"HTTP {error.code}"
        except OSError as error:
            last = str(error)
        time.sleep(0.05)
    pytest.fail(
        f"the {server.name} did not answer {probe} within {START_DEADLINE_S:.0f} s ({last}):\n{server.output()}"
    )


@pytest.fixture(scope="session")
def live_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """The agency sandbox and the portal (embedded topology, test environment) on free ports, for the session."""
    root = tmp_path_factory.mktemp("live")
    sandbox_port, portal_port, idp_port = free_port(), free_port(), free_port()
    sandbox_url, portal_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{portal_port}"
    idp_url = f"http://127.0.0.1:{idp_port}"
    # Nothing from the developer's own PORTAL_* settings may leak into the servers under test.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update(
        PORTAL_ENVIRONMENT="test",
        PORTAL_VAR_DIR=str(root / "var"),
        PORTAL_SANDBOX_URL=sandbox_url,
        PORTAL_HOST="127.0.0.1",
        PORTAL_PORT=str(portal_port),
        PORTAL_PUBLIC_URL=portal_url,
        PORTAL_OIDC_ISSUER=idp_url,
        IDP_PORTAL_URL=portal_url,
        IDP_STATE_DIR=str(root / "idp"),
    )
    servers: dict[str, Server] = {}
    try:
        python = sys.executable
        servers["sandbox"] = spawn(
            "agency sandbox", [python, "-m", "sandbox.agencies", "--port", str(sandbox_port)], env, sandbox_url, root
        )
        servers["idp"] = spawn(
            "dev identity provider", ["node", "sandbox/idp/server.mjs", "--port", str(idp_port)], env, idp_url, root
        )
        migrated = subprocess.run(
            [python, "-m", "portal", "migrate"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        if migrated.returncode != 0:
            pytest.fail(f"`portal migrate` failed:\n{migrated.stdout}\n{migrated.stderr}")
        seeded = subprocess.run(
            [python, "-m", "portal", "seed"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        if seeded.returncode != 0:
            pytest.fail(f"`portal seed` failed:\n{seeded.stdout}\n{seeded.stderr}")
        servers["portal"] = spawn("portal", [python, "-m", "portal", "serve"], env, portal_url, root)
        wait_until_ready(servers["sandbox"], "/healthz")
        wait_until_ready(servers["idp"], "/.well-known/openid-configuration")
        wait_until_ready(servers["portal"], "/readyz")
        yield servers
    finally:
        for server in reversed(servers.values()):
            server.stop()


@pytest.fixture(scope="session")
def base_url(live_servers: dict[str, Server]) -> str:
    """The live portal; pytest-playwright gives it to every context, so pages open relative paths."""
    return live_servers["portal"].url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # `playwright install` cannot download browsers here; Debian's chromium is used instead (STACK.md).
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": BROWSER_LOCALE}


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[NewContext]:
    """Make a context with the session's defaults and extra options; all are closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(**{**browser_context_args, **options})
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


# Setup steps an inventory entry may name (`setup:` in a11y/inventory.yaml), each preparing a fresh context
# (signing in, making a draft, moving the clock) and handing back the values of the entry's `{placeholders}`
# (ids of what it made), or None; an unknown name fails rather than check the page in the wrong state.
Setup = Callable[[BrowserContext], Mapping[str, str] | None]
SETUPS: dict[str, Setup] = {}
JANIS = "150162-12342"
ILZE = "220470-16382"
RASMA = "011245-11123"
INESE = "120385-13468"
EDGARS = "328804-19324"
PETERIS = "300978-15174"
_SIGNED_IN_COOKIES: dict[str, list[Any]] = {}
_DONE: set[str] = set()  # setup steps that change data once per session
_MADE: dict[str, dict[str, str]] = {}  # ids those steps made, by step


def sign_in_through_the_provider(
    context: BrowserContext, personal_code: str, level: str = "substantial", staff: bool = False
) -> None:
    """Signs in on the dev identity provider's own page, as a person would (level: low, substantial, high);
    `staff` signs in through the staff client (`/staff/login`)."""
    start, lands = ("/staff/login?next=/staff", "**/staff") if staff else ("/login?next=/overview", "**/overview")
    page = context.new_page()
    page.goto(start)
    page.get_by_label("Personas kods").select_option(personal_code)
    page.locator(f"input[name=acr][value$='/{level}']").check()
    page.get_by_role("button", name="Pieslēgties").click()
    page.wait_for_url(lands)
    page.close()


def signed_in_as(
    personal_code: str, level: str = "substantial", then: Callable[[Page], None] | None = None, staff: bool = False
) -> Setup:
    """Signs in once per setup and session (and does `then`, e.g. choose whom to act for); later contexts get
    the same portal session cookie."""
    key = f"{personal_code}:{level}:{staff}:{then.__name__ if then else ''}"

    def setup(context: BrowserContext) -> None:
        if key not in _SIGNED_IN_COOKIES:
            sign_in_through_the_provider(context, personal_code, level, staff)
            if then:
                page = context.new_page()
                then(page)
                page.close()
            _SIGNED_IN_COOKIES[key] = [c for c in context.cookies() if c["name"] == "portal_session"]
        else:
            context.add_cookies(_SIGNED_IN_COOKIES[key])

    return setup


def open_peteris_as_client(page: Page) -> None:
    page.goto("/staff")
    page.get_by_label("Klienta personas kods").fill("300978-15174")
    page.get_by_label("Pase").check()
    page.get_by_label("Dokumenta numura pēdējās 4 rakstzīmes").fill("4821")
    page.locator("input[name=present_in_person]").check()
    page.locator("form[action='/staff/clients'] button[type=submit]").click()
    page.wait_for_url("**/overview?for=*")


def act_for_rasma(page: Page) -> None:
    page.goto("/representation")
    page.get_by_role("button", name="Rīkoties personas Rasma Liepa vārdā").click()
    page.wait_for_url("**/overview?for=*")


def janis_pension_drafts(context: BrowserContext) -> Mapping[str, str]:
    """Jānis signed in; once a session, as he would in the browser: the old-age pension applied for and sent
    ({sent}), the self-assessment questionnaire started ({questionnaire}), and a second pension application
    answered to the end (a file added) but not sent ({draft}). The HTML checker's setup of the same name makes
    the same. Jānis's journey tests resume and send an open draft: {draft} is made again when that happened."""
    signed_in_as(JANIS)(context)
    made = _MADE.setdefault("janis-pension-drafts", {})
    page = context.new_page()
    if not made:
        start(page, "vecuma-pensija")
        made["sent"] = draft_id(page)
        walk_to_check(page)
        send(page)
        page.goto("/questionnaires/pasnovertejuma-anketa")
        page.locator("main form[method=post] button[type=submit]").click()
        page.wait_for_url("**/applications/*/*")
        made["questionnaire"] = draft_id(page)
    if "draft" not in made or context.request.get(f"/applications/{made['draft']}", max_redirects=0).status != 200:
        start(page, "vecuma-pensija")
        made["draft"] = draft_id(page)
        walk_to_check(page)
    page.close()
    return made


def rasma_after_ilze_read_her_data(context: BrowserContext) -> None:
    """Rasma signed in, after Ilze (once per session) opened Rasma's overview by the seeded mandate, so that
    "who used my data" has rows."""
    if "ilze-read-rasma" not in _DONE:
        sign_in_through_the_provider(context, ILZE)
        page = context.new_page()
        page.goto("/representation")
        page.get_by_role("link", name="Pārskats: Rasma Liepa").click()
        page.wait_for_url("**/overview?for=*")
        page.close()
        context.clear_cookies()
        _DONE.add("ilze-read-rasma")
    signed_in_as(RASMA)(context)


SETUPS["signed-in-janis"] = signed_in_as(JANIS)
SETUPS["signed-in-ilze"] = signed_in_as(ILZE)
SETUPS["signed-in-rasma-high"] = signed_in_as(RASMA, level="high")
SETUPS["ilze-acting-for-rasma"] = signed_in_as(ILZE, then=act_for_rasma)
SETUPS["staff-inese"] = signed_in_as(INESE, staff=True)
SETUPS["staff-inese-with-client"] = signed_in_as(INESE, staff=True, then=open_peteris_as_client)
SETUPS["rasma-after-ilze-read-her-data"] = rasma_after_ilze_read_her_data
SETUPS["janis-pension-drafts"] = janis_pension_drafts
SETUPS["signed-in-edgars"] = signed_in_as(EDGARS)
SETUPS["signed-in-peteris"] = signed_in_as(PETERIS)


def prepare(context: BrowserContext, entry: Entry) -> Mapping[str, str]:
    """Runs the entry's setup in `context`; returns the values of the entry's placeholders."""
    if entry.setup is None:
        return {}
    if entry.setup not in SETUPS:
        pytest.fail(f"{entry.name}: unknown setup {entry.setup!r}; known: {sorted(SETUPS)}")
    return SETUPS[entry.setup](context) or {}


def csrf_token(context: BrowserContext) -> str:
    """The context's CSRF cookie, which a form's hidden `_csrf_token` field repeats; any page sets it."""
    if not any(cookie["name"] == "csrftoken" for cookie in context.cookies()):
        context.request.get("/")
    return next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "csrftoken")


def goto_entry(page: Page, entry: Entry, language: str, values: Mapping[str, str]) -> Response:
    """Opens the entry's page. A POST entry's navigation is sent as the form would send it with nothing filled
    in (only the CSRF token), and the page shows the answer, as after pressing the button."""
    url = entry.url(language, values)
    if entry.method == "POST":
        body = urlencode({"_csrf_token": csrf_token(page.context)})

        def as_post(route: Route) -> None:
            headers = {**route.request.headers, "content-type": "application/x-www-form-urlencoded"}
            route.continue_(method="POST", post_data=body, headers=headers)

        def is_target(address: str) -> bool:
            parts = urlsplit(address)
            return f"{parts.path}?{parts.query}".rstrip("?") == url

        page.route(is_target, as_post, times=1)
    response = page.goto(url)
    assert response is not None, f"{entry.name}: no response"
    return response


def csp_violations(page: Page) -> list[dict[str, Any]]:
    """What the page's CSP blocked so far (the context must have RECORD_CSP_VIOLATIONS as an init script)."""
    violations: list[dict[str, Any]] = page.evaluate("window.__cspViolations || []")
    return violations


AXE_INCOMPLETE = pytest.StashKey[list[dict[str, Any]]]()
AXE_REPORT = PROJECT_ROOT / "a11y" / "report" / "axe-incomplete.json"


@pytest.fixture(scope="session")
def axe_incomplete(pytestconfig: pytest.Config) -> list[dict[str, Any]]:
    """axe's "incomplete" results (a human must judge them), reported at the end of the run."""
    return pytestconfig.stash.setdefault(AXE_INCOMPLETE, [])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    found = config.stash.get(AXE_INCOMPLETE, None)
    if found is None:  # no axe check ran: leave the last report alone
        return
    AXE_REPORT.parent.mkdir(parents=True, exist_ok=True)
    AXE_REPORT.write_text(json.dumps(found, ensure_ascii=False, indent=1))
    if not found:
        return
    pages_by_rule: dict[str, set[str]] = {}
    for item in found:
        for result in item["incomplete"]:
            pages_by_rule.setdefault(f"{result['id']}: {result['help']}", set()).add(item["page"])
    terminalreporter.section("axe: incomplete results for a human to review")
    for rule, pages in sorted(pages_by_rule.items()):
        terminalreporter.write_line(f"{rule} — {', '.join(sorted(pages))}")
    terminalreporter.write_line(f"(details: {AXE_REPORT.relative_to(PROJECT_ROOT)})")
