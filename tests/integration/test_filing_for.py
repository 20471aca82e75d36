"""Filing for someone over HTTP with the live sandbox: an assistant files every e-service for an identified client
(those about a child too, about the client's child from the population register), a mandate holder only in the
mandate's agencies, a representative fills the self-assessment questionnaire; and who files is recorded."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from sqlalchemy import select

from portal.agencies.population_register import HttpPopulationRegister, Representation
from portal.applications import engine
from portal.applications.draft_models import Draft
from portal.assistant.models import ClientIdentification
from portal.people.personal_code import normalise
from portal.representation.models import Mandate
from tests.integration.test_assistant import close_client, open_client, staff_sign_in
from tests.integration.test_journey import DRAFT_URL, deliver_due, post, rows
from tests.integration.test_representation import person_id
from tests.integration.test_sign_in import sign_in

ANNA, ELZA = "050694-14213", "329011-52842"
ILZE, RASMA, ROBERTS = "220470-16382", "011245-11123", "321450-77313"
INESE, PETERIS = "120385-13468", "300978-15174"
IBAN = "LV80BANK0000435195001"
MAX_PAGES = 30


def apply(client, slug, query=""):
    page = client.get(f"/services/{slug}")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(f"/services/{slug}/apply{query}", data={"_csrf_token": token}, follow_redirects=False)


def draft_of(response):
    assert response.status_code == 303, (response.status_code, response.text[:1500])
    match = DRAFT_URL.match(response.headers["location"])
    assert match, response.headers["location"]
    return match.group(1)


def choices(page):
    """The for-whom page's choices: each form's action, as a browser would post it."""
    return [action.replace("&amp;", "&") for action in re.findall(r'action="(/services/[^"]+/apply[^"]*)"', page.text)]


def typed(question):
    """An answer a person would give where the agency filled nothing in: the first choice, an account number."""
    if question.choices:
        return question.choices[0].value
    if question.type == "iban":
        return IBAN
    assert not question.required, f"no answer for the required {question.type} question {question.name}"
    return None


def fill(client, definition, draft_id):
    """Answers every page that applies, in the engine's order, until none is left."""
    for _ in range(MAX_PAGES):
        page_name = engine.first_incomplete(definition, rows(client, draft_id)[0].answers)
        if page_name is None:
            return
        page = next(p for p in definition.pages if p.name == page_name)
        data = {q.name: value for q in page.questions if (value := typed(q)) is not None}
        answered = post(client, f"/applications/{draft_id}/{page_name}", data)
        assert answered.status_code == 303, (page_name, answered.status_code, answered.text[:1500])
    raise AssertionError(f"{definition.slug}: pages left after {MAX_PAGES}")


def db(client, query):
    async def run():
        async with client.app.state.db_sessions() as session:
            return (await session.execute(query)).scalars().all()

    return client.blocking_portal.call(run)


def open_identification(client, client_code):
    (identification,) = db(
        client,
        select(ClientIdentification).where(
            ClientIdentification.client_id == person_id(client, client_code), ClientIdentification.closed_at.is_(None)
        ),
    )
    return identification


@pytest.fixture
def inese_with_anna(live_client):
    assert staff_sign_in(live_client).status_code == 303
    assert open_client(live_client, personal_code=ANNA).status_code == 303
    return live_client


@pytest.fixture
def anna_has_two_children(monkeypatch):
    """The register, in this test, names Roberts as Anna's child as well as Elza."""
    real = HttpPopulationRegister.represented_by

    async def two(self, personal_code):
        found = await real(self, personal_code)
        if normalise(personal_code) == ANNA:
            roberts = await self.person(ROBERTS)
            found = [*found, Representation(relation="parent", guardian_kind=None, person=roberts)]
        return found

    monkeypatch.setattr(HttpPopulationRegister, "represented_by", two)


