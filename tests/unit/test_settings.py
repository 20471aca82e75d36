import pytest
from pydantic import SecretStr

from portal.settings import AGENCY_SETTINGS, Environment, Settings
from tests.conftest import production_agency_urls
from tests.seal_files import production_seal

SAFE_PRODUCTION = dict(
    environment=Environment.PRODUCTION,
    secret_key=SecretStr("p" * 48),
    oidc_issuer="https://eidas.latvija.gov.lv",
    sandbox_url="",
    **production_agency_urls(),
    cookie_secure=True,
    oidc_client_secret=SecretStr("registered-with-the-provider"),
    oidc_staff_client_secret=SecretStr("staff-registered-with-the-provider"),
)


def production(tmp_path, **overrides):
    return Settings(var_dir=tmp_path, **{**SAFE_PRODUCTION, **production_seal(tmp_path / "seal"), **overrides})


def test_safe_production_settings_pass(tmp_path):
    assert production(tmp_path).production_problems() == []


@pytest.mark.parametrize(
    ("override", "mentions"),
    [
        ({"secret_key": SecretStr("")}, "PORTAL_SECRET_KEY"),
        ({"secret_key": SecretStr("short")}, "PORTAL_SECRET_KEY"),
        ({"oidc_issuer": "http://127.0.0.1:8010"}, "PORTAL_OIDC_ISSUER"),
        ({"oidc_issuer": "http://localhost:9999"}, "PORTAL_OIDC_ISSUER"),
        ({"sandbox_url": "http://127.0.0.1:8020"}, "PORTAL_SANDBOX_URL"),
        ({"pmlp_base_url": None}, "PORTAL_PMLP_BASE_URL"),
        ({"pmlp_base_url": ""}, "PORTAL_PMLP_BASE_URL"),
        ({"cookie_secure": False}, "PORTAL_COOKIE_SECURE"),
        ({"oidc_client_secret": SecretStr("portal-dev-secret")}, "PORTAL_OIDC_CLIENT_SECRET"),
        ({"oidc_staff_client_secret": SecretStr("portal-staff-dev-secret")}, "PORTAL_OIDC_STAFF_CLIENT_SECRET"),
        ({"seal_certificate": None}, "PORTAL_SEAL_CERTIFICATE"),
        ({"seal_trust_root": None}, "PORTAL_SEAL_TRUST_ROOT"),
    ],
)
def test_production_refuses_dev_parts(tmp_path, override, mentions):
    problems = production(tmp_path, **override).production_problems()
    assert len(problems) == 1 and mentions in problems[0]


def test_production_refuses_the_dev_secret_kept_in_var(tmp_path):
    dev_key = Settings(var_dir=tmp_path).secret_key
    problems = production(tmp_path, secret_key=dev_key).production_problems()
    assert any("PORTAL_SECRET_KEY" in p for p in problems)


def test_dev_and_test_allow_dev_parts(tmp_path):
    for environment in (Environment.DEV, Environment.TEST):
        assert Settings(var_dir=tmp_path, environment=environment).production_problems() == []


def test_dev_secret_is_generated_once_and_kept(tmp_path):
    first = Settings(var_dir=tmp_path).secret_key.get_secret_value()
    assert len(first) >= 48
    assert Settings(var_dir=tmp_path).secret_key.get_secret_value() == first
    assert oct((tmp_path / "dev-secret-key").stat().st_mode)[-3:] == "600"


def test_default_database_is_sqlite_in_var(tmp_path):
    settings = Settings(var_dir=tmp_path)
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path / 'portal.sqlite3'}"
    assert settings.is_sqlite


def test_settings_come_from_portal_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_TOPOLOGY", "services")
    monkeypatch.setenv("PORTAL_PORT", "9123")
    settings = Settings(var_dir=tmp_path)
    assert settings.topology == "services" and settings.port == 9123


def test_the_population_register_defaults_to_the_sandbox_outside_production(tmp_path, monkeypatch):
    assert Settings(var_dir=tmp_path).pmlp_base_url == "http://127.0.0.1:8020/pmlp"
    assert Settings(var_dir=tmp_path, sandbox_url="http://127.0.0.1:9999/").pmlp_base_url == (
        "http://127.0.0.1:9999/pmlp"
    )
    assert Settings(var_dir=tmp_path, sandbox_url="").pmlp_base_url is None
    monkeypatch.setenv("PORTAL_PMLP_BASE_URL", "https://register.example.lv/pmlp")
    assert Settings(var_dir=tmp_path).pmlp_base_url == "https://register.example.lv/pmlp"


@pytest.mark.parametrize("agency", AGENCY_SETTINGS)
def test_production_never_falls_back_to_the_sandbox_agencies(tmp_path, agency):
    settings = production(tmp_path, sandbox_url="http://127.0.0.1:8020", **{f"{agency}_base_url": ""})
    assert not settings.agency_base_url(agency)
    assert any(f"PORTAL_{agency.upper()}_BASE_URL" in p for p in settings.production_problems())


def test_every_setting_is_documented():
    undocumented = [name for name, field in Settings.model_fields.items() if not field.description]
    assert undocumented == []
