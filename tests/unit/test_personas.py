"""sandbox/personas.yaml: well-formed personal codes, names, subjects and relations (shared with the dev IdP)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.settings import PROJECT_ROOT

PERSONAS_FILE: Path = PROJECT_ROOT / "sandbox" / "personas.yaml"
WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
OLD_FORMAT = re.compile(r"^(\d{2})(\d{2})(\d{2})-([012])(\d{3})(\d)$")
NEW_FORMAT = re.compile(r"^32\d{4}-\d{5}$")
CENTURY = {"0": 1800, "1": 1900, "2": 2000}


def load() -> dict[str, Any]:
    data = yaml.safe_load(PERSONAS_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


PERSONAS: list[dict[str, Any]] = load()["personas"]


def check_digit_ok(code: str) -> bool:
    digits = code.replace("-", "")
    total = sum(int(d) * w for d, w in zip(digits[:10], WEIGHTS, strict=True))
    return (1101 - total) % 11 == int(digits[10])


def birth_date_of(code: str) -> dt.date:
    match = OLD_FORMAT.match(code)
    assert match, code
    day, month, year, century = match.group(1), match.group(2), match.group(3), match.group(4)
    return dt.date(CENTURY[century] + int(year), int(month), int(day))


def test_the_check_digit_rule_itself() -> None:
    assert check_digit_ok("150162-12342")
    assert not check_digit_ok("150162-12343")
    assert birth_date_of("011245-11123") == dt.date(1945, 12, 1)


def test_the_twelve_personas_of_domain_md_are_there() -> None:
    assert len(PERSONAS) == 12
    names = {f"{p['given_name']} {p['family_name']}" for p in PERSONAS}
    assert {"Jānis Bērziņš", "Anna Kalniņa", "Elza Kalniņa", "Inese Kļaviņa", "Laura Zariņa"} <= names


@pytest.mark.parametrize("persona", PERSONAS, ids=[p["personal_code"] for p in PERSONAS])
def test_personal_code_is_well_formed(persona: dict[str, Any]) -> None:
    code = persona["personal_code"]
    assert isinstance(code, str)
    if code.startswith("32"):
        assert NEW_FORMAT.match(code), f"{code}: new format is 32 and nine more digits"
        assert len(code.replace("-", "")) == 11
    else:
        born = birth_date_of(code)  # raises on an impossible date
        assert persona.get("birth_date") == born.isoformat(), f"{code}: birth_date must match the code"
    assert check_digit_ok(code), f"{code}: wrong check digit"


@pytest.mark.parametrize("persona", PERSONAS, ids=[p["personal_code"] for p in PERSONAS])
def test_names_situation_and_birth_date_are_present(persona: dict[str, Any]) -> None:
    for field in ("given_name", "family_name", "situation"):
        assert isinstance(persona.get(field), str) and persona[field].strip(), f"{field} is empty"
    if "birth_date" in persona:
        assert isinstance(persona["birth_date"], str), "quote birth_date so YAML keeps it a string"
        assert dt.date.fromisoformat(persona["birth_date"]) <= dt.date.fromisoformat(load()["today"])


def test_subs_are_unique_uuids() -> None:
    subs = [p["sub"] for p in PERSONAS]
    assert all(str(uuid.UUID(s)) == s for s in subs)
    assert len(set(subs)) == len(subs)
    codes = [p["personal_code"] for p in PERSONAS]
    assert len(set(codes)) == len(codes)


def test_only_inese_is_staff() -> None:
    staff = {p["personal_code"]: p["staff"] for p in PERSONAS if "staff" in p}
    assert staff == {"120385-13468": {"role": "vpvkac_assistant", "organisation": "VPVKAC Cēsis"}}


def test_relations_point_at_personas_and_say_where_they_live() -> None:
    codes = {p["personal_code"] for p in PERSONAS}
    relations = load()["relations"]
    for relation in relations:
        assert relation["type"] in {"parent", "guardian", "mandate"}
        assert relation["representative"] in codes and relation["represented"] in codes
        assert relation["source"] == ("portal_database" if relation["type"] == "mandate" else "population_register")
    pairs = {(r["type"], r["representative"], r["represented"]) for r in relations}
    assert pairs == {
        ("parent", "050694-14213", "329011-52842"),  # Anna → Elza
        ("guardian", "220470-16382", "327512-84427"),  # Ilze → Kristaps
        ("parent", "190583-11654", "321450-77313"),  # Dace → Roberts
        ("mandate", "220470-16382", "011245-11123"),  # Ilze holds Rasma's mandate
    }
    (mandate,) = [r for r in relations if r["type"] == "mandate"]
    assert mandate["agencies"] == ["VSAA"] and mandate["valid_until"] == "2027-12-31"
