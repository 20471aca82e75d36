"""My applications (drafts included)."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from portal.auth.guards import signed_in


@get("/applications", guards=[signed_in], sync_to_thread=False)
def applications() -> Template:
    return Template("pages/applications/index.html")
