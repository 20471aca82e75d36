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

from portal.agencies.registry import Agencies


@dataclass(frozen=True)
class Receipt:
    """The agency registered the application, under this reference."""

    agency_reference: str


class Deliverer(Protocol):
    async def deliver(self, payload: Mapping[str, Any], idempotency_key: str) -> Receipt: ...


def deliverers(agencies: Agencies) -> dict[str, Deliverer]:
    """The deliverer of every agency that takes applications and has a client configured, by agency code."""
    del agencies  # the VSAA, VDEĀVK and PASV clients are not in the registry yet
    return {}
