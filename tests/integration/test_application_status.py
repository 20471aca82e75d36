"""Where an application stands, over HTTP against a sandbox of the test's own (answers and withdrawals change
Edgars's office application, which the session's sandbox keeps open as DOMAIN.md says): the merged list, the
timeline, the paused decision term, answering VSAA's request once, withdrawal, the decision and how to contest
it, the sealed decision served through the portal, access, and VSAA down."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from portal.people.service import PersonDirectory
from portal.representation.service import Grant, MandateService
from tests.conftest import agency_urls
from tests.integration.conftest import start_sandbox
from tests.integration.test_html_valid import janis_pension_drafts
from tests.integration.test_journey import csrf, deliver_due
from tests.integration.test_representation import REFUSED, person_id
from tests.integration.test_sign_in import sign_in
from tests.servers import Server

EDGARS, JANIS, PETERIS, ILZE, RASMA = "328804-19324", "150162-12342", "300978-15174", "220470-16382", "011245-11123"
EDGARS_APPLICATION = "VSAA-2026-903118"
PAGE = f"/applications/sent/{EDGARS_APPLICATION}"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
NOT_ANSWERING = "VSAA sistēma pašlaik neatbild."

# Kept answers are written while a page waits on VSAA: the PostgreSQL tier runs these too.
pytestmark = pytest.mark.postgres


@pytest.fixture
def own_sandbox(tmp_path) -> Iterator[Server]:
    server = start_sandbox(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def live_settings(live_settings, own_sandbox):
    """The portal on the test's own sandbox; no worker in the web process, so the tests decide what is fetched."""
    return live_settings.model_copy(
        update={"sandbox_url": own_sandbox.url, **agency_urls(own_sandbox.url), "worker_in_web": False}
    )


@pytest.fixture
def sandbox(own_sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=own_sandbox.url, timeout=10) as client:
        yield client


@pytest.fixture
def edgars(live_client):
    sign_in(live_client, personal_code=EDGARS)
    return live_client


def registered(sandbox: httpx.Client, act: str) -> list[str]:
    book = sandbox.get("/_control/vsaa/registrations").json()["registered"]
    return [r["id"] for r in book if r["id"] == f"{EDGARS_APPLICATION}/{act}"]


def answer(client, text: str = "Izziņa pievienota.", file: tuple[str, bytes, str] | None = None, **extra):
    page = client.get(PAGE)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    data = {"_csrf_token": token, "request_id": request_id, "text": text, **extra}
    files = {"file": file} if file else {"file": ("", b"", "application/octet-stream")}
    return client.post(f"{PAGE}/information", data=data, files=files, follow_redirects=False)


def test_edgars_sees_his_office_application_waiting_for_his_employers_certificate(edgars):
    listed = edgars.get("/applications")
    assert listed.status_code == 200
    assert f'href="{PAGE}"' in listed.text and "Pieprasīta informācija" in listed.text
    assert "VSAA dati uz 2026. gada 20. novembris" in listed.text  # the agency's row says how current it is
    page = edgars.get(PAGE)
    assert page.status_code == 200
    assert "pēdējā darba devēja izziņu par darba attiecību izbeigšanu" in page.text
    assert "Atbildiet līdz 2026. gada 4. decembris." in page.text
    # 30 days from receipt on 2 November would end on 2 December; paused on 6 November with 26 days left.
    assert "būs atlikušas 26 dienas" in page.text
    assert "VSAA klientu apkalpošanas centrā" in page.text  # the office's own note in the timeline
    assert 'enctype="multipart/form-data"' in page.text and f"{PAGE}/withdraw" in page.text


def test_edgars_answers_once_and_the_decision_term_runs_again(edgars, sandbox):
    sent = answer(edgars, file=("izzina.pdf", PDF, "application/pdf"))
    assert sent.status_code == 303 and sent.headers["location"] == f"{PAGE}?done=answered"
    page = edgars.get(sent.headers["location"])
    assert "Jūsu atbilde ir nosūtīta VSAA." in page.text and "Tiek izskatīts" in page.text
    assert "Saņemta papildu informācija." in page.text and 'name="request_id"' not in page.text
    # Paused from 6 to 20 November (14 days): 2 December + 14 days.
    assert "Līdz 2026. gada 16. decembris" in page.text
    assert registered(sandbox, "information") == [f"{EDGARS_APPLICATION}/information"]
    # The same form sent again (a second click, the back button) sends nothing: the request is no longer open.
    again = edgars.post(
        f"{PAGE}/information",
        data={"_csrf_token": csrf(edgars, PAGE), "request_id": "VSAA-2026-903118-1", "text": "Vēlreiz."},
        follow_redirects=False,
    )
    assert again.status_code == 303 and again.headers["location"] == PAGE
    assert len(registered(sandbox, "information")) == 1


