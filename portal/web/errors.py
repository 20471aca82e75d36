"""Error pages: a clear page in the user's language for every failure, never a stack trace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from portal.web.i18n import N_

log = structlog.get_logger("portal.errors")


@dataclass(frozen=True)
class ErrorText:
    title: str
    message: str


ERRORS: dict[int, ErrorText] = {
    400: ErrorText(
        N_("The request could not be understood"),
        N_("Something in what was sent was not in the form we expected. Go back, check it and try again."),
    ),
    403: ErrorText(
        N_("You cannot do this"),
        N_("You do not have permission to open this page or to do this action."),
    ),
    404: ErrorText(
        N_("Page not found"),
        N_("If you typed the web address, check it is correct. If you followed a link, the page may have moved."),
    ),
    405: ErrorText(
        N_("This action is not possible here"),
        N_("This page cannot be used this way. Go back and use the links and buttons on the page."),
    ),
    413: ErrorText(
        N_("What you sent is too large"),
        N_("The form or file you sent is larger than we accept. Go back and send a smaller file or shorter text."),
    ),
    429: ErrorText(
        N_("Too many requests"),
        N_("You have sent too many requests in a short time. Wait a minute and try again."),
    ),
    500: ErrorText(
        N_("Sorry, something went wrong on our side"),
        N_("We have been told about the problem. Try again later. What you had saved is safe."),
    ),
    503: ErrorText(
        N_("The service is not available right now"),
        N_("The portal is not working at the moment. Try again later. What you had saved is safe."),
    ),
}
CSRF_TEXT = ErrorText(
    N_("The form could not be accepted"),
    N_(
        "The form was open for too long or was sent from another page. Go back, reload the page "
        "and send the form again."
    ),
)

NOT_PERMITTED_TEXT = ErrorText(
    N_("You cannot act for this person"),
    N_(
        "You can see and do things only for yourself and for the people you represent. Check whom you act for "
        "on the page “Acting for someone”."
    ),
)


def error_text(status: int, detail: str = "") -> ErrorText:
    if status == 403 and "CSRF" in detail:
        return CSRF_TEXT
    if status in ERRORS:
        return ERRORS[status]
    return ERRORS[400] if 400 <= status < 500 else ERRORS[500]


def error_page(request: Request[Any, Any, Any], status: int, text: ErrorText) -> Response[Any]:
    return Template(
        template_name="pages/error.html",
        context={"status": status, "error": text},
        status_code=status,
        media_type=MediaType.HTML,
        headers={"Cache-Control": "no-store"},
    )


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        log.error("server_error", status=status, path=request.url.path, error=type(exc).__name__)
    return error_page(request, status, error_text(status, str(exc.detail)))


def unexpected_exception_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled_error", path=request.url.path, error=type(exc).__name__)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR, ERRORS[500])


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    HTTPException: http_exception_handler,
    Exception: unexpected_exception_handler,
}
