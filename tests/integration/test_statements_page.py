"""`/statements`: VSAA's 12 kinds with their key figures from the sandbox, money and dates in the reader's
language, "as of"; kept answers shown at once and refreshed through htmx; VSAA down or slow never a 500."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import update

from portal.agencies.gateway import AgencyCaller
from portal.agencies.http import create_http_client
from portal.agencies.vsaa_data import HttpVsaaData
from portal.people.service import PersonDirectory
from portal.representation.service import Grant, MandateService
from portal.sync.models import KeptAnswer
from portal.sync.service import STATEMENT_SUMMARY, VSAA
from portal.web.i18n import format_money, set_locale
from tests.integration.test_representation import REFUSED, person_id
from tests.integration.test_sign_in import sign_in

JANIS, ANNA, ELZA, PETERIS = "150162-12342", "050694-14213", "329011-52842", "300978-15174"
ILZE, RASMA = "220470-16382", "011245-11123"
NOTICE_LV = "VSAA sistēma pašlaik neatbild."
NOTICE_EN = "VSAA's system is not answering right now."
TODAY = dt.date(2026, 11, 20)
LV_MONEY = re.compile(r"\d{1,3}(?:\xa0\d{3})*,\d{2}\xa0€")


@pytest.fixture
def live_settings(live_settings):
    """No worker in the web process: these tests decide when answers are fetched."""
    return live_settings.model_copy(update={"worker_in_web": False})


@pytest.fixture
def vsaa_fault(live_sandbox) -> Iterator[callable]:
    """Sets VSAA's fault mode in the sandbox; back to ok after the test, whatever happens."""

    def set_mode(mode: str) -> None:
        httpx.put(f"{live_sandbox.url}/_control/faults/vsaa", json={"mode": mode}).raise_for_status()

    yield set_mode
    set_mode("ok")


def summary_from_sandbox(live_sandbox, code: str):
    async def ask():
        async with create_http_client(f"{live_sandbox.url}/vsaa") as client:
            return await HttpVsaaData(AgencyCaller("vsaa", client)).statement_summary(code)

    import asyncio

    return asyncio.run(ask())


def test_janis_sees_his_statements_with_lv_money_and_as_of(live_client, live_sandbox):
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get("/statements")
    assert page.status_code == 200
    assert "<title>Jūsu izziņas" in page.text and '<h1 class="heading-xl">Jūsu izziņas</h1>' in page.text
    assert "VSAA dati uz 2026. gada" in page.text, "the as-of time"
    assert page.headers["vary"].lower().count("hx-request") == 1
    assert JANIS not in page.text
    summary = summary_from_sandbox(live_sandbox, JANIS)
    capital = next(f for f in summary.entry("EP48").figures if f.key == "pension_capital")
    set_locale("lv")
    assert format_money(capital.amount) in page.text, "pension capital in Babel's lv format"
    assert LV_MONEY.search(page.text) and "€" not in format_money(capital.amount)[:1]
    assert page.text.count('class="statement"') == 12, "all 12 kinds are listed"
    assert NOTICE_LV not in page.text
    english = live_client.get("/statements?lang=en")
    assert "Your statements" in english.text and "VSAA's data as of" in english.text
    assert re.search(r"€\d{1,3}(,\d{3})*\.\d{2}", english.text)


def test_a_page_with_nothing_kept_fetches_once_then_shows_the_kept_answer(live_client, vsaa_fault):
    sign_in(live_client, personal_code=JANIS)
    first = live_client.get("/statements")
    assert "data-hx-get" not in first.text, "just fetched: nothing to refresh"
    vsaa_fault("down")  # the kept answer is shown without asking VSAA
    again = live_client.get("/statements")
    assert again.status_code == 200 and "VSAA dati uz" in again.text and NOTICE_LV not in again.text
    assert again.text.count('class="statement"') == 12
    assert 'data-hx-get="/statements/fresh"' in again.text and 'data-hx-trigger="load"' in again.text
    assert 'id="statements-status" role="status"' in again.text, "an accessible loading message"


