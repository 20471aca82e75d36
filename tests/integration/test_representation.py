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
