"""A development PKI shaped like PKIoverheid: root CA → intermediate CA → TLS and signing certificates.

It lets a vendor try mutual TLS and signed messages on a laptop, and gives the tests real certificate chains. The
shape follows what production uses: subjects carry the (test) OIN in serialNumber, TLS and signing certificates are
separate (the signing certificate has keyUsage digitalSignature + nonRepudiation and no TLS EKU), keys are RSA 3072,
and every `*.pem` of an end entity holds its chain leaf first, so it can go straight into `x5c` or a TLS server.
Everything is generated in memory first and written only when complete, so a failure leaves no half PKI behind.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ddas.signing.defaults import DEFAULT_CONSUMER_OIN, DEFAULT_DAYS, DEFAULT_PROVIDER_OIN
from ddas.signing.errors import PkiError

__all__ = [
    "DEFAULT_CONSUMER_OIN",
    "DEFAULT_DAYS",
    "DEFAULT_PROVIDER_OIN",
    "KEY_SIZE",
    "PKI_FILES",
    "CertificateProfile",
    "init_dev_pki",
    "issue_certificate",
    "new_key",
]

KEY_SIZE = 3072
PKI_FILES = (
    "root-ca.pem",
    "root-ca.key",
    "intermediate-ca.pem",
    "intermediate-ca.key",
    "provider-tls.pem",
    "provider-tls.key",
    "provider-sign.pem",
    "provider-sign.key",
    "consumer-tls.pem",
    "consumer-tls.key",
    "consumer-sign.pem",
    "consumer-sign.key",
    "README.md",
)
_OIN = re.compile(r"\d{20}")
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class CertificateProfile:
    """What an issued certificate may be used for; the presets below are the dev PKI's four kinds plus CAs."""

    ca: bool = False
    path_length: int | None = None
    digital_signature: bool = True
    non_repudiation: bool = False
    key_encipherment: bool = False
    extended_key_usage: tuple[x509.ObjectIdentifier, ...] = ()
    dns_names: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()


