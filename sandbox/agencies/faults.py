"""Fault modes and problem answers shared by the agency sandboxes.

`fault_hook(agency, name)` is a Router `before_request` hook that answers as the agency's fault mode says
(`PUT /_control/faults/<agency>`), before any route of that agency runs:

    ok      the route answers as the contract says
    down    503 problem with Retry-After, as a system in maintenance
    error   500 problem, as a system that failed
    refuse  403 problem, as a gateway that refuses the caller's certificate or agreement
    slow    the route answers normally after SLOW_SECONDS (environment SANDBOX_SLOW_SECONDS; default 6 s, just
            beyond the portal's 5 s read timeout, so the portal sees a timeout); set it below 5 for a slow agency
            that still answers

`SLOW_SECONDS` is read on every request, so tests may monkeypatch it. Problems are RFC 9457 bodies that never
repeat a personal code: `bad_request` replaces Litestar's own 400, which would echo the body.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from litestar import Request, Response

if TYPE_CHECKING:
    from sandbox.agencies.app import SandboxState

PROBLEM_JSON = "application/problem+json"
DEFAULT_SLOW_SECONDS = 6.0
SLOW_SECONDS = float(os.environ.get("SANDBOX_SLOW_SECONDS", DEFAULT_SLOW_SECONDS))
RETRY_AFTER_SECONDS = 60

FaultHook = Callable[[Request[Any, Any, Any]], Awaitable[Response[dict[str, Any]] | None]]


def problem(
    status: int,
    title: str,
    *,
    detail: str | None = None,
    problem_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"title": title, "status": status}
    if problem_type is not None:
        body["type"] = problem_type
    if detail is not None:
        body["detail"] = detail
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def fault_hook(agency: str, name: str) -> FaultHook:
    """The before_request hook of one agency's router; `name` is how problem titles name the agency ("VSAA")."""

    async def apply_fault(request: Request[Any, Any, Any]) -> Response[dict[str, Any]] | None:
        sandbox: SandboxState = request.app.state.sandbox
        mode = sandbox.faults[agency]
        if mode == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        elif mode == "down":
            return problem(503, f"{name}'s system is not available", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
        elif mode == "error":
            return problem(500, f"{name}'s system failed")
        elif mode == "refuse":
            return problem(403, f"The caller may not ask {name}")
        return None

    return apply_fault


def bad_request(_request: Request[Any, Any, Any], _exc: Exception) -> Response[dict[str, Any]]:
    """Malformed JSON or the wrong shape; Litestar's own 400 would echo the body, personal code included."""
    return problem(400, "The request body is not of the documented shape")
