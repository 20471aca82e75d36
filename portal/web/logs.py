"""Structured logs with a request id.

Each request gets an id (a well-formed incoming ``X-Request-ID`` is kept, otherwise a new one), bound to every
log line of the request and forwarded on every outgoing HTTP call (`portal.web.http`). Personal codes never
belong in logs; a last processor masks anything shaped like one, as a safety net rather than a licence.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Both formats of the Latvian personal code (DDMMYY-CNNNK and 32NNNN-NNNNN), with or without the hyphen.
# With the hyphen a code is unmistakable anywhere; eleven bare digits count only as a token of their own, since
# request ids (hex) often hold such a run.
_PERSONAL_CODE = re.compile(r"(?<!\d)\d{6}-\d{5}(?!\d)|(?<![0-9A-Za-z])\d{11}(?![0-9A-Za-z])")

request_id_var: ContextVar[str] = ContextVar("request_id", default="")


def mask_personal_codes(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = _PERSONAL_CODE.sub("[personas kods]", value)
    return event


# Libraries that log whole URLs (query strings included) at INFO are kept to warnings and errors.
QUIET_LIBRARIES = ("httpx", "httpcore", "granian", "alembic", "aiosqlite", "asyncio")


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the current sys.stderr, not the one that existed when logging was configured."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """One pipeline for our logs and the libraries': context, masking, then JSON (or plain text in a terminal)."""
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                mask_personal_codes,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )


def new_request_id(incoming: str | None) -> str:
    if incoming and _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Binds a request id to the logs, returns it in a header, and writes one access line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("portal.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = new_request_id(headers.get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1"))
        request_id_var.set(request_id)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # The path only: query strings may carry what people typed.
            self.log.info(
                "request",
                method=scope.get("method", ""),
                path=scope["path"],
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
