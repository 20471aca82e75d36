"""Liveness and readiness, both ways."""

import pytest
from litestar.testing import TestClient

from portal.app import create_app

pytestmark = pytest.mark.postgres


def test_healthz_and_readyz_when_migrated(client):
    assert client.get("/healthz").text == "ok"
    response = client.get("/readyz")
    assert response.status_code == 200 and response.text == "ready"
    assert response.headers["cache-control"] == "no-store"


def test_readyz_is_503_while_a_migration_is_pending(settings):
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and response.text == "migration pending"


def test_readyz_is_503_when_the_database_is_unreachable(settings):
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+asyncpg://nobody@127.0.0.1:1/none"}
        if not settings.is_sqlite
        else {"database_url": "sqlite+aiosqlite:////nonexistent-dir/x/portal.sqlite3"}
    )
    with TestClient(create_app(unreachable)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and response.text == "database unreachable"


def test_readyz_is_503_when_the_session_store_is_unreachable(migrated):
    from portal.settings import Topology

    no_redis = migrated.model_copy(update={"topology": Topology.SERVICES, "redis_url": "redis://127.0.0.1:1/0"})
    with TestClient(create_app(no_redis)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and response.text == "session store unreachable"
