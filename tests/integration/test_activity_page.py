"""`/account/activity` over HTTP, signing in through the real dev IdP: what others did in my name, and nothing else."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.audit.service import AuditTrail
from portal.auth.access import Actor, Basis, Subject
from portal.people.models import Person
from tests.integration.test_assistant import INESE, PETERIS, close_client, open_client, staff_sign_in
from tests.integration.test_representation import ILZE, RASMA, person_id
from tests.integration.test_sign_in import sign_in

CARD = re.compile(r'<li class="card">(.*?)</li>', re.S)
EMPTY_LV = "Neviens cits nav izmantojis jūsu datus."


def cards(page) -> list[str]:
    assert page.status_code == 200, page.status_code
    return [re.sub(r"\s+", " ", card) for card in CARD.findall(page.text)]


def sign_out(client) -> None:
    assert client.get("/logout", follow_redirects=False).status_code == 303
    client.cookies.clear()


def ilze_reads_rasmas_overview_and_applications(client) -> None:
    sign_in(client, personal_code=ILZE)
    rasma = person_id(client, RASMA)
    for path in ("/overview", "/applications"):
        assert client.get(path, params={"for": str(rasma)}).status_code == 200
    client.get("/overview")  # her own overview: about herself, so in nobody's trail
    sign_out(client)


def rasma_after_ilze_read_her_data(client) -> None:
    """The inventory's setup for a page with rows (tests/integration/test_html_valid.py)."""
    ilze_reads_rasmas_overview_and_applications(client)
    sign_in(client, personal_code=RASMA)


def test_rasma_sees_ilzes_reads_by_her_mandate_in_latvian_and_in_english(live_client):
    ilze_reads_rasmas_overview_and_applications(live_client)
    sign_in(live_client, personal_code=RASMA)
    live_client.get("/overview")
    live_client.get("/applications")  # Rasma's own views are not "someone else used my data"

    page = live_client.get("/account/activity")
    assert "<h1" in page.text and "Kas izmantoja jūsu datus" in page.text
    assert page.headers["cache-control"] == "no-store"
    newest, oldest = cards(page)
    assert "Ilze Liepa" in newest and "Skatīja jūsu iesniegumus." in newest
    assert "Ilze Liepa" in oldest and "Skatīja jūsu pārskatu." in oldest
    for card in (newest, oldest):
        assert "Ar jūsu piešķirto pilnvarojumu." in card
        assert re.search(r'<time datetime="2\d{3}-\d\d-\d\dT[^"]+">\d{4}\. gada \d{1,2}\. \w+ \d\d:\d\d</time>', card)
    assert ILZE not in page.text and RASMA not in page.text

    english = live_client.get("/account/activity?lang=en")
    assert '<html lang="en">' in english.text and "Who used your data" in english.text
    newest, oldest = cards(english)
    assert "Viewed your applications." in newest and "Viewed your overview." in oldest
    assert all("By your mandate." in card for card in (newest, oldest))
    assert re.search(r"<time [^>]+>\d{1,2} \w+ \d{4}, \d\d:\d\d</time>", newest)


def test_the_time_is_riga_time(live_client):
    ilze_reads_rasmas_overview_and_applications(live_client)
    sign_in(live_client, personal_code=RASMA)
    (event, *_) = db_all(live_client, select(AuditEvent))
    stored = event.occurred_at.replace(tzinfo=event.occurred_at.tzinfo or dt.UTC)
    riga = stored.astimezone(ZoneInfo("Europe/Riga"))
    page = live_client.get("/account/activity?lang=en").text
    assert f"{riga:%H:%M}</time>" in page and f'datetime="{stored.isoformat(timespec="seconds")}"' in page


def test_ilzes_page_does_not_show_what_she_did_for_rasma(live_client):
    ilze_reads_rasmas_overview_and_applications(live_client)
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    for path in ("/account/activity", f"/account/activity?for={rasma}"):
        page = live_client.get(path)
        assert cards(page) == [] and EMPTY_LV in page.text
        assert "Rasma" not in page.text.split('<main id="main"')[1]


def test_an_assistant_is_named_with_the_service_centre(live_client):
    staff_sign_in(live_client)
    opened = open_client(live_client)
    live_client.get(opened.headers["location"])
    close_client(live_client)
    # A staff session has no trail of its own here: the staff pages are where an assistant works.
    response = live_client.get("/account/activity", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    sign_out(live_client)

    sign_in(live_client, personal_code=PETERIS)
    closed, read, opened_card = cards(live_client.get("/account/activity?lang=en"))
    for card in (closed, read, opened_card):
        assert "Inese Kļaviņa, VPVKAC Cēsis" in card and "As a service centre assistant." in card
    assert "Closed your record." in closed
    assert "Viewed your overview." in read
    assert "Opened your record after identifying you in person." in opened_card
    assert INESE not in live_client.get("/account/activity").text


def test_nobody_else_yet_is_the_empty_state(live_client):
    sign_in(live_client, personal_code=RASMA)
    page = live_client.get("/account/activity")
    assert cards(page) == [] and EMPTY_LV in page.text and 'class="pagination"' not in page.text


def test_signed_out_is_sent_to_sign_in(live_client):
    response = live_client.get("/account/activity", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/account/activity"


def db_all(client, query):
    async def run():
        async with client.app.state.db_sessions() as session:
            return (await session.execute(query)).scalars().all()

    return client.blocking_portal.call(run)


def many_reads(client, grantor_code: str, holder_code: str, count: int) -> None:
    """`count` distinct reads by the holder, one a minute, written straight to the trail."""

    async def run() -> None:
        async with client.app.state.db_sessions() as session, session.begin():
            people = {
                p.personal_code: p
                for p in (
                    await session.execute(select(Person).where(Person.personal_code.in_([grantor_code, holder_code])))
                ).scalars()
            }
            grantor, holder = people[grantor_code], people[holder_code]
            start = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
            for minute in range(count):
                trail = AuditTrail(session, now=lambda minute=minute: start + dt.timedelta(minutes=minute))
                actor = Actor(holder.id, holder.given_name, holder.family_name, "citizen", "seeded")
                await trail.read(actor, Subject.of(grantor, Basis.MANDATE), f"/inbox/{minute}")

    client.blocking_portal.call(run)


@pytest.mark.parametrize(
    ("query", "shown"),
    [("", 1), ("?page=2", 2), ("?page=abc", 1), ("?page=999", 2), ("?page=0", 1), ("?page=-4", 1), ("?page=1.5", 1)],
)
def test_pages_of_twenty_and_a_bad_page_number_is_a_sensible_page(live_client, query, shown):
    sign_in(live_client, personal_code=RASMA)
    many_reads(live_client, RASMA, ILZE, 25)  # Ilze is in the portal's table from the seeded mandate
    page = live_client.get(f"/account/activity{query}")
    found = cards(page)
    assert len(found) == (20 if shown == 1 else 5)
    assert 'class="pagination"' in page.text
    assert re.search(rf'aria-label="{shown}\. lapa" aria-current="page"', page.text)
    if shown == 2:
        assert "(2. lapa no 2)" in page.text.split("</title>")[0]
    # The unknown record (/inbox/<n> is not a notice id) still reads as a plain sentence.
    assert all("Skatīja kādu lapu ar jūsu datiem." in card for card in found)
