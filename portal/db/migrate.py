"""Alembic, driven from code: `portal migrate`, and the readiness check's "is the schema current?"."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.settings import PROJECT_ROOT

MIGRATIONS_DIR = PROJECT_ROOT / "portal" / "db" / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None, "there is at least one migration"
    return head


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision; None when it has none (never migrated)."""
    async with engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except SQLAlchemyError:
            return None
        return result.scalar_one_or_none()
