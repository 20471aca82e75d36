"""The integration client: HTTP through the whole app on a migrated private database, every page checked."""

from __future__ import annotations

import email
import email.message
import email.policy
import itertools
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from litestar import Litestar
from litestar.testing import TestClient

from portal.app import create_app
from portal.applications.outbox_models import ReferenceCounter
from portal.db.migrate import upgrade
from portal.representation.seed import load_personas, seed_mandates
from portal.settings import Settings
from tests.conftest import agency_urls
from tests.pagecheck import page_problems
from tests.ports import free_port
from tests.servers import Server, start_server

PORTAL_URL = "http://127.0.0.1:8000"


def check_page(response: httpx.Response) -> None:
    """Whole-page checks; an htmx fragment is part of a page, so its answers are left to their own tests."""
    if "text/html" not in response.headers.get("content-type", "") or response.request.headers.get("HX-Request"):
        return
    response.read()
    problems = page_problems(response.text)
    assert not problems, f"{response.request.method} {response.request.url}: {problems}"


@pytest.fixture
def migrated(settings: Settings) -> Settings:
    upgrade(settings.database_url)
    return settings


@pytest.fixture
def app(migrated: Settings) -> Litestar:
    return create_app(migrated)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url=PORTAL_URL) as test_client:
        test_client.event_hooks["response"].append(check_page)
        yield test_client


def start_sandbox(log_dir: Path) -> Server:
    """The agency sandbox as its own process, as in `make run`, in its seeded state."""
    port = free_port()
    return start_server(
        "agency sandbox",
        [sys.executable, "-m", "sandbox.agencies", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/healthz",
        log_dir / "sandbox.log",
    )


@pytest.fixture(scope="session")
def live_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The session's sandbox. Tests that need its seeded state (which others' submissions change: an entitlement
    claimed, an information request answered) start one of their own with `start_sandbox`."""
    server = start_sandbox(tmp_path_factory.mktemp("sandbox"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The dev identity provider, its clients registered for a portal at the test client's address."""
    state = tmp_path_factory.mktemp("idp")
    port = free_port()
    server = start_server(
        "dev identity provider",
        ["node", "sandbox/idp/server.mjs", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/.well-known/openid-configuration",
        state / "idp.log",
        env={"IDP_STATE_DIR": str(state / "var"), "IDP_PORTAL_URL": PORTAL_URL},
    )
    yield server
    server.stop()


@pytest.fixture
def live_settings(migrated: Settings, live_idp: Server, live_sandbox: Server) -> Settings:
    """Settings for an app that signs in through the dev IdP and asks the sandbox's agencies."""
    return migrated.model_copy(
        update={
            "oidc_issuer": live_idp.url,
            "public_url": PORTAL_URL,
            "sandbox_url": live_sandbox.url,
            **agency_urls(live_sandbox.url),
        }
    )


@pytest.fixture
def live_client(live_settings: Settings) -> Iterator[TestClient[Litestar]]:
    """The integration client on `live_settings`, with the personas' mandates seeded (`portal seed`)."""
    app = create_app(live_settings)
    with TestClient(app, base_url=PORTAL_URL) as test_client:
        test_client.blocking_portal.call(_seed, app)
        test_client.event_hooks["response"].append(check_page)
        yield test_client


# The session's sandbox outlives each test's database and remembers every reference it registered: each live
# client numbers its applications from a block of its own (500 000 up: clear of test_outbox_sandbox.py's blocks and
# of the sandbox's seeded 90xxxx references), so that a second test's VSAA-2026-000001 is not refused as taken.
REFERENCE_BLOCKS = itertools.count(500_000 + 1_000 * secrets.randbelow(100), 500)


async def _seed(app: Litestar) -> None:
    async with app.state.db_sessions() as db, db.begin():
        await seed_mandates(db, load_personas())
        start = next(REFERENCE_BLOCKS)
        for agency in ("vsaa", "vdeavk", "pasv"):
            for year in (2026, 2027):  # the sandbox's business year, and the next one tests move its clock into
                db.add(ReferenceCounter(agency=agency, year=year, last_number=start))


class SmtpInbox:
    """What a real SMTP server on loopback received (aiosmtpd calls `handle_DATA` by name); `refusing` makes it
    answer every message with a 451."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refusing = False

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        if self.refusing:
            return "451 Requested action aborted: try again later"
        parsed = email.message_from_bytes(bytes(envelope.content or b""), policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpInbox, int]]:
    """An aiosmtpd server on a free loopback port (its own thread), and what it received."""
    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()