def test_the_fresh_panel_is_a_fragment_for_htmx_and_the_whole_page_otherwise(live_client):
    sign_in(live_client, personal_code=JANIS)
    live_client.get("/statements")
    fragment = live_client.get("/statements/fresh", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "hx-request" in fragment.headers["vary"].lower()
    assert "<html" not in fragment.text and 'id="statements-panel"' in fragment.text
    assert 'data-hx-swap-oob="innerHTML"' in fragment.text and "Izziņu dati ir aktuāli." in fragment.text
    assert "data-hx-get" not in fragment.text, "the refreshed panel does not ask again"
    page = live_client.get("/statements/fresh")
    assert page.status_code == 200 and "<html" in page.text and "<h1" in page.text
    assert "hx-request" in page.headers["vary"].lower() and "data-hx-swap-oob" not in page.text


def test_vsaa_down_with_nothing_kept_shows_the_notice_alone(live_client, vsaa_fault):
    sign_in(live_client, personal_code=JANIS)
    vsaa_fault("down")
    page = live_client.get("/statements")
    assert page.status_code == 200 and NOTICE_LV in page.text
    assert 'class="statement"' not in page.text and "VSAA dati uz" not in page.text
    english = live_client.get("/statements?lang=en")
    assert english.status_code == 200 and NOTICE_EN in english.text


def test_vsaa_down_keeps_the_kept_answer_with_its_as_of_and_a_notice(live_client, vsaa_fault):
    sign_in(live_client, personal_code=JANIS)
    kept = live_client.get("/statements")
    as_of = re.search(r"VSAA dati uz ([^<]+)\.</p>", kept.text).group(1)
    vsaa_fault("error")
    fragment = live_client.get("/statements/fresh", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and NOTICE_LV in fragment.text
    assert f"VSAA dati uz {as_of}." in fragment.text and fragment.text.count('class="statement"') == 12
    assert "VSAA neatbildēja" in fragment.text, "the status region says the refresh failed"
    # Without JavaScript the page itself tells: the last attempt failed, here is what is kept.
    page = live_client.get("/statements")
    assert page.status_code == 200 and NOTICE_LV in page.text and f"VSAA dati uz {as_of}." in page.text


def test_a_slow_vsaa_does_not_hold_the_page_past_its_timeout(live_settings, live_sandbox, vsaa_fault, capfd):
    from litestar.testing import TestClient

    from portal.app import create_app
    from tests.integration.conftest import PORTAL_URL

    quick = live_settings.model_copy(update={"agency_read_timeout": 0.5})
    with TestClient(create_app(quick), base_url=PORTAL_URL) as client:
        sign_in(client, personal_code=JANIS)
        capfd.readouterr()
        vsaa_fault("slow")
        page = client.get("/statements")
    assert page.status_code == 200 and NOTICE_LV in page.text
    lines = [json.loads(line) for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    unavailable = [line for line in lines if line.get("event") == "statements_agency_unavailable"]
    assert unavailable and unavailable[0]["agency"] == VSAA and unavailable[0]["timed_out"] is True


def test_someone_the_actor_may_not_act_for_is_refused(live_client):
    sign_in(live_client, personal_code=ANNA)
    live_client.get("/overview")  # the portal meets Elza when it asks the register whom Anna represents
    elza = person_id(live_client, ELZA)
    assert live_client.get(f"/statements?for={elza}").status_code == 200, "a parent may"
    live_client.cookies.clear()
    sign_in(live_client, personal_code=JANIS)
    for path in ("/statements", "/statements/fresh"):
        refused = live_client.get(f"{path}?for={elza}")
        assert refused.status_code == 403 and REFUSED in refused.text


def test_a_mandate_for_vsaa_reaches_the_statements_of_its_grantor(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    page = live_client.get(f"/statements?for={rasma}")
    assert page.status_code == 200 and "Personas Rasma Liepa izziņas" in page.text


def test_a_vsaa_only_mandate_does_not_reach_vdeavks_disability_term(live_client):
    async def grant() -> None:
        async with live_client.app.state.db_sessions() as db, db.begin():
            people = PersonDirectory(db)
            peteris = await people.meet(PETERIS, "Pēteris", "Ozols")
            janis = await people.meet(JANIS, "Jānis", "Bērziņš")
            await MandateService(db).grant(peteris.id, Grant(janis.id, ("VSAA",), dt.date(2027, 12, 31)), TODAY)

    live_client.blocking_portal.call(grant)
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get(f"/statements?for={person_id(live_client, PETERIS)}")
    assert page.status_code == 200 and "Personas Pēteris Ozols izziņas" in page.text
    assert "Invaliditātes termiņš beidzas" not in page.text and "VDEĀVK" not in page.text


def test_peteris_sees_when_his_disability_term_ends(live_client):
    sign_in(live_client, personal_code=PETERIS)
    page = live_client.get("/statements")
    assert page.status_code == 200
    assert "Invaliditātes termiņš beidzas" in page.text and "2027. gada 10. februāris" in page.text
    assert "II grupa" in page.text


def test_the_kept_answer_is_the_one_shown(live_client):
    """The page reads what was kept, not the agency: change the kept answer and the page follows."""
    sign_in(live_client, personal_code=JANIS)
    live_client.get("/statements")
    subject = person_id(live_client, JANIS)

    async def rewrite() -> None:
        async with live_client.app.state.db_sessions() as db, db.begin():
            row = (
                await db.execute(
                    KeptAnswer.__table__.select().where(
                        KeptAnswer.person_id == subject, KeptAnswer.agency == VSAA, KeptAnswer.kind == STATEMENT_SUMMARY
                    )
                )
            ).one()
            payload = dict(row.payload)
            for statement in payload["statements"]:
                if statement["kind"] == "EP48":
                    statement["figures"] = [{**statement["figures"][0], "amount": "12345.67"}]
            await db.execute(update(KeptAnswer).where(KeptAnswer.id == row.id).values(payload=payload))

    live_client.blocking_portal.call(rewrite)
    assert "12\xa0345,67\xa0€" in live_client.get("/statements").text
