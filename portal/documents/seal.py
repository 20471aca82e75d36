"""The portal's PAdES e-seal (pyHanko): every document is sealed once, after its PDF/A render and before it is
stored, so its fingerprint is that of the sealed bytes; /verify validates the seal offline against our root.

In production the seal certificate, its key (with a passphrase) and the root to trust are configured files
(settings `seal_*`; production refuses to start without them). In dev and test a root and a seal certificate are
made on first use and kept in `<var_dir>/e-seal.pem` (one file, written at once, so that processes starting
together agree on one pair), then reused: documents sealed yesterday still verify after a restart.

Sealing and validating are blocking CPU work: callers run them in a worker thread (`asyncio.to_thread`), where
pyHanko's synchronous functions may start their own event loop.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from portal.settings import Settings

SEAL_FIELD = "Seal"
DEV_SEAL_FILE = "e-seal.pem"
CERTIFICATE_YEARS = 10
ORGANISATION = "Latvia's e-service portal (dev and test seal, not valid)"


@dataclass(frozen=True)
class Seal:
    """The seal's signer (certificate, key, chain) and the root its seals are validated against."""

    signer: signers.SimpleSigner
    root: asn1_x509.Certificate


def seal_for(settings: Settings) -> Seal:
    """The configured seal, or in dev/test the one kept under var/ (made on first use)."""
    if settings.seal_certificate and settings.seal_key and settings.seal_trust_root:
        passphrase = settings.seal_key_passphrase.get_secret_value().encode() or None
        signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
            str(settings.seal_key),
            str(settings.seal_certificate),
            ca_chain_files=(str(settings.seal_trust_root),),
            key_passphrase=passphrase,
        )
        if signer is None:
            raise RuntimeError("The e-seal certificate or key (PORTAL_SEAL_*) could not be read.")
        return Seal(signer, _load_certificate(settings.seal_trust_root.read_bytes()))
    if settings.is_production:
        raise RuntimeError("Production needs a configured e-seal (PORTAL_SEAL_CERTIFICATE, _KEY, _TRUST_ROOT).")
    return _dev_seal(settings.var_dir / DEV_SEAL_FILE)


def seal_pdf(pdf: bytes, seal: Seal, reason: str) -> bytes:
    """Blocking: `pdf` with an invisible PAdES baseline e-seal added as an incremental update (the PDF/A
    render and its tags stay as they are)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD, reason=reason, location="Rīga", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(writer, metadata, signer=seal.signer)
    return bytes(out.getvalue())


def seal_is_valid(pdf: bytes, root: asn1_x509.Certificate) -> bool:
    """Blocking: whether `pdf` carries exactly one seal that is intact, valid, trusted against `root` and covers
    the whole file. Anything that cannot be read as a sealed PDF is simply not valid."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return False
        context = ValidationContext(trust_roots=[root], allow_fetching=False)
        status = validate_pdf_signature(signatures[0], context)
    except Exception:
        return False
    return bool(status.bottom_line) and status.coverage is SignatureCoverageLevel.ENTIRE_FILE


def _load_certificate(data: bytes) -> asn1_x509.Certificate:
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return asn1_x509.Certificate.load(data)


def _dev_seal(path: Path) -> Seal:
    if not path.exists():
        _write_once(path, _new_dev_pem())
    blocks = [block for _, _, block in pem.unarmor(path.read_bytes(), multiple=True)]
    root, certificate, key = blocks
    root_certificate = asn1_x509.Certificate.load(root)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(certificate),
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs([root_certificate]),  # type: ignore[no-untyped-call]
    )
    return Seal(signer, root_certificate)


def _write_once(path: Path, data: bytes) -> None:
    """Writes `path` unless it exists; of processes racing to make it, the first one's file stands."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as temporary:
        temporary.write(data)
    try:
        os.chmod(temporary.name, 0o600)
        os.link(temporary.name, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary.name)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, seal: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=seal,
        content_commitment=seal,  # non-repudiation: pyHanko asks it of a signer's certificate
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not seal,
        crl_sign=not seal,
        encipher_only=False,
        decipher_only=False,
    )


def _new_dev_pem() -> bytes:
    """A root, a seal certificate it issued and the seal's key, as three PEM blocks."""
    # Valid from a day back: validators check against the wall clock, not the business clock.
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=365 * CERTIFICATE_YEARS)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Portal e-seal test root")
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(seal=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    seal_key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("Portal e-seal (test)"))
        .issuer_name(root_name)
        .public_key(seal_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(seal=True), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    encoding = serialization.Encoding.PEM
    key = seal_key.private_bytes(encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return root.public_bytes(encoding) + certificate.public_bytes(encoding) + key
