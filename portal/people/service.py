"""Finding and recording the persons the portal meets."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from portal.people.models import Person


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PersonDirectory:
    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def meet(self, personal_code: str, given_name: str, family_name: str) -> Person:
        """The person with this code, recorded the first time they are met; names follow the latest source."""
        person = await self.by_code(personal_code)
        if person is None:
            person = Person(
                id=uuid.uuid4(),
                personal_code=personal_code,
                given_name=given_name,
                family_name=family_name,
                created_at=_utcnow(),
            )
            try:
                async with self._db.begin_nested():
                    self._db.add(person)
            except IntegrityError:
                # Met at the same moment by another request: theirs is the row.
                person = await self.by_code(personal_code)
                assert person is not None
        elif (person.given_name, person.family_name) != (given_name, family_name) and given_name:
            person.given_name, person.family_name = given_name, family_name
        return person

    async def by_code(self, personal_code: str) -> Person | None:
        result = await self._db.execute(select(Person).where(Person.personal_code == personal_code))
        return result.scalar_one_or_none()

    async def get(self, person_id: uuid.UUID) -> Person | None:
        return await self._db.get(Person, person_id)

    async def many(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Person]:
        wanted = set(ids)
        if not wanted:
            return {}
        result = await self._db.execute(select(Person).where(Person.id.in_(wanted)))
        return {person.id: person for person in result.scalars()}
