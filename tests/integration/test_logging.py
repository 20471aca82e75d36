"""Structured logs: one JSON line per request with its id, and never a personal code."""

import json

PERSONAL_CODES = ("150162-12342", "15016212342", "329011-52842")


def _lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_each_request_is_logged_with_its_id(capfd, client):
    response = client.get("/privacy", headers={"X-Request-ID": "journey-0001"})
    assert response.headers["x-request-id"] == "journey-0001"
    access = [line for line in _lines(capfd.readouterr().err) if line.get("event") == "request"]
    assert access[-1] | {"ms": 0} == {
        "event": "request",
        "method": "GET",
        "path": "/privacy",
        "status": 200,
        "ms": 0,
        "request_id": "journey-0001",
        "level": "info",
        "timestamp": access[-1]["timestamp"],
    }


def test_a_journey_leaves_no_personal_code_in_the_logs(capfd, client):
    client.get("/?q=150162-12342&lang=en")
    client.get("/no-such/150162-12342")
    client.get("/no-such/15016212342")
    client.post("/", data={"personal_code": "329011-52842"})
    client.request("PATCH", "/privacy", data={"personal_code": "329011-52842"})
    captured = capfd.readouterr()
    output = captured.out + captured.err
    assert _lines(captured.err), "the journey was logged"
    for code in PERSONAL_CODES:
        assert code not in output
