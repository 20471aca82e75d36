"""Sealed PDFs for the sandbox's agencies: a small PDF writer and a PAdES e-seal made with pyHanko.

Real agencies seal their decisions with a qualified e-seal. The sandbox makes its own certificate authority and
seal certificate once per process, in memory (nothing of it is a secret worth keeping), and seals with them.
Tests fetch the root at `GET /_control/sealing/root.pem` and validate offline with
`ValidationContext(trust_roots=[root], allow_fetching=False)`.

A seal carries its signing time, so sealing the same document twice gives different bytes: whoever serves a
sealed document seals it once and keeps the bytes, so that every download is the same file.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from litestar import Response, get
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

SEAL_FIELD = "Seal"
CERTIFICATE_YEARS = 10
PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN, LINE_HEIGHT, WRAP_AT = 56, 16, 88

# Helvetica carries the Latvian letters, but not in its standard encoding: the bytes 128 and up are mapped to
# them with a /Differences array, so the sandbox needs no embedded font file.
_LATVIAN_GLYPHS = {
    "ā": "amacron", "Ā": "Amacron", "č": "ccaron", "Č": "Ccaron", "ē": "emacron", "Ē": "Emacron",
    "ģ": "gcommaaccent", "Ģ": "Gcommaaccent", "ī": "imacron", "Ī": "Imacron", "ķ": "kcommaaccent",
    "Ķ": "Kcommaaccent", "ļ": "lcommaaccent", "Ļ": "Lcommaaccent", "ņ": "ncommaaccent", "Ņ": "Ncommaaccent",
    "š": "scaron", "Š": "Scaron", "ū": "umacron", "Ū": "Umacron", "ž": "zcaron", "Ž": "Zcaron",
    "–": "endash", "€": "Euro", "“": "quotedblleft", "”": "quotedblright", "„": "quotedblbase",
}  # fmt: skip
_FIRST_EXTRA_CODE = 128
_CODES = {char: _FIRST_EXTRA_CODE + index for index, char in enumerate(_LATVIAN_GLYPHS)}


@dataclass(frozen=True)
class SealAuthority:
    """The sandbox's root certificate and the seal certificate it issued, with the seal's key."""

    root: x509.Certificate
    seal: x509.Certificate
    seal_key: ec.EllipticCurvePrivateKey

    @property
    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Agency sandbox (not a real agency)"),
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


@functools.cache
def authority() -> SealAuthority:
    """Made on first use and kept for the life of the process (the sandbox calls it when it starts)."""
    # Valid from a day back: the wall clock, not the business clock, is what a validator checks against.
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=365 * CERTIFICATE_YEARS)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = _name("Sandbox e-seal root")
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
    seal = (
        x509.CertificateBuilder()
        .subject_name(_name("Sandbox agencies e-seal"))
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
    return SealAuthority(root=root, seal=seal, seal_key=seal_key)


def _encode(text: str) -> bytes:
    """A line of text as a PDF literal string in the font's encoding; characters it lacks become '?'."""
    out = bytearray()
    for char in text:
        if char in _CODES:
            out.append(_CODES[char])
        elif " " <= char <= "~":
            out.extend(b"\\" + char.encode() if char in "()\\" else char.encode())
        else:
            out.extend(b"?")
    return bytes(out)


def _font() -> generic.DictionaryObject:
    differences = generic.ArrayObject([generic.NumberObject(_FIRST_EXTRA_CODE)])
    differences.extend(generic.NameObject(f"/{glyph}") for glyph in _LATVIAN_GLYPHS.values())
    encoding = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Encoding"),
            generic.NameObject("/BaseEncoding"): generic.NameObject("/WinAnsiEncoding"),
            generic.NameObject("/Differences"): differences,
        }
    )
    return generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
            generic.NameObject("/Encoding"): encoding,
        }
    )


def simple_pdf(title: str, paragraphs: Iterable[str]) -> PdfFileWriter:
    """One A4 page: the title, then the paragraphs wrapped to the page. Enough for a sandbox's decision."""
    lines: list[tuple[int, str]] = [(16, title), (11, "")]
    for paragraph in paragraphs:
        lines += [(11, line) for line in textwrap.wrap(paragraph, WRAP_AT) or [""]]
    content = bytearray(b"BT\n")
    y = PAGE_HEIGHT - MARGIN
    for size, line in lines:
        content += b"/F1 %d Tf 1 0 0 1 %d %d Tm (" % (size, MARGIN, y) + _encode(line) + b") Tj\n"
        y -= LINE_HEIGHT + (size - 11)
    content += b"ET\n"
    writer = PdfFileWriter()
    writer.document_meta.title = title
    writer.document_meta.author = "Agency sandbox"
    resources = generic.DictionaryObject(
        {generic.NameObject("/Font"): generic.DictionaryObject({generic.NameObject("/F1"): _font()})}
    )
    stream = writer.add_object(generic.StreamObject(stream_data=bytes(content)))
    media_box = generic.ArrayObject(map(generic.NumberObject, (0, 0, PAGE_WIDTH, PAGE_HEIGHT)))
    writer.insert_page(PageObject(contents=stream, media_box=media_box, resources=resources))
    return writer


async def seal(document: PdfFileWriter, *, reason: str, location: str = "Rīga") -> bytes:
    """The document with a PAdES baseline e-seal of the sandbox's seal certificate. Async, because pyHanko's
    synchronous `sign_pdf` starts an event loop of its own, which fails inside a handler."""
    issuer = authority()
    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(issuer.seal.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            issuer.seal_key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(issuer.root.public_bytes(der))]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD, reason=reason, location=location, subfilter=fields.SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    await signers.async_sign_pdf(document, metadata, signer=signer, output=out)
    return out.getvalue()


@get("/_control/sealing/root.pem", sync_to_thread=False, include_in_schema=False)
def sealing_root() -> Response[bytes]:
    """The sandbox's root certificate, to validate its seals against (a control endpoint, outside the contracts)."""
    return Response(authority().root_pem, media_type="application/x-pem-file")
