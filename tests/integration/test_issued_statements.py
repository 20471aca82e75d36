"""Issued statements and /verify: Jānis issues a statement as of now (POST, 303 to its "being prepared" page),
the worker renders and seals it once, he downloads the same bytes every time; anyone verifies it by its code or
by the PDF itself; one byte changed, a damaged file, an unknown or malformed code are each answered clearly and
never with a 500; checks are rate-limited (time moved, never slept); another person's statement is refused; VSAA
down offers the last issued statement, marked with its date."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from alembic import command
from litestar import Litestar
from litestar.testing import TestClient
from pypdf import PdfReader
from sqlalchemy import inspect, select, text

from portal.agencies.vsaa_data import STATEMENT_KINDS
from portal.app import create_app
from portal.auth.access import Basis, Subject
from portal.db.engine import create_engine
from portal.db.migrate import alembic_config, upgrade
from portal.documents.codes import normalise_code
from portal.documents.models import Document
from portal.documents.seal import seal_for
from portal.documents.service import DocumentRendering
from portal.people.models import Person
from portal.statements.issue_routes import issued_documents, latest_issued
from portal.web.i18n import translations
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_documents import fonts, structure_types
from tests.integration.test_sign_in import sign_in
from tests.vnu import CheckerUnavailable, html_errors

pytestmark = pytest.mark.postgres

JANIS, ANNA = "150162-12342", "050694-14213"
CODE = re.compile(r"\b[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
PREPARING_LV = "Izziņa tiek sagatavota"


@pytest.fixture
def portal(live_settings) -> Iterator[TestClient[Litestar]]:
    """The live app without its embedded worker (the test renders when it wants), a small /verify limit."""
    settings = live_settings.model_copy(update={"worker_in_web": False, "verify_rate_limit": 30})
    with TestClient(create_app(settings), base_url=PORTAL_URL) as client:
        client.event_hooks["response"].append(check_page)
        yield client


@pytest.fixture
def vsaa_fault(live_sandbox) -> Iterator[object]:
    def set_mode(mode: str) -> None:
        httpx.put(f"{live_sandbox.url}/_control/faults/vsaa", json={"mode": mode}).raise_for_status()

    yield set_mode
    set_mode("ok")


def csrf(client: TestClient[Litestar]) -> str:
    page = client.get("/verify")
    return re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)


def issue(client: TestClient[Litestar], kind: str = "EP43") -> httpx.Response:
    return client.post(f"/statements/{kind}/issue", data={"_csrf_token": csrf(client)}, follow_redirects=False)


def render(client: TestClient[Litestar]) -> int:
    settings = client.app.state.settings
    task = DocumentRendering(client.app.state.db_sessions, seal_for(settings), settings.public_url)
    return int(client.blocking_portal.call(task.run_once, dt.datetime.now(dt.UTC)))


def documents(client: TestClient[Litestar]) -> list[Document]:
    async def load() -> list[Document]:
        async with client.app.state.db_sessions() as db:
            return list(await db.scalars(select(Document).order_by(Document.requested_at)))

    return client.blocking_portal.call(load)


def upload(client: TestClient[Litestar], data: bytes) -> httpx.Response:
    files = {"file": ("statement.pdf", data, "application/pdf")}
    return client.post("/verify", data={"_csrf_token": csrf(client)}, files=files)


def test_a_statement_is_issued_prepared_rendered_once_and_verified_by_code_and_by_file(portal):
    sign_in(portal, personal_code=JANIS)
    issued = issue(portal)
    assert issued.status_code == 303
    url = issued.headers["location"]
    assert re.fullmatch(r"/statements/EP43/[0-9a-f-]{36}\.pdf", url), url

    waiting = portal.get(url)
    assert waiting.status_code == 200 and PREPARING_LV in waiting.text
    status_url = re.search(r'data-hx-get="([^"]+)"', waiting.text).group(1)
    assert portal.get(status_url, headers={"HX-Request": "true"}).status_code == 204

    assert render(portal) == 1 and render(portal) == 0, "rendered twice"
    ready = portal.get(status_url, headers={"HX-Request": "true"})
    assert ready.status_code == 286 and f'href="{url}"' in ready.text

    first, second = portal.get(url), portal.get(url)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    pdf = first.content
    assert pdf == second.content and first.headers["etag"] == f'"{hashlib.sha256(pdf).hexdigest()}"'
    (document,) = documents(portal)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest() and document.statement_kind == "EP43"

    # Tagged PDF/A-2a with a table of figures with header cells, Latvian glyphs embedded from our fonts.
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "lv"
    types = structure_types(root["/StructTreeRoot"])
    assert {"H1", "Table", "TH", "TD", "Figure", "Caption"} <= set(types), types
    assert types.count("Table") >= 3, "the key figures and the kind's full data (years, periods) as tables"
    assert all("Portal-Sans" in str(d["/FontName"]) for d in fonts(reader))
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="A"' in xmp
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Jānis Bērziņš" in text, text
    assert translations("lv").gettext(STATEMENT_KINDS["EP43"]) in text
    assert document.verification_code in text and JANIS not in text

    # By code: as typed from paper (lower case, no hyphens) too; nothing says whose it is.
    portal.cookies.clear()
    for typed in (document.verification_code, document.verification_code.replace("-", "").lower()):
        page = portal.get("/verify", params={"code": typed})
        assert page.status_code == 200 and "Dokuments ir īsts" in page.text, typed
        assert document.sha256 in page.text and "Jānis" not in page.text and JANIS not in page.text

    # By file: these bytes are genuine; one byte changed anywhere is not; a damaged file is not (and no 500).
    assert "Dokuments ir īsts" in upload(portal, pdf).text
    for position in (len(pdf) // 3, len(pdf) - 10):
        changed = bytearray(pdf)
        changed[position] ^= 0x01
        answer = upload(portal, bytes(changed))
        assert answer.status_code == 200 and "Fails nav īsts portāla dokuments" in answer.text, position
    for damaged in (pdf[: len(pdf) // 2], b"%PDF-1.7\n" + bytes(range(256)) * 4):
        answer = upload(portal, damaged)
        assert answer.status_code == 200 and "Fails nav īsts portāla dokuments" in answer.text


def test_a_file_with_our_fingerprint_but_a_broken_seal_is_not_genuine(portal):
    """The fingerprint alone is not enough: a stored document whose seal does not validate is refused."""
    sign_in(portal, personal_code=JANIS)
    url = issue(portal).headers["location"]
    render(portal)
    pdf = portal.get(url).content
    (document,) = documents(portal)
    # Another root: the same bytes (matching the fingerprint) are not trusted against it.
    other = seal_for(portal.app.state.settings.model_copy(update={"var_dir": portal.app.state.settings.var_dir / "x"}))
    from portal.verify.service import Outcome, Verifier

    async def verdict() -> Outcome:
        async with portal.app.state.db_sessions() as db:
            return (await Verifier(db, other.root).by_file(pdf)).outcome

    assert portal.blocking_portal.call(verdict) is Outcome.NOT_GENUINE
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()


def test_unknown_and_malformed_codes_are_answered_clearly(portal):
    unknown = portal.get("/verify", params={"code": "7K4M-Q2ZP-9XWD", "lang": "en"})
    assert unknown.status_code == 200 and "No document has this code" in unknown.text
    for malformed in ("7K4M", "7K4M-Q2ZP-9XWU", "x" * 500, " "):
        answer = portal.get("/verify", params={"code": malformed})
        assert answer.status_code == 400 and "error-summary" in answer.text, malformed
    empty = portal.post("/verify", data={"_csrf_token": csrf(portal)})
    assert empty.status_code == 400 and "error-summary" in empty.text


def test_checks_are_rate_limited_per_client_until_the_window_passes(portal):
    limiter = portal.app.state.verify_limiter
    moment = [1_000_000.0]
    limiter.now = lambda: moment[0]
    limit = portal.app.state.settings.verify_rate_limit
    for _ in range(limit):
        assert portal.get("/verify", params={"code": "7K4M-Q2ZP-9XWD"}).status_code == 200
    limited = portal.get("/verify", params={"code": "7K4M-Q2ZP-9XWD", "lang": "en"})
    assert limited.status_code == 429 and "Too many checks" in limited.text
    assert upload(portal, b"%PDF-1.7").status_code == 429
    assert portal.get("/verify").status_code == 200, "the page itself is never limited"
    moment[0] += portal.app.state.settings.verify_rate_window
    assert portal.get("/verify", params={"code": "7K4M-Q2ZP-9XWD"}).status_code == 200


def test_another_persons_statement_is_refused_as_if_it_did_not_exist(portal):
    sign_in(portal, personal_code=JANIS)
    url = issue(portal).headers["location"]
    status_url = url.replace(".pdf", "/status")
    portal.cookies.clear()
    sign_in(portal, personal_code=ANNA)
    assert portal.get(url).status_code == 404
    assert portal.get(status_url, headers={"HX-Request": "true"}).status_code == 404
    assert portal.get(url.replace("EP43", "EP47")).status_code == 404
    render(portal)
    assert portal.get(url).status_code == 404, "Anna got Jānis's statement"
    assert portal.get("/statements/EP99/issue").status_code in (404, 405)


def test_vsaa_down_offers_the_last_issued_statement_marked_with_its_date(portal, vsaa_fault):
    sign_in(portal, personal_code=JANIS)
    url = issue(portal, "EP47").headers["location"]
    render(portal)
    vsaa_fault("down")
    answer = issue(portal, "EP47")
    assert answer.status_code == 503
    assert "VSAA sistēma neatbild" in answer.text and "Šī nav jauna izziņa." in answer.text
    assert f'href="{url}"' in answer.text
    assert len(documents(portal)) == 1, "a statement was issued without VSAA's answer"


def _columns(url: str) -> tuple[set[str], list[str | None]]:
    """The documents table's columns and its rows' verification codes."""

    async def look() -> tuple[set[str], list[str | None]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                columns = await connection.run_sync(
                    lambda sync: {c["name"] for c in inspect(sync).get_columns("documents")}
                )
                codes = []
                if "verification_code" in columns:
                    codes = list((await connection.execute(text("SELECT verification_code FROM documents"))).scalars())
            return columns, codes
        finally:
            await engine.dispose()

    return asyncio.run(look())


def test_migration_0009_gives_every_document_a_code_and_goes_down_again(settings):
    url = settings.database_url
    upgrade(url, "0008")
    asyncio.run(_receipt_before_codes(url))
    columns, _ = _columns(url)
    assert "verification_code" not in columns and "withdrawn" not in columns
    upgrade(url, "0009")
    columns, codes = _columns(url)
    assert {"verification_code", "withdrawn", "statement_kind"} <= columns
    assert len(codes) == 1 and normalise_code(codes[0] or "") == codes[0], codes
    command.downgrade(alembic_config(url), "0008")
    columns, _ = _columns(url)
    assert not {"verification_code", "withdrawn", "statement_kind"} & columns


async def _receipt_before_codes(url: str) -> None:
    """A receipt row as 0008 knew it (no code), written with plain SQL: the model already has the new columns."""
    engine = create_engine(url)

    def key(value: uuid.UUID) -> object:
        return value.hex if url.startswith("sqlite") else value  # SQLAlchemy's Uuid is CHAR(32) on SQLite

    try:
        async with engine.begin() as connection:
            person = uuid.uuid4()
            await connection.execute(
                text(
                    "INSERT INTO persons (id, personal_code, given_name, family_name, created_at) "
                    "VALUES (:id, :code, 'Jānis', 'Bērziņš', :now)"
                ),
                {
                    "id": person.hex if url.startswith("sqlite") else person,
                    "code": JANIS,
                    "now": dt.datetime.now(dt.UTC),
                },
            )
            await connection.execute(
                text(
                    "INSERT INTO documents (id, kind, owner_id, locale, source, requested_at) "
                    "VALUES (:id, 'receipt', :owner, 'lv', '{}', :now)"
                ),
                {"id": key(uuid.uuid4()), "owner": key(person), "now": dt.datetime.now(dt.UTC)},
            )
    finally:
        await engine.dispose()


def test_the_pages_in_their_states_are_valid_html(portal, vsaa_fault, tmp_path):
    """Being prepared, the verdicts (genuine, unknown code, malformed, not genuine, too many) and VSAA down, in
    the Nu checker (the inventory cannot pin these states: the worker and the limit decide them)."""
    sign_in(portal, personal_code=JANIS)
    url = issue(portal).headers["location"]
    pages = {"preparing": portal.get(url).text}
    render(portal)
    (document,) = documents(portal)
    pages["genuine by code"] = portal.get("/verify", params={"code": document.verification_code}).text
    pages["genuine by file"] = upload(portal, portal.get(url).content).text
    pages["not genuine"] = upload(portal, b"%PDF-1.7 not ours").text
    pages["malformed"] = portal.get("/verify", params={"code": "7K4M", "lang": "en"}).text
    vsaa_fault("down")
    pages["vsaa down"] = issue(portal).text
    portal.app.state.verify_limiter.now = lambda: 0.0
    while (limited := portal.get("/verify", params={"code": "7K4M-Q2ZP-9XWD"})).status_code != 429:
        pass
    pages["limited"] = limited.text
    try:
        errors = html_errors(pages, tmp_path)
    except CheckerUnavailable as error:
        pytest.fail(str(error))
    assert not errors, "\n".join(errors)


def test_the_history_lists_each_kind_newest_first_and_a_withdrawn_one_says_so(portal):
    sign_in(portal, personal_code=JANIS)
    first = issue(portal, "EP48").headers["location"]
    assert issue(portal, "EP48").headers["location"] == first, "a double click issued a second statement"
    render(portal)
    second = issue(portal, "EP48").headers["location"]
    other = issue(portal, "EP61").headers["location"]
    render(portal)

    async def listed() -> tuple[list[str], dict[str, str]]:
        async with portal.app.state.db_sessions() as db:
            subject = await _janis(db)
            history = await issued_documents(db, subject, "EP48")
            latest = await latest_issued(db, subject)
            return [item["url"] for item in history["history"]], {k: v["url"] for k, v in latest.items()}

    history, latest = portal.blocking_portal.call(listed)
    assert history == [second, first]
    assert latest == {"EP48": second, "EP61": other}

    # Withdrawn: still found by its code, and the answer says it is no longer valid.
    async def withdraw() -> str:
        async with portal.app.state.db_sessions.begin() as db:
            document = await db.scalar(select(Document).where(Document.statement_kind == "EP61"))
            document.withdrawn = True
            return str(document.verification_code)

    code = portal.blocking_portal.call(withdraw)
    page = portal.get("/verify", params={"code": code, "lang": "en"})
    assert "has been withdrawn" in page.text and "The document is genuine" not in page.text


async def _janis(db):
    person = await db.scalar(select(Person).where(Person.personal_code == JANIS))
    return Subject.of(person, Basis.SELF)


def test_a_file_too_large_to_be_ours_is_refused_with_a_message(portal):
    limit = portal.app.state.settings.verify_max_upload_bytes
    answer = upload(portal, b"%PDF-1.7\n" + b"0" * (limit + 100_000))
    assert answer.status_code == 413 and "error-summary" in answer.text and "MB" in answer.text
