"""Client identifications: an assistant works in a client's name only while one is open."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.assistant.models import ClientIdentification


class IdentificationService:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def open_identification(
        self, identification_id: uuid.UUID, assistant_id: uuid.UUID
    ) -> ClientIdentification | None:
        result = await self._db.execute(
            select(ClientIdentification).where(
                ClientIdentification.id == identification_id,
                ClientIdentification.assistant_id == assistant_id,
                ClientIdentification.closed_at.is_(None),
            )
        )
        return result.scalar_one_or_none()
