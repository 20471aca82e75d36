"""Receipts: asked for with the submission, rendered once by the worker as tagged PDF/A-2a, downloaded as the
same bytes by those who may see them. No PDF/A validator installs here, so the structure is checked with pypdf
(STACK.md): marked and tagged, headings and table header cells in the structure tree, /Lang, the title shown as
the window title, every font embedded, the PDF/A id in XMP, Latvian letters extractable as text."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from portal.app import create_app
from portal.applications.outbox import OutboxService
from portal.applications.outbox_models import Submission
from portal.catalogue.definitions import load_definitions
from portal.db.engine import create_engine, session_factory
from portal.documents.codes import new_code
from portal.documents.models import Document
from portal.documents.render import render_pdf_async
from portal.documents.seal import seal_for, seal_is_valid
from portal.documents.service import (
    AnswerRow,
    DocumentRendering,
    DocumentService,
    ReceiptDetails,
    receipt_details,
)
from portal.people.service import PersonDirectory
from portal.settings import Settings
from portal.web.i18n import set_locale, translations
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_sign_in import sign_in

pytestmark = pytest.mark.postgres

JANIS, ANNA, ELZA = "150162-12342", "050694-14213", "329011-52842"
T0 = dt.datetime(2026, 11, 20, 12, 5, tzinfo=dt.UTC)
DETAILS = ReceiptDetails(
    service_title="Old-age pension",
    decision_due=dt.date(2026, 12, 21),
    what_next="",
    answers=(
        AnswerRow("Bank account number (IBAN)", "LV80BANK0000435195001"),
        AnswerRow("Adrese", "Rīga, Ķīšezera iela 5 – ŠĶŪŅĢĻŽČ ākēīū"),
    ),
)


def rendering(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> DocumentRendering:
    """The worker's task as the app builds it: the seal kept in the settings' var dir, our public address."""
    return DocumentRendering(sessions, seal_for(settings), PORTAL_URL)


@pytest.fixture
async def sessions(migrated: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated.database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def submit_with_receipt(
    sessions: async_sessionmaker[AsyncSession], locale: str = "lv", applicant: str = JANIS, **extra: Any
) -> Submission:
    async with sessions() as db, db.begin():
        people = PersonDirectory(db)
        janis = await people.meet(JANIS, "Jānis", "Bērziņš")
        person = janis if applicant == JANIS else await people.meet(applicant, "Anna", "Kalniņa")
        submission = await OutboxService(db, now=lambda: T0).submit(
            agency="vsaa",
            service="vecuma-pensija",
            applicant=person,
            filer=person,
            basis="self",
            answers={"bank-account": {"iban": "LV80BANK0000435195001"}},
            today=T0.date(),
            **extra,
        )
        await DocumentService(db).request_receipt(submission, DETAILS, locale)
        return submission


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[Document]:
    async with sessions() as db:
        return list(await db.scalars(select(Document)))


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def structure_types(node: Any, seen: set[int] | None = None) -> list[str]:
    """Every structure element type (/S) under a node of the structure tree."""
    seen = set() if seen is None else seen
    node = _resolve(node)
    if isinstance(node, list):
        return [t for child in node for t in structure_types(child, seen)]
    if not isinstance(node, DictionaryObject) or id(node) in seen:
        return []
    seen.add(id(node))
    found = [str(node["/S"]).lstrip("/")] if "/S" in node else []
    return found + structure_types(node.get("/K", []), seen)


def fonts(reader: PdfReader) -> list[DictionaryObject]:
    """The descriptors of every font on every page (composite fonts through their descendants)."""
    descriptors = []
    for page in reader.pages:
        for font in _resolve(page["/Resources"]).get("/Font", {}).values():
            font = _resolve(font)
            for part in [font, *(_resolve(d) for d in font.get("/DescendantFonts", []))]:
                if "/FontDescriptor" in part:
                    descriptors.append(_resolve(part["/FontDescriptor"]))
    return descriptors


def check_receipt(pdf: bytes, lang: str, reference: str) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]), "not marked as tagged"
    assert root["/Lang"] == lang
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), "the title is not the window title"
    assert reference in reader.metadata.title
    types = structure_types(root["/StructTreeRoot"])
    assert "H1" in types and types.count("H2") >= 3, types
    assert {"Table", "TR", "TH", "TD"} <= set(types), types
    descriptors = fonts(reader)
    assert descriptors and all({"/FontFile", "/FontFile2", "/FontFile3"} & set(d) for d in descriptors)
    # Our own fonts (@font-face "Portal Sans": DejaVu files), not whatever fontconfig would substitute.
    assert all("Portal-Sans" in str(d["/FontName"]) for d in descriptors), [d["/FontName"] for d in descriptors]
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    (intent,) = root["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object().get_data()
    # Text as one line of single spaces: table cells wrap wherever the column width puts them.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


async def test_the_worker_renders_a_receipt_once_as_tagged_pdf_a(sessions, migrated):
    submission = await submit_with_receipt(sessions)
    task = rendering(sessions, migrated)
    assert (await stored(sessions))[0].content is None, "rendered in the request"
    assert await task.run_once(T0) == 1
    assert await task.run_once(T0) == 0, "rendered again"
    (document,) = await stored(sessions)
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    text = check_receipt(document.content, "lv", submission.reference)
    for expected in [
        "Latvijas e-pakalpojumu portāls",
        submission.reference,
        "Vecuma pensija",
        "Jānis Bērziņš",
        "2026. gada 20. novembris 14:05",  # Riga time, not UTC
        "2026. gada 21. decembris",
        "LV80BANK0000435195001",
        "Rīga, Ķīšezera iela 5 – ŠĶŪŅĢĻŽČ ākēīū",
    ]:
        assert expected in text, expected
    assert JANIS not in text
    # Sealed after the PDF/A render (the fingerprint is the sealed bytes'), with its code printed on it.
    # (In a thread, as /verify does: pyHanko's synchronous validation runs an event loop of its own.)
    assert await asyncio.to_thread(seal_is_valid, document.content, seal_for(migrated).root)
    assert document.verification_code and document.verification_code in text


async def test_an_english_receipt_is_in_english(sessions, migrated):
    submission = await submit_with_receipt(sessions, locale="en")
    await rendering(sessions, migrated).run_once(T0)
    (document,) = await stored(sessions)
    text = check_receipt(document.content, "en", submission.reference)
    assert "Old-age pension" in text and "20 November 2026, 14:05" in text and "Vecuma pensija" not in text


async def test_asking_twice_and_two_workers_at_once_keep_one_receipt(sessions, migrated):
    submission = await submit_with_receipt(sessions)
    async with sessions() as db, db.begin():
        again = await DocumentService(db).request_receipt(submission, DETAILS, "en")
    assert again.locale == "lv", "a second request replaced the first"
    # Two workers find it pending at once and both render it: the first to store it wins, the other's is dropped.
    one, other = rendering(sessions, migrated), rendering(sessions, migrated)
    [(document_id, html)], [(same_id, _)] = await one.pending(), await other.pending()
    assert same_id == document_id
    first = await render_pdf_async(html)
    assert await one.store(document_id, first, T0) is True
    assert await other.store(document_id, first + b"%% rendered again", T0) is False
    (document,) = await stored(sessions)
    assert document.content == first
    assert await rendering(sessions, migrated).run_once(T0 + dt.timedelta(days=1)) == 0
    (document,) = await stored(sessions)
    assert document.content == first


@pytest.fixture
def portal(live_settings: Settings) -> Iterator[TestClient[Litestar]]:
    """The live app without its embedded worker: the test decides when the receipt is rendered."""
    app = create_app(live_settings.model_copy(update={"worker_in_web": False}))
    with TestClient(app, base_url=PORTAL_URL) as client:
        client.event_hooks["response"].append(check_page)
        yield client


def test_a_receipt_is_prepared_then_downloaded_as_the_same_bytes_by_its_applicant_only(portal):
    sessions = portal.app.state.db_sessions
    submission = portal.blocking_portal.call(submit_with_receipt, sessions)
    url = f"/applications/{submission.id}/receipt.pdf"
    sign_in(portal, personal_code=JANIS)
    waiting = portal.get(url)
    assert waiting.status_code == 200 and "text/html" in waiting.headers["content-type"]
    assert "Kvīts tiek sagatavota" in waiting.text

    assert portal.blocking_portal.call(rendering(sessions, portal.app.state.settings).run_once, T0) == 1
    first, second = portal.get(url), portal.get(url)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content == second.content and first.content.startswith(b"%PDF-")
    assert first.headers["etag"] == f'"{hashlib.sha256(first.content).hexdigest()}"'
    assert "no-store" in first.headers["cache-control"]
    assert submission.reference in first.headers["content-disposition"]

    # Anna may not see Jānis's receipt: answered as if it did not exist, not as "being prepared".
    portal.cookies.clear()
    sign_in(portal, personal_code=ANNA)
    refused = portal.get(url)
    assert refused.status_code == 404 and "Kvīts tiek sagatavota" not in refused.text
    assert portal.get(f"/applications/{submission.applicant_id}/receipt.pdf").status_code == 404


def test_a_representative_downloads_the_receipt_of_the_child_it_is_about(portal):
    sessions = portal.app.state.db_sessions

    async def for_elza() -> Submission:
        async with sessions() as db, db.begin():
            elza = await PersonDirectory(db).meet(ELZA, "Elza", "Kalniņa")
        return await submit_with_receipt(sessions, applicant=ANNA, about_person=elza)

    submission = portal.blocking_portal.call(for_elza)
    portal.blocking_portal.call(rendering(sessions, portal.app.state.settings).run_once, T0)
    sign_in(portal, personal_code=ANNA)
    response = portal.get(f"/applications/{submission.id}/receipt.pdf")
    assert response.status_code == 200
    assert "Elza Kalniņa" in check_receipt(response.content, "lv", submission.reference)


async def test_a_receipt_from_a_definition_shows_its_title_term_and_answers_as_checked(sessions, migrated):
    definition = load_definitions(migrated.forms_dir)["vecuma-pensija"]
    set_locale("lv")
    try:
        details = receipt_details(definition, {"pension-start": {"claim_from": "2027-01-15"}}, T0.date())
    finally:
        set_locale("lv")
    assert details.service_title == definition.title and details.what_next == definition.what_next
    assert details.decision_due == T0.date() + dt.timedelta(days=definition.decision_term_days)
    assert (
        AnswerRow("From which date do you want to receive the pension?", "2027. gada 15. janvāris") in details.answers
    )

    async with sessions() as db, db.begin():
        janis = await PersonDirectory(db).meet(JANIS, "Jānis", "Bērziņš")
        submission = await OutboxService(db, now=lambda: T0).submit(
            agency="vsaa", service="vecuma-pensija", applicant=janis, filer=janis, basis="self", answers={}
        )
        await DocumentService(db).request_receipt(submission, details, "lv")
    await rendering(sessions, migrated).run_once(T0)
    (document,) = await stored(sessions)
    text = check_receipt(document.content, "lv", submission.reference)
    label = translations("lv").gettext("From which date do you want to receive the pension?")
    assert label != "From which date do you want to receive the pension?" and label in text
    assert "2027. gada 15. janvāris" in text and translations("lv").gettext(definition.what_next)[:40] in text


def test_a_submission_without_a_receipt_gets_one_in_the_language_the_person_reads(portal):
    sessions = portal.app.state.db_sessions

    async def submitted_without_receipt() -> Submission:
        async with sessions() as db, db.begin():
            janis = await PersonDirectory(db).meet(JANIS, "Jānis", "Bērziņš")
            return await OutboxService(db, now=lambda: T0).submit(
                agency="vsaa",
                service="vecuma-pensija",
                applicant=janis,
                filer=janis,
                basis="self",
                answers={"pension-start": {"claim_from": "2027-01-15"}},
            )

    submission = portal.blocking_portal.call(submitted_without_receipt)
    sign_in(portal, personal_code=JANIS)
    url = f"/applications/{submission.id}/receipt.pdf"
    waiting = portal.get(url, params={"lang": "en"})
    assert waiting.status_code == 200 and "Your receipt is being prepared" in waiting.text
    assert 'href="/applications/' in waiting.text and '/receipt.pdf">Try to download the receipt again' in waiting.text
    assert portal.blocking_portal.call(rendering(sessions, portal.app.state.settings).run_once, T0) == 1
    pdf = portal.get(url)
    assert pdf.status_code == 200
    text = check_receipt(pdf.content, "en", submission.reference)
    assert "Old-age pension" in text and "15 January 2027" in text and "20 December 2026" in text


async def test_a_document_that_cannot_be_rendered_does_not_hold_up_the_others(sessions, migrated):
    """VSAA's answer kept unreadable (as if the contract changed under it): that statement is logged and left for
    ten minutes, the receipt asked for after it is rendered at once."""
    async with sessions() as db, db.begin():
        janis = await PersonDirectory(db).meet(JANIS, "Jānis", "Bērziņš")
        broken = Document(
            kind="statement",
            statement_kind="EP43",
            owner_id=janis.id,
            locale="lv",
            source={"kind": "EP43", "as_of": "not a moment"},
            requested_at=T0 - dt.timedelta(minutes=1),
            verification_code=new_code(),
        )
        db.add(broken)
    await submit_with_receipt(sessions)
    task = rendering(sessions, migrated)
    assert await task.run_once(T0) == 1
    assert await task.run_once(T0 + dt.timedelta(minutes=1)) == 0, "the broken one was tried again at once"
    rendered = {document.kind: document.content is not None for document in await stored(sessions)}
    assert rendered == {"receipt": True, "statement": False}
    later = T0 + dt.timedelta(minutes=11)
    assert await task.run_once(later) == 0
    assert task._failed == {broken.id: later}, "not tried again after a while"