def test_inese_files_the_childbirth_benefit_for_anna_about_elza_and_anna_sees_it(inese_with_anna, live_sandbox):
    client = inese_with_anna
    definition = client.app.state.definitions["berna-piedzimsanas-pabalsts"]
    draft_id = draft_of(apply(client, definition.slug))  # Anna has one child: nobody is asked which
    fill(client, definition, draft_id)
    sent = post(client, f"/applications/{draft_id}/declaration", {"confirm": "yes"})
    assert sent.headers["location"] == f"/applications/{draft_id}/confirmation"
    draft, submission = rows(client, draft_id)
    anna, elza, inese = (person_id(client, code) for code in (ANNA, ELZA, INESE))
    identification = open_identification(client, ANNA)
    assert (draft.applicant_id, draft.about_person_id, draft.filer_id) == (anna, elza, inese)
    assert (draft.basis, draft.basis_ref) == ("assistant", identification.id)
    assert (submission.applicant_id, submission.about_person_id, submission.filer_id) == (anna, elza, inese)
    assert submission.basis == "assistant"
    # The agency registers it once, and Anna, signing in herself, finds it in her own list.
    client.blocking_portal.call(deliver_due, client.app)
    book = httpx.get(f"{live_sandbox.url}/_control/vsaa/registrations").json()["registered"]
    assert [entry["id"] for entry in book].count(submission.reference) == 1
    client.cookies.clear()
    sign_in(client, personal_code=ANNA)
    mine = client.get("/applications")
    assert submission.reference in mine.text
    # Elza's list shows it too (it is about her), which Anna sees as her parent; Inese never could.
    assert submission.reference in client.get(f"/applications?for={elza}").text


def test_inese_can_start_every_application_of_the_catalogue_for_her_client(inese_with_anna):
    client = inese_with_anna
    anna = person_id(client, ANNA)
    identification = open_identification(client, ANNA)
    definitions = client.app.state.definitions
    applications = sorted(slug for slug, d in definitions.items() if d.kind == "application")
    assert applications, "the catalogue has application e-services"
    for slug in applications:
        definition = definitions[slug]
        started = apply(client, slug)
        if "assistant" not in definition.filers:
            assert started.status_code == 403, slug
            continue
        draft, _ = rows(client, draft_of(started))
        assert (draft.applicant_id, draft.basis, draft.basis_ref) == (anna, "assistant", identification.id), slug
        assert draft.filer_id == person_id(client, INESE), slug
        expected_about = person_id(client, ELZA) if definition.about == "child" else None
        assert draft.about_person_id == expected_about, slug


def test_inese_is_asked_which_child_and_reaches_only_the_clients_children(inese_with_anna, anna_has_two_children):
    client = inese_with_anna
    asked = apply(client, "vecaku-pabalsts")
    assert asked.status_code == 200 and asked.headers["cache-control"] == "no-store"
    assert "Elza Kalniņa" in asked.text and "Roberts Egle" in asked.text
    anna, elza, roberts = (person_id(client, code) for code in (ANNA, ELZA, ROBERTS))
    assert choices(asked) == [f"/services/vecaku-pabalsts/apply?for={anna}&about={child}" for child in (elza, roberts)]
    draft, _ = rows(client, draft_of(apply(client, "vecaku-pabalsts", f"?for={anna}&about={roberts}")))
    assert (draft.applicant_id, draft.about_person_id, draft.basis) == (anna, roberts, "assistant")
    # A child the register does not name as Anna's, a malformed id, or the child as the subject: refused.
    inese = person_id(client, INESE)
    for query in (f"?for={anna}&about={inese}", f"?for={anna}&about={uuid.uuid4()}", "?about=not-an-id"):
        assert apply(client, "vecaku-pabalsts", query).status_code == 403, query
    assert apply(client, "vecaku-pabalsts", f"?for={elza}").status_code == 403
    # Filing about a child gives the assistant nothing of the child's own.
    for path in (f"/overview?for={elza}", f"/applications?for={elza}"):
        assert client.get(path).status_code == 403, path


def test_with_the_register_down_the_assistant_is_told_and_nothing_is_started(inese_with_anna, live_sandbox):
    client = inese_with_anna
    httpx.put(f"{live_sandbox.url}/_control/faults/pmlp", json={"mode": "down"}).raise_for_status()
    try:
        answer = apply(client, "berna-piedzimsanas-pabalsts")
    finally:
        httpx.put(f"{live_sandbox.url}/_control/faults/pmlp", json={"mode": "ok"}).raise_for_status()
    assert answer.status_code == 503
    assert "Pašlaik nevaram jautāt Iedzīvotāju reģistram par personas Anna Kalniņa bērniem." in answer.text
    assert not db(client, select(Draft.id).where(Draft.applicant_id == person_id(client, ANNA)))


