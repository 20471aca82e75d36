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
