import datetime as dt

import httpx

from portal.agencies.http import create_http_client
from portal.clock import SandboxClock, WallClock
from portal.web.logs import request_id_var


class FakeTime:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _sandbox(days):
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(200, json={"today": days[len(calls) - 1]})

    return calls, httpx.MockTransport(handler)


async def test_sandbox_clock_is_kept_for_at_most_its_max_age():
    calls, transport = _sandbox(["2026-11-20", "2027-02-01"])
    fake = FakeTime()
    async with httpx.AsyncClient(base_url="http://sandbox", transport=transport) as client:
        clock = SandboxClock(client, max_age=1.0, monotonic=fake)
        assert await clock.today() == dt.date(2026, 11, 20)
        fake.now += 0.9
        assert await clock.today() == dt.date(2026, 11, 20)
        assert len(calls) == 1
        fake.now += 0.2
        assert await clock.today() == dt.date(2027, 2, 1)
        assert len(calls) == 2


async def test_wall_clock_is_riga_today():
    today = await WallClock().today()
    assert abs((today - dt.date.today()).days) <= 1


async def test_outgoing_calls_carry_the_request_id():
    seen = []
    client = create_http_client("http://agency")
    client._transport = httpx.MockTransport(lambda r: seen.append(r.headers.get("x-request-id")) or httpx.Response(200))
    token = request_id_var.set("req-12345678")
    try:
        await client.get("/x")
    finally:
        request_id_var.reset(token)
    await client.get("/y")
    await client.aclose()
    assert seen == ["req-12345678", None]
