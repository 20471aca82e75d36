"""A repeating group ("add another") without JavaScript, in a service added as one YAML file in a forms directory
of the test's own: items added, refused item by item, removed, kept as a list and shown numbered on the check page."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from portal.app import create_app
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_journey import DRAFT_URL, csrf, post, rows
from tests.integration.test_sign_in import sign_in

CHILDREN = """
slug: berni-tests
kind: application
agency: vsaa
title: "Children test service"
summary: "A service of the tests with a repeating group."
filers: [self]
decision_term_days: 10
pages:
  - name: children
    title: "Your children"
    repeat: {min: 1, max: 3, add_label: "Add another child"}
    questions:
      - {name: given_name, type: text, label: "Given name"}
      - {name: birth_date, type: date, label: "Date of birth", max_date: today}
declaration: "I confirm that the information I have given is true and complete."
what_next: "The tests will decide."
"""


@pytest.fixture
def client(live_settings, tmp_path):
    (tmp_path / "berni-tests.yaml").write_text(CHILDREN, encoding="utf-8")
    with TestClient(create_app(live_settings.model_copy(update={"forms_dir": tmp_path})), base_url=PORTAL_URL) as c:
        c.event_hooks["response"].append(check_page)
        yield c


def child(index, name, day, month, year):
    return {
        f"{index}-given_name": name,
        f"{index}-birth_date-day": day,
        f"{index}-birth_date-month": month,
        f"{index}-birth_date-year": year,
    }


def test_children_are_added_refused_removed_and_kept_as_a_list(client):
    sign_in(client)
    token = csrf(client, "/services/berni-tests")
    started = client.post("/services/berni-tests/apply", data={"_csrf_token": token}, follow_redirects=False)
    draft_id, page = DRAFT_URL.match(started.headers["location"]).groups()
    path = f"/applications/{draft_id}/{page}"
    assert post(client, path, {}).status_code == 400  # at least one child
    added = post(client, path, {**child(0, "Līga", "1", "2", "2015"), "add": "yes"})
    assert added.status_code == 200 and 'name="1-given_name"' in added.text and 'value="Līga"' in added.text
    future = post(client, path, {**child(0, "Līga", "1", "2", "2015"), **child(1, "Ēriks", "1", "1", "2030")})
    assert future.status_code == 400 and 'href="#1-birth_date-day"' in future.text and 'value="Ēriks"' in future.text
    removed = post(client, path, {**child(0, "Līga", "1", "2", "2015"), **child(1, "X", "", "", ""), "remove": "1"})
    assert removed.status_code == 200 and 'name="1-given_name"' not in removed.text
    first, second = child(0, "Līga", "1", "2", "2015"), child(1, "Ēriks", "3", "4", "2019")
    # A fourth item is more than the definition takes (max 3): it is dropped, whatever its index.
    beyond = {**child(2, "Anna", "5", "6", "2020"), **child(7, "Y", "1", "1", "2000")}
    saved = post(client, path, {**first, **second, **beyond})
    assert saved.status_code == 303 and saved.headers["location"].endswith("/check")
    draft, _ = rows(client, draft_id)
    assert draft.answers["children"] == [
        {"given_name": "Līga", "birth_date": "2015-02-01"},
        {"given_name": "Ēriks", "birth_date": "2019-04-03"},
        {"given_name": "Anna", "birth_date": "2020-06-05"},
    ]
    check = client.get(f"/applications/{draft_id}/check?lang=en")
    assert "Given name (item 2)" in check.text and "Ēriks" in check.text
