"""Builds the sign-in parts from settings: where sessions live, the provider client, the service."""

from __future__ import annotations

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.auth.oidc import CITIZEN_SCOPE, STAFF_SCOPE, OidcClient
from portal.auth.service import SignInService, Urls
from portal.auth.sessions import SessionStore
from portal.db.store import DatabaseStore
from portal.settings import Settings, Topology


def session_backend(settings: Settings, db_sessions: async_sessionmaker[AsyncSession]) -> Store:
    """Sessions in the database when embedded, in Redis (own namespace) in the services topology."""
    if settings.topology is Topology.SERVICES and settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace=f"{settings.redis_namespace}:sessions")
    return DatabaseStore(db_sessions, namespace="sessions")


def sign_in_services(settings: Settings, backend: Store) -> tuple[SessionStore, SignInService, SignInService]:
    """The session store and the two sign-ins: citizens, and staff through their own client registration."""
    sessions = SessionStore(backend)
    base = settings.public_url.rstrip("/")
    citizen = OidcClient(
        settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret.get_secret_value(), CITIZEN_SCOPE
    )
    staff = OidcClient(
        settings.oidc_issuer,
        settings.oidc_staff_client_id,
        settings.oidc_staff_client_secret.get_secret_value(),
        STAFF_SCOPE,
    )
    return (
        sessions,
        SignInService(citizen, sessions, backend, Urls(f"{base}/auth/callback", f"{base}/"), kind="citizen"),
        SignInService(staff, sessions, backend, Urls(f"{base}/staff/auth/callback", f"{base}/"), kind="staff"),
    )
