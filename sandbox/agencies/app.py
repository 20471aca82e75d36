"""The agency sandbox: stands in for VSAA, VDEĀVK, municipal social services, the population register and
e-adrese in dev and tests, as its own process over real HTTP. Its clock is the portal's business clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from litestar import Litestar, get, put
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from pydantic import BaseModel

from sandbox.agencies.eadrese import eadrese_router
from sandbox.agencies.idempotency import read_registrations
from sandbox.agencies.pasv import pasv_router
from sandbox.agencies.population_register import population_register_router
from sandbox.agencies.sealing import sealing_root
from sandbox.agencies.validation import ContractValidation
from sandbox.agencies.vdeavk import vdeavk_router
from sandbox.agencies.vsaa_applications import reseed_application, vsaa_applications_router
from sandbox.agencies.vsaa_data import read_reports, vsaa_data_router

START_DAY = dt.date(2026, 11, 20)
AGENCIES = ("vsaa", "vdeavk", "pasv", "pmlp", "eadrese")
FaultMode = Literal["ok", "down", "slow", "error", "refuse"]


class ClockBody(BaseModel):
    today: dt.date


class FaultBody(BaseModel):
    mode: FaultMode


@dataclass
class SandboxState:
    today: dt.date = START_DAY
    faults: dict[str, FaultMode] = field(default_factory=lambda: dict.fromkeys(AGENCIES, "ok"))


def _state(state: State) -> SandboxState:
    sandbox: SandboxState = state.sandbox
    return sandbox


@get("/_control/clock", sync_to_thread=False)
def read_clock(state: State) -> ClockBody:
    return ClockBody(today=_state(state).today)


@put("/_control/clock", sync_to_thread=False)
def set_clock(state: State, data: JSONBody[ClockBody]) -> ClockBody:
    _state(state).today = data.today
    return data


@put("/_control/faults/{agency:str}", sync_to_thread=False)
def set_fault(state: State, agency: FromPath[str], data: JSONBody[FaultBody]) -> FaultBody:
    if agency not in AGENCIES:
        raise NotFoundException(f"unknown agency {agency!r}")
    _state(state).faults[agency] = data.mode
    return data


@get("/healthz", sync_to_thread=False)
def healthz() -> str:
    return "ok"


class EchoRequestId:
    """Like the agencies' gateways, the sandbox answers with the caller's request id, so calls can be traced."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = dict(scope.get("headers", [])).get(b"x-request-id")

        async def send_with_id(message: Message) -> None:
            if request_id and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id)]
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_sandbox() -> Litestar:
    return Litestar(
        route_handlers=[
            read_clock,
            set_clock,
            set_fault,
            healthz,
            read_registrations,
            reseed_application,
            read_reports,
            sealing_root,
            population_register_router(),
            vdeavk_router(),
            pasv_router(),
            eadrese_router(),
            vsaa_applications_router(),
            vsaa_data_router(),
        ],
        state=State({"sandbox": SandboxState()}),
        # Outermost first: contract answers (400, 500) carry the caller's request id too.
        middleware=[EchoRequestId, ContractValidation],
    )
