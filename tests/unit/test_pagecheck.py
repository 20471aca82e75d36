"""The page checker must catch what it claims to catch, or every integration test is weaker than it looks."""

from tests.pagecheck import page_problems

GOOD = """<!DOCTYPE html><html lang="lv"><head><title>T</title></head><body><h1>H</h1>
<form action="/x" method="post"><input type="hidden" name="_csrf_token" value="t">
<label for="a">A</label><input id="a" name="a"><label>B <input name="b"></label>
<button>Go</button></form><form action="/s"><input aria-label="Search" name="q"></form></body></html>"""


def test_a_good_page_passes():
    assert page_problems(GOOD) == []


def test_each_problem_is_found():
    assert "<html> has no lang" in page_problems(GOOD.replace(' lang="lv"', ""))
    assert "the page has no title" in page_problems(GOOD.replace("<title>T</title>", ""))
    assert any("h1" in p for p in page_problems(GOOD.replace("<h1>H</h1>", "")))
    assert any("h1" in p for p in page_problems(GOOD.replace("<h1>H</h1>", "<h1>1</h1><h1>2</h1>")))
    assert any("'a'" in p for p in page_problems(GOOD.replace('<label for="a">A</label>', "")))
    assert any("CSRF" in p for p in page_problems(GOOD.replace('name="_csrf_token"', 'name="other"')))
    assert "a form has no action" in page_problems(GOOD.replace('action="/s"', ""))
