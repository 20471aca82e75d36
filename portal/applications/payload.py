"""What an agency receives from a draft's answers.

The engine keeps answers by page (`{page: {question: value}}`); the agencies' contracts take one flat `answers`
object keyed by question name (question names are unique within an application: tests/unit/test_forms_catalogue.py)
plus some top-level fields of their own: VDEĀVK's `kind` and `self_assessment` (built from the eight functioning
pages), PASV's `municipality`. Only pages that apply count; answers on skipped pages never leave the portal.
"""

from __future__ import annotations

import typing
from typing import Any

from portal.agencies.vdeavk import Domain
from portal.catalogue.conditions import effective_answers
from portal.catalogue.definitions import Definition

# The self-assessment's pages are named after VDEĀVK's functioning domains, with hyphens for underscores.
DOMAIN_PAGES = {domain.replace("_", "-"): domain for domain in typing.get_args(Domain)}
TOP_LEVEL = {"vdeavk": ("kind",), "pasv": ("municipality",)}


def agency_request(definition: Definition, answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The flat `answers` and the agency's own top-level fields (OutboxService.submit's `extra`)."""
    flat: dict[str, Any] = {}
    self_assessment: dict[str, Any] = {}
    for page, given in effective_answers(definition, answers).items():
        if definition.agency == "vdeavk" and page in DOMAIN_PAGES:
            self_assessment[DOMAIN_PAGES[page]] = {"difficulty": int(given["difficulty"]), "helps": given["helps"]}
        elif isinstance(given, list):
            flat[page.replace("-", "_")] = given  # a repeating page: its items, under the page's name
        else:
            flat.update(given)
    extra = {field: flat.pop(field) for field in TOP_LEVEL.get(str(definition.agency), ()) if field in flat}
    if definition.agency == "vdeavk":
        extra["self_assessment"] = self_assessment or None
    return flat, extra
