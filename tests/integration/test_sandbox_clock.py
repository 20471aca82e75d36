"""The business clock read from the sandbox over real HTTP, and the request id carried to it."""

import datetime as dt

import httpx

from portal.agencies.http import create_http_client
from portal.clock import SandboxClock
from portal.web.logs import request_id_var


async def test_the_portal_reads_and_follows_the_sandbox_clock(live_sandbox):
    async with create_http_client(live_sandbox.url) as client:
        clock = SandboxClock(client, max_age=0)
        assert await clock.today() == dt.date(2026, 11, 20)
        moved = await client.put("/_control/clock", json={"today": "2027-01-15"})
        assert moved.status_code == 200
        try:
            assert await clock.today() == dt.date(2027, 1, 15)
        finally:
            await client.put("/_control/clock", json={"today": "2026-11-20"})


async def test_the_request_id_reaches_the_agency(live_sandbox):
    token = request_id_var.set("trace-20261120")
    try:
        async with create_http_client(live_sandbox.url) as client:
            response = await client.get("/_control/clock")
    finally:
        request_id_var.reset(token)
    assert response.headers["x-request-id"] == "trace-20261120"


async def test_sandbox_refuses_bad_control_input(live_sandbox):
    async with httpx.AsyncClient(base_url=live_sandbox.url) as client:
        assert (await client.put("/_control/clock", json={"today": "2026-02-30"})).status_code == 400
        assert (await client.put("/_control/faults/vsaa", json={"mode": "explode"})).status_code == 400
        assert (await client.put("/_control/faults/nobody", json={"mode": "down"})).status_code == 404
