"""VPVKAC assistant mode over HTTP: staff sign-in through the real dev IdP, opening an identified client, working
in the client's name, closing the client; the population register is the sandbox's."""

import re
import uuid
from urllib.parse import urljoin

import httpx
import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from portal.app import create_app
from portal.assistant.models import ClientIdentification
from portal.audit.models import AuditEvent
from portal.people.models import Person
from tests.conftest import agency_urls
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_sign_in import JANIS, sign_in

INESE = "120385-13468"
PETERIS = "300978-15174"
ANNA = "050694-14213"
UNKNOWN = "320000-00000"  # well-formed (new format), and nobody in the register
STAFF_LIMIT = "atslēdzam, ja 15 minūtes neko nedarāt"
GOOD = {
    "personal_code": PETERIS,
    "document_type": "passport",
    "document_last_digits": "4821",
    "present_in_person": "yes",
}


@pytest.fixture
def client(migrated, live_idp, live_sandbox):
    settings = migrated.model_copy(
        update={
            "oidc_issuer": live_idp.url,
            "public_url": PORTAL_URL,
            "sandbox_url": live_sandbox.url,
            **agency_urls(live_sandbox.url),
        }
    )
    with TestClient(create_app(settings), base_url=PORTAL_URL) as test_client:
        test_client.event_hooks["response"].append(check_page)
        yield test_client


@pytest.fixture
def register_down(live_sandbox):
    httpx.put(f"{live_sandbox.url}/_control/faults/pmlp", json={"mode": "down"}).raise_for_status()
    yield
    httpx.put(f"{live_sandbox.url}/_control/faults/pmlp", json={"mode": "ok"}).raise_for_status()


def staff_sign_in(client, personal_code=INESE, next_path="/staff"):
    """Like test_sign_in.sign_in, through the staff client (`/staff/login`); returns the callback's answer."""
    start = client.get("/staff/login", params={"next": next_path}, follow_redirects=False)
    assert start.status_code == 303
    with httpx.Client(timeout=5) as browser:
        response = browser.get(start.headers["location"])
        for _ in range(10):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(PORTAL_URL):
                    return client.get(location, follow_redirects=False)
                response = browser.get(location)
            elif response.status_code != 200:
                return response  # the provider refused (a citizen on the staff client)
            else:
                action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
                response = browser.post(
                    urljoin(str(response.url), action), data={"personal_code": personal_code, "acr": "substantial"}
                )
    raise AssertionError("the provider never sent the browser back")


def csrf(client, path="/staff"):
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def open_client(client, **fields):
    return client.post("/staff/clients", data={**GOOD, **fields, "_csrf_token": csrf(client)}, follow_redirects=False)


def close_client(client):
    return client.post("/staff/client/close", data={"_csrf_token": csrf(client)}, follow_redirects=False)


def db(client, query):
    async def run():
        async with client.app.state.db_sessions() as session:
            return (await session.execute(query)).scalars().all()

    return client.blocking_portal.call(run)


def person_id(client, code):
    (found,) = db(client, select(Person.id).where(Person.personal_code == code))
    return found


def test_inese_signs_in_as_staff_and_sees_the_form(client):
    done = staff_sign_in(client)
    assert done.status_code == 303 and done.headers["location"] == "/staff"
    page = client.get("/staff")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert '<h1 class="heading-xl">Atvērt klientu</h1>' in page.text
    for name in ("personal_code", "document_type", "document_last_digits", "present_in_person"):
        assert f'name="{name}"' in page.text
    assert STAFF_LIMIT in page.text, "the staff idle limit is stated near the form"
    assert "Inese Kļaviņa" in page.text and INESE not in page.text


