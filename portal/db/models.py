"""Where Alembic finds every model: each domain package's models module is imported here."""

from __future__ import annotations


def import_all_models() -> None:
    # Each import registers its tables on Base.metadata.
    import portal.applications.draft_models
    import portal.applications.outbox_models
    import portal.applications.satisfaction_models
    import portal.applications.upload_models
    import portal.assistant.models
    import portal.audit.models
    import portal.db.store
    import portal.documents.models
    import portal.notices.models
    import portal.people.models
    import portal.representation.models
    import portal.sync.models  # noqa: F401
