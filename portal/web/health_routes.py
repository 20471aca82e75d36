"""Liveness and readiness for the load balancer and the operators."""

from __future__ import annotations

from litestar import MediaType, Response, get
from litestar.datastructures import State
from litestar.stores.base import Store
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.db.migrate import current_revision

HEADERS = {"Cache-Control": "no-store"}


@get("/healthz", media_type=MediaType.TEXT, sync_to_thread=False)
def healthz() -> Response[str]:
    return Response("ok", headers=HEADERS)


@get("/readyz", media_type=MediaType.TEXT)
async def readyz(state: State) -> Response[str]:
    """Ready only when the database answers with the schema this code was written for, and sessions can be kept."""
    engine: AsyncEngine = state.db_engine
    try:
        revision = await current_revision(engine)
    except (SQLAlchemyError, OSError):
        return Response("database unreachable", status_code=503, headers=HEADERS)
    if revision != state.schema_head:
        return Response("migration pending", status_code=503, headers=HEADERS)
    store: Store = state.session_backend
    try:
        # Redis in the services topology: without it nobody can stay signed in.
        await store.exists("readyz-probe")
    except (RedisError, SQLAlchemyError, OSError):
        return Response("session store unreachable", status_code=503, headers=HEADERS)
    return Response("ready", headers=HEADERS)
