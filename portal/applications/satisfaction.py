"""The satisfaction survey's ending: one anonymous response per sent survey, and the report staff read.

Exactly once, the same way as submitting (portal/applications/drafts.py): `send` first *deletes* the open draft with
one conditional DELETE, and only the caller whose DELETE removed the row stores a response. On PostgreSQL a second
sender's DELETE waits on the row lock until the first commits, then matches nothing; on SQLite writers are
serialised by the file lock (the DELETE is the transaction's first write). So a double click, a resent form or two
tabs keep one response, and nothing ties the response to the draft or the person once the draft is gone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.satisfaction_models import SatisfactionResponse
from portal.catalogue.conditions import effective_answers
from portal.catalogue.definitions import Definition

SCORES = (1, 2, 3, 4, 5)
# A Latvian personal code in either format (DDMMYY-CNNNK, 32NNNN-NNNNN), with a hyphen, a space or nothing between
# the parts: people are asked not to write one, and some will.
PERSONAL_CODE = re.compile(r"(?<![0-9])[0-9]{6}[-\s\u00a0]?[0-9]{5}(?![0-9])")
REPLACED_CODE = "[personas kods]"


def without_personal_codes(text: str) -> str:
    return PERSONAL_CODE.sub(REPLACED_CODE, text)


def _answers(definition: Definition, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The survey's answers by question name, from the pages that apply (the definition's shape is checked at
    start-up: a `score` and an optional `comment`, portal/catalogue/endings.py)."""
    counted = effective_answers(definition, answers).values()
    return {name: value for given in counted if isinstance(given, Mapping) for name, value in given.items()}


class SatisfactionService:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def send(self, draft: Draft, definition: Definition, today: dt.date, language: str) -> bool:
        """Stores the response of a complete survey draft and deletes the draft, in the caller's transaction.
        False when another send got there first (the draft was already gone): nothing more is stored."""
        given = _answers(definition, draft.answers)
        score, comment = str(given.get("score")), given.get("comment")
        if score not in {str(s) for s in SCORES}:
            raise ValueError("a satisfaction response needs a score of 1 to 5")  # the caller checks completeness
        claim = await self._db.execute(
            delete(Draft)
            .where(Draft.id == draft.id, Draft.status == DraftStatus.DRAFT.value)
            .execution_options(synchronize_session=False)
        )
        if getattr(claim, "rowcount", 0) != 1:
            return False
        self._db.expunge(draft)  # the row is gone: the session must not try to write the object back
        self._db.add(
            SatisfactionResponse(
                service=draft.context,
                score=int(score),
                comment=without_personal_codes(str(comment)) if comment else None,
                answered_on=today,
                language=language[:5],
            )
        )
        await self._db.flush()
        return True


@dataclass(frozen=True)
class ServiceScores:
    """One line of the report: a service (None: the survey was opened without one) and how it was scored."""

    service: str | None
    counts: Mapping[int, int]  # score -> number of answers, every score 1-5 present

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> Decimal:
        """The mean score to two places, rounded half up (no float error in what staff compare)."""
        total = sum(score * count for score, count in self.counts.items())
        return (Decimal(total) / Decimal(self.answers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


async def satisfaction_report(db: AsyncSession, since: dt.date | None = None) -> Sequence[ServiceScores]:
    """Per service, by slug (the unknown service last), the distribution of scores since the day given."""
    query = select(SatisfactionResponse.service, SatisfactionResponse.score, func.count()).group_by(
        SatisfactionResponse.service, SatisfactionResponse.score
    )
    if since is not None:
        query = query.where(SatisfactionResponse.answered_on >= since)
    counts: dict[str | None, dict[int, int]] = {}
    for service, score, count in (await db.execute(query)).all():
        counts.setdefault(service, dict.fromkeys(SCORES, 0))[int(score)] = int(count)
    order = sorted(counts, key=lambda service: (service is None, service or ""))
    return [ServiceScores(service, counts[service]) for service in order]
