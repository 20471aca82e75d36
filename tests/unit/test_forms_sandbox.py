"""Answers to every e-service in forms/, sent as the agencies' contracts ask, are registered by the sandbox (in
process): the definitions ask what VSAA, VDEĀVK and PASV need (decision delivery, the kind of assessment and the
self-assessment, the municipality) and in the shapes they take.

The request is made here the way the engine is expected to make it (see `agency_request`): the answers of the pages
that apply, flattened by question name; VDEĀVK's self-assessment areas as `self_assessment`, its `kind` and PASV's
`municipality` as the requests' own fields.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from portal.applications.payload import agency_request as portal_agency_request
from portal.catalogue.definitions import Definition, Question, load_definitions
from portal.settings import PROJECT_ROOT
from sandbox.agencies.app import create_sandbox

JANIS, ANNA, ELZA, PETERIS = "150162-12342", "050694-14213", "329011-52842", "300978-15174"
ILZE, KRISTAPS, RASMA, EDGARS = "220470-16382", "327512-84427", "011245-11123", "328804-19324"
DACE, ROBERTS = "190583-11654", "321450-77313"
# DOMAIN.md's persona for each e-service: (applicant, about-person).
PERSONAS = {
    "vecuma-pensija": (JANIS, None),
    "invaliditates-pensija": (PETERIS, None),
    "apgadnieka-zaudejuma-pensija": (DACE, ROBERTS),
    "berna-piedzimsanas-pabalsts": (ANNA, ELZA),
    "vecaku-pabalsts": (ANNA, ELZA),
    "pabalsts-transporta-izdevumu-kompensesanai": (PETERIS, None),
    "invalida-kopsanas-pabalsts": (PETERIS, None),
    "pabalsts-aizbildnim-par-berna-uzturesanu": (ILZE, KRISTAPS),
    "atlidziba-par-aizbildna-pienakumu-pildisanu": (ILZE, None),
    "bezdarbnieka-pabalsts": (EDGARS, None),
    "vdeavk-invaliditates-ekspertize": (PETERIS, None),
    "aprupe-majas": (RASMA, None),
}
PATHS = {
    "vsaa": "/vsaa/v1/applications",
    "vdeavk": "/vdeavk/v1/expertise-applications",
    "pasv": "/pasv/v1/social-care-applications",
}
PREFIX = {"vsaa": "VSAA", "vdeavk": "VDEAVK", "pasv": "PASV"}
SUBMITTED_AT = "2026-11-20T10:15:00+02:00"
ADDRESS = {"street": "Brīvības iela 1-2", "town": "Rīga", "postcode": "LV-1010"}
numbers = itertools.count(400_001)

CATALOGUE = load_definitions(PROJECT_ROOT / "forms")


def sample(question: Question, choice: int) -> Any:
    """An answer as the engine stores it; `choice` picks which option of a choice, to walk other paths."""
    values = [c.value for c in question.choices or ()]
    match question.type:
        case "yes_no":
            return ("yes", "no")[choice % 2]
        case "choice" | "scale":
            return values[choice % len(values)]
        case "multi_choice":
            return values[: 1 + choice % len(values)]
        case "date":
            return "2026-11-20"
        case "address":
            return dict(ADDRESS)
        case "file":
            return []
        case "number":
            return "1"
        case "money":
            return "10.00"
        case "personal_code":
            return "010180-10006"
        case _:
            return "Ziņas ar garumzīmēm: ā, č, ē, ģ, ī, ķ, ļ, ņ, š, ū, ž."


def answers_for(definition: Definition, choice: int) -> dict[str, Any]:
    return {p.name: {q.name: sample(q, choice) for q in p.questions} for p in definition.pages}


def agency_request(
    definition: Definition, answers: dict[str, Any], applicant: str, about: str | None
) -> dict[str, Any]:
    flat, extra = portal_agency_request(definition, answers)
    agency = str(definition.agency)
    body: dict[str, Any] = {
        "reference": f"{PREFIX[agency]}-2026-{next(numbers):06d}",
        "applicant": {"personal_code": applicant},
        "filer": {"personal_code": applicant, "basis": "self"},
        "submitted_at": SUBMITTED_AT,
    }
    if agency == "vsaa":
        body |= {"service": definition.slug, "about_person": {"personal_code": about} if about else None}
    elif agency == "pasv":
        body |= {"service": definition.slug}
    return body | extra | {"answers": flat}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[TestClient[Any]]:
    with TestClient(create_sandbox()) as client:
        yield client


def test_every_e_service_has_its_persona():
    assert set(PERSONAS) == {slug for slug, d in CATALOGUE.items() if d.kind == "application"}


@pytest.mark.parametrize("choice", [0, 1, 2])
@pytest.mark.parametrize("slug", sorted(PERSONAS))
def test_the_sandbox_registers_answers_to_the_form(sandbox, slug, choice):
    definition = CATALOGUE[slug]
    applicant, about = PERSONAS[slug]
    body = agency_request(definition, answers_for(definition, choice), applicant, about)
    response = sandbox.post(PATHS[str(definition.agency)], json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text
    assert response.json()["reference"] == body["reference"]
