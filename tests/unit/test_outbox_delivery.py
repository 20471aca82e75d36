"""The delivery adapters: the stored payload becomes each agency client's request, sent with the submission's
idempotency key, and the agency's reference comes back as the receipt (the clients themselves are tested
against the sandbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from portal.agencies import social_services, vdeavk, vsaa_applications
from portal.agencies.errors import AgencyRefused
from portal.applications.delivery import Receipt, SocialServicesDeliverer, VdeavkDeliverer, VsaaDeliverer

KEY = "k3y-0f-the-submission-0123456789"
COMMON = {
    "service": "vecuma-pensija",
    "applicant": {"personal_code": "150162-12342"},
    "about_person": None,
    "filer": {"personal_code": "150162-12342", "basis": "self"},
    "answers": {"decision_delivery": "portal"},
    "submitted_at": "2026-11-20T09:00:00Z",
}
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


class FakeClient:
    def __init__(self, receipt: Any = None, refuse: bool = False) -> None:
        self.sent: list[tuple[Any, str]] = []
        self._receipt = receipt
        self._refuse = refuse

    async def submit(self, request: Any, idempotency_key: str) -> Any:
        self.sent.append((request, idempotency_key))
        if self._refuse:
            raise AgencyRefused("refused (422)", "vsaa", 422, "Pakalpojums nav zināms.")
        return self._receipt


def receipt_of(module: Any, reference: str) -> Any:
    return module.Receipt(
        reference=reference, status="received", received_at=NOW, decision_due=dt.date(2026, 12, 18), as_of=NOW
    )


async def test_vsaa_gets_the_payload_as_its_submission_under_the_submissions_key():
    payload = {"reference": "VSAA-2026-000042", **COMMON}
    client = FakeClient(receipt_of(vsaa_applications, "VSAA-2026-000042"))
    assert await VsaaDeliverer(client).deliver(payload, KEY) == Receipt("VSAA-2026-000042")
    [(request, key)] = client.sent
    assert key == KEY
    assert request.body() == payload


async def test_vdeavk_gets_its_own_fields_from_the_payload():
    payload = {
        "reference": "VDEAVK-2026-000007",
        **COMMON,
        "service": "vdeavk-invaliditates-ekspertize",
        "answers": {"contact_phone": "+37120000000"},
        "kind": "renewal",
        "self_assessment": {"mobility": {"difficulty": 2, "helps": "Kruķi."}},
    }
    client = FakeClient(receipt_of(vdeavk, "VDEAVK-2026-000007"))
    assert await VdeavkDeliverer(client).deliver(payload, KEY) == Receipt("VDEAVK-2026-000007")
    [(request, key)] = client.sent
    assert (key, request.kind, request.self_assessment["mobility"].difficulty) == (KEY, "renewal", 2)


async def test_pasv_gets_the_municipality_from_the_payload():
    payload = {
        "reference": "PASV-2026-000003",
        **COMMON,
        "service": "aprupe-majas",
        "answers": {"contact_phone": "+37120000001"},
        "municipality": "cesis",
    }
    client = FakeClient(receipt_of(social_services, "PASV-2026-000003"))
    assert await SocialServicesDeliverer(client).deliver(payload, KEY) == Receipt("PASV-2026-000003")
    [(request, _key)] = client.sent
    assert (request.municipality, request.service) == ("cesis", "aprupe-majas")


async def test_a_refusal_passes_through_to_the_outbox():
    with pytest.raises(AgencyRefused) as refused:
        await VsaaDeliverer(FakeClient(refuse=True)).deliver({"reference": "VSAA-2026-000042", **COMMON}, KEY)
    assert refused.value.reason == "Pakalpojums nav zināms."
