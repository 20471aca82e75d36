"""Shared fixtures: settings for a private database (SQLite, or PostgreSQL in the postgres tier)."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.settings import Environment, Settings

POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ON_POSTGRES = os.environ.get("PORTAL_TEST_DATABASE") == "postgres"


def postgres_answers() -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(POSTGRES_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES or postgres_answers():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI=true and PostgreSQL does not answer at {POSTGRES_URL}: the tier must run.")
    skip = pytest.mark.skip(reason=f"PostgreSQL tier skipped: nothing answers at {POSTGRES_URL}")
    for item in items:
        item.add_marker(skip)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A private, empty database: a SQLite file, or `portal_test_<random>` on PostgreSQL, dropped after."""
    if not ON_POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'portal.sqlite3'}"
        return
    import psycopg

    name = f"portal_test_{secrets.token_hex(6)}"
    admin = psycopg.connect(POSTGRES_URL, autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        environment=Environment.TEST,
        var_dir=tmp_path / "var",
        database_url=database_url,
        log_json=True,
    )


def agency_urls(sandbox_url: str | None) -> dict[str, str | None]:
    """Every agency's base URL setting for a sandbox at `sandbox_url` (None: no agencies at all), for
    `Settings.model_copy(update=...)`, which does not fill in the defaults again."""
    from portal.settings import AGENCY_SETTINGS

    return {f"{a}_base_url": f"{sandbox_url}/{a}" if sandbox_url else None for a in AGENCY_SETTINGS}


def production_agency_urls() -> dict[str, str]:
    from portal.settings import AGENCY_SETTINGS

    return {f"{a}_base_url": f"https://gateway.example.gov.lv/{a}" for a in AGENCY_SETTINGS}
