"""A production-like e-seal for tests: the certificate, its key and the root as separate PEM files, as an
operator would configure them (PORTAL_SEAL_CERTIFICATE, PORTAL_SEAL_KEY, PORTAL_SEAL_TRUST_ROOT)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asn1crypto import pem

from portal.documents.seal import _new_dev_pem


def production_seal(directory: Path) -> dict[str, Any]:
    """Settings fields naming freshly made seal files under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    names = ("root", "seal", "seal-key")
    kinds = ("CERTIFICATE", "CERTIFICATE", "PRIVATE KEY")
    blocks = [der for _, _, der in pem.unarmor(_new_dev_pem(), multiple=True)]
    for name, kind, der in zip(names, kinds, blocks, strict=True):
        (directory / f"{name}.pem").write_bytes(pem.armor(kind, der))
    return {
        "seal_certificate": directory / "seal.pem",
        "seal_key": directory / "seal-key.pem",
        "seal_trust_root": directory / "root.pem",
    }
