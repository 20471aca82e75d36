"""The landing page and the language rules, through the whole app."""

import re


def test_landing_is_latvian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="lv">' in response.text
    assert "Atrodiet atbalstu savai dzīves situācijai" in response.text
    for situation in (
        "Bērna piedzimšana",
        "Pensionēšanās",
        "Invaliditāte",
        "Apgādnieka zaudējums",
        "Aizbildnība",
        "Darba zaudēšana",
    ):
        assert situation in response.text
    assert "lang=" not in response.headers.get("set-cookie", "")


def test_lang_query_switches_and_is_remembered(client):
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.text
    assert "Find support for your life situation" in response.text
    cookie = response.headers["set-cookie"]
    assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert '<html lang="en">' in client.get("/privacy").text


def test_accept_language_is_used_when_nothing_was_chosen(client):
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    assert '<html lang="lv">' in client.get("/", headers={"Accept-Language": "ru,de"}).text


def test_unknown_language_is_ignored_not_an_error(client):
    response = client.get("/?lang=<script>")
    assert response.status_code == 200
    assert '<html lang="lv">' in response.text
    assert "<script>" not in response.headers.get("set-cookie", "")


def test_switch_link_keeps_other_parameters_and_offers_the_other_language(client):
    html = client.get("/contacts?x=1").text
    links = re.findall(r'href="(/contacts\?[^"]*)"', html)
    assert links == ["/contacts?x=1&amp;lang=en"]
    assert 'hreflang="en"' in html and ">English<" in html
    assert ">Latviešu<" in client.get("/contacts?lang=en").text


def test_footer_pages_exist_in_both_languages(client):
    for path in ("/accessibility", "/privacy", "/contacts"):
        for lang in ("lv", "en"):
            assert client.get(f"{path}?lang={lang}").status_code == 200, (path, lang)


def test_latvian_page_titles_name_the_portal(client):
    title = re.search(r"<title>(.*?)</title>", client.get("/").text, re.S).group(1)
    assert title.strip().endswith("Latvijas e-pakalpojumu portāls")


def test_the_landing_page_lists_every_e_service_and_the_support_check(client):
    page = client.get("/?lang=en").text
    links = re.findall(r'href="/services/([a-z0-9-]+)"', page)
    # The catalogue of issue 5, in alphabetical order of the titles in the reader's language.
    assert links[:3] == [
        "invalida-kopsanas-pabalsts",
        "berna-piedzimsanas-pabalsts",
        "atlidziba-par-aizbildna-pienakumu-pildisanu",
    ]
    latvian = re.findall(r'href="/services/([a-z0-9-]+)"', client.get("/?lang=lv").text)
    # Aprūpe mājās, Atlīdzība…, Bērna…, Bezdarbnieka…: "ē" sorts right after "e" (not after "z").
    assert latvian[1:5] == [
        "aprupe-majas",
        "atlidziba-par-aizbildna-pienakumu-pildisanu",
        "berna-piedzimsanas-pabalsts",
        "bezdarbnieka-pabalsts",
    ]
    assert len(links) == 12 and "aprupe-majas" in links and "vdeavk-invaliditates-ekspertize" in links
    assert 'href="/questionnaires/atbalsta-parbaude"' in page
    assert 'href="/life-situations/disability"' in page


def test_a_life_situation_lists_its_services_and_questionnaires(client):
    page = client.get("/life-situations/disability?lang=en").text
    assert "<h1" in page and "Disability</h1>" in page
    services = re.findall(r'href="/services/([a-z0-9-]+)"', page)
    expected = {
        "vdeavk-invaliditates-ekspertize",
        "invaliditates-pensija",
        "pabalsts-transporta-izdevumu-kompensesanai",
        "invalida-kopsanas-pabalsts",
    }
    assert expected <= set(services) and "vecuma-pensija" not in services
    assert 'href="/questionnaires/pasnovertejuma-anketa"' in page
    assert 'href="/questionnaires/atbalsta-parbaude"' in page
    latvian = client.get("/life-situations/disability?lang=lv").text
    assert "Invaliditātes pensija" in latvian
    assert client.get("/life-situations/no-such-situation").status_code == 404
    assert client.get("/life-situations/%3Cscript%3E").status_code == 404
