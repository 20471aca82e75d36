"""The one HTTP client stack for every outgoing call: httpx, with the request id forwarded."""

from __future__ import annotations

import ssl

import httpx

from portal.web.logs import REQUEST_ID_HEADER, request_id_var

DEFAULT_TIMEOUT = httpx.Timeout(connect=2.0, read=5.0, write=5.0, pool=2.0)


async def forward_request_id(request: httpx.Request) -> None:
    """Lets an agency's logs be joined with ours: the id of the request that caused the call travels with it."""
    request_id = request_id_var.get()
    if request_id:
        request.headers[REQUEST_ID_HEADER] = request_id


def create_http_client(
    base_url: str, timeout: httpx.Timeout = DEFAULT_TIMEOUT, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=timeout,
        verify=verify,
        event_hooks={"request": [forward_request_id]},
        headers={"User-Agent": "latvija-e-portal"},
    )
