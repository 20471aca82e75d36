"""Every route that touches personal data checks whom the request is about.

A route is personal when it needs a signed-in person (the `signed_in` or `staff_only` guard). Such a route must
take `subject` (the person the URL names, checked against whom the actor may act for) or `access` (the actor's
own matters, and the set of people they may act for). tests/integration/test_representation.py then proves,
persona by persona, that the pages taking `subject` refuse a stranger.
"""

from __future__ import annotations

from portal.app import create_app
from portal.auth.guards import signed_in, staff_only

CHECKED = {"subject", "access"}
# Signed-in routes about the session itself, not about anybody's data.
SESSION_ONLY: set[str] = set()


def personal_routes(app) -> list[tuple[str, object]]:
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's own CORS preflight answer: no data
            # The guards of the handler and of every router and app above it, as declared (unwrapped).
            guards = [guard for layer in handler.ownership_layers for guard in (layer.guards or ())]
            if signed_in in guards or staff_only in guards:
                found.append((route.path, handler))
    return found


def test_every_personal_data_route_checks_its_subject(migrated):
    app = create_app(migrated)
    routes = personal_routes(app)
    assert any(path == "/overview" for path, _ in routes), "the guard is not where this test looks for it"
    unchecked = [
        f"{path} ({handler.handler_name})"
        for path, handler in routes
        if path not in SESSION_ONLY and not CHECKED & set(handler.parsed_fn_signature.parameters)
    ]
    assert not unchecked, f"personal-data routes without the subject check: {unchecked}"


def test_the_check_notices_a_route_without_it(migrated):
    """The test above would pass vacuously if it could not see a handler's parameters; this one proves it can."""
    from litestar import get

    @get("/unchecked", guards=[signed_in], sync_to_thread=False)
    def unchecked() -> str:
        return "personal data, unchecked"

    app = create_app(migrated)
    app.register(unchecked)
    flagged = [p for p, h in personal_routes(app) if not CHECKED & set(h.parsed_fn_signature.parameters)]
    assert flagged == ["/unchecked"]
