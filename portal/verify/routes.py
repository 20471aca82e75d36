"""`/verify`: public, no sign-in. GET with `?code=` (typed in the page's GET form, or the QR link), POST a PDF in
the field `file` (multipart, size-limited). Every check counts against the client's rate limit."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery
from litestar.response import Template
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_413_REQUEST_ENTITY_TOO_LARGE, HTTP_429_TOO_MANY_REQUESTS
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications.upload_routes import FORM_OVERHEAD, close_files
from portal.documents.seal import seal_for
from portal.settings import Settings
from portal.statements.presenters import statement_name
from portal.verify.limits import RateLimiter
from portal.verify.service import Outcome, Verdict, Verifier
from portal.web.errors import http_exception_handler
from portal.web.i18n import N_

PAGE = "pages/verify/index.html"
NO_STORE = {"Cache-Control": "no-store"}
# Problems with what was sent, as message ids (translated in the template).
NO_FILE = N_("Choose the PDF file of the document to check.")
TOO_LARGE = N_("The file is larger than %(size)s MB: it cannot be a document the portal issued.")
MALFORMED = N_("Enter the verification code as it is printed on the document, for example 7K4M-Q2ZP-9XWD.")


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _page(status: int = 200, **context: Any) -> Template:
    values = {
        "verdict": None,
        "code": "",
        "code_error": None,
        "file_error": None,
        "limited": False,
        "statement_name": statement_name,
        **context,
    }
    return Template(PAGE, context=values, status_code=status, headers=NO_STORE)


def _limited() -> Template:
    return _page(HTTP_429_TOO_MANY_REQUESTS, limited=True)


def _answer(verdict: Verdict, code: str = "") -> Template:
    if verdict.outcome is Outcome.MALFORMED_CODE:
        return _page(HTTP_400_BAD_REQUEST, code=code, code_error=MALFORMED)
    return _page(verdict=verdict, code=verdict.code or code)


def handlers(settings: Settings) -> list[HTTPRouteHandler]:
    """Built with the settings: the upload's size limit and the root seals are checked against."""
    root = seal_for(settings).root
    max_mb = settings.verify_max_upload_bytes // (1024 * 1024)

    def too_large(request: Request[Any, Any, Any], _: RequestEntityTooLarge) -> Response[Any]:
        close_files(request.scope)
        return _page(HTTP_413_REQUEST_ENTITY_TOO_LARGE, file_error=TOO_LARGE, file_error_size=max_mb)

    def refused(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
        close_files(request.scope)
        return http_exception_handler(request, exc)

    exception_handlers: ExceptionHandlersMap = {RequestEntityTooLarge: too_large, HTTPException: refused}

    @get("/verify")
    async def verify_page(
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        verify_limiter: NamedDependency[RateLimiter],
        code: FromQuery[str | None] = None,
    ) -> Template:
        if code is None:
            return _page()
        if not code.strip():
            return _page(HTTP_400_BAD_REQUEST, code_error=MALFORMED)
        if not await verify_limiter.allow(_client(request)):
            return _limited()
        return _answer(await Verifier(db_session, root).by_code(code), code)

    @post(
        "/verify",
        request_max_body_size=settings.verify_max_upload_bytes + FORM_OVERHEAD,
        exception_handlers=exception_handlers,
    )
    async def verify_upload(
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        verify_limiter: NamedDependency[RateLimiter],
    ) -> Template:
        try:
            form = await request.form()
            file = form.get("file")
            data = await file.read() if isinstance(file, UploadFile) else b""
        finally:
            close_files(request.scope)
        if not data:
            return _page(HTTP_400_BAD_REQUEST, file_error=NO_FILE)
        if not await verify_limiter.allow(_client(request)):
            return _limited()
        return _answer(await Verifier(db_session, root).by_file(data))

    return [verify_page, verify_upload]
