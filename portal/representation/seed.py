"""`portal seed`: the mandates the sandbox's personas hold in the portal's own database (dev and test only).

The population register holds parents and guardians; mandates between natural persons are the portal's, so the
sandbox cannot serve them: `sandbox/personas.yaml` lists them with `source: portal_database` and this puts them in.
Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.people.service import PersonDirectory
from portal.representation.models import Mandate
from portal.representation.service import Grant, MandateService

PERSONAS = Path(__file__).resolve().parents[2] / "sandbox" / "personas.yaml"


def seeded_mandates(personas_file: Path = PERSONAS) -> list[dict[str, Any]]:
    data = yaml.safe_load(personas_file.read_text(encoding="utf-8"))
    return [r for r in data["relations"] if r["type"] == "mandate" and r["source"] == "portal_database"]


async def seed_mandates(db: AsyncSession, personas_file: Path = PERSONAS) -> int:
    """Creates each persona mandate that is not there yet; returns how many it created.

    Dates are checked against the personas' own "today" (the sandbox's first day), not the wall clock."""
    data = yaml.safe_load(personas_file.read_text(encoding="utf-8"))
    today = dt.date.fromisoformat(data["today"])
    names = {p["personal_code"]: (p["given_name"], p["family_name"]) for p in data["personas"]}
    people = PersonDirectory(db)
    mandates = MandateService(db)
    created = 0
    for relation in seeded_mandates(personas_file):
        grantor = await people.meet(relation["represented"], *names[relation["represented"]])
        holder = await people.meet(relation["representative"], *names[relation["representative"]])
        existing = await db.scalar(
            select(Mandate.id).where(
                Mandate.grantor_id == grantor.id, Mandate.holder_id == holder.id, Mandate.ended_at.is_(None)
            )
        )
        if existing is None:
            grant = Grant(holder.id, tuple(relation.get("agencies", ())), dt.date.fromisoformat(relation["valid_until"]))
            await mandates.grant(grantor.id, grant, today)
            created += 1
    return created
