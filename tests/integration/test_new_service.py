"""Adding an e-service takes one YAML file and its translations, no Python: a forms directory holding the shipped
catalogue plus one new file (Apbedīšanas pabalsts, which the VSAA sandbox takes but the portal does not ship) gives
a service that is listed, started, answered, checked, sent, delivered, and registered by VSAA once; its texts
are what the Babel extractor collects for translation."""

from __future__ import annotations

import io
import re
import shutil

import httpx
import pytest
from litestar.testing import TestClient

from portal.app import create_app
from portal.catalogue.extract import extract_forms
from portal.settings import PROJECT_ROOT
from tests.integration.conftest import PORTAL_URL, check_page
from tests.integration.test_journey import answer, deliver_due, post, rows, start
from tests.integration.test_sign_in import sign_in

FUNERAL = """
slug: apbedisanas-pabalsts
kind: application
agency: vsaa
title: "Funeral benefit"
summary: "Apply for the funeral benefit if you paid for the funeral of a person who has died."
life_situations: [loss-of-a-provider]
about: null
filers: [self, representative, assistant]
decision_term_days: 10
pages:
  - name: deceased
    title: "Who has died?"
    questions:
      - {name: deceased_code, type: personal_code, label: "The personal code of the person who has died"}
      - {name: died_on, type: date, label: "Date of death", max_date: today}
  - name: bank-account
    title: "Where should the benefit be paid?"
    questions:
      - {name: iban, type: iban, label: "What is your account number?"}
  - name: decision-delivery
    title: "How do you want to receive the decision?"
    questions:
      - name: decision_delivery
        type: choice
        label: "How do you want to receive the decision?"
        choices:
          - {value: portals, label: "Here in the portal"}
          - {value: pasts, label: "By post"}
declaration: "I confirm that the information I have given is true and complete."
what_next: "VSAA will decide within 10 working days and tell you in the way you chose."
"""


@pytest.fixture
def forms_dir(tmp_path):
    folder = tmp_path / "forms"
    shutil.copytree(PROJECT_ROOT / "forms", folder)
    (folder / "apbedisanas-pabalsts.yaml").write_text(FUNERAL, encoding="utf-8")
    return folder


@pytest.fixture
def client(live_settings, forms_dir):
    app = create_app(live_settings.model_copy(update={"forms_dir": forms_dir}))
    with TestClient(app, base_url=PORTAL_URL) as test_client:
        test_client.event_hooks["response"].append(check_page)
        yield test_client


def test_a_service_added_as_one_yaml_file_is_offered_completed_and_registered_once(client, live_sandbox):
    sign_in(client, next_path="/overview")
    client.cookies.set("lang", "en", domain="127.0.0.1")
    assert "Apply for the funeral benefit" in client.get("/services/apbedisanas-pabalsts").text

    draft_id, first = start(client, "apbedisanas-pabalsts")
    assert first == "deceased"
    refused = post(client, f"/applications/{draft_id}/deceased", {"deceased_code": "010101-00000"})
    assert refused.status_code == 400 and "<title>Error:" in refused.text
    died = {"died_on-day": "2", "died_on-month": "11", "died_on-year": "2026"}
    answer(client, draft_id, "deceased", {"deceased_code": "150162-12342", **died}, "bank-account")
    answer(client, draft_id, "bank-account", {"iban": "LV80BANK0000435195001"}, "decision-delivery")
    answer(client, draft_id, "decision-delivery", {"decision_delivery": "portals"}, "check")
    assert "LV80BANK0000435195001" in client.get(f"/applications/{draft_id}/check").text
    sent = post(client, f"/applications/{draft_id}/declaration", {"confirm": "yes"})
    assert sent.status_code == 303
    confirmation = client.get(sent.headers["location"]).text
    reference = re.search(r"VSAA-2026-[0-9]{6}", confirmation).group(0)
    assert "30 November 2026" in confirmation  # 10 days from the business clock's 20 November

    client.blocking_portal.call(deliver_due, client.app)
    assert rows(client, draft_id)[1].status == "received"
    book = httpx.get(f"{live_sandbox.url}/_control/vsaa/registrations").json()["registered"]
    registered = [entry for entry in book if entry["id"] == reference]
    assert len(registered) == 1
    assert reference in client.get("/applications").text


def test_the_new_files_texts_are_collected_for_translation():
    texts = {message for _, _, message, _ in extract_forms(io.BytesIO(FUNERAL.encode()), [], [], {})}
    assert {"Funeral benefit", "Who has died?", "Date of death", "By post"} <= texts
    assert "apbedisanas-pabalsts" not in texts and "portals" not in texts  # slugs and values are not texts
