"""Acting for someone, end to end: the register's relations, mandates with a step-up, the switch, and refusals."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from portal.people.models import Person
from tests.integration.test_sign_in import provider_round_trip, sign_in

ANNA, ELZA = "050694-14213", "329011-52842"
ILZE, KRISTAPS, RASMA = "220470-16382", "327512-84427", "011245-11123"
JANIS, LAURA, DACE, ROBERTS = "150162-12342", "080890-17710", "190583-11654", "321450-77313"
REFUSED = "Jūs nevarat rīkoties šīs personas vārdā"


def person_id(client, code: str) -> uuid.UUID:
    async def find() -> uuid.UUID | None:
        async with client.app.state.db_sessions() as db:
            return await db.scalar(select(Person.id).where(Person.personal_code == code))

    found = client.blocking_portal.call(find)
    assert found is not None, f"the portal has not met {code}"
    return found


def switch_to(client, who: uuid.UUID | str):
    page = client.get("/representation")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/representation/acting-for", data={"_csrf_token": token, "person": str(who)}, follow_redirects=False
    )


def csrf(client, path: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def step_up(client, next_path: str, personal_code: str):
    """Signs in again at high assurance, as the portal asks before granting or ending a mandate."""
    callback = provider_round_trip(
        client, next_path=next_path, personal_code=personal_code, acr="high", start_at="/auth/step-up"
    )
    return client.get(callback, follow_redirects=False)


def test_anna_acts_for_elza_by_the_register(live_client):
    sign_in(live_client, personal_code=ANNA)
    page = live_client.get("/representation")
    assert page.status_code == 200
    assert "Elza Kalniņa" in page.text and "Jūs esat šīs personas vecāks." in page.text
    elza = person_id(live_client, ELZA)
    switched = switch_to(live_client, elza)
    assert switched.status_code == 303 and switched.headers["location"] == f"/overview?for={elza}"
    overview = live_client.get(f"/overview?for={elza}")
    assert "Pārskats: Elza Kalniņa" in overview.text
    assert "Jūs rīkojaties personas Elza Kalniņa vārdā kā vecāks." in overview.text
    # The switch set the default: a link without ?for= is about Elza too, and the banner says so.
    assert 'class="acting-for"' in live_client.get("/applications").text
    # Back to herself: no banner.
    switch_to(live_client, "self")
    assert 'class="acting-for"' not in live_client.get("/overview").text


def test_ilze_acts_for_kristaps_as_guardian_and_for_rasma_by_mandate_in_vsaa_matters_only(live_client):
    sign_in(live_client, personal_code=ILZE)
    page = live_client.get("/representation")
    assert "Kristaps Liepa" in page.text and "Jūs esat šīs personas aizbildnis." in page.text
    assert "Rasma Liepa" in page.text and "VSAA" in page.text
    rasma = person_id(live_client, RASMA)
    overview = live_client.get(f"/overview?for={rasma}")
    assert overview.status_code == 200
    # The mandate covers VSAA matters only, and the banner says so on every page about her.
    assert "Jūs rīkojaties personas Rasma Liepa vārdā ar pilnvarojumu šo iestāžu lietās: VSAA." in overview.text
    kristaps = person_id(live_client, KRISTAPS)
    assert "kā bērna aizbildnis" in live_client.get(f"/applications?for={kristaps}").text


def grant_form(client, **fields):
    data = {
        "_csrf_token": csrf(client, "/representation/mandates/new"),
        "holder_code": JANIS,
        "scope": "agencies",
        "agencies": ["VSAA"],
        "valid_until-day": "31",
        "valid_until-month": "12",
        "valid_until-year": "2027",
    }
    data.update(fields)
    return client.post("/representation/mandates/new", data=data, follow_redirects=False)


def test_granting_a_mandate_needs_a_step_up_to_high_and_either_side_can_end_it(live_client):
    sign_in(live_client, personal_code=LAURA)
    asked = live_client.get("/representation/mandates/new", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/auth/step-up?next=")
    # Posting without the step-up is sent to it too, whatever the form says.
    token = csrf(live_client, "/representation")
    posted = live_client.post(
        "/representation/mandates/new", data={"_csrf_token": token, "holder_code": JANIS, "scope": "all",
        "valid_until-day": "1", "valid_until-month": "1", "valid_until-year": "2027"}, follow_redirects=False,
    )  # fmt: skip
    assert posted.status_code == 303 and posted.headers["location"].startswith("/auth/step-up")

    stepped = step_up(live_client, "/representation/mandates/new", LAURA)
    assert stepped.status_code == 303 and stepped.headers["location"] == "/representation/mandates/new"
    form = live_client.get("/representation/mandates/new")
    assert form.status_code == 200 and 'name="holder_code"' in form.text

    # Bad input: a clear message by the field, and what was typed kept.
    bad = grant_form(live_client, holder_code="123456-12345", scope="agencies", agencies=[])
    assert bad.status_code == 400
    assert "Ievadiet personas kodu pareizā formātā" in bad.text and 'value="123456-12345"' in bad.text
    assert "Izvēlieties vismaz vienu iestādi." in bad.text
    unknown = grant_form(live_client, holder_code="010101-10006")  # well-formed, but nobody in the register
    assert unknown.status_code == 400 and "Iedzīvotāju reģistrā nav personas" in unknown.text
    to_self = grant_form(live_client, holder_code=LAURA)
    assert to_self.status_code == 400 and "Pilnvarojumu nevar piešķirt pašam sev." in to_self.text
    past = grant_form(live_client, **{"valid_until-year": "2020"})
    assert past.status_code == 400

    granted = grant_form(live_client)
    assert granted.status_code == 303 and granted.headers["location"] == "/representation?done=granted"
    assert "Jānis Bērziņš" in live_client.get("/representation").text
    laura = person_id(live_client, LAURA)

    # Jānis now holds it and may act for Laura in VSAA matters.
    live_client.cookies.clear()
    sign_in(live_client, personal_code=JANIS)
    assert live_client.get(f"/overview?for={laura}").status_code == 200
    mandate = re.search(r"/representation/mandates/([0-9a-f-]{36})/end", live_client.get("/representation").text)
    assert mandate, "the holder sees the mandate and a way to end it"
    end_path = f"/representation/mandates/{mandate.group(1)}/end"
    assert live_client.get(end_path, follow_redirects=False).headers["location"].startswith("/auth/step-up")
    step_up(live_client, end_path, JANIS)
    confirm = live_client.get(end_path)
    assert confirm.status_code == 200 and "Laura Zariņa" in confirm.text
    ended = live_client.post(end_path, data={"_csrf_token": csrf(live_client, end_path)}, follow_redirects=False)
    assert ended.status_code == 303 and ended.headers["location"] == "/representation?done=ended"
    refused = live_client.get(f"/overview?for={laura}")
    assert refused.status_code == 403 and REFUSED in refused.text
    # Ending it again finds nothing to end.
    assert live_client.post(end_path, data={"_csrf_token": csrf(live_client, "/representation")}).status_code == 403


def test_a_step_up_by_someone_else_starts_their_own_session(live_client):
    sign_in(live_client, personal_code=ANNA)
    first = live_client.cookies.get("portal_session")
    step_up(live_client, "/representation/mandates/new", LAURA)
    assert live_client.cookies.get("portal_session") != first
    page = live_client.get("/overview")
    assert "Laura" in page.text and "Anna" not in page.text


PERSONAS = [JANIS, ANNA, ELZA, ILZE, KRISTAPS, RASMA, DACE, ROBERTS, LAURA]
# Whom each actor may act for besides themselves (DOMAIN.md's relations and the seeded mandate).
MAY_ACT_FOR = {JANIS: set(), ANNA: {ELZA}, ILZE: {KRISTAPS, RASMA}, LAURA: set(), DACE: {ROBERTS}}


async def _meet_everyone(app) -> None:
    from portal.people.service import PersonDirectory

    async with app.state.db_sessions() as db, db.begin():
        for code in PERSONAS:
            await PersonDirectory(db).meet(code, "Persona", code[-5:])


@pytest.mark.parametrize("actor", sorted(MAY_ACT_FOR))
def test_nobody_can_swap_in_someone_they_do_not_act_for(live_client, actor):
    """Citizen, parent, guardian, mandate holder and stranger: every other persona's id is refused on every
    personal-data page, by URL, by the switch, and for a made-up or malformed id."""
    live_client.blocking_portal.call(_meet_everyone, live_client.app)
    sign_in(live_client, personal_code=actor)
    pages = personal_data_get_paths(live_client.app)
    assert pages, "the app has personal-data pages"
    for code in PERSONAS:
        if code == actor:
            continue
        target = person_id(live_client, code)
        for path in pages:
            response = live_client.get(f"{path}?for={target}")
            if code in MAY_ACT_FOR[actor]:
                assert response.status_code == 200, f"{actor} → {code} at {path}"
            else:
                assert response.status_code == 403 and REFUSED in response.text, f"{actor} → {code} at {path}"
        if code not in MAY_ACT_FOR[actor]:
            assert switch_to(live_client, target).status_code == 403
    for bad in (str(uuid.uuid4()), "not-a-uuid", "' OR 1=1 --", ""):
        assert live_client.get(f"/overview?for={bad}").status_code == 403
    assert switch_to(live_client, "nonsense").status_code == 403


def personal_data_get_paths(app) -> list[str]:
    """GET routes without path parameters that take the request's subject: each must refuse a stranger."""
    paths = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if "GET" in handler.http_methods and "{" not in route.path and takes_subject(handler):
                paths.append(route.path)
    return sorted(set(paths))


def takes_subject(handler) -> bool:
    return "subject" in handler.parsed_fn_signature.parameters
