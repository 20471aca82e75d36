"""Builds the sign-in parts from settings: where sessions live, the provider client, the service."""

from __future__ import annotations

from litestar.stores.base import Store
from litestar.stores.redis import RedisStore
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.auth.oidc import CITIZEN_SCOPE, OidcClient
from portal.auth.service import SignInService, Urls
from portal.auth.sessions import SessionStore
from portal.db.store import DatabaseStore
from portal.settings import Settings, Topology


def session_backend(settings: Settings, db_sessions: async_sessionmaker[AsyncSession]) -> Store:
    """Sessions in the database when embedded, in Redis (own namespace) in the services topology."""
    if settings.topology is Topology.SERVICES and settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace=f"{settings.redis_namespace}:sessions")
    return DatabaseStore(db_sessions, namespace="sessions")


def citizen_sign_in(settings: Settings, backend: Store) -> tuple[SessionStore, SignInService]:
    sessions = SessionStore(backend)
    oidc = OidcClient(
        settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret.get_secret_value(), CITIZEN_SCOPE
    )
    base = settings.public_url.rstrip("/")
    urls = Urls(callback=f"{base}/auth/callback", after_logout=f"{base}/")
    return sessions, SignInService(oidc, sessions, backend, urls, kind="citizen")
