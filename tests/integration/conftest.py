"""The integration client: HTTP through the whole app on a migrated private database, every page checked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from portal.app import create_app
from portal.db.migrate import upgrade
from portal.settings import Settings
from tests.pagecheck import page_problems


def check_page(response: httpx.Response) -> None:
    if "text/html" not in response.headers.get("content-type", ""):
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
    with TestClient(app, base_url="http://127.0.0.1:8000") as test_client:
        test_client.event_hooks["response"].append(check_page)
        yield test_client


def run(coroutine):  # type: ignore[no-untyped-def]
    """Run a coroutine from a sync test (the app's own loop lives in the test client)."""
    return asyncio.run(coroutine)
