"""`/statements/<kind>`: each of VSAA's 12 statements explained with the person's own figures, then as tables
(EP61 also as a chart with its text alternative), over HTTP with the live sandbox. Expected figures are written
by hand from sandbox/agencies/data/vsaa_persons.yaml (Jānis 150162-12342 has all 12) and the contract's examples.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import httpx
import pytest

from portal.people.service import PersonDirectory
from portal.representation.service import Grant, MandateService
from tests.integration.test_representation import REFUSED, person_id
from tests.integration.test_sign_in import sign_in
from tests.vnu import CheckerUnavailable, html_errors

JANIS, ANNA, ELZA, PETERIS = "150162-12342", "050694-14213", "329011-52842", "300978-15174"
ILZE, RASMA = "220470-16382", "011245-11123"
KINDS = ("EP43", "EP44", "EP45", "EP46", "EP47", "EP48", "EP49", "EP50", "EP51", "EP52", "EP53", "EP61")
NOTICE_TITLE = "VSAA sistēma pašlaik neatbild."
NOTHING_KEPT = "Izziņu nevar parādīt, kamēr VSAA neatbild."
KEPT_SHOWN = "Zemāk redzama izziņa, kā VSAA to pēdējo reizi sniedza"
TODAY = dt.date(2026, 11, 20)

# What each kind's page says about Jānis: a sentence of its explanation and a figure of its table.
JANIS_PAGES = {
    # contributions 2025: base 25080.90, 20 % of it to pension insurance, 12 months
    "EP43": (
        "2025. gadā Jūsu iemaksas aprēķinātas no ienākumiem 25\xa0080,90\xa0€ apmērā, un pensiju apdrošināšanai"
        " veiktas iemaksas 5\xa0016,18\xa0€. Tajā gadā apdrošināšanas periods bija 12 mēneši.",
        "Iemaksas pa gadiem",
    ),
    # pillar 2: Daugava's balanced plan, joined 2002-12-01
    "EP44": ("ko pārvalda Daugava Asset Management IPAS", "2. pensiju līmeņa konts pa gadiem"),
    # inheritance_choice: heirs, chosen 2018-03-14
    "EP45": ("(izvēles datums: 2018. gada 14. marts): to manto mantinieki.", "Jūsu izvēle"),
    # the sickness benefit 2026: 16 days × 58.12 = 929.92 before tax, 25.5 % tax = 237.13, less 58.12 deducted
    "EP46": (
        "2026. gadā VSAA Jums aprēķināja 929,92\xa0€ pirms nodokļu nomaksas. Ieturēts iedzīvotāju ienākuma nodoklis"
        " 237,13\xa0€, un Jums izmaksāti 634,67\xa0€.",
        "Izmaksas un nodoklis pa pabalstiem",
    ),
    # 15 years 4 months before 1996; 1996-01-01 to 2026-11-20 is 30 years 10 months
    "EP47": (
        "Jūsu apdrošināšanas stāžs ir 46 gadi un 2 mēneši: līdz 1996. gadam – 15 gadi un 4 mēneši, kopš 1996. gada"
        " – 30 gadi un 10 mēneši.",
        "Rīgas Vagonbūves rūpnīca",
    ),
    # the contract's example: capital 87773.61 at the end of 2026, initial capital 7767.14
    "EP48": (
        "Jūsu pensijas kapitāls 1. pensiju līmenī 2026. gada beigās ir 87\xa0773,61\xa0€.",
        "sākuma kapitāls par apdrošināšanas stāžu līdz 1996. gadam (7\xa0767,14\xa0€)",
    ),
    "EP49": ("(riska profils: sabalansētais)", "Daugava pensiju plāns Sabalansētais"),
    # one deduction of 58.12 on 2026-03-16
    "EP50": (
        "2026. gadā no Jūsu pensijām un pabalstiem izdarīts 1 ieturējums, kopā 58,12\xa0€.",
        "Pārmaksāta viena slimības pabalsta diena pēc darbnespējas lapas labojuma.",
    ),
    "EP51": (
        "Slimības pabalsts: Jūs saņēmāt 58,12\xa0€ dienā; laikposms: 2026. gada 19. februāris – 2026. gada 6. marts.",
        "Kā mainījusies summa: Slimības pabalsts",
    ),
    "EP52": ("2026. gadā VSAA Jums nosūtīja 1 maksājumu, kopā 634,67\xa0€.", "LV** HABA …5678"),
    "EP53": ("ieturēts iedzīvotāju ienākuma nodoklis 237,13\xa0€", "marts"),
    # 87773.61 + 18843.15 = 106616.76 over 221 months (life expectancy for 2027) = 482.43 a month
    "EP61": ("Jūsu vecuma pensija būtu aptuveni 482,43\xa0€ mēnesī.", "221 mēnesis (18 gadi un 5 mēneši)"),
}


@pytest.fixture
def live_settings(live_settings):
    """No worker in the web process: these tests decide when answers are fetched."""
    return live_settings.model_copy(update={"worker_in_web": False})


@pytest.fixture
def vsaa_fault(live_sandbox) -> Iterator[callable]:
    def set_mode(mode: str) -> None:
        httpx.put(f"{live_sandbox.url}/_control/faults/vsaa", json={"mode": mode}).raise_for_status()

    yield set_mode
    set_mode("ok")


def text_of(html: str) -> str:
    """The page's words, tags left out and spaces joined, to find a sentence the template wraps."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))  # \xa0 inside figures stays


