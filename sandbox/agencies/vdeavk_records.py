"""VDEĀVK's records in the sandbox: applications, the decisions they lead to, and the decisions' documents.

sandbox/agencies/vdeavk.py serves them; data/vdeavk.yaml seeds them (Pēteris's 2025 application and its group II
decision), and the portal's submissions add to them. An application's statuses and its decision are fixed when
it is registered; which of them a person sees depends only on the sandbox clock.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from litestar.datastructures import State

from sandbox.agencies import sealing
from sandbox.agencies.idempotency import timestamp
from sandbox.agencies.population_register import register

DATA_FILE = Path(__file__).resolve().parent / "data" / "vdeavk.yaml"
STATE_KEY = "vdeavk_records"
DECISION_DUE_MONTHS = 1
DOMAINS_LV = {
    "mobility": "pārvietoties",
    "self_care": "aprūpēt sevi",
    "communication": "sazināties",
    "learning": "mācīties",
    "domestic_life": "veikt mājas darbus",
    "relationships": "veidot attiecības ar citiem",
    "work_or_school": "strādāt vai mācīties",
    "community_life": "līdzdarboties sabiedrības dzīvē",
}


@dataclass(frozen=True)
class Decision:
    document_id: str
    outcome: Literal["granted", "refused"]
    group: str | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    functioning_limits: tuple[str, ...]

    def covers(self, today: dt.date) -> bool:
        if self.outcome != "granted" or self.valid_from is None or self.valid_from > today:
            return False
        return self.valid_until is None or today <= self.valid_until

    def term(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "since": iso(self.valid_from),
            "valid_until": iso(self.valid_until),
            "functioning_limits": list(self.functioning_limits),
        }


@dataclass(frozen=True)
class Application:
    reference: str
    personal_code: str
    kind: Literal["first", "renewal"]
    channel: Literal["portal", "office", "post"]
    received_at: dt.datetime
    in_progress_at: dt.datetime
    decided_at: dt.datetime
    answers: dict[str, Any]
    self_assessment: dict[str, Any] | None
    decision: Decision

    def history(self, today: dt.date) -> list[tuple[str, dt.datetime]]:
        steps = [("received", self.received_at), ("in_progress", self.in_progress_at), ("decided", self.decided_at)]
        return [steps[0], *((status, at) for status, at in steps[1:] if at.date() <= today)]

    def decided(self, today: dt.date) -> bool:
        return self.decided_at.date() <= today

    def as_json(self, today: dt.date) -> dict[str, Any]:
        history = self.history(today)
        return {
            "reference": self.reference,
            "kind": self.kind,
            "channel": self.channel,
            "status": history[-1][0],
            "received_at": timestamp(self.received_at),
            "decision_due": add_months(self.received_at.date(), DECISION_DUE_MONTHS).isoformat(),
            "history": [{"status": status, "at": timestamp(at)} for status, at in history],
            "decision_document_id": self.decision.document_id if self.decided(today) else None,
        }


@dataclass
class Records:
    applications: dict[str, Application] = field(default_factory=dict)
    sealed: dict[str, bytes] = field(default_factory=dict)

    def of(self, personal_code: str) -> list[Application]:
        """The person's applications, newest first."""
        mine = [a for a in self.applications.values() if a.personal_code == personal_code]
        return sorted(mine, key=lambda a: a.received_at, reverse=True)

    def current_term(self, personal_code: str, today: dt.date) -> Decision | None:
        terms = [a.decision for a in self.of(personal_code) if a.decided(today) and a.decision.covers(today)]
        return max(terms, key=lambda d: d.valid_from or dt.date.min, default=None)


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # the same day, or the month's last day when it has no such day
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


@functools.cache
def _seed() -> tuple[Application, ...]:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    return tuple(_seeded(item) for item in data["applications"])


def _seeded(item: dict[str, Any]) -> Application:
    decision = item["decision"]
    return Application(
        reference=item["reference"],
        personal_code=item["personal_code"],
        kind=item["kind"],
        channel=item["channel"],
        received_at=dt.datetime.fromisoformat(item["received_at"]),
        in_progress_at=dt.datetime.fromisoformat(item["in_progress_at"]),
        decided_at=dt.datetime.fromisoformat(item["decided_at"]),
        answers=item["answers"],
        self_assessment=item["self_assessment"],
        decision=Decision(
            document_id=decision["document_id"],
            outcome=decision["outcome"],
            group=decision["group"],
            valid_from=dt.date.fromisoformat(decision["valid_from"]),
            valid_until=dt.date.fromisoformat(decision["valid_until"]) if decision["valid_until"] else None,
            functioning_limits=tuple(decision.get("functioning_limits", ())),
        ),
    )


def records(state: State) -> Records:
    found: Records | None = state.get(STATE_KEY)
    if found is None:
        found = state[STATE_KEY] = Records({a.reference: a for a in _seed()})
    return found


def decision_json(application: Application) -> dict[str, Any]:
    decision = application.decision
    return {
        "document_id": decision.document_id,
        "reference": application.reference,
        "title": title(decision),
        "decided_on": application.decided_at.date().isoformat(),
        "outcome": decision.outcome,
        "group": decision.group,
        "valid_from": iso(decision.valid_from),
        "valid_until": iso(decision.valid_until),
    }


def title(decision: Decision) -> str:
    return "Lēmums par invaliditātes noteikšanu" if decision.outcome == "granted" else "Lēmums par atteikumu"


def _lv_date(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y.") if day else "uz mūžu"


def document(application: Application) -> sealing.PdfFileWriter:
    decision = application.decision
    person = register().persons.get(application.personal_code)
    name = f"{person.given_name} {person.family_name}" if person else "persona"
    limits = ", ".join(DOMAINS_LV[d] for d in decision.functioning_limits) or "nav norādīti"
    return sealing.simple_pdf(
        title(decision),
        [
            "Veselības un darbspēju ekspertīzes ārstu valsts komisija (VDEĀVK). Smilškastes dokuments, nav īsts.",
            f"Lēmuma datums: {_lv_date(application.decided_at.date())} Iesnieguma numurs: {application.reference}.",
            f"Persona: {name}, personas kods {application.personal_code}.",
            f"Noteikta {decision.group}. invaliditātes grupa no {_lv_date(decision.valid_from)} "
            f"līdz {_lv_date(decision.valid_until)}",
            f"Funkcionēšanas ierobežojumi: spēja {limits}.",
            "Lēmumu var apstrīdēt VDEĀVK vadītājam viena mēneša laikā no tā spēkā stāšanās dienas.",
        ],
    )
