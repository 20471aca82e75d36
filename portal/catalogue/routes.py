"""The landing page: life situations and the e-service catalogue."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from portal.catalogue.life_situations import LIFE_SITUATIONS


@get("/", name="home", sync_to_thread=False)
def home() -> Template:
    return Template("pages/home.html", context={"life_situations": LIFE_SITUATIONS})