@pytest.mark.parametrize("kind", KINDS)
def test_each_statement_is_explained_with_janis_figures_then_tabled(live_client, kind):
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get(f"/statements/{kind}")
    assert page.status_code == 200 and page.headers["vary"].lower().count("hx-request") == 1
    sentence, figure = JANIS_PAGES[kind]
    assert sentence in text_of(page.text) and figure in page.text
    assert '<h2 class="heading-m" id="meaning">Ko tas Jums nozīmē</h2>' in page.text
    assert page.text.index('id="meaning"') < page.text.index("<table"), "the meaning first, then the figures"
    assert '<caption class="table__caption"' in page.text and '<th scope="col"' in page.text
    assert '<th scope="row"' in page.text
    assert "Avots: Valsts sociālās apdrošināšanas aģentūra (VSAA), dati uz 2026. gada 20. novembris" in page.text
    assert JANIS not in page.text and NOTICE_TITLE not in page.text


def test_the_contribution_table_has_a_row_per_year_in_latvian_money(live_client):
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get("/statements/EP43")
    # 1996: base 2050.40, 20 % = 410.08, all of it to pillar 1 (pillar 2 from 2001, Jānis joined in 2002)
    row = re.search(r'<th scope="row" class="table__header">1996</th>(.*?)</tr>', page.text, re.S).group(1)
    cells = re.findall(r">([^<]+)</td>", row)
    assert cells == ["12", "2\xa0050,40\xa0€", "410,08\xa0€", "410,08\xa0€", "0,00\xa0€"]
    years = re.findall(r'<th scope="row" class="table__header">(\d{4})</th>', page.text)
    assert years == [str(year) for year in range(1996, 2027)], "every year from 1996 to this one"


