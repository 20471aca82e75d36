"""The portal's settings: one documented field each, read from `PORTAL_*` environment variables.

Two independent axes (DESIGN.md): the topology (embedded | services) and the environment
(dev | test | production). Only production refuses dev-only parts; that check lives in
`Settings.production_problems()` so that it can be tested without starting anything.
"""

from __future__ import annotations

import secrets
from enum import StrEnum
from ipaddress import ip_address
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_FILE = "dev-secret-key"  # noqa: S105 - a file name, not a secret
DEV_IDP_ISSUER = "http://127.0.0.1:8010"
SANDBOX_URL = "http://127.0.0.1:8020"
DEV_OIDC_SECRET = "portal-dev-secret"  # noqa: S105 - the dev identity provider's well-known test secret
DEV_STAFF_OIDC_SECRET = "portal-staff-dev-secret"  # noqa: S105 - likewise, for the staff client


# The agencies the portal calls, by the prefix of their settings (`PORTAL_<AGENCY>_BASE_URL`).
AGENCY_SETTINGS = ("pmlp", "vsaa", "vdeavk", "pasv", "eadrese")


class Topology(StrEnum):
    EMBEDDED = "embedded"
    SERVICES = "services"


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PRODUCTION = "production"


class UploadScanner(StrEnum):
    CLAMD = "clamd"
    EICAR_STAND_IN = "eicar-stand-in"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    topology: Topology = Field(
        Topology.EMBEDDED,
        description="embedded: SQLite, sessions in the database, worker in the web process; "
        "services: PostgreSQL, Redis, separate worker processes.",
    )
    environment: Environment = Field(
        Environment.DEV, description="dev | test | production; only production refuses dev-only parts."
    )
    var_dir: Path = Field(
        PROJECT_ROOT / "var", description="Where the embedded topology keeps its SQLite file and dev secrets."
    )
    database_url: str = Field("", description="SQLAlchemy async URL; empty means the SQLite file var/portal.sqlite3.")
    redis_url: str = Field("", description="Redis URL for sessions, rate limits and cache (services topology).")
    redis_namespace: str = Field("portal", description="Prefix of every Redis key, so deployments and tests never mix.")
    secret_key: SecretStr = Field(
        SecretStr(""),
        description="Signs CSRF tokens and cookies. Empty in dev/test means a random key kept in var/.",
    )
    cookie_secure: bool = Field(False, description="Send cookies only over HTTPS; required in production.")
    host: str = Field("127.0.0.1", description="Address the web server binds to.")
    port: int = Field(8000, description="Port the web server listens on.")
    web_workers: int = Field(1, ge=1, description="granian web processes (1 in the embedded topology).")
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest request body accepted anywhere, in bytes (413 above)."
    )
    upload_dir: Path | None = Field(
        None,
        description="Where files attached to drafts are kept, under random names; never under static/. "
        "Empty means var/uploads.",
    )
    upload_max_bytes: int = Field(
        10 * 1024 * 1024,
        ge=1024,
        description="Largest file accepted by the upload route, in bytes, whatever a question allows (its "
        "`max_bytes` may only be smaller); a larger body is refused with the upload's own message.",
    )
    upload_scanner: UploadScanner | None = Field(
        None,
        description="Malware scan of uploads: clamd (ClamAV's daemon at clamd_socket) or eicar-stand-in "
        "(flags only the EICAR test string). Empty means clamd in production, the stand-in in dev/test "
        "(ClamAV is not installed by make).",
    )
    clamd_socket: Path = Field(
        Path("/run/clamav/clamd.ctl"), description="ClamAV daemon's Unix socket, when upload_scanner is clamd."
    )
    oidc_issuer: str = Field(DEV_IDP_ISSUER, description="OpenID Connect issuer of the identity provider.")
    oidc_client_id: str = Field("portal", description="The portal's client id at the identity provider.")
    oidc_client_secret: SecretStr = Field(
        SecretStr(DEV_OIDC_SECRET), description="The portal's client secret at the identity provider."
    )
    oidc_staff_client_id: str = Field(
        "portal-staff", description="The staff side's own client id at the identity provider (VPVKAC assistants)."
    )
    oidc_staff_client_secret: SecretStr = Field(
        SecretStr(DEV_STAFF_OIDC_SECRET), description="The staff side's client secret at the identity provider."
    )
    sandbox_url: str = Field(
        SANDBOX_URL, description="Agency sandbox (dev/test only): its clock is the business clock."
    )
    pmlp_base_url: str | None = Field(
        None,
        description="Population register (PMLP) API, the contract's server URL "
        "(portal/agencies/contracts/population-register.yaml). Empty in dev/test means the sandbox's "
        "`{sandbox_url}/pmlp`; required in production.",
    )
    vsaa_base_url: str | None = Field(
        None,
        description="VSAA API (portal/agencies/contracts/vsaa.yaml). Empty in dev/test means "
        "`{sandbox_url}/vsaa`; required in production.",
    )
    vdeavk_base_url: str | None = Field(
        None,
        description="VDEĀVK API (portal/agencies/contracts/vdeavk.yaml). Empty in dev/test means "
        "`{sandbox_url}/vdeavk`; required in production.",
    )
    pasv_base_url: str | None = Field(
        None,
        description="Municipal social services API (portal/agencies/contracts/pasv.yaml). Empty in dev/test "
        "means `{sandbox_url}/pasv`; required in production.",
    )
    eadrese_base_url: str | None = Field(
        None,
        description="e-adrese API (portal/agencies/contracts/eadrese.yaml). Empty in dev/test means "
        "`{sandbox_url}/eadrese`; required in production.",
    )
    agency_connect_timeout: float = Field(
        2.0, gt=0, description="Seconds to wait for a connection to an agency before giving up."
    )
    agency_read_timeout: float = Field(
        5.0, gt=0, description="Seconds to wait for an agency's answer to one request (see agency_call_budget)."
    )
    agency_call_budget: float = Field(
        6.0,
        gt=0,
        description="Most seconds one agency call may take, retries and waits included: a page never waits "
        "longer on one call.",
    )
    agency_retry_attempts: int = Field(
        3, ge=1, description="Tries of one idempotent agency call (GET or with an idempotency key), the first included."
    )
    agency_retry_backoff: float = Field(
        0.2, ge=0, description="Base of the exponential backoff between retries, in seconds (full jitter)."
    )
    agency_retry_backoff_max: float = Field(2.0, ge=0, description="Longest wait between two retries, in seconds.")
    agency_retry_after_max: float = Field(
        2.0, ge=0, description="Longest Retry-After honoured, in seconds; an agency asking for more is not retried."
    )
    agency_breaker_failures: int = Field(
        5, ge=1, description="Consecutive failed requests to one agency that open its circuit breaker."
    )
    agency_breaker_cooldown: float = Field(
        30.0, gt=0, description="Seconds an open breaker fails calls at once before letting one trial through."
    )
    agency_cache_max_entries: int = Field(
        1000, ge=0, description="Read-only answers kept per agency and web process (0: no cache); oldest go first."
    )
    agency_max_response_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest agency answer read, in bytes; a larger one is a failure."
    )
    agency_client_cert: Path | None = Field(
        None, description="PEM client certificate for mutual TLS towards the agencies' gateway (with the key)."
    )
    agency_client_key: Path | None = Field(None, description="PEM private key of `agency_client_cert`.")
    agency_ca_bundle: Path | None = Field(
        None, description="PEM bundle of the CAs that sign the agencies' server certificates; empty: the system's."
    )
    worker_in_web: bool | None = Field(
        None,
        description="Run the worker (outbox delivery, sync) inside the web process; empty means yes in the embedded "
        "topology and no in the services topology, where `portal worker` processes run it.",
    )
    worker_poll_interval: float = Field(
        1.0, gt=0, description="Seconds the worker waits between passes when no task had anything to do."
    )
    outbox_backoff_base: float = Field(
        5.0, gt=0, description="Seconds before the first retry of a submission the agency did not take; doubles."
    )
    outbox_backoff_cap: float = Field(
        900.0, gt=0, description="Longest wait, in seconds, between two delivery attempts of one submission."
    )
    outbox_lease_seconds: float = Field(
        60.0,
        gt=0,
        description="How long a worker holds a submission it is delivering before another may take it; must "
        "exceed agency_call_budget.",
    )
    outbox_batch_size: int = Field(20, ge=1, description="Submissions one worker claims and delivers at once.")
    seal_certificate: Path | None = Field(
        None,
        description="PEM certificate of the portal's e-seal (documents are sealed with it). Empty in dev/test "
        "means a test root and seal certificate made on first run in var/; required in production.",
    )
    seal_key: Path | None = Field(None, description="PEM private key of `seal_certificate` (may be encrypted).")
    seal_key_passphrase: SecretStr = Field(SecretStr(""), description="Passphrase of `seal_key`, if encrypted.")
    seal_trust_root: Path | None = Field(
        None,
        description="PEM root certificate the seal chains to: /verify trusts only seals that validate against it.",
    )
    verify_rate_limit: int = Field(
        20, ge=1, description="Checks one client address may make on /verify per `verify_rate_window` seconds."
    )
    verify_rate_window: int = Field(60, ge=1, description="Seconds of the /verify rate limit's window.")
    verify_max_upload_bytes: int = Field(
        5 * 1024 * 1024, ge=1024, description="Largest PDF /verify accepts for checking, in bytes."
    )
    dev_idp_port: int = Field(8010, description="`make run`: the port the dev identity provider listens on.")
    dev_sandbox_port: int = Field(8020, description="`make run`: the port the agency sandbox listens on.")
    dev_smtp_port: int = Field(8025, description="`make run`: the port the SMTP sink listens on.")
    smtp_host: str = Field("127.0.0.1", description="The SMTP server notice e-mails are sent through.")
    smtp_port: int = Field(8025, description="Its port; the default is the SMTP sink of `make run`.")
    mail_from: str = Field("pazinojumi@portals.example.lv", description="The sender of notice e-mails.")
    public_url: str = Field("http://127.0.0.1:8000", description="The portal's public base URL.")
    log_level: str = Field("INFO", description="Lowest level written to the log.")
    log_json: bool = Field(True, description="Write logs as JSON lines (else human-readable).")
    static_root: Path = Field(PROJECT_ROOT / "static", description="Our own static files.")
    forms_dir: Path = Field(
        PROJECT_ROOT / "forms",
        description="The e-service and questionnaire definitions (`<slug>.yaml`), checked at start-up and by "
        "`portal forms check`; an absent folder is an empty catalogue.",
    )
    node_modules: Path = Field(PROJECT_ROOT / "node_modules", description="npm packages; htmx is served from here.")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.var_dir / 'portal.sqlite3'}"
        if not self.secret_key.get_secret_value() and self.environment is not Environment.PRODUCTION:
            self.secret_key = SecretStr(_dev_secret(self.var_dir))
        in_sandbox = bool(self.sandbox_url) and self.environment is not Environment.PRODUCTION
        for agency in AGENCY_SETTINGS:
            if not getattr(self, f"{agency}_base_url") and in_sandbox:
                setattr(self, f"{agency}_base_url", f"{self.sandbox_url.rstrip('/')}/{agency}")
        return self

    @model_validator(mode="after")
    def _lease_outlasts_a_call(self) -> Self:
        # A lease shorter than one agency call would let a second worker deliver the same row at the same time.
        if self.outbox_lease_seconds <= self.agency_call_budget:
            raise ValueError("PORTAL_OUTBOX_LEASE_SECONDS must exceed PORTAL_AGENCY_CALL_BUDGET (one whole call).")
        return self

    @property
    def runs_worker_in_web(self) -> bool:
        if self.worker_in_web is None:
            return self.topology is Topology.EMBEDDED
        return self.worker_in_web

    def agency_base_url(self, agency: str) -> str | None:
        url: str | None = getattr(self, f"{agency}_base_url")
        return url

    @property
    def uploads_path(self) -> Path:
        return self.upload_dir or self.var_dir / "uploads"

    @property
    def scanner_kind(self) -> UploadScanner:
        if self.upload_scanner is None:
            return UploadScanner.CLAMD if self.is_production else UploadScanner.EICAR_STAND_IN
        return self.upload_scanner

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def production_problems(self) -> list[str]:
        """What makes these settings unfit for production (empty when fine or not production)."""
        if not self.is_production:
            return []
        problems = []
        key = self.secret_key.get_secret_value()
        if len(key) < 32 or key == _read_dev_secret(self.var_dir):
            problems.append("PORTAL_SECRET_KEY must be set to a production secret of at least 32 characters.")
        if self.oidc_issuer == DEV_IDP_ISSUER or _is_loopback(self.oidc_issuer):
            problems.append("PORTAL_OIDC_ISSUER points at the dev identity provider.")
        if self.oidc_client_secret.get_secret_value() in ("", DEV_OIDC_SECRET):
            problems.append("PORTAL_OIDC_CLIENT_SECRET must be the secret registered with the identity provider.")
        if self.oidc_staff_client_secret.get_secret_value() in ("", DEV_STAFF_OIDC_SECRET):
            problems.append(
                "PORTAL_OIDC_STAFF_CLIENT_SECRET must be the staff client's secret registered with the provider."
            )
        if self.sandbox_url:
            problems.append("PORTAL_SANDBOX_URL must be empty: the agency sandbox is for dev and test only.")
        for agency in AGENCY_SETTINGS:
            if not self.agency_base_url(agency):
                problems.append(f"PORTAL_{agency.upper()}_BASE_URL must be set to the agency's API.")
        if not self.cookie_secure:
            problems.append("PORTAL_COOKIE_SECURE must be true: cookies must not travel without TLS.")
        if not (self.seal_certificate and self.seal_key and self.seal_trust_root):
            problems.append(
                "PORTAL_SEAL_CERTIFICATE, PORTAL_SEAL_KEY and PORTAL_SEAL_TRUST_ROOT must name the e-seal's files."
            )
        return problems


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _read_dev_secret(var_dir: Path) -> str | None:
    path = var_dir / DEV_SECRET_FILE
    return path.read_text().strip() if path.exists() else None


def _dev_secret(var_dir: Path) -> str:
    """A random secret kept in var/, so that dev restarts keep CSRF tokens and sessions valid."""
    existing = _read_dev_secret(var_dir)
    if existing:
        return existing
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path = var_dir / DEV_SECRET_FILE
    path.write_text(key)
    path.chmod(0o600)
    return key


class ProductionSettingsError(RuntimeError):
    """Raised at start-up when production settings contain dev-only parts."""