def test_without_a_client_the_citizen_pages_send_the_assistant_to_staff(client):
    staff_sign_in(client)
    for path in ("/overview", "/applications"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/staff"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"personal_code": ""}, "personal_code", "Ievadiet klienta personas kodu."),
        ({"personal_code": "150162-12343"}, "personal_code", "Ievadiet personas kodu pareizā formātā"),
        ({"personal_code": UNKNOWN}, "personal_code", "Iedzīvotāju reģistrā nav personas ar šādu personas kodu."),
        ({"document_type": ""}, "document_type", "Izvēlieties dokumentu, ko klients jums uzrādīja."),
        ({"document_type": "driving_licence"}, "document_type", "Izvēlieties dokumentu, ko klients jums uzrādīja."),
        ({"document_last_digits": ""}, "document_last_digits", "Ievadiet dokumenta numura pēdējās 4 rakstzīmes."),
        ({"document_last_digits": "12345"}, "document_last_digits", "tieši 4 burtiem vai cipariem"),
        ({"document_last_digits": "12-4"}, "document_last_digits", "tieši 4 burtiem vai cipariem"),
        ({"present_in_person": ""}, "present_in_person", "Apstipriniet, ka klients ir šeit klātienē."),
    ],
)
def test_bad_input_is_explained_on_its_field_and_the_values_are_kept(client, fields, field, message):
    staff_sign_in(client)
    response = open_client(client, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert f'id="{field}-error"' in response.text and f'href="#{field}"' in response.text
    assert response.text.count('class="error-message"') == 1, "only the wrong field is marked"
    assert "<title>Kļūda:" in response.text
    values = {**GOOD, **fields}
    if field != "document_last_digits":
        assert f'value="{values["document_last_digits"]}"' in response.text
    if field != "document_type":
        assert re.search(rf'value="{values["document_type"]}"\s+checked', response.text)
    if field != "present_in_person":
        assert re.search(r'name="present_in_person" type="checkbox" value="yes"\s+checked', response.text)
    assert f'value="{values["personal_code"]}"' in response.text
    assert STAFF_LIMIT in response.text
    assert not db(client, select(ClientIdentification))


def test_every_missing_field_is_listed_at_once(client):
    staff_sign_in(client)
    response = client.post("/staff/clients", data={"_csrf_token": csrf(client)})
    assert response.status_code == 400
    summary = re.search(r'<ul class="error-summary__list">(.*?)</ul>', response.text, re.S).group(1)
    hrefs = re.findall(r'href="#([a-z_]+)"', summary)
    assert hrefs == ["personal_code", "document_type", "document_last_digits", "present_in_person"]


def test_an_unavailable_register_is_a_clear_message_and_keeps_the_values(client, register_down):
    staff_sign_in(client)
    response = open_client(client, document_last_digits="ab12")
    assert response.status_code == 503
    assert "Pašlaik nevaram pārbaudīt personas kodu Iedzīvotāju reģistrā" in response.text
    assert f'value="{PETERIS}"' in response.text and 'value="AB12"' in response.text
    assert not db(client, select(ClientIdentification))


def test_opening_peteris_leads_to_his_overview_under_the_banner(client, capfd):
    staff_sign_in(client)
    response = open_client(client, document_last_digits="ab 12")
    peteris = person_id(client, PETERIS)
    assert response.status_code == 303 and response.headers["location"] == f"/overview?for={peteris}"
    overview = client.get(response.headers["location"])
    assert overview.status_code == 200
    assert "Pēteris Ozols" in overview.text and "Jūs strādājat klienta Pēteris Ozols vārdā." in overview.text
    assert 'action="/staff/client/close"' in overview.text
    assert PETERIS not in overview.text
    # Without ?for= the client is the default; his applications are open too.
    assert "Pēteris Ozols" in client.get("/overview").text
    applications = client.get(f"/applications?for={peteris}")
    assert applications.status_code == 200 and "Pēteris Ozols" in applications.text

    (identification,) = db(client, select(ClientIdentification))
    assert (identification.document_type, identification.document_last_digits) == ("passport", "AB12")
    assert identification.present_in_person and identification.organisation == "VPVKAC Cēsis"
    assert identification.client_id == peteris and identification.closed_at is None

    home = client.get("/staff")
    assert "Pēteris Ozols" in home.text and 'name="personal_code"' not in home.text
    assert f'href="/overview?for={peteris}"' in home.text and f'href="/applications?for={peteris}"' in home.text
    assert "AB12" in home.text and STAFF_LIMIT in home.text
    captured = capfd.readouterr()
    assert '"client_opened"' in captured.err + captured.out
    assert PETERIS not in captured.out + captured.err and INESE not in captured.out + captured.err


def test_anyone_but_the_open_client_is_refused(client):
    # Anna is met by the portal (she signs in once), so her id is real; the assistant has no record for her.
    sign_in(client, personal_code=ANNA)
    anna = person_id(client, ANNA)
    client.cookies.clear()
    staff_sign_in(client)
    inese = person_id(client, INESE)
    open_client(client)
    for path in ("/overview", "/applications"):
        for someone in (anna, inese, uuid.uuid4(), "not-a-uuid"):
            response = client.get(path, params={"for": str(someone)}, follow_redirects=False)
            assert response.status_code == 403, (path, someone)
            assert "Jūs nevarat rīkoties šīs personas vārdā" in response.text


def test_closing_the_client_ends_the_view_and_the_trail_tells_the_story(client):
    staff_sign_in(client)
    opened = open_client(client)
    peteris = person_id(client, PETERIS)
    client.get(opened.headers["location"])
    closed = close_client(client)
    assert closed.status_code == 303 and closed.headers["location"] == "/staff"

    assert client.get("/overview", follow_redirects=False).headers["location"] == "/staff"
    assert client.get(f"/overview?for={peteris}", follow_redirects=False).status_code == 403
    assert client.get(f"/applications?for={peteris}", follow_redirects=False).status_code == 403
    assert 'name="personal_code"' in client.get("/staff").text

    (identification,) = db(client, select(ClientIdentification))
    assert identification.closed_at is not None
    inese = person_id(client, INESE)
    events = db(client, select(AuditEvent).order_by(AuditEvent.id))
    story = [(e.action, e.record, e.basis, e.actor_id, e.subject_id) for e in events]
    basis = f"assistant:{identification.id}"
    assert story == [
        ("client.opened", f"identification:{identification.id}", basis, inese, peteris),
        ("read", "/overview", basis, inese, peteris),
        ("client.closed", f"identification:{identification.id}", basis, inese, peteris),
    ]


def test_opening_another_client_closes_the_previous_one(client):
    staff_sign_in(client)
    open_client(client)
    peteris = person_id(client, PETERIS)
    second = open_client(client, personal_code=ANNA, document_type="id_card")
    anna = person_id(client, ANNA)
    assert second.headers["location"] == f"/overview?for={anna}"
    assert client.get(f"/overview?for={peteris}", follow_redirects=False).status_code == 403
    assert client.get(f"/overview?for={anna}").status_code == 200
    first, latest = db(client, select(ClientIdentification).order_by(ClientIdentification.opened_at))
    assert first.client_id == peteris and first.closed_at is not None
    assert latest.client_id == anna and latest.closed_at is None
    actions = db(client, select(AuditEvent.action).order_by(AuditEvent.id))
    assert actions == ["client.opened", "client.closed", "client.opened", "read"]


def test_an_assistant_cannot_open_herself(client):
    staff_sign_in(client)
    response = open_client(client, personal_code=INESE)
    assert response.status_code == 400 and "Jūs nevarat atvērt sevi kā klientu." in response.text


def test_a_citizen_is_sent_to_the_staff_sign_in_and_cannot_open_a_client(client):
    sign_in(client)  # Jānis, through the citizen client
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login?next=/staff"
    token = csrf(client, "/overview")
    for path, data in (("/staff/clients", GOOD), ("/staff/client/close", {})):
        refused = client.post(path, data={**data, "_csrf_token": token}, follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"].startswith("/staff/login"), path
    assert not db(client, select(ClientIdentification))
    assert client.get("/overview").status_code == 200, "Jānis is still himself"


def test_a_citizen_cannot_sign_in_through_the_staff_client(client):
    refused = staff_sign_in(client, personal_code=JANIS)
    assert refused.status_code == 400
    assert client.get("/staff", follow_redirects=False).headers["location"].startswith("/staff/login")


def test_inese_on_the_citizen_client_is_a_citizen_not_staff(client):
    assert sign_in(client, personal_code=INESE).status_code == 303
    assert client.get("/overview").status_code == 200
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login?next=/staff"


def test_the_posts_need_the_csrf_token(client):
    staff_sign_in(client)
    assert client.post("/staff/clients", data=GOOD).status_code == 403
    assert client.post("/staff/client/close", data={}).status_code == 403
    assert not db(client, select(ClientIdentification))


def test_nobody_signed_in_is_sent_to_the_staff_sign_in(client):
    response = client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login?next=/staff"


def test_a_new_staff_session_does_not_inherit_the_open_client(client):
    staff_sign_in(client)
    open_client(client)
    peteris = person_id(client, PETERIS)
    client.cookies.clear()
    staff_sign_in(client)
    assert client.get(f"/overview?for={peteris}", follow_redirects=False).status_code == 403
    assert 'name="personal_code"' in client.get("/staff").text
