"""`portal seed`: the mandates the sandbox's personas hold in the portal's own database (dev and test only).

The population register holds parents and guardians; mandates between natural persons are the portal's, so the
sandbox cannot serve them: `sandbox/personas.yaml` lists them with `source: portal_database` and this puts them in.
Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from portal.people.service import PersonDirectory
from portal.representation.models import Mandate
from portal.representation.service import Grant, MandateService

PERSONAS = Path(__file__).resolve().parents[2] / "sandbox" / "personas.yaml"


def seeded_mandate_id(grantor_code: str, holder_code: str) -> uuid.UUID:
    """The same id in every database, so that tests and the a11y inventory can name a seeded mandate's pages."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"portal-seed:mandate:{grantor_code}:{holder_code}")


def load_personas(personas_file: Path = PERSONAS) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(personas_file.read_text(encoding="utf-8"))
    return loaded


async def seed_mandates(db: AsyncSession, personas: dict[str, Any]) -> int:
    """Creates each persona mandate that is not there yet; returns how many it created.

    Dates are checked against the personas' own "today" (the sandbox's first day), not the wall clock."""
    today = dt.date.fromisoformat(personas["today"])
    names = {p["personal_code"]: (p["given_name"], p["family_name"]) for p in personas["personas"]}
    people = PersonDirectory(db)
    mandates = MandateService(db)
    created = 0
    for relation in personas["relations"]:
        if relation["type"] != "mandate" or relation["source"] != "portal_database":
            continue
        grantor = await people.meet(relation["represented"], *names[relation["represented"]])
        holder = await people.meet(relation["representative"], *names[relation["representative"]])
        mandate_id = seeded_mandate_id(relation["represented"], relation["representative"])
        # Once seeded, a mandate is left as it is: ending it in dev stays ended until the database is new.
        if await db.get(Mandate, mandate_id) is None:
            until = dt.date.fromisoformat(relation["valid_until"])
            grant = Grant(holder.id, tuple(relation.get("agencies", ())), until)
            await mandates.grant(grantor.id, grant, today, mandate_id)
            created += 1
    return created
