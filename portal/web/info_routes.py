"""Pages every visitor can reach from the footer."""

from __future__ import annotations

from litestar import get
from litestar.response import Template


@get("/accessibility", sync_to_thread=False)
def accessibility() -> Template:
    return Template("pages/accessibility.html")


@get("/privacy", sync_to_thread=False)
def privacy() -> Template:
    return Template("pages/privacy.html")


@get("/contacts", sync_to_thread=False)
def contacts() -> Template:
    return Template("pages/contacts.html")
