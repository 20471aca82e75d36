"""Builds every agency client from settings, once per process: one httpx client per agency (its base URL, the
agencies' timeouts and mutual-TLS material), shared by the web handlers and the worker.

To add an agency client: a field on `Agencies`, one line in `build_agencies`. Handlers get clients through the
Litestar dependency of the same name (portal/app.py provides every field of `Agencies`).
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, fields

import httpx

from portal.agencies.eadrese import EAddress, HttpEAddress, UnconfiguredEAddress
from portal.agencies.gateway import AgencyCaller
from portal.agencies.http import create_http_client
from portal.agencies.population_register import (
    HttpPopulationRegister,
    PopulationRegister,
    UnconfiguredPopulationRegister,
)
from portal.agencies.resilience import Resilience, attach
from portal.agencies.social_services import HttpSocialServices, SocialServices, UnconfiguredSocialServices
from portal.agencies.vdeavk import HttpVdeavk, UnconfiguredVdeavk, Vdeavk
from portal.agencies.vsaa_applications import (
    HttpVsaaApplications,
    UnconfiguredVsaaApplications,
    VsaaApplications,
)
from portal.agencies.vsaa_data import HttpVsaaData, UnconfiguredVsaaData, VsaaData
from portal.settings import AGENCY_SETTINGS, Settings


@dataclass(frozen=True)
class Agencies:
    population_register: PopulationRegister
    vdeavk: Vdeavk
    social_services: SocialServices
    eadrese: EAddress
    vsaa_applications: VsaaApplications
    vsaa_data: VsaaData
    http: tuple[httpx.AsyncClient, ...] = field(default=(), repr=False)

    def as_dependencies(self) -> dict[str, object]:
        """Every client by its field name (the connections themselves are not a dependency)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "http"}

    async def aclose(self) -> None:
        for client in self.http:
            await client.aclose()


def agency_timeout(settings: Settings) -> httpx.Timeout:
    return httpx.Timeout(
        connect=settings.agency_connect_timeout,
        read=settings.agency_read_timeout,
        write=settings.agency_read_timeout,
        pool=settings.agency_connect_timeout,
    )


def _tls(settings: Settings) -> ssl.SSLContext | bool:
    """Mutual TLS towards the agencies' gateway when a client certificate is configured (docs/agencies.md)."""
    if not (settings.agency_client_cert or settings.agency_ca_bundle):
        return True
    context = ssl.create_default_context(cafile=str(settings.agency_ca_bundle) if settings.agency_ca_bundle else None)
    if settings.agency_client_cert:
        key = str(settings.agency_client_key) if settings.agency_client_key else None
        context.load_cert_chain(str(settings.agency_client_cert), key)
    return context


def build_agencies(settings: Settings) -> Agencies:
    """The clients; `aclose()` them when the app or the worker stops."""
    timeout, verify = agency_timeout(settings), _tls(settings)
    clients: dict[str, httpx.AsyncClient] = {}
    for agency in AGENCY_SETTINGS:
        if base_url := settings.agency_base_url(agency):
            clients[agency] = create_http_client(base_url, timeout=timeout, verify=verify)
            # Every AgencyCaller on this client shares the agency's retry policy, breaker and cache.
            attach(clients[agency], Resilience.from_settings(agency, settings))
    return Agencies(
        population_register=HttpPopulationRegister(clients["pmlp"])
        if "pmlp" in clients
        else UnconfiguredPopulationRegister(),
        vdeavk=HttpVdeavk(clients["vdeavk"]) if "vdeavk" in clients else UnconfiguredVdeavk(),
        social_services=HttpSocialServices(clients["pasv"]) if "pasv" in clients else UnconfiguredSocialServices(),
        eadrese=HttpEAddress(clients["eadrese"]) if "eadrese" in clients else UnconfiguredEAddress(),
        vsaa_applications=HttpVsaaApplications(AgencyCaller("vsaa", clients["vsaa"]))
        if "vsaa" in clients
        else UnconfiguredVsaaApplications(),
        vsaa_data=HttpVsaaData(AgencyCaller("vsaa", clients["vsaa"])) if "vsaa" in clients else UnconfiguredVsaaData(),
        http=tuple(clients.values()),
    )
