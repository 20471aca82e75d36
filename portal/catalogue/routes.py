"""The landing page and the life-situation pages: how a person finds an e-service before knowing its name."""

from __future__ import annotations

import unicodedata

from litestar import get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from portal.catalogue.definitions import Definition, Definitions
from portal.catalogue.life_situations import LIFE_SITUATIONS
from portal.web.i18n import gettext

# The "what support can I get?" check (forms/atbalsta-parbaude.yaml), offered from every life situation.
SUPPORT_CHECK = "atbalsta-parbaude"


MACRON = "\u0304"


def alphabetical(text: str) -> tuple[list[tuple[str, str]], str]:
    """A sort key in Latvian dictionary order (CLDR's): č, ģ, ķ, ļ, ņ, š, ž are letters of their own right after
    c, g, k, l, n, s, z (not after z, as code points have them); a long vowel (ā, ē, ī, ū) sorts with its short
    one and only breaks ties."""
    letters = [unicodedata.normalize("NFD", c) for c in text.casefold()]
    return [(d[0], d[1:].replace(MACRON, "")) for d in letters], text


def _by_title(definitions: list[Definition]) -> list[Definition]:
    # In the reader's language: "Bērna piedzimšanas pabalsts" sorts under B in Latvian, "Childbirth…" under C.
    return sorted(definitions, key=lambda d: alphabetical(gettext(d.title)))


def _support_check(definitions: Definitions) -> Definition | None:
    return definitions.get(SUPPORT_CHECK)


@get("/", name="home", sync_to_thread=False)
def home(definitions: NamedDependency[Definitions]) -> Template:
    services = _by_title([d for d in definitions.values() if d.kind == "application"])
    context = {"life_situations": LIFE_SITUATIONS, "services": services, "support_check": _support_check(definitions)}
    return Template("pages/home.html", context=context)


@get("/life-situations/{slug:str}", sync_to_thread=False)
def life_situation(slug: FromPath[str], definitions: NamedDependency[Definitions]) -> Template:
    """The e-services and questionnaires for one life situation, and the check that suggests what may suit."""
    situation = next((s for s in LIFE_SITUATIONS if s.slug == slug), None)
    if situation is None:
        raise NotFoundException()
    listed = [d for d in definitions.values() if slug in d.life_situations and d.slug != SUPPORT_CHECK]
    return Template(
        "pages/life_situation.html",
        context={
            "situation": situation,
            "services": _by_title([d for d in listed if d.kind == "application"]),
            "questionnaires": _by_title([d for d in listed if d.kind == "questionnaire"]),
            "support_check": _support_check(definitions),
        },
    )
