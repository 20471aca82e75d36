"""File uploads through the app: checked by content, limited, scanned, stored outside static/ under random names."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import struct
import uuid
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from portal.app import create_app
from portal.applications.draft_models import Draft, DraftStatus, open_key
from portal.applications.upload_models import Upload
from portal.applications.uploads import (
    EICAR,
    ClamdScanner,
    Refusal,
    ScanFailed,
    UploadLimits,
    detect_type,
    refusal_text,
    sanitise_name,
)
from portal.people.models import Person
from portal.web.i18n import current_locale, set_locale
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_sign_in import JANIS, sign_in

pytestmark = pytest.mark.postgres

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
QUESTION_MAX = 50_000  # the definition's max_bytes
ROUTE_MAX = 200_000  # settings.upload_max_bytes: above it (and the form's framing) the body is not read at all

DEFINITION = f"""
slug: pielikumu-parbaude
kind: application
agency: vsaa
title: "Test benefit"
summary: "Apply for the test benefit when a test child is born."
decision_term_days: 10
pages:
  - name: about-you
    title: "What is your name?"
    questions:
      - name: name
        type: text
        label: "What is your name?"
  - name: documents
    title: "Add your documents"
    questions:
      - name: files
        type: file
        label: "Add your documents"
        max_files: 2
        max_bytes: {QUESTION_MAX}
  - name: proof
    title: "Add your proof"
    when: {{question: about-you.name, equals: "Nobody"}}
    questions:
      - name: files
        type: file
        label: "Add your proof"
