"""My applications (drafts included), or those of the person I act for."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template

from portal.auth.access import Access, Subject
from portal.auth.guards import signed_in


@get("/applications", guards=[signed_in], sync_to_thread=False)
def applications(access: NamedDependency[Access], subject: NamedDependency[Subject]) -> Template:
    return Template("pages/applications/index.html", context={"access": access, "subject": subject})