@pytest.mark.parametrize(
    ("text", "file", "message"),
    [
        ("", None, "Uzrakstiet atbildi vai pievienojiet datni."),
        ("x" * 5001, None, "ne vairāk kā 5000 rakstzīmēs"),
        ("Lūdzu.", ("izzina.docx", b"PK\x03\x04 not a pdf", "application/pdf"), "PDF, JPG, PNG"),
        (
            "Lūdzu.",
            (
                "virus.pdf",
                PDF + rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
                "application/pdf",
            ),
            "vīrus",
        ),
    ],
)
def test_a_bad_answer_is_refused_with_its_reason_and_nothing_is_sent(edgars, sandbox, text, file, message):
    refused = answer(edgars, text=text, file=file)
    assert refused.status_code == 400 and message in refused.text
    assert "Pieprasīta informācija" in refused.text and registered(sandbox, "information") == []


def test_a_file_larger_than_vsaa_takes_is_refused_with_the_size_message(edgars, sandbox):
    # Just over VSAA's 5 MB (5 × 1024 × 1024 bytes, "5,2 MB" in decimal units): read and refused on the page.
    refused = answer(edgars, file=("liela.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf"))
    assert refused.status_code == 400 and "mazākai par 5,2 MB" in refused.text
    # Larger than the route reads at all: back to the page with the same message.
    too_big = answer(edgars, file=("liela.pdf", PDF + b"0" * (6 * 1024 * 1024), "application/pdf"))
    assert too_big.status_code == 303 and "upload_error=too-large" in too_big.headers["location"]
    page = edgars.get(too_big.headers["location"])
    assert page.status_code == 200 and "mazākai par 5,2 MB" in page.text
    assert registered(sandbox, "information") == []


def test_vsaa_down_while_answering_keeps_the_words_and_sends_nothing(edgars, sandbox):
    edgars.get(PAGE)
    assert sandbox.put("/_control/faults/vsaa", json={"mode": "down"}).status_code == 200
    token = csrf(edgars, PAGE)
    failed = edgars.post(
        f"{PAGE}/information",
        data={"_csrf_token": token, "request_id": "VSAA-2026-903118-1", "text": "Izziņa būs rīt."},
        follow_redirects=False,
    )
    assert failed.status_code == 503 and "jūsu atbilde nav nosūtīta" in failed.text
    assert "Izziņa būs rīt." in failed.text and NOT_ANSWERING in failed.text


