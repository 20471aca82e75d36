"""What every document prints so that its receiver can check it: the verification code, the /verify address
and a QR code of that address (segno, drawn as SVG into the HTML before WeasyPrint renders it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import segno

from portal.documents.models import Document


def verify_url(public_url: str, code: str) -> str:
    return f"{public_url.rstrip('/')}/verify?{urlencode({'code': code})}"


def qr_data_uri(url: str) -> str:
    """The QR code as an SVG data URI; error correction M survives a crease or a smudge on paper."""
    return str(segno.make(url, error="m", micro=False).svg_data_uri(scale=3, border=2))


def verification_context(document: Document, public_url: str) -> dict[str, Any]:
    code = document.verification_code or ""
    url = verify_url(public_url, code)
    return {"verification_code": code, "verify_page": f"{public_url.rstrip('/')}/verify", "verify_qr": qr_data_uri(url)}