def test_an_assistant_without_an_open_client_gets_nothing(live_client):
    assert staff_sign_in(live_client).status_code == 303
    for slug in ("pabalsts-transporta-izdevumu-kompensesanai", "berna-piedzimsanas-pabalsts"):
        refused = apply(live_client, slug)
        assert refused.status_code == 303 and refused.headers["location"] == "/staff", slug
    # A client once opened and closed again is nobody the assistant may name.
    assert open_client(live_client, personal_code=PETERIS).status_code == 303
    peteris = person_id(live_client, PETERIS)
    assert close_client(live_client).status_code == 303
    assert apply(live_client, "pabalsts-transporta-izdevumu-kompensesanai", f"?for={peteris}").status_code == 403
    assert apply(live_client, "berna-piedzimsanas-pabalsts").headers["location"] == "/staff"
    assert not db(live_client, select(Draft.id))


def test_ilze_files_for_rasma_exactly_where_the_mandate_reaches(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma, ilze = person_id(live_client, RASMA), person_id(live_client, ILZE)
    (mandate,) = db(live_client, select(Mandate).where(Mandate.grantor_id == rasma, Mandate.holder_id == ilze))
    definitions = live_client.app.state.definitions
    for slug, definition in sorted(definitions.items()):
        if definition.kind != "application":
            continue
        allowed = "representative" in definition.filers and (
            not mandate.agencies or (definition.agency or "").upper() in mandate.agencies
        )
        started = apply(live_client, slug, f"?for={rasma}")
        if not allowed:
            assert started.status_code == 403, slug
            offered = apply(live_client, slug)  # nor is Rasma offered on the for-whom page
            assert f"for={rasma}" not in offered.text, slug
        elif definition.about == "child":
            # Rasma applies about a child of hers; the register names none, so there is nothing to start.
            assert started.status_code == 200, slug
            assert "Iedzīvotāju reģistrā nav neviena bērna, kura vecāks vai aizbildnis ir Rasma Liepa." in (
                started.text
            )
        else:
            draft, _ = rows(live_client, draft_of(started))
            assert (draft.applicant_id, draft.filer_id) == (rasma, ilze), slug
            assert (draft.basis, draft.basis_ref) == ("mandate", mandate.id), slug
    # Her own guardian's benefit is still hers, about Kristaps.
    draft, _ = rows(live_client, draft_of(apply(live_client, "pabalsts-aizbildnim-par-berna-uzturesanu")))
    assert draft.applicant_id == ilze and draft.basis == "self" and draft.about_person_id not in (None, rasma)


@pytest.mark.parametrize("who", ["representative", "assistant"])
def test_the_self_assessment_questionnaire_is_filled_for_the_person_represented(live_client, who):
    slug = "pasnovertejuma-anketa"
    definition = live_client.app.state.definitions[slug]
    if who == "representative":
        sign_in(live_client, personal_code=ILZE)
        filer, applicant, basis = ILZE, RASMA, "mandate"
    else:
        assert staff_sign_in(live_client).status_code == 303
        assert open_client(live_client, personal_code=PETERIS).status_code == 303
        filer, applicant, basis = INESE, PETERIS, "assistant"
    subject = person_id(live_client, applicant)
    started = post(live_client, f"/questionnaires/{slug}?for={subject}", {})
    draft_id = draft_of(started)
    fill(live_client, definition, draft_id)
    assert live_client.get(f"/applications/{draft_id}/check").status_code == 200
    draft, _ = rows(live_client, draft_id)
    assert (draft.applicant_id, draft.filer_id, draft.basis) == (subject, person_id(live_client, filer), basis)
    assert all(draft.answers.get(page.name) for page in engine.pages(definition, draft.answers))
    # The person it was filled for finds it in their own list.
    live_client.cookies.clear()
    sign_in(live_client, personal_code=applicant)
    assert f'href="/applications/{draft_id}"' in live_client.get("/applications").text
