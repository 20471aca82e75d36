"""Delivery adapters: how the outbox hands a submission's payload to each agency's client.

A `Deliverer` takes the payload the outbox stored (portal/applications/outbox.py: reference, service,
applicant, about_person, filer, answers, submitted_at) and the submission's idempotency key, calls the agency's
client once, and returns the agency's receipt. It raises what the clients raise (portal/agencies/errors.py):
AgencyUnavailable (try again later) or AgencyRefused (the agency will not register it, with its reason). Keep
these thin: the request shape belongs to the client, the retry policy to the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from portal.agencies import social_services, vdeavk, vsaa_applications
from portal.agencies.registry import Agencies


@dataclass(frozen=True)
class Receipt:
    """The agency registered the application, under this reference."""

    agency_reference: str


class Deliverer(Protocol):
    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt: ...


class VsaaDeliverer:
    def __init__(self, client: vsaa_applications.VsaaApplications) -> None:
        self._client = client

    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt:
        request = vsaa_applications.Submission.model_validate(payload)
        return Receipt((await self._client.submit(request, idempotency_key)).reference)


class VdeavkDeliverer:
    """The payload's `kind` and `self_assessment` come from `OutboxService.submit(extra=...)`."""

    def __init__(self, client: vdeavk.Vdeavk) -> None:
        self._client = client

    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt:
        request = vdeavk.ExpertiseApplication.model_validate(payload)
        return Receipt((await self._client.submit(request, idempotency_key)).reference)


class SocialServicesDeliverer:
    """The payload's `municipality` comes from `OutboxService.submit(extra=...)`; the service slug is PASV's own."""

    def __init__(self, client: social_services.SocialServices) -> None:
        self._client = client

    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt:
        request = social_services.SocialCareApplication.model_validate(payload)
        return Receipt((await self._client.submit(request, idempotency_key)).reference)


def deliverers(agencies: Agencies) -> dict[str, Deliverer]:
    """The deliverer of every agency that takes applications, by agency code. An agency without a configured
    client still has one: its client raises AgencyUnavailable, and the submissions wait."""
    return {
        "vsaa": VsaaDeliverer(agencies.vsaa_applications),
        "vdeavk": VdeavkDeliverer(agencies.vdeavk),
        "pasv": SocialServicesDeliverer(agencies.social_services),
    }
