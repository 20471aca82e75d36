"""Reading a cookie straight from ASGI headers, for the wrappers that run before Litestar parses a request."""

from __future__ import annotations


def cookie_value(cookie_header: str, name: str) -> str | None:
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None