def test_edgars_withdraws_his_application_once(edgars, sandbox):
    confirm = edgars.get(f"{PAGE}/withdraw")
    assert confirm.status_code == 200 and "Atsaukt iesniegumu?" in confirm.text
    done = edgars.post(
        f"{PAGE}/withdraw", data={"_csrf_token": csrf(edgars, f"{PAGE}/withdraw")}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == f"{PAGE}?done=withdrawn"
    page = edgars.get(done.headers["location"])
    assert "Iesniegums ir atsaukts." in page.text and "atsauca iesniedzējs" in page.text
    assert f"{PAGE}/withdraw" not in page.text and "Lēmuma termiņš" not in page.text
    assert edgars.get(f"{PAGE}/withdraw", follow_redirects=False).headers["location"] == PAGE
    assert registered(sandbox, "withdrawal") == [f"{EDGARS_APPLICATION}/withdrawal"]


def test_the_decision_shows_how_to_contest_it_and_its_sealed_document(edgars, sandbox):
    assert answer(edgars).status_code == 303
    assert sandbox.put("/_control/clock", json={"today": "2026-11-25"}).status_code == 200
    page = edgars.get(PAGE)
    assert "Pieņemts lēmums" in page.text and "VSAA ir piešķīrusi to, ko pieprasījāt." in page.text
    # Decided on 25 November (three working days after the answer): contested by 25 December.
    assert "Lēmums pieņemts 2026. gada 25. novembris" in page.text
    assert "apstrīdiet to līdz 2026. gada 25. decembris" in page.text and "Administratīvajā rajona tiesā" in page.text
    assert f"{PAGE}/withdraw" not in page.text
    document = edgars.get(f"{PAGE}/decision")
    assert document.status_code == 200 and document.headers["content-type"] == "application/pdf"
    assert document.content.startswith(b"%PDF-") and b"/ByteRange" in document.content  # sealed by VSAA
    assert edgars.get(f"{PAGE}/decision").content == document.content


def test_another_persons_application_is_refused_like_one_that_does_not_exist(live_client):
    sign_in(live_client, personal_code=JANIS)
    for path in (
        PAGE,
        f"{PAGE}/withdraw",
        f"{PAGE}/decision",
        "/applications/sent/VSAA-2026-999999",
        "/applications/sent/x",
    ):
        refused = live_client.get(path)
        assert refused.status_code == 403 and REFUSED in refused.text, path
    token = csrf(live_client, "/applications/sent/VSAA-2023-901877")  # his own sickness benefit
    for path in (f"{PAGE}/withdraw", f"{PAGE}/information"):
        refused = live_client.post(path, data={"_csrf_token": token, "text": "x"}, follow_redirects=False)
        assert refused.status_code == 403, path


def test_a_vsaa_mandate_reaches_the_grantors_applications_and_another_does_not(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    listed = live_client.get(f"/applications?for={rasma}")
    assert listed.status_code == 200 and f"/applications/sent/VSAA-2007-900057?for={rasma}" in listed.text
    assert live_client.get(f"/applications/sent/VSAA-2007-900057?for={rasma}").status_code == 200

    async def grant() -> None:
        async with live_client.app.state.db_sessions() as db, db.begin():
            people = PersonDirectory(db)
            peteris = await people.meet(PETERIS, "Pēteris", "Ozols")
            janis = await people.meet(JANIS, "Jānis", "Bērziņš")
            await MandateService(db).grant(
                peteris.id, Grant(janis.id, ("VDEAVK",), dt.date(2027, 12, 31)), dt.date(2026, 11, 20)
            )

    live_client.blocking_portal.call(grant)
    live_client.cookies.clear()
    sign_in(live_client, personal_code=JANIS)
    peteris = person_id(live_client, PETERIS)
    listed = live_client.get(f"/applications?for={peteris}")
    assert listed.status_code == 200 and "VSAA-2024-900412" not in listed.text
    assert live_client.get(f"/applications/sent/VSAA-2024-900412?for={peteris}").status_code == 403


def test_vsaa_down_shows_what_was_kept_marked(edgars, sandbox):
    assert edgars.get("/applications").status_code == 200  # kept
    assert sandbox.put("/_control/faults/vsaa", json={"mode": "down"}).status_code == 200
    listed = edgars.get("/applications")
    assert listed.status_code == 200 and NOT_ANSWERING in listed.text and EDGARS_APPLICATION in listed.text
    assert "ar datiem uz 2026. gada 20. novembris" in listed.text
    page = edgars.get(PAGE)
    assert page.status_code == 200 and NOT_ANSWERING in page.text and "Pieprasīta informācija" in page.text


def test_vsaa_down_with_nothing_kept_is_said_not_a_500(edgars, sandbox):
    assert sandbox.put("/_control/faults/vsaa", json={"mode": "down"}).status_code == 200
    listed = edgars.get("/applications")
    assert listed.status_code == 200 and "nevar parādīt, kamēr VSAA neatbild" in listed.text
    page = edgars.get(PAGE)
    assert page.status_code == 503 and "šo lapu nevar parādīt" in page.text


def test_peteris_sees_his_vdeavk_assessment_next_to_his_vsaa_pension_each_marked(live_client):
    sign_in(live_client, personal_code=PETERIS)
    listed = live_client.get("/applications")
    assert listed.status_code == 200
    assert "VDEAVK-2025-900412" in listed.text and "VDEĀVK dati uz 2026. gada 20. novembris" in listed.text
    assert "VSAA-2024-900412" in listed.text and "VSAA dati uz 2026. gada 20. novembris" in listed.text


def test_vdeavk_down_is_said_and_vsaas_list_still_shows(live_client, sandbox):
    sign_in(live_client, personal_code=PETERIS)
    assert sandbox.put("/_control/faults/vdeavk", json={"mode": "down"}).status_code == 200
    listed = live_client.get("/applications")
    assert listed.status_code == 200 and "VDEĀVK sistēma pašlaik neatbild." in listed.text
    assert "kamēr VDEĀVK neatbild" in listed.text and "VSAA-2024-900412" in listed.text
    assert "VDEAVK-2025-900412" not in listed.text


def test_an_application_sent_here_is_listed_once_and_its_page_keeps_the_receipt(live_client):
    sent = janis_pension_drafts({}, live_client)["sent"]
    listed = live_client.get("/applications")
    (reference,) = set(re.findall(r"VSAA-2026-[0-8]\d{5}", listed.text))
    assert (
        listed.text.count(f"– {reference}") == 1 and "Tiek nosūtīts" in listed.text
    )  # the portal's row: VSAA does not have it yet
    live_client.blocking_portal.call(deliver_due, live_client.app)
    listed = live_client.get("/applications")
    assert listed.text.count(f"– {reference}") == 1, "VSAA's row only, not the portal's as well"
    assert f'href="/applications/sent/{reference}"' in listed.text and "VSAA dati uz" in listed.text
    page = live_client.get(f"/applications/sent/{reference}")
    assert page.status_code == 200 and "Šajā portālā" in page.text
    (receipt,) = re.findall(r'href="(/applications/[0-9a-f-]+/receipt\.pdf)"', page.text)
    # The same receipt as the confirmation links (rendered by the worker, which this portal does not run).
    confirmation = live_client.get(f"/applications/{sent}/confirmation")
    assert confirmation.status_code == 200 and f'href="{receipt}"' in confirmation.text


def test_the_same_answer_sent_twice_at_once_is_registered_once(edgars, sandbox):
    page = edgars.get(PAGE)
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    data = {"_csrf_token": token, "request_id": "VSAA-2026-903118-1", "text": "Izziņa (dubultklikšķis)."}
    with ThreadPoolExecutor(2) as pool:
        answers = list(
            pool.map(lambda _: edgars.post(f"{PAGE}/information", data=data, follow_redirects=False), range(2))
        )
    assert [a.status_code for a in answers] == [303, 303]
    assert registered(sandbox, "information") == [f"{EDGARS_APPLICATION}/information"]
    assert "Tiek izskatīts" in edgars.get(PAGE).text


def test_peteris_opens_his_vdeavk_assessment_its_decision_and_document(live_client):
    sign_in(live_client, personal_code=PETERIS)
    listed = live_client.get("/applications")
    assert 'href="/applications/sent/VDEAVK-2025-900412"' in listed.text
    page = live_client.get("/applications/sent/VDEAVK-2025-900412")
    assert page.status_code == 200 and "Pieņemts lēmums" in page.text
    assert "VDEĀVK ir noteikusi jums II invaliditātes grupu." in page.text
    assert "līdz 2027. gada 10. februāris" in page.text
    # Decided on 11 February 2025: contested to VDEĀVK's head by 11 March 2025.
    assert "VDEĀVK vadītājam" in page.text and "apstrīdiet to līdz 2025. gada 11. marts" in page.text
    assert 'name="request_id"' not in page.text and "/withdraw" not in page.text  # VDEĀVK's interface has neither
    document = live_client.get("/applications/sent/VDEAVK-2025-900412/decision")
    assert document.status_code == 200 and document.content.startswith(b"%PDF-")


def test_another_persons_vdeavk_application_is_refused(live_client):
    sign_in(live_client, personal_code=JANIS)
    for path in ("/applications/sent/VDEAVK-2025-900412", "/applications/sent/VDEAVK-2025-900412/decision"):
        refused = live_client.get(path)
        assert refused.status_code == 403 and REFUSED in refused.text, path


def test_vdeavk_down_with_nothing_kept_is_said_not_a_500(live_client, sandbox):
    sign_in(live_client, personal_code=PETERIS)
    assert sandbox.put("/_control/faults/vdeavk", json={"mode": "down"}).status_code == 200
    page = live_client.get("/applications/sent/VDEAVK-2025-900412")
    assert page.status_code == 503 and "VDEĀVK sistēma pašlaik neatbild, tāpēc šo lapu nevar parādīt" in page.text
