"""`/inbox` (a person's notices, for me or for the person I act for) and `/account/notifications` (how I want
to be told of new ones)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_303_SEE_OTHER
from sqlalchemy.ext.asyncio import AsyncSession

from portal.auth.access import Access, NotPermitted, Subject, subject_url
from portal.auth.guards import signed_in
from portal.catalogue.definitions import Definitions
from portal.notices.forms import NotificationsForm, notifications_context
from portal.notices.models import Notice
from portal.notices.presenters import shown
from portal.notices.store import NoticeStore
from portal.sync.service import utcnow
from portal.web.i18n import current_locale

NO_STORE = {"Cache-Control": "no-store"}


def notice_agencies(subject: Subject) -> list[str] | None:
    """The matters a subject's basis reaches: a mandate for VSAA shows VSAA's notices only."""
    return [agency.lower() for agency in subject.agencies] if subject.agencies else None


def _titles(definitions: Definitions) -> dict[str, str]:
    return {slug: definition.title for slug, definition in definitions.items()}


@get("/inbox", guards=[signed_in])
async def inbox(
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template:
    # Reading the list changes nothing: a notice is read when it is opened.
    notices = await NoticeStore(db_session).of_person(subject.person_id, notice_agencies(subject))
    titles = _titles(definitions)
    context = {"subject": subject, "notices": [shown(n, subject, titles) for n in notices]}
    return Template("pages/inbox/index.html", context=context, headers=NO_STORE)


async def _own_notice(store: NoticeStore, notice_id: uuid.UUID, subject: Subject) -> Notice:
    notice = await store.get(notice_id)
    # Another person's notice, or one of a matter the basis does not reach, is refused like a missing one.
    if notice is None or notice.person_id != subject.person_id or not subject.covers(notice.agency.upper()):
        raise NotPermitted()
    return notice


@get("/inbox/{notice_id:uuid}", guards=[signed_in])
async def notice_page(
    notice_id: FromPath[uuid.UUID],
    subject: NamedDependency[Subject],
    db_session: NamedDependency[AsyncSession],
    definitions: NamedDependency[Definitions],
) -> Template:
    """Opening a notice marks it read: its own page is what "opened" means, with JavaScript or without."""
    store = NoticeStore(db_session)
    notice = await _own_notice(store, notice_id, subject)
    await store.mark_read(notice, utcnow())
    context = {
        "subject": subject,
        "notice": shown(notice, subject, _titles(definitions)),
        "inbox_url": subject_url("/inbox", subject),
    }
    return Template("pages/inbox/notice.html", context=context, headers=NO_STORE)


def _own_account(access: Access) -> uuid.UUID:
    # The preferences are the signed-in citizen's own: nobody sets where another person's e-mail goes.
    if access.actor.kind != "citizen":
        raise NotPermitted()
    return access.actor.person_id


@get("/account/notifications", guards=[signed_in])
async def notifications(
    request: Request[Any, Any, Any], access: NamedDependency[Access], db_session: NamedDependency[AsyncSession]
) -> Template:
    chosen = await NoticeStore(db_session).preferences(_own_account(access))
    context = notifications_context(NotificationsForm.of(chosen), saved="saved" in request.query_params)
    return Template("pages/account/notifications.html", context=context, headers=NO_STORE)


@post("/account/notifications", guards=[signed_in], status_code=HTTP_200_OK)
async def save_notifications(
    request: Request[Any, Any, Any], access: NamedDependency[Access], db_session: NamedDependency[AsyncSession]
) -> Template | Redirect:
    person_id = _own_account(access)
    form = NotificationsForm(await request.form())
    if not form.validate():
        context = notifications_context(form, saved=False)
        return Template("pages/account/notifications.html", context=context, status_code=400, headers=NO_STORE)
    await NoticeStore(db_session).save_preferences(person_id, form.chosen(current_locale()), utcnow())
    return Redirect("/account/notifications?saved", status_code=HTTP_303_SEE_OTHER, headers=NO_STORE)


HANDLERS = [inbox, notice_page, notifications, save_notifications]
