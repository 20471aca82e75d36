"""Where Alembic finds every model: each domain package's models module is imported here."""

from __future__ import annotations


def import_all_models() -> None:
    import portal.db.store  # noqa: F401  (registers its tables on Base.metadata)