ROOT_CA = CertificateProfile(ca=True, path_length=1, digital_signature=False)
INTERMEDIATE_CA = CertificateProfile(ca=True, path_length=0, digital_signature=False)
SIGNING = CertificateProfile(non_repudiation=True)
SERVER_TLS = CertificateProfile(
    key_encipherment=True,
    extended_key_usage=(ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
    dns_names=("localhost",),
    ip_addresses=("127.0.0.1",),
)
CLIENT_TLS = CertificateProfile(key_encipherment=True, extended_key_usage=(ExtendedKeyUsageOID.CLIENT_AUTH,))


def new_key(key_size: int = KEY_SIZE) -> rsa.RSAPrivateKey:
    """A fresh RSA key (public exponent 65537)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=key_size)


def issue_certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    profile: CertificateProfile,
    *,
    issuer: x509.Certificate | None = None,
    issuer_key: rsa.RSAPrivateKey | None = None,
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    """Issue one certificate for `key`; self-signed when no issuer is given. Used by the dev PKI and by tests."""
    signer_key = issuer_key if issuer_key is not None else key
    issuer_name = issuer.subject if issuer is not None else subject
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=profile.ca, path_length=profile.path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=profile.digital_signature,
                content_commitment=profile.non_repudiation,
                key_encipherment=profile.key_encipherment,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=profile.ca,
                crl_sign=profile.ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    )
    if profile.extended_key_usage:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(list(profile.extended_key_usage)), critical=False
        )
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in profile.dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in profile.ip_addresses]
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(signer_key, hashes.SHA256())


def init_dev_pki(
    directory: Path | str,
    *,
    provider_oin: str = DEFAULT_PROVIDER_OIN,
    consumer_oin: str = DEFAULT_CONSUMER_OIN,
    days: int = DEFAULT_DAYS,
    force: bool = False,
) -> dict[str, Path]:
    """Create the development PKI in `directory`; return file name → path for every file written.

    Refuses (PkiError PKI_EXISTS) when any of the files already exists, unless `force`; PKI_BAD_OIN and
    PKI_BAD_DAYS for bad arguments; OSError when the directory cannot be made or written. Keys are written as
    unencrypted PKCS#8 PEM with mode 0600; end-entity `*.pem` files hold the chain leaf first.
    """
    for role, oin in (("provider", provider_oin), ("consumer", consumer_oin)):
        if not _OIN.fullmatch(oin):
            raise PkiError(
                "PKI_BAD_OIN",
                f"het {role}-OIN {oin!r} is geen OIN: een OIN bestaat uit precies 20 cijfers",
                f"the {role} OIN {oin!r} is not an OIN: an OIN is exactly 20 digits",
            )
    if days < 1:
        raise PkiError(
            "PKI_BAD_DAYS",
            "de geldigheidsduur moet minstens 1 dag zijn",
            "the validity must be at least 1 day",
        )
    target = Path(directory)
    existing = [name for name in PKI_FILES if (target / name).exists()]
    if existing and not force:
        raise PkiError(
            "PKI_EXISTS",
            f"in {target} staat al een PKI ({', '.join(existing)}); gebruik --force om die te vervangen",
            f"{target} already holds a PKI ({', '.join(existing)}); use --force to replace it",
        )

    target.mkdir(parents=True, exist_ok=True)  # fails fast (OSError) before seconds of key generation
    start = datetime.now(UTC) - _CLOCK_SKEW
    end = start + timedelta(days=days)
    contents: dict[str, bytes] = {}

    root_key = new_key()
    root = issue_certificate(
        _name("DDAS ontwikkel-root-CA", "DDAS ontwikkel-PKI"),
        root_key,
        ROOT_CA,
        not_before=start,
        not_after=end,
    )
    intermediate_key = new_key()
    intermediate = issue_certificate(
        _name("DDAS ontwikkel-tussen-CA", "DDAS ontwikkel-PKI"),
        intermediate_key,
        INTERMEDIATE_CA,
        issuer=root,
        issuer_key=root_key,
        not_before=start,
        not_after=end,
    )
    contents["root-ca.pem"] = _pem([root])
    contents["root-ca.key"] = _key_pem(root_key)
    contents["intermediate-ca.pem"] = _pem([intermediate])
    contents["intermediate-ca.key"] = _key_pem(intermediate_key)

    leaves = (
        ("provider-tls", "provider (TLS)", "DDAS aanbieder (ontwikkeling)", provider_oin, SERVER_TLS),
        ("provider-sign", "provider (ondertekening)", "DDAS aanbieder (ontwikkeling)", provider_oin, SIGNING),
        ("consumer-tls", "consumer (TLS)", "DDAS afnemer (ontwikkeling)", consumer_oin, CLIENT_TLS),
        ("consumer-sign", "consumer (ondertekening)", "DDAS afnemer (ontwikkeling)", consumer_oin, SIGNING),
    )
    for stem, common_name, organisation, oin, profile in leaves:
        key = new_key()
        certificate = issue_certificate(
            _name(common_name, organisation, oin),
            key,
            profile,
            issuer=intermediate,
            issuer_key=intermediate_key,
            not_before=start,
            not_after=end,
        )
        contents[f"{stem}.pem"] = _pem([certificate, intermediate])
        contents[f"{stem}.key"] = _key_pem(key)
    contents["README.md"] = _readme(provider_oin, consumer_oin, end).encode("utf-8")

    written: dict[str, Path] = {}
    for name in PKI_FILES:
        path = target / name
        _write(path, contents[name], private=name.endswith(".key"))
        written[name] = path
    return written


def _name(common_name: str, organisation: str, oin: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if oin is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
    return x509.Name(attributes)


def _pem(certificates: Sequence[x509.Certificate]) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes, *, private: bool) -> None:
    """Write `data` via a temporary file and a rename; a key file has mode 0600 from creation on."""
    mode = 0o600 if private else 0o644
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _readme(provider_oin: str, consumer_oin: str, end: datetime) -> str:
    return f"""# Ontwikkel-PKI voor ddas

**Alleen voor ontwikkeling en testen.** Deze certificaten zijn gemaakt met `ddas certs init` en door niemand
anders vertrouwd. In productie gebruikt u PKIoverheid-certificaten (TLS én ondertekening), uitgegeven aan uw
(sub)OIN. Deel de `.key`-bestanden met niemand; ze staan onversleuteld op schijf (rechten 0600).

Geldig tot: {end.strftime("%Y-%m-%d")} (UTC). OIN aanbieder: `{provider_oin}`, OIN afnemer: `{consumer_oin}`.

Bestanden:

- `root-ca.pem`: rootcertificaat, het vertrouwensanker; controleer handtekeningen en clientcertificaten hiertegen.
- `root-ca.key`: privésleutel van de root-CA (alleen nodig om de tussen-CA opnieuw uit te geven).
- `intermediate-ca.pem`: tussen-CA, uitgegeven door de root; geeft alle onderstaande certificaten uit.
- `intermediate-ca.key`: privésleutel van de tussen-CA.
- `provider-tls.pem` + `provider-tls.key`: TLS-certificaat van de aanbieder (serverAuth en clientAuth,
  SAN `localhost` en `127.0.0.1`) voor HTTPS.
- `provider-sign.pem` + `provider-sign.key`: ondertekeningscertificaat van de aanbieder (keyUsage
  digitalSignature en nonRepudiation, geen TLS-gebruik) voor `nlgov-adr-payload-sig` op antwoorden.
- `consumer-tls.pem` + `consumer-tls.key`: TLS-clientcertificaat van de afnemer (clientAuth) voor mutual TLS.
- `consumer-sign.pem` + `consumer-sign.key`: ondertekeningscertificaat van de afnemer voor
  `nlgov-adr-payload-sig` op verzoeken.

Alle `.pem`-bestanden van eindcertificaten bevatten de keten met het eigen certificaat eerst en de tussen-CA daarna
(zo gaat hij in `x5c` en in de TLS-configuratie). Sleutels zijn RSA 3072 bits in PKCS#8-PEM. Het subject van elk
eindcertificaat draagt het OIN in het attribuut `serialNumber`, zoals bij PKIoverheid.

Voorbeeld: `ddas serve --store sqlite:///ddas-store.sqlite --certs {{deze map}} --tls` ondertekent antwoorden met
`provider-sign`, controleert handtekeningen van verzoeken tegen `root-ca.pem` en biedt HTTPS met `provider-tls`.
"""
