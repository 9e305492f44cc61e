"""Certificate path validation for received signatures: x5c leaf → intermediates → a trusted root.

Why not `cryptography.x509.verification`: its verifiers implement the CA/Browser-Forum web profile for TLS. The
client verifier demands the clientAuth EKU in the leaf, while a signing certificate must carry no TLS EKU at all,
and its `VerificationError` is a single English sentence, so "expired" and "untrusted" cannot be told apart
without parsing prose. The checks below are the ones RFC 5280 path validation makes for this profile, each with
its own stable code:

1. a path exists: every certificate is signed by the next (`verify_directly_issued_by`: issuer name and
   signature), ending at a certificate that is signed by a trust anchor → otherwise `SIG_CHAIN_UNTRUSTED`;
2. every issuer on the path is a CA (basicConstraints cA, keyUsage keyCertSign when present, pathLenConstraint
   respected) → otherwise `SIG_CHAIN_UNTRUSTED`;
3. every certificate on the path, anchor included, is valid at `now` → `SIG_CERT_EXPIRED` /
   `SIG_CERT_NOT_YET_VALID`;
4. the leaf is fit for signing: not a CA, keyUsage with digitalSignature, and not a TLS-only certificate (an EKU
   limited to serverAuth/clientAuth), because SPEC §6 keeps signing keys apart from TLS keys → `SIG_CERT_USAGE`.

A signing certificate that is exactly (DER) one of the trust store's pinned certificates skips checks 1, 2 and 4:
the operator has said "this certificate, as it is", which is what a test set-up with a self-signed client
certificate needs (such a certificate made by `openssl req -x509` is even marked CA:TRUE). Check 3 still applies,
so an expired pinned certificate is refused. Pinning is never configured by default.

Revocation (OCSP/CRL) is not checked here: the development PKI publishes none, and PKIoverheid revocation is
checked by the FSC/TLS layer in front of the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ddas.signing.errors import SignatureError
from ddas.signing.keys import TrustStore, subject_name

__all__ = ["MAX_PATH_LENGTH", "validate_chain"]

MAX_PATH_LENGTH = 8
"""Longest path (leaf and anchor included) we try to build; real PKIoverheid paths have four certificates."""

_TLS_ONLY = {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}


def validate_chain(
    chain: Sequence[x509.Certificate], trust: TrustStore, now: datetime | None = None
) -> tuple[x509.Certificate, ...]:
    """Validate `chain` (leaf first, as in x5c) against `trust` at `now`; return the path leaf → anchor."""
    moment = _utc(now)
    leaf = chain[0]
    if trust.is_pinned(leaf):
        _check_validity(leaf, ("vastgepinde ondertekeningscertificaat", "pinned signing certificate"), moment)
        return (leaf,)
    pool = [c for c in (*chain[1:], *trust.intermediates) if not _same(c, leaf) and not _in(c, trust.roots)]
    path = _build_path([leaf], pool, trust.roots)
    if path is None:
        issuer = leaf.issuer.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber"})
        pinned_nl = " en is geen vastgepind certificaat" if trust.pinned else ""
        pinned_en = " and is not a pinned certificate" if trust.pinned else ""
        raise SignatureError(
            "SIG_CHAIN_UNTRUSTED",
            f"de certificaatketen van '{_name(leaf)}' leidt niet naar een vertrouwd rootcertificaat{pinned_nl} "
            f"(uitgever van het ondertekeningscertificaat: '{issuer}')",
            f"the certificate chain of '{_name(leaf)}' does not lead to a trusted root certificate{pinned_en} "
            f"(issuer of the signing certificate: '{issuer}')",
        )
    _check_issuers(path)
    for position, certificate in enumerate(path):
        _check_validity(certificate, _role(position, len(path)), moment)
    _check_leaf_usage(leaf)
    return tuple(path)


def _build_path(
    path: list[x509.Certificate], pool: Sequence[x509.Certificate], anchors: Sequence[x509.Certificate]
) -> list[x509.Certificate] | None:
    """Depth-first search for issuers; anchors are tried first so the shortest trusted path wins."""
    current = path[-1]
    for anchor in anchors:
        if _issued_by(current, anchor):
            return [*path, anchor]
    if len(path) >= MAX_PATH_LENGTH - 1:
        return None
    for candidate in pool:
        if any(_same(candidate, seen) for seen in path) or not _issued_by(current, candidate):
            continue
        found = _build_path([*path, candidate], pool, anchors)
        if found is not None:
            return found
    return None


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_issuers(path: Sequence[x509.Certificate]) -> None:
    for position in range(1, len(path)):
        issuer = path[position]
        role_nl, role_en = _role(position, len(path))
        try:
            constraints = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            constraints = None
        if constraints is None or not constraints.ca:
            raise _untrusted(
                f"het {role_nl} '{_name(issuer)}' is geen CA (basicConstraints cA ontbreekt) en mag geen "
                "certificaten uitgeven",
                f"the {role_en} '{_name(issuer)}' is not a CA (basicConstraints cA missing) and may not issue "
                "certificates",
            )
        intermediates_below = position - 1
        if constraints.path_length is not None and intermediates_below > constraints.path_length:
            raise _untrusted(
                f"het {role_nl} '{_name(issuer)}' staat maximaal {constraints.path_length} tussen-CA's onder zich "
                f"toe (pathLenConstraint), de keten heeft er {intermediates_below}",
                f"the {role_en} '{_name(issuer)}' allows at most {constraints.path_length} intermediate CAs below "
                f"it (pathLenConstraint), the chain has {intermediates_below}",
            )
        usage = _key_usage(issuer)
        if usage is not None and not usage.key_cert_sign:
            raise _untrusted(
                f"het {role_nl} '{_name(issuer)}' mist keyUsage keyCertSign en mag geen certificaten ondertekenen",
                f"the {role_en} '{_name(issuer)}' lacks keyUsage keyCertSign and may not sign certificates",
            )


def _check_validity(certificate: x509.Certificate, role: tuple[str, str], now: datetime) -> None:
    role_nl, role_en = role
    start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    if now > end:
        raise SignatureError(
            "SIG_CERT_EXPIRED",
            f"het {role_nl} '{_name(certificate)}' is verlopen op {_when(end)} (gecontroleerd op {_when(now)})",
            f"the {role_en} '{_name(certificate)}' expired on {_when(end)} (checked at {_when(now)})",
        )
    if now < start:
        raise SignatureError(
            "SIG_CERT_NOT_YET_VALID",
            f"het {role_nl} '{_name(certificate)}' is pas geldig vanaf {_when(start)} (gecontroleerd op "
            f"{_when(now)})",
            f"the {role_en} '{_name(certificate)}' is not valid before {_when(start)} (checked at {_when(now)})",
        )


def _check_leaf_usage(leaf: x509.Certificate) -> None:
    name = _name(leaf)
    try:
        if leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
            raise _usage(
                f"het ondertekeningscertificaat '{name}' is een CA-certificaat; onderteken met een eigen "
                "ondertekeningscertificaat",
                f"the signing certificate '{name}' is a CA certificate; sign with a dedicated signing certificate",
            )
    except x509.ExtensionNotFound:
        pass
    usage = _key_usage(leaf)
    if usage is None or not usage.digital_signature:
        raise _usage(
            f"het ondertekeningscertificaat '{name}' heeft geen keyUsage digitalSignature",
            f"the signing certificate '{name}' has no keyUsage digitalSignature",
        )
    try:
        purposes = set(leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return
    if purposes and purposes <= _TLS_ONLY:
        raise _usage(
            f"het certificaat '{name}' is een TLS-certificaat (extendedKeyUsage alleen serverAuth/clientAuth); "
            "ondertekenen gebeurt met een apart ondertekeningscertificaat",
            f"the certificate '{name}' is a TLS certificate (extendedKeyUsage only serverAuth/clientAuth); "
            "signing needs a separate signing certificate",
        )


def _key_usage(certificate: x509.Certificate) -> x509.KeyUsage | None:
    try:
        return certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None


def _role(position: int, length: int) -> tuple[str, str]:
    if position == 0:
        return "ondertekeningscertificaat", "signing certificate"
    if position == length - 1:
        return "rootcertificaat", "root certificate"
    return "tussencertificaat", "intermediate certificate"


def _same(a: x509.Certificate, b: x509.Certificate) -> bool:
    return a == b  # DER equality


def _in(certificate: x509.Certificate, group: Sequence[x509.Certificate]) -> bool:
    return any(_same(certificate, other) for other in group)


def _name(certificate: x509.Certificate) -> str:
    return subject_name(certificate)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


def _untrusted(nl: str, en: str) -> SignatureError:
    return SignatureError("SIG_CHAIN_UNTRUSTED", nl, en)


def _usage(nl: str, en: str) -> SignatureError:
    return SignatureError("SIG_CERT_USAGE", nl, en)
