"""Adding and removing a draft's files, without JavaScript: plain multipart forms answered with a 303 to the page.

A refused file goes back to its page as `?upload_error=<code>&question=<name>` (a code, never free text), and the
page shows the message next to the chooser (templates/components/file_list.html; `uploads.refusal_text`). The
upload route takes larger bodies than the rest of the portal (settings.upload_max_bytes); a body larger still is
answered the same way, not with the generic 413 page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.types import Empty, ExceptionHandlersMap, Scope
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncSession

from portal.applications import engine
from portal.applications.draft_models import Draft, DraftStatus
from portal.applications.drafts import DraftClosed, DraftService
from portal.applications.uploads import Refusal, UploadRefused, UploadService, limits_of, scanner_for
from portal.auth.access import Access, NotPermitted
from portal.auth.guards import not_permitted_page, signed_in
from portal.catalogue.definitions import Definitions, Question
from portal.settings import Settings
from portal.web.errors import http_exception_handler

# Room for the multipart framing and the CSRF and question fields around the file itself.
FORM_OVERHEAD = 64 * 1024
NO_STORE = {"Cache-Control": "no-store"}


def back_to_page(draft_id: uuid.UUID, page: str, refusal: Refusal | None = None, question: str = "") -> Redirect:
    query = "?" + urlencode({"upload_error": refusal.value, "question": question}) if refusal else ""
    # The file input's id is the question's name, as the engine's error summary links expect (engine.input_id).
    anchor = f"#{quote(question)}" if question else ""
    return Redirect(f"/applications/{draft_id}/{quote(page)}{query}{anchor}", status_code=HTTP_303_SEE_OTHER)


def close_files(scope: Scope) -> None:
    """Closes the spooled files of the form read for this request. Litestar closes them only for a handler that
    takes the form as `data`; these routes read it by hand, and the CSRF middleware may read it and refuse."""
    form = ScopeState.from_scope(scope).form
    if form is Empty:
        return
    for value in form.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadFile):
                item.file.close()


def too_large(request: Request[Any, Any, Any], _: RequestEntityTooLarge) -> Response[Any]:
    """The body was larger than even the upload route takes: back to the page with the size message.

    Raised while the CSRF middleware reads the form, before the handler; nothing was read into the draft and no
    access check is needed, since the page the person is sent to makes its own."""
    close_files(request.scope)
    draft_id, page = request.path_params["draft_id"], request.path_params["page"]
    # The form was not read, so the question comes from the form's action (file_list.html puts it there).
    return back_to_page(draft_id, page, Refusal.TOO_LARGE, request.query_params.get("question", ""))


def refused(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """A CSRF refusal (or another HTTP error) after the form was read: its files closed, then the usual page."""
    close_files(request.scope)
    return http_exception_handler(request, exc)


def not_permitted(request: Request[Any, Any, Any], exc: NotPermitted) -> Response[Any]:
    close_files(request.scope)
    return not_permitted_page(request, exc)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    RequestEntityTooLarge: too_large,
    HTTPException: refused,
    NotPermitted: not_permitted,
}


def _file_question(definitions: Definitions, draft: Draft, page_name: str, name: str | None) -> Question:
    definition = definitions.get(draft.service)
    # Only a page the answers so far make apply: a skipped page's URL is no way to attach files to it.
    page = engine.find_page(definition, draft.answers, page_name) if definition else None
    files = [q for q in page.questions if q.type == "file"] if page else []
    question = next((q for q in files if q.name == name), None) if name else (files[0] if files else None)
    if question is None:
        raise NotFoundException()
    return question


def handlers(settings: Settings) -> list[HTTPRouteHandler]:
    """The upload routes, built with the settings: the body limit and the scanner are fixed when the app is."""
    scanner = scanner_for(settings)

    def service(db: AsyncSession) -> UploadService:
        return UploadService(db, settings.uploads_path, scanner)

    @post(
        "/applications/{draft_id:uuid}/{page:str}/files",
        guards=[signed_in],
        request_max_body_size=settings.upload_max_bytes + FORM_OVERHEAD,
        exception_handlers=EXCEPTION_HANDLERS,
        status_code=HTTP_303_SEE_OTHER,
        response_headers=NO_STORE,
    )
    async def add_file(
        request: Request[Any, Any, Any],
        draft_id: FromPath[uuid.UUID],
        page: FromPath[str],
        access: NamedDependency[Access],
        db_session: NamedDependency[AsyncSession],
        definitions: NamedDependency[Definitions],
    ) -> Redirect:
        draft = await DraftService(db_session).get_for(draft_id, access)
        if draft.status != DraftStatus.DRAFT.value:
            return Redirect(f"/applications/{draft_id}", status_code=HTTP_303_SEE_OTHER)
        form = await request.form()
        try:
            name = request.query_params.get("question") or form.get("question")
            question = _file_question(definitions, draft, page, name if isinstance(name, str) else None)
            file = form.get("file")
            upload = file if isinstance(file, UploadFile) else None
            data = await upload.read() if upload else b""
            filename = upload.filename if upload else None
        finally:
            close_files(request.scope)
        uploads = service(db_session)
        limits = limits_of(question, settings.upload_max_bytes)
        try:
            added = await uploads.accept(
                draft.id, f"{page}.{question.name}", filename, data, limits, dt.datetime.now(dt.UTC)
            )
        except UploadRefused as refused:
            return back_to_page(draft.id, page, refused.reason, question.name)
        except DraftClosed:  # submitted in another tab while the file was checked
            return Redirect(f"/applications/{draft_id}", status_code=HTTP_303_SEE_OTHER)
        await _record(db_session, draft, page, question.name, uploads, added_id=added.id)
        return back_to_page(draft.id, page)

    @post(
        "/applications/{draft_id:uuid}/files/{upload_id:uuid}/delete",
        guards=[signed_in],
        exception_handlers=EXCEPTION_HANDLERS,
        status_code=HTTP_303_SEE_OTHER,
        response_headers=NO_STORE,
    )
    async def remove_file(
        draft_id: FromPath[uuid.UUID],
        upload_id: FromPath[uuid.UUID],
        access: NamedDependency[Access],
        db_session: NamedDependency[AsyncSession],
    ) -> Redirect:
        draft = await DraftService(db_session).get_for(draft_id, access)
        if draft.status != DraftStatus.DRAFT.value:
            return Redirect(f"/applications/{draft_id}", status_code=HTTP_303_SEE_OTHER)
        uploads = service(db_session)
        removed = await uploads.remove(draft.id, upload_id)
        if removed is None:
            raise NotFoundException()
        page, _, question = removed.question_key.partition(".")
        await _record(db_session, draft, page, question, uploads)
        return back_to_page(draft.id, page)

    return [add_file, remove_file]


async def _record(
    db: AsyncSession,
    draft: Draft,
    page: str,
    question: str,
    uploads: UploadService,
    added_id: uuid.UUID | None = None,
) -> None:
    """Keeps the question's answer (the list of upload ids, DESIGN) equal to the files the draft holds."""
    ids = [str(u.id) for u in await uploads.list_for(draft.id, f"{page}.{question}")]
    if added_id is not None and str(added_id) not in ids:  # pragma: no cover - flushed before listing
        ids.append(str(added_id))
    current = draft.answers.get(page)
    answers = dict(current) if isinstance(current, dict) else {}
    answers[question] = ids
    await DraftService(db).save_page(draft, page, answers)
