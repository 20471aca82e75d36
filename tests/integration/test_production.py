"""Production mode: it refuses dev-only parts at start-up, and what it serves is locked down."""

import subprocess
import sys

import pytest
from litestar.testing import TestClient
from pydantic import SecretStr

from portal.app import create_app
from portal.settings import Environment, ProductionSettingsError
from tests.conftest import production_agency_urls
from tests.seal_files import production_seal


@pytest.fixture
def production(migrated, tmp_path):
    return migrated.model_copy(
        update={
            "environment": Environment.PRODUCTION,
            "secret_key": SecretStr("x" * 48),
            "oidc_issuer": "https://eidas.example.lv",
            "sandbox_url": "",
            **production_agency_urls(),
            "cookie_secure": True,
            "oidc_client_secret": SecretStr("registered-with-the-provider"),
            "oidc_staff_client_secret": SecretStr("staff-registered-with-the-provider"),
            **production_seal(tmp_path / "seal"),
        }
    )


def test_create_app_refuses_unsafe_production_settings(production):
    for unsafe in ({"cookie_secure": False}, {"sandbox_url": "http://127.0.0.1:8020"}):
        with pytest.raises(ProductionSettingsError):
            create_app(production.model_copy(update=unsafe))


def test_production_sends_hsts_and_secure_cookies(production):
    with TestClient(create_app(production), base_url="https://portal.example.lv") as client:
        response = client.get("/?lang=en")
    assert response.status_code == 200
    assert response.headers["strict-transport-security"].startswith("max-age=")
    cookies = response.headers.get_list("set-cookie")
    assert {c.split("=")[0] for c in cookies} == {"csrftoken", "lang"}
    assert all("Secure" in c for c in cookies)


def test_check_settings_command_says_why(tmp_path):
    env = {"PORTAL_ENVIRONMENT": "production", "PORTAL_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "portal", "check-settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    names = (
        "PORTAL_SECRET_KEY",
        "PORTAL_OIDC_ISSUER",
        "PORTAL_SANDBOX_URL",
        "PORTAL_COOKIE_SECURE",
        "PORTAL_PMLP_BASE_URL",
        "PORTAL_OIDC_CLIENT_SECRET",
        "PORTAL_OIDC_STAFF_CLIENT_SECRET",
        "PORTAL_SEAL_CERTIFICATE",
    )
    for name in names:
        assert name in result.stderr