declaration: "I confirm that the information I have given is true and complete."
what_next: "VSAA will decide within 30 days and tell you in your e-address and here in the portal."
"""


@pytest.fixture
def upload_settings(live_settings, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "pielikumu-parbaude.yaml").write_text(DEFINITION)
    return live_settings.model_copy(
        update={"forms_dir": forms, "upload_dir": tmp_path / "uploads", "upload_max_bytes": ROUTE_MAX}
    )


@pytest.fixture
def app(upload_settings):
    return create_app(upload_settings)


@pytest.fixture
def client(app):
    with TestClient(app, base_url=PORTAL_URL) as test_client:
        test_client.event_hooks["response"].append(check_page)
        assert sign_in(test_client, personal_code=JANIS).status_code == 303
        yield test_client


def run(client, work):
    return client.blocking_portal.call(work)


def make_draft(client, app, personal_code=JANIS):
    """A draft of the test service for the person with this code (made here if the portal has not met them)."""

    async def work():
        async with app.state.db_sessions() as db, db.begin():
            person = await db.scalar(select(Person).where(Person.personal_code == personal_code))
            now = dt.datetime.now(dt.UTC)
            if person is None:
                person = Person(personal_code=personal_code, given_name="Līga", family_name="Svešā", created_at=now)
                db.add(person)
                await db.flush()
            draft = Draft(
                service="pielikumu-parbaude",
                agency="vsaa",
                applicant_id=person.id,
                filer_id=person.id,
                basis="self",
                answers={"about-you": {"name": "Jānis Bērziņš"}},
                prefilled={},
                created_at=now,
                updated_at=now,
                expires_at=now + dt.timedelta(days=90),
                idempotency_key=uuid.uuid4().hex,
                status=DraftStatus.DRAFT.value,
                open_key=open_key("pielikumu-parbaude", person.id, None),
            )
            db.add(draft)
            await db.flush()
            return draft.id

    return run(client, work)


def stored(client, app, draft_id):
    async def work():
        async with app.state.db_sessions() as db:
            uploads = (await db.scalars(select(Upload).where(Upload.draft_id == draft_id))).all()
            draft = await db.get(Draft, draft_id)
            return list(uploads), draft.answers

    return run(client, work)


def token(client):
    return re.search(r'"x-csrftoken": "([^"]+)"', client.get("/overview").text).group(1)


def add(client, draft_id, name, data, content_type="application/pdf", page="documents"):
    return client.post(
        f"/applications/{draft_id}/{page}/files?question=files",
        data={"_csrf_token": token(client)},
        files={"file": (name, data, content_type)},
        follow_redirects=False,
    )


def refused_with(response, reason):
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/applications/") and "/documents?" in response.headers["location"]
    assert f"upload_error={reason.value}&question=files#files" in response.headers["location"]


def files_in(directory: Path):
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []


def test_a_pdf_and_a_png_are_accepted_and_stored_under_random_names_outside_static(client, app, upload_settings):
    draft_id = make_draft(client, app)
    first = add(client, draft_id, "izziņa.pdf", PDF)
    second = add(client, draft_id, "../../etc/foto\u202e.png", PNG, content_type="application/octet-stream")
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == f"/applications/{draft_id}/documents"
    uploads, answers = stored(client, app, draft_id)
    assert [(u.original_name, u.content_type, u.size) for u in uploads] == [
        ("izziņa.pdf", "application/pdf", len(PDF)),
        ("foto.png", "image/png", len(PNG)),
    ]
    # The answer is the list of upload ids; the other page's answers are untouched.
    assert answers == {"about-you": {"name": "Jānis Bērziņš"}, "documents": {"files": [str(u.id) for u in uploads]}}
    directory = upload_settings.uploads_path
    on_disk = files_in(directory)
    assert sorted(p.name for p in on_disk) == sorted(u.stored_name for u in uploads)
    assert all(re.fullmatch(r"[0-9a-f]{32}", p.name) for p in on_disk)
    assert {p.read_bytes() for p in on_disk} == {PDF, PNG}
    assert not directory.resolve().is_relative_to(upload_settings.static_root.resolve())


def test_a_file_that_lies_about_its_type_is_refused_and_nothing_is_kept(client, app, upload_settings):
    draft_id = make_draft(client, app)
    refused_with(add(client, draft_id, "izziņa.pdf", HTML), Refusal.WRONG_TYPE)
    refused_with(add(client, draft_id, "teksts.pdf", b"just some text", content_type="text/plain"), Refusal.WRONG_TYPE)
    uploads, answers = stored(client, app, draft_id)
    assert uploads == [] and answers == {"about-you": {"name": "Jānis Bērziņš"}}
    assert files_in(upload_settings.uploads_path) == []


@pytest.fixture
def in_locale():
    before = current_locale()
    yield set_locale
    set_locale(before)


def test_the_refusal_says_how_to_put_it_right(in_locale):
    limits = UploadLimits(max_bytes=QUESTION_MAX, max_files=2)
    in_locale("en")
    assert refusal_text("wrong-type", limits) == (
        "The selected file must be one of these types: PDF, JPG, PNG. Its content is not, whatever its name says."
    )
    assert refusal_text("too-large", limits) == "The selected file must be smaller than 50 KB. Choose a smaller file."
    assert refusal_text("<script>", limits) is None
    in_locale("lv")
    assert refusal_text("too-many", limits) == (
        "Var pievienot ne vairāk kā 2 datnes. Lai pievienotu citu, vispirms noņemiet kādu datni."
    )
    assert refusal_text("too-large", UploadLimits(max_bytes=2_500_000)) == (
        "Izvēlētajai datnei jābūt mazākai par 2,5 MB. Izvēlieties mazāku datni."
    )


def test_an_oversized_file_is_refused_with_its_own_message_and_the_answers_are_kept(client, app, upload_settings):
    draft_id = make_draft(client, app)
    # Larger than the question takes, but within the route's limit: read, then refused.
    refused_with(add(client, draft_id, "liels.pdf", PDF + b"0" * QUESTION_MAX), Refusal.TOO_LARGE)
    # Larger than the route reads at all: answered with the same redirect, not the generic 413 page.
    refused_with(add(client, draft_id, "milzīgs.pdf", PDF + b"0" * (ROUTE_MAX * 2)), Refusal.TOO_LARGE)
    uploads, answers = stored(client, app, draft_id)
    assert uploads == [] and answers == {"about-you": {"name": "Jānis Bērziņš"}}
    assert files_in(upload_settings.uploads_path) == []


def test_a_question_takes_only_so_many_files(client, app):
    draft_id = make_draft(client, app)
    assert add(client, draft_id, "a.pdf", PDF).status_code == 303
    assert add(client, draft_id, "b.png", PNG).status_code == 303
    refused_with(add(client, draft_id, "c.pdf", PDF), Refusal.TOO_MANY)
    uploads, _ = stored(client, app, draft_id)
    assert [u.original_name for u in uploads] == ["a.pdf", "b.png"]


def test_the_eicar_test_file_is_refused_by_the_stand_in(client, app, upload_settings):
    draft_id = make_draft(client, app)
    refused_with(add(client, draft_id, "vīruss.pdf", PDF + EICAR), Refusal.INFECTED)
    assert stored(client, app, draft_id)[0] == [] and files_in(upload_settings.uploads_path) == []


def test_an_empty_or_missing_file_is_refused(client, app):
    draft_id = make_draft(client, app)
    refused_with(add(client, draft_id, "tukšs.pdf", b""), Refusal.EMPTY)
    response = client.post(
        f"/applications/{draft_id}/documents/files", data={"_csrf_token": token(client)}, follow_redirects=False
    )
    refused_with(response, Refusal.NO_FILE)


def test_a_file_is_removed_with_its_answer(client, app, upload_settings):
    draft_id = make_draft(client, app)
    add(client, draft_id, "a.pdf", PDF)
    add(client, draft_id, "b.png", PNG)
    first, second = stored(client, app, draft_id)[0]
    response = client.post(
        f"/applications/{draft_id}/files/{first.id}/delete", data={"_csrf_token": token(client)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == f"/applications/{draft_id}/documents"
    uploads, answers = stored(client, app, draft_id)
    assert [u.id for u in uploads] == [second.id]
    assert answers["documents"] == {"files": [str(second.id)]}
    assert [p.name for p in files_in(upload_settings.uploads_path)] == [second.stored_name]


def test_another_persons_draft_cannot_be_touched(client, app, upload_settings):
    theirs = make_draft(client, app, personal_code="010190-10008")
    mine = make_draft(client, app)
    assert add(client, theirs, "a.pdf", PDF).status_code == 403
    add(client, mine, "a.pdf", PDF)
    (my_file,) = stored(client, app, mine)[0]
    data = {"_csrf_token": token(client)}
    # Their draft's id with my file, and a random draft: the same refusal, nothing removed.
    assert client.post(f"/applications/{theirs}/files/{my_file.id}/delete", data=data).status_code == 403
    assert client.post(f"/applications/{uuid.uuid4()}/files/{my_file.id}/delete", data=data).status_code == 403
    assert stored(client, app, theirs)[0] == [] and len(stored(client, app, mine)[0]) == 1
    assert len(files_in(upload_settings.uploads_path)) == 1


def test_an_upload_without_the_csrf_token_is_refused(client, app):
    draft_id = make_draft(client, app)
    response = client.post(
        f"/applications/{draft_id}/documents/files", files={"file": ("a.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 403
    assert stored(client, app, draft_id)[0] == []


def test_a_page_without_a_file_question_or_skipped_by_the_answers_takes_no_files(client, app):
    draft_id = make_draft(client, app)
    assert add(client, draft_id, "a.pdf", PDF, page="about-you").status_code == 404
    assert add(client, draft_id, "a.pdf", PDF, page="proof").status_code == 404
    assert add(client, draft_id, "a.pdf", PDF, page="no-such-page").status_code == 404
    assert stored(client, app, draft_id)[0] == []


def test_the_type_is_told_by_the_content():
    assert detect_type(PDF) == "application/pdf"
    assert detect_type(PNG) == "image/png"
    assert detect_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert detect_type(HTML) is None and detect_type(b"") is None


def test_names_are_only_for_showing():
    assert sanitise_name("C:\\Users\\jānis\\Izziņa.pdf") == "Izziņa.pdf"
    assert sanitise_name("../../.bashrc") == "bashrc"
    assert sanitise_name("a\u202egpj.exe") == "agpj.exe"
    assert sanitise_name("a\u0304.pdf") == "ā.pdf"  # NFC: one letter, as typed on a Latvian keyboard
    assert sanitise_name("") == "file"
    assert len(sanitise_name("x" * 500 + ".pdf")) == 120 and sanitise_name("x" * 500 + ".pdf").endswith(".pdf")


async def _fake_clamd(socket_path: Path, replies: list[bytes], received: list[bytes]):
    async def handle(reader, writer):
        assert await reader.readexactly(10) == b"zINSTREAM\0"
        body = b""
        while size := struct.unpack(">I", await reader.readexactly(4))[0]:
            body += await reader.readexactly(size)
        received.append(body)
        writer.write(replies.pop(0))
        await writer.drain()
        writer.close()

    return await asyncio.start_unix_server(handle, str(socket_path))


async def test_clamd_is_asked_over_its_socket(tmp_path):
    received: list[bytes] = []
    socket_path = tmp_path / "clamd.sock"
    server = await _fake_clamd(socket_path, [b"stream: OK\0", b"stream: Eicar-Signature FOUND\0"], received)
    scanner = ClamdScanner(socket_path)
    scanner.CHUNK = 7  # several chunks, as for a real file
    async with server:
        assert await scanner.is_infected(PDF) is False
        assert await scanner.is_infected(EICAR) is True
    assert received == [PDF, EICAR]


async def test_no_clamd_means_the_file_is_not_taken(tmp_path):
    with pytest.raises(ScanFailed):
        await ClamdScanner(tmp_path / "absent.sock").is_infected(PDF)


def test_the_page_shows_the_refusal_and_keeps_the_files_added(client, app):
    draft_id = make_draft(client, app)
    add(client, draft_id, "izziņa.pdf", PDF)
    client.cookies.set("lang", "en")
    refused = add(client, draft_id, "milzīgs.pdf", PDF + b"0" * (ROUTE_MAX * 2))
    page = client.get(refused.headers["location"])
    assert page.status_code == 200
    assert "The selected file must be smaller than 50 KB. Choose a smaller file." in page.text
    assert "izziņa.pdf" in page.text and 'enctype="multipart/form-data"' in page.text
    assert f'action="/applications/{draft_id}/documents/files?question=files"' in page.text
