"""The e-seal: made once in dev/test and reused; a sealed PDF validates against our root only, and any change,
damage or a second root makes it invalid (never an exception)."""

from __future__ import annotations

import io

import pytest
from asn1crypto import pem
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

from portal.documents.seal import DEV_SEAL_FILE, seal_for, seal_is_valid, seal_pdf
from portal.settings import Environment, Settings
from tests.seal_files import production_seal


def blank_pdf() -> bytes:
    writer = PdfFileWriter()
    media_box = generic.ArrayObject(map(generic.NumberObject, (0, 0, 595, 842)))
    writer.insert_page(
        PageObject(contents=writer.add_object(generic.StreamObject(stream_data=b"")), media_box=media_box)
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(var_dir=tmp_path, environment=Environment.TEST)


def test_the_dev_seal_is_made_once_and_reused(settings):
    first = seal_for(settings)
    kept = (settings.var_dir / DEV_SEAL_FILE).read_bytes()
    assert oct((settings.var_dir / DEV_SEAL_FILE).stat().st_mode & 0o777) == "0o600"
    again = seal_for(settings)
    assert (settings.var_dir / DEV_SEAL_FILE).read_bytes() == kept
    assert again.root.dump() == first.root.dump()
    sealed = seal_pdf(blank_pdf(), first, "test")
    assert seal_is_valid(sealed, again.root), "a restart could not verify yesterday's seal"


def test_a_sealed_pdf_is_valid_against_our_root_and_nothing_else(settings, tmp_path):
    seal = seal_for(settings)
    pdf = blank_pdf()
    sealed = seal_pdf(pdf, seal, "test")
    assert sealed.startswith(pdf), "the seal is not an incremental update"
    assert seal_is_valid(sealed, seal.root)
    other = seal_for(Settings(var_dir=tmp_path / "other", environment=Environment.TEST))
    assert not seal_is_valid(sealed, other.root)
    assert not seal_is_valid(pdf, seal.root), "an unsealed PDF passed"


def test_a_changed_or_damaged_pdf_is_not_valid(settings):
    seal = seal_for(settings)
    sealed = seal_pdf(blank_pdf(), seal, "test")
    for position in (10, len(sealed) // 2, len(sealed) - 40):
        changed = bytearray(sealed)
        changed[position] ^= 0x20
        assert not seal_is_valid(bytes(changed), seal.root), position
    for damaged in (b"", b"not a pdf", sealed[: len(sealed) // 2], sealed + b"\n% appended"):
        assert not seal_is_valid(damaged, seal.root)


def test_production_without_a_configured_seal_refuses(tmp_path):
    with pytest.raises(RuntimeError, match="PORTAL_SEAL"):
        seal_for(Settings(var_dir=tmp_path, environment=Environment.PRODUCTION))


def test_a_configured_seal_with_an_encrypted_key_seals_and_validates(tmp_path):
    """Production's path: certificate, key (encrypted, with its passphrase) and root as configured files."""
    files = production_seal(tmp_path / "plain")
    key = serialization.load_pem_private_key(files["seal_key"].read_bytes(), password=None)
    encrypted = tmp_path / "seal-key-encrypted.pem"
    encrypted.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"correct horse"),
        )
    )
    settings = Settings(
        var_dir=tmp_path / "var",
        environment=Environment.TEST,
        **{**files, "seal_key": encrypted},
        seal_key_passphrase=SecretStr("correct horse"),
    )
    seal = seal_for(settings)
    assert not (settings.var_dir / DEV_SEAL_FILE).exists(), "a dev seal was made although one is configured"
    assert seal.root.dump() == pem.unarmor(files["seal_trust_root"].read_bytes())[2]
    assert seal_is_valid(seal_pdf(blank_pdf(), seal, "test"), seal.root)
