"""Pages every visitor can reach from the footer, and the component gallery (not in production)."""

from __future__ import annotations

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from portal.settings import Settings


@get("/accessibility", sync_to_thread=False)
def accessibility() -> Template:
    return Template("pages/accessibility.html")


@get("/privacy", sync_to_thread=False)
def privacy() -> Template:
    return Template("pages/privacy.html")


@get("/contacts", sync_to_thread=False)
def contacts() -> Template:
    return Template("pages/contacts.html")


@get("/components", sync_to_thread=False)
def components(settings: Settings) -> Template:
    if settings.is_production:
        raise NotFoundException()
    return Template("pages/components.html")
