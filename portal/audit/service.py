"""Writing the audit trail. Every action is recorded; a read is recorded when the actor is not the subject,
once per actor, subject, record and session within READ_WINDOW, so browsing does not flood the trail."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portal.audit.models import AuditEvent
from portal.auth.access import Actor, Subject
from portal.web.logs import request_id_var

READ = "read"
READ_WINDOW = dt.timedelta(minutes=5)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ActivityPage:
    events: Sequence[AuditEvent]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class AuditTrail:
    def __init__(self, db: AsyncSession, now: Callable[[], dt.datetime] = _utcnow) -> None:
        self._db = db
        self._now = now

    async def action(self, actor: Actor, subject: Subject, action: str, record: str | None = None) -> None:
        self._add(actor, subject, action, record)

    async def read(self, actor: Actor, subject: Subject, record: str) -> bool:
        """Records a read of someone else's data; returns whether a row was written."""
        if actor.person_id == subject.person_id:
            return False
        since = self._now() - READ_WINDOW
        recent = await self._db.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.actor_id == actor.person_id,
                AuditEvent.subject_id == subject.person_id,
                AuditEvent.record == record,
                AuditEvent.session_ref == actor.session_ref,
                AuditEvent.action == READ,
                AuditEvent.occurred_at >= since,
            )
            .limit(1)
        )
        if recent is not None:
            return False
        self._add(actor, subject, READ, record)
        return True

    def _add(self, actor: Actor, subject: Subject, action: str, record: str | None) -> None:
        self._db.add(
            AuditEvent(
                occurred_at=self._now(),
                actor_id=actor.person_id,
                subject_id=subject.person_id,
                action=action,
                record=record,
                basis=subject.basis_code,
                request_id=request_id_var.get() or None,
                session_ref=actor.session_ref,
            )
        )

    async def by_others(self, subject_id: uuid.UUID, page: int, per_page: int = 20) -> ActivityPage:
        """What others did or read in this person's name, newest first."""
        where = (AuditEvent.subject_id == subject_id, AuditEvent.actor_id != subject_id)
        total = await self._db.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
        page = max(1, min(page, max(1, -(-total // per_page))))
        result = await self._db.execute(
            select(AuditEvent)
            .where(*where)
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return ActivityPage(result.scalars().all(), total, page, per_page)
