"""Mandates: granting, listing and ending them. Who may act for whom is decided in portal.auth.access."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.representation.models import Mandate
from portal.web.i18n import N_

AGENCIES = ("VSAA", "VDEAVK", "PASV")
LONGEST_MANDATE = dt.timedelta(days=5 * 366)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MandateRefused(Exception):
    """A grant the rules do not allow; `reason` is a message id for the page."""

    def __init__(self, reason: str, field: str = "holder_code") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field  # the form field the message belongs to


@dataclass(frozen=True)
class Grant:
    holder_id: uuid.UUID
    agencies: tuple[str, ...]  # empty: all matters
    valid_until: dt.date


class MandateService:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def held_by(self, holder_id: uuid.UUID, today: dt.date) -> Sequence[Mandate]:
        return await self._live(Mandate.holder_id == holder_id, today)

    async def granted_by(self, grantor_id: uuid.UUID, today: dt.date) -> Sequence[Mandate]:
        return await self._live(Mandate.grantor_id == grantor_id, today)

    async def _live(self, who: ColumnElement[bool], today: dt.date) -> Sequence[Mandate]:
        result = await self._db.execute(
            select(Mandate)
            .where(who, Mandate.ended_at.is_(None), Mandate.valid_until >= today)
            .order_by(Mandate.created_at)
        )
        return result.scalars().all()

    async def grant(
        self, grantor_id: uuid.UUID, grant: Grant, today: dt.date, mandate_id: uuid.UUID | None = None
    ) -> Mandate:
        if grant.holder_id == grantor_id:
            raise MandateRefused(N_("You cannot grant a mandate to yourself."))
        if grant.valid_until < today:
            raise MandateRefused(N_("The end date must be today or later."), "valid_until")
        if grant.valid_until > today + LONGEST_MANDATE:
            raise MandateRefused(N_("A mandate can last at most five years."), "valid_until")
        if any(agency not in AGENCIES for agency in grant.agencies):
            raise MandateRefused(N_("Choose the agencies from the list."), "agencies")
        live = await self.granted_by(grantor_id, today)
        if any(m.holder_id == grant.holder_id for m in live):
            raise MandateRefused(N_("This person already holds a mandate from you. End it first to grant a new one."))
        mandate = Mandate(
            id=mandate_id or uuid.uuid4(),
            grantor_id=grantor_id,
            holder_id=grant.holder_id,
            agencies=sorted(grant.agencies),
            valid_until=grant.valid_until,
            created_at=_utcnow(),
        )
        self._db.add(mandate)
        await self._db.flush()
        return mandate

    async def end(self, mandate_id: uuid.UUID, by: uuid.UUID, today: dt.date) -> Mandate | None:
        """Either side may end a live mandate; anyone else finds nothing to end."""
        result = await self._db.execute(
            select(Mandate).where(
                Mandate.id == mandate_id,
                or_(Mandate.grantor_id == by, Mandate.holder_id == by),
                Mandate.ended_at.is_(None),
                Mandate.valid_until >= today,
            )
        )
        mandate = result.scalar_one_or_none()
        if mandate is not None:
            mandate.ended_at = _utcnow()
            mandate.ended_by_id = by
        return mandate
