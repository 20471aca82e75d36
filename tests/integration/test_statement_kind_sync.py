"""A statement kind's page keeps its full statement as a keyed answer (portal/statements/service.py); the sync
worker refreshes only the answers it has sources for, and leaves keyed ones to their page: were it to mark them
checked without asking, the page would tell the person that VSAA had failed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from portal.sync.models import KeptAnswer
from portal.sync.service import STATEMENT_SUMMARY, VSAA
from portal.sync.store import KeptAnswers
from tests.integration.test_sync import JANIS, T0, db_sessions, meet, register, task, vsaa

__all__ = ["db_sessions", "register", "task", "vsaa"]  # fixtures, used by name
LATER = T0 + dt.timedelta(hours=2)


async def test_the_worker_leaves_a_kept_statement_kind_to_its_page(db_sessions, task, vsaa):
    janis = await meet(db_sessions, JANIS, "Jānis")
    async with db_sessions() as db, db.begin():
        answers = KeptAnswers(db)
        await answers.keep(janis, VSAA, "statement", {"kind": "EP61"}, T0, T0, key="EP61")
        assert await answers.due(LATER, 10) == [], "a keyed answer alone makes nobody due"
        await answers.keep(janis, VSAA, STATEMENT_SUMMARY, {"v": 1}, T0, T0)
    await task.run_once(LATER)
    assert vsaa.calls == [(STATEMENT_SUMMARY, JANIS)], "the summary is refreshed"
    async with db_sessions() as db:
        row = (await db.execute(select(KeptAnswer).where(KeptAnswer.key == "EP61"))).scalar_one()
        assert row.checked_at.replace(tzinfo=dt.UTC) == T0, "the keyed answer is not marked as checked"