def test_the_projected_pension_has_a_chart_with_its_data_as_text_and_a_table(live_client):
    sign_in(live_client, personal_code=JANIS)
    page = live_client.get("/statements/EP61")
    svg = re.search(r"<svg[^>]*>.*?</svg>", page.text, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="projection-chart-title projection-chart-desc"' in svg
    assert "style" not in svg and "<script" not in svg
    desc = re.search(r'<desc id="projection-chart-desc">([^<]+)</desc>', svg).group(1)
    for figure in ("87\xa0773,61\xa0€", "18\xa0843,15\xa0€", "106\xa0616,76\xa0€"):
        assert figure in desc, figure
    bars = re.findall(r'<rect class="chart__bar chart__bar--(\w+)"[^>]* width="(\d+)"', svg)
    widths = dict(bars)
    assert list(widths) == ["pillar1", "pillar2", "together"]
    assert int(widths["together"]) > int(widths["pillar1"]) > int(widths["pillar2"]) > 0
    table = page.text[page.text.index("Kā aprēķināta prognozētā pensija") :]
    for label, value in (
        ("1. pensiju līmeņa kapitāls", "87\xa0773,61\xa0€"),
        ("Kapitāls kopā", "106\xa0616,76\xa0€"),
        ("Pensija mēnesī", "482,43\xa0€"),
    ):
        assert re.search(rf">{re.escape(label)}</th>\s*<td[^>]*>{re.escape(value)}</td>", table), label
    english = live_client.get("/statements/EP61?lang=en")
    assert "your old-age pension would be about €482.43 a month" in english.text
    assert "Pillar-1 pension capital: €87,773.61" in english.text


def test_the_index_links_every_kind_and_an_unknown_kind_is_404(live_client):
    sign_in(live_client, personal_code=JANIS)
    index = live_client.get("/statements")
    for kind in KINDS:
        assert f'href="/statements/{kind}"' in index.text, kind
    assert live_client.get("/statements/EP99").status_code == 404
    assert live_client.get("/statements/ep43").status_code == 404


def test_another_persons_statement_is_refused(live_client):
    sign_in(live_client, personal_code=ANNA)
    live_client.get("/overview")  # the portal meets Elza when it asks the register whom Anna represents
    elza = person_id(live_client, ELZA)
    live_client.cookies.clear()
    sign_in(live_client, personal_code=JANIS)
    for path in ("/statements/EP43", "/statements/EP61/fresh"):
        refused = live_client.get(f"{path}?for={elza}")
        assert refused.status_code == 403 and REFUSED in refused.text


def test_a_mandate_not_covering_vsaa_is_refused(live_client):
    async def grant() -> None:
        async with live_client.app.state.db_sessions() as db, db.begin():
            people = PersonDirectory(db)
            peteris = await people.meet(PETERIS, "Pēteris", "Ozols")
            janis = await people.meet(JANIS, "Jānis", "Bērziņš")
            await MandateService(db).grant(peteris.id, Grant(janis.id, ("VDEAVK",), dt.date(2027, 12, 31)), TODAY)

    live_client.blocking_portal.call(grant)
    sign_in(live_client, personal_code=JANIS)
    peteris = person_id(live_client, PETERIS)
    for path in ("/statements/EP51", "/statements/EP51/fresh"):
        refused = live_client.get(f"{path}?for={peteris}")
        assert refused.status_code == 403 and REFUSED in refused.text


def test_a_vsaa_mandate_shows_the_grantors_statement_and_keeps_for(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    page = live_client.get(f"/statements/EP51?for={rasma}")
    assert page.status_code == 200 and "Personas Rasma Liepa izziņa." in page.text
    assert "Ko tas nozīmē personai Rasma Liepa" in page.text
    # her old-age pension since 2007-12-01, indexed to 1084.60 from 2026-10-01
    assert "Vecuma pensija: Jūs saņemat 1\xa0084,60\xa0€ mēnesī" in text_of(page.text)
    assert f'href="/statements?for={rasma}"' in page.text, "the way back keeps the subject"
    index = live_client.get(f"/statements?for={rasma}")
    assert f'href="/statements/EP51?for={rasma}"' in index.text, "the index's links keep the subject"


def test_vsaa_down_with_nothing_kept_says_so_clearly(live_client, vsaa_fault):
    sign_in(live_client, personal_code=JANIS)
    vsaa_fault("down")
    page = live_client.get("/statements/EP47")
    assert page.status_code == 200 and NOTICE_TITLE in page.text and NOTHING_KEPT in page.text
    assert "<table" not in page.text and "data-hx-get" not in page.text


def test_vsaa_down_shows_the_kept_statement_and_the_refresh_tells(live_client, vsaa_fault):
    sign_in(live_client, personal_code=JANIS)
    first = live_client.get("/statements/EP61")
    assert "data-hx-get" not in first.text, "just fetched: nothing to refresh"
    vsaa_fault("down")
    kept = live_client.get("/statements/EP61")
    assert kept.status_code == 200 and NOTICE_TITLE not in kept.text and "482,43\xa0€" in kept.text
    assert 'data-hx-get="/statements/EP61/fresh"' in kept.text and 'data-hx-trigger="load"' in kept.text
    assert 'id="statements-status" role="status"' in kept.text
    fragment = live_client.get("/statements/EP61/fresh", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert KEPT_SHOWN in fragment.text and "482,43\xa0€" in fragment.text and "<svg" in fragment.text
    assert 'data-hx-swap-oob="innerHTML"' in fragment.text and "VSAA neatbildēja" in fragment.text
    # Without JavaScript: the page itself says the last attempt failed, and shows what is kept.
    page = live_client.get("/statements/EP61")
    assert NOTICE_TITLE in page.text and KEPT_SHOWN in page.text and "482,43\xa0€" in page.text
    vsaa_fault("ok")
    fresh = live_client.get("/statements/EP61/fresh")
    assert fresh.status_code == 200 and "<html" in fresh.text and NOTICE_TITLE not in fresh.text


def test_each_kind_is_kept_apart(live_client, vsaa_fault):
    """A kept EP61 does not answer for EP47: with VSAA down, EP47 has nothing kept."""
    sign_in(live_client, personal_code=JANIS)
    live_client.get("/statements/EP61")
    vsaa_fault("down")
    assert NOTHING_KEPT in live_client.get("/statements/EP47").text
    assert NOTHING_KEPT not in live_client.get("/statements/EP61").text


def test_the_page_offers_to_issue_the_statement_as_a_sealed_pdf(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    page = live_client.get(f"/statements/EP51?for={rasma}")
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    assert form and form.group(1) == f"/statements/EP51/issue?for={rasma}"
    assert 'name="_csrf_token"' in form.group(2)


def test_every_kind_and_state_is_valid_html(live_client, vsaa_fault, tmp_path):
    """Beyond the inventory's two entries: all 12 kinds in both languages, the kept page VSAA did not refresh,
    and a kind with nothing kept while VSAA is down."""
    sign_in(live_client, personal_code=ILZE)
    years = live_client.get(f"/statements/EP46?for={person_id(live_client, RASMA)}").text
    assert 'class="statement-years"' in years
    live_client.cookies.clear()
    sign_in(live_client, personal_code=JANIS)
    pages = {
        f"{kind} {lang}": live_client.get(f"/statements/{kind}?lang={lang}").text
        for kind in KINDS
        for lang in ("lv", "en")
    }
    pages["EP46 with its years"] = years
    live_client.get("/statements/EP61")
    vsaa_fault("down")
    pages["EP61 kept, VSAA down"] = live_client.get("/statements/EP61/fresh").text
    live_client.cookies.clear()
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    pages["EP47 nothing kept, VSAA down"] = live_client.get(f"/statements/EP47?for={rasma}").text
    assert NOTHING_KEPT in pages["EP47 nothing kept, VSAA down"]
    try:
        errors = html_errors(pages, tmp_path / "html")
    except CheckerUnavailable as error:
        pytest.fail(str(error))
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors)


def test_a_pensioner_and_an_heir_read_their_own_kind_of_explanation(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    # Rasma receives her old-age pension since 2007-12-01, 1084.60 since 2026-10-01: no projection, no chart.
    pension = live_client.get(f"/statements/EP61?for={rasma}")
    assert "Jūs saņemat vecuma pensiju 1\xa0084,60\xa0€ mēnesī (piešķirta no: 2007. gada 1. decembris)." in pension.text
    assert "<svg" not in pension.text and "būtu aptuveni" not in pension.text
    # She inherited her husband's pillar-2 capital (6412.35, settled 2021-05-12); an heir has no choice to change.
    inheritance = text_of(live_client.get(f"/statements/EP45?for={rasma}").text)
    assert (
        "Jūs mantojāt 2. pensiju līmeņa kapitālu 6\xa0412,35\xa0€ apmērā (mantojuma atstājējs: Valdis Liepa;"
        " nokārtots: 2021. gada 12. maijs)." in inheritance
    )
    assert "Savu izvēli varat mainīt" not in inheritance


@pytest.mark.parametrize("kind", KINDS)
def test_a_person_vsaa_knows_nothing_about_is_told_so(live_client, kind):
    sign_in(live_client, personal_code="080890-17710")  # Laura: no history at all
    page = live_client.get(f"/statements/{kind}")
    assert page.status_code == 200 and "VSAA nav datu šai izziņai." in page.text
    assert "<table" not in page.text and 'id="meaning"' not in page.text


def test_a_yearly_statement_links_its_years_and_shows_the_one_asked_for(live_client):
    sign_in(live_client, personal_code=ILZE)
    rasma = person_id(live_client, RASMA)
    latest = live_client.get(f"/statements/EP46?for={rasma}")
    assert '<a class="statement-years__link" href="/statements/EP46?year=2026&amp;for=' in latest.text
    assert re.search(r'href="/statements/EP46\?year=2026&amp;for=[^"]+" aria-current="page">2026</a>', latest.text)
    assert f'href="/statements/EP46?year=2025&amp;for={rasma}">2025</a>' in latest.text
    # 2025: 9 months of 1009.75 and, indexed from October, 3 of 1054.90 = 12252.45 before tax
    chosen = live_client.get(f"/statements/EP46?year=2025&for={rasma}")
    assert chosen.status_code == 200
    assert "2025. gadā VSAA Jums aprēķināja 12\xa0252,45\xa0€ pirms nodokļu nomaksas." in chosen.text
    assert re.search(r'href="/statements/EP46\?year=2025&amp;for=[^"]+" aria-current="page">2025</a>', chosen.text)
    assert "2026. gadā VSAA Jums aprēķināja" in live_client.get(f"/statements/EP46?for={rasma}").text, "kept apart"


def test_a_year_only_where_a_kind_has_years(live_client):
    sign_in(live_client, personal_code=JANIS)
    assert live_client.get("/statements/EP61?year=2025").status_code == 404
    assert live_client.get("/statements/EP46?year=1800").status_code == 404
    assert live_client.get("/statements/EP46/fresh?year=3000").status_code == 404
    assert live_client.get("/statements/EP46?year=last").status_code == 400
