"""Sessions outlive the portal process, and a back-channel logout from the provider ends them: real processes.

The dev identity provider (node) and the portal (`portal serve`, granian) run on free loopback ports; httpx plays
the browser, with one cookie jar per portal visitor and one for the provider's pages (cookies ignore ports, so
sharing a jar would blur whose cookie is whose). Embedded: sessions in the SQLite file. Services: sessions in
Redis under a namespace of this test's own, the database on a private PostgreSQL database (postgres tier).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from portal.db.migrate import upgrade
from tests.ports import free_port
from tests.servers import Server, start_server

JANIS = "150162-12342"
SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class Portal:
    """The portal as a process that a test can restart on the same port with the same settings."""

    url: str
    env: dict[str, str]
    log_dir: Path
    server: Server | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        self.server = start_server(
            "portal", [sys.executable, "-m", "portal", "serve"], self.url, "/readyz",
            self.log_dir / f"portal-{self.starts}.log", env=self.env,
        )  # fmt: skip

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def restart(self) -> None:
        old = self.server
        self.stop()
        self.start()
        assert old and self.server and old.process.pid != self.server.process.pid


@pytest.fixture(scope="module")
def portal_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory, portal_url: str) -> Iterator[Server]:
    """The dev identity provider, its `portal` client registered for the portal under test."""
    state = tmp_path_factory.mktemp("idp")
    port = free_port()
    server = start_server(
        "dev identity provider",
        [shutil.which("node") or "node", "sandbox/idp/server.mjs", "--port", str(port)],
        f"http://127.0.0.1:{port}",
        "/.well-known/openid-configuration",
        state / "idp.log",
        env={"IDP_STATE_DIR": str(state / "var"), "IDP_PORTAL_URL": portal_url},
    )
    yield server
    server.stop()


def portal_env(tmp_path: Path, portal_url: str, idp: Server, **settings: str) -> dict[str, str]:
    # Nothing from the developer's own PORTAL_* settings may leak into the server under test.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    port = portal_url.rsplit(":", 1)[1]
    env.update(
        PORTAL_ENVIRONMENT="test", PORTAL_VAR_DIR=str(tmp_path / "var"), PORTAL_HOST="127.0.0.1", PORTAL_PORT=port,
        PORTAL_PUBLIC_URL=portal_url, PORTAL_OIDC_ISSUER=idp.url, PORTAL_SANDBOX_URL="", PORTAL_LOG_JSON="true",
        **{f"PORTAL_{name.upper()}": value for name, value in settings.items()},
    )  # fmt: skip
    return env


def sign_in(portal: Portal, visitor: httpx.Client, idp_browser: httpx.Client) -> None:
    """/login in the visitor's jar, the provider's pages in its own, the callback back in the visitor's."""
    start = visitor.get(f"{portal.url}/login", params={"next": "/overview"})
    assert start.status_code == 303, start.text
    response = idp_browser.get(start.headers["location"])
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(portal.url):
                done = visitor.get(location)
                assert done.status_code == 303 and done.headers["location"] == "/overview", done.text
                assert visitor.cookies.get("portal_session")
                return
            response = idp_browser.get(location)
        else:
            assert response.status_code == 200, response.text
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert action, response.text
            response = idp_browser.post(
                urljoin(str(response.url), action.group(1)), data={"personal_code": JANIS, "acr": SUBSTANTIAL}
            )
    raise AssertionError("the provider never sent the browser back to the portal")


def overview(portal: Portal, visitor: httpx.Client) -> httpx.Response:
    return visitor.get(f"{portal.url}/overview")


def assert_signed_in(portal: Portal, visitor: httpx.Client) -> None:
    page = overview(portal, visitor)
    assert page.status_code == 200 and "Sveiki, Jānis!" in page.text, page.status_code


def sign_out_everywhere(portal: Portal, visitor: httpx.Client, idp_browser: httpx.Client) -> None:
    """The portal's sign-out, then "Jā, atslēgties no visiem" on the provider's page: it notifies every client."""
    token = re.search(r'name="_csrf_token" value="([^"]+)"', overview(portal, visitor).text)
    assert token
    out = visitor.post(f"{portal.url}/logout", data={"_csrf_token": token.group(1)})
    assert out.status_code == 303 and not out.headers["location"].startswith(portal.url), out.headers
    page = idp_browser.get(out.headers["location"])
    assert page.status_code == 200 and "Jā, atslēgties no visiem" in page.text, page.text
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
    assert action and xsrf
    done = idp_browser.post(urljoin(str(page.url), action.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"})
    assert done.is_redirect and done.headers["location"].startswith(portal.url), done.text


def journey(portal: Portal, idp: Server, stored: Callable[[], int]) -> None:
    with httpx.Client(timeout=10) as janis, httpx.Client(timeout=10) as phone, httpx.Client(timeout=10) as idp_browser:
        portal.start()
        try:
            sign_in(portal, janis, idp_browser)
            assert_signed_in(portal, janis)
            assert stored() == 1

            portal.restart()
            assert_signed_in(portal, janis)  # the same cookie, a new process

            # A second session of the same person (another device, the same provider session), then sign-out on
            # the first: the provider's back-channel notice must end the second one too, in the portal's store.
            sign_in(portal, phone, idp_browser)
            assert_signed_in(portal, phone)
            assert stored() == 2
            delivered = idp.log.read_text().count('"outcome":"delivered"')
            sign_out_everywhere(portal, janis, idp_browser)
            assert idp.log.read_text().count('"outcome":"delivered"') == delivered + 1, idp.output()
            assert stored() == 0
            lapsed = overview(portal, phone)
            assert lapsed.status_code == 303 and lapsed.headers["location"] == "/session-ended?next=/overview"
            assert overview(portal, janis).headers["location"] == "/login?next=/overview"
        finally:
            portal.stop()


def test_embedded_sessions_survive_a_restart_and_end_by_back_channel_logout(tmp_path, portal_url, idp):
    database = tmp_path / "var" / "portal.sqlite3"
    database.parent.mkdir(parents=True)
    url = f"sqlite+aiosqlite:///{database}"
    upgrade(url)
    portal = Portal(portal_url, portal_env(tmp_path, portal_url, idp, database_url=url), tmp_path)

    def stored() -> int:
        with closing(sqlite3.connect(database)) as db:
            (count,) = db.execute("SELECT count(*) FROM store_entries WHERE key LIKE 'sessions:session:%'").fetchone()
        return int(count)

    journey(portal, idp, stored)


@pytest.fixture
def redis_namespace() -> Iterator[str]:
    """A namespace of this test's own; its keys (and only they) are deleted afterwards. Never a FLUSH."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and Redis does not answer at {REDIS_URL}")
        pytest.skip(f"Redis does not answer at {REDIS_URL}")
    namespace = f"portal_test_{secrets.token_hex(6)}"
    try:
        yield namespace
    finally:
        keys = list(client.scan_iter(match=f"{namespace}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.mark.services
def test_services_sessions_survive_a_restart_and_end_by_back_channel_logout(
    tmp_path, portal_url, idp, database_url, redis_namespace
):
    import redis

    upgrade(database_url)
    env = portal_env(
        tmp_path, portal_url, idp, topology="services", database_url=database_url,
        redis_url=REDIS_URL, redis_namespace=redis_namespace,
    )  # fmt: skip
    portal = Portal(portal_url, env, tmp_path)

    def stored() -> int:
        with closing(redis.Redis.from_url(REDIS_URL)) as client:
            return len(list(client.scan_iter(match=f"{redis_namespace}:sessions:session:*")))

    journey(portal, idp, stored)
