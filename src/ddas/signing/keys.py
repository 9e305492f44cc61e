"""Signing identities (private key + certificate chain + kid) and trust stores, loaded from PEM files.

Keys and certificates always come from files named in configuration: nothing here has a default key. Loading checks
what would otherwise only fail at the first request: the key is RSA, it belongs to the first certificate of the
chain, and trust anchors are CA certificates.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ddas.signing.errors import KeyMaterialError

__all__ = [
    "SigningIdentity",
    "TrustStore",
    "certificate_thumbprint",
    "load_certificates",
    "load_identity",
    "subject_name",
    "subject_serial_number",
]


def certificate_thumbprint(certificate: x509.Certificate) -> str:
    """The `x5t#S256` value: base64url (no padding) of SHA-256 over the certificate's DER encoding."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


def subject_name(certificate: x509.Certificate) -> str:
    """The subject as an RFC 4514 string, with serialNumber (the OIN) named instead of shown as 2.5.4.5."""
    return certificate.subject.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber"})


def subject_serial_number(certificate: x509.Certificate) -> str | None:
    """The subject's serialNumber attribute: the (sub)OIN in PKIoverheid certificates; None when absent."""
    values = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class SigningIdentity:
    """What a signer needs: the RSA private key, its certificate chain (leaf first) and the `kid` to announce.

    `kid` defaults to the leaf's SHA-256 thumbprint (the same value as `x5t#S256`), so it changes exactly when
    the certificate does and a receiver can match it against the certificate without a separate registry.
    """

    private_key: rsa.RSAPrivateKey
    chain: tuple[x509.Certificate, ...]
    kid: str = ""

    def __post_init__(self) -> None:
        if not self.chain:
            raise KeyMaterialError(
                "KEY_NO_CERTIFICATE",
                "bij de ondertekeningssleutel hoort geen certificaat",
                "no certificate was given for the signing key",
            )
        if self.private_key.public_key().public_numbers() != _rsa_public_numbers(self.chain[0]):
            raise KeyMaterialError(
                "KEY_MISMATCH",
                "de privésleutel hoort niet bij het eerste certificaat van de keten",
                "the private key does not belong to the first certificate of the chain",
            )
        if not self.kid:
            object.__setattr__(self, "kid", certificate_thumbprint(self.chain[0]))

    @property
    def certificate(self) -> x509.Certificate:
        """The signing (leaf) certificate."""
        return self.chain[0]


def load_certificates(path: Path | str) -> list[x509.Certificate]:
    """All certificates in a PEM file, in file order; a clear error when the file is missing or holds none."""
    data = _read(Path(path), "certificaatbestand", "certificate file")
    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        certificates = []
    if not certificates:
        raise KeyMaterialError(
            "CERT_UNREADABLE",
            f"{path} bevat geen leesbaar PEM-certificaat",
            f"{path} holds no readable PEM certificate",
        )
    return certificates


def load_identity(
    cert_pem: Path | str, key_pem: Path | str, kid: str | None = None, *, password: bytes | None = None
) -> SigningIdentity:
    """Load a signing identity: `cert_pem` holds the chain leaf first, `key_pem` the leaf's RSA private key."""
    chain = load_certificates(cert_pem)
    data = _read(Path(key_pem), "sleutelbestand", "key file")
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        raise KeyMaterialError(
            "KEY_UNREADABLE",
            f"{key_pem} bevat geen leesbare PEM-privésleutel (of het wachtwoord klopt niet)",
            f"{key_pem} holds no readable PEM private key (or the password is wrong): {exc}",
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyMaterialError(
            "KEY_NOT_RSA",
            f"{key_pem} bevat geen RSA-sleutel; PS256 vraagt RSA",
            f"{key_pem} holds no RSA key; PS256 needs RSA",
        )
    return SigningIdentity(private_key=key, chain=tuple(chain), kid=kid or "")


@dataclass(frozen=True, slots=True)
class TrustStore:
    """Trust anchors for received signatures (root CAs) plus optional intermediates for path building.

    Intermediates here are not trusted by themselves: they only help complete a chain when a sender's `x5c`
    omits them. Every path must still end at one of `roots`, unless the signing certificate itself is one of
    `pinned`: certificates an operator trusts exactly as they are, for test set-ups whose client signs with a
    self-signed certificate (`openssl req -x509`, which also marks it a CA). A pinned certificate vouches for
    itself only; it is never an anchor for other certificates, and it need not be a CA.
    """

    roots: tuple[x509.Certificate, ...]
    intermediates: tuple[x509.Certificate, ...] = field(default=())
    pinned: tuple[x509.Certificate, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.roots and not self.pinned:
            raise KeyMaterialError(
                "TRUST_EMPTY",
                "de vertrouwenslijst bevat geen enkel rootcertificaat (en geen vastgepind certificaat)",
                "the trust store holds no root certificate (and no pinned certificate)",
            )
        for certificate in (*self.roots, *self.intermediates):
            if not _is_ca(certificate):
                raise KeyMaterialError(
                    "TRUST_NOT_CA",
                    f"'{subject_name(certificate)}' is geen CA-certificaat en kan geen vertrouwensanker "
                    "of tussen-CA zijn",
                    f"'{subject_name(certificate)}' is not a CA certificate and cannot be a trust anchor "
                    "or intermediate",
                )

    @classmethod
    def from_pem(
        cls,
        paths: Iterable[Path | str],
        intermediates: Iterable[Path | str] = (),
        pinned: Iterable[Path | str] = (),
    ) -> TrustStore:
        """Roots from `paths`, intermediates from `intermediates` and pinned signing certificates from `pinned`;
        each file may hold several certificates."""
        roots = [certificate for path in paths for certificate in load_certificates(path)]
        extra = [certificate for path in intermediates for certificate in load_certificates(path)]
        fixed = [certificate for path in pinned for certificate in load_certificates(path)]
        return cls(roots=tuple(roots), intermediates=tuple(extra), pinned=tuple(fixed))

    def is_pinned(self, certificate: x509.Certificate) -> bool:
        """True when `certificate` is, byte for byte (DER), one of the pinned certificates."""
        return any(certificate == candidate for candidate in self.pinned)


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _rsa_public_numbers(certificate: x509.Certificate) -> rsa.RSAPublicNumbers | None:
    key = certificate.public_key()
    return key.public_numbers() if isinstance(key, rsa.RSAPublicKey) else None


def _read(path: Path, what_nl: str, what_en: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyMaterialError(
            "FILE_MISSING", f"{what_nl} {path} bestaat niet", f"{what_en} {path} does not exist"
        ) from None
    except OSError as exc:
        raise KeyMaterialError(
            "FILE_UNREADABLE",
            f"{what_nl} {path} is niet leesbaar ({exc.strerror})",
            f"{what_en} {path} is not readable ({exc.strerror})",
        ) from None
