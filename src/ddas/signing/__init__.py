"""Message signing for the DDAS koppelvlak (SPEC §6): Digest, detached JWS (PS256) in the `nlgov-adr-payload-sig`
header with x5c chains, certificate path validation against a trust store, and a development PKI.

Imports nothing else of ddas, so a vendor or the collector can use it on its own.
"""

from __future__ import annotations

from ddas._lazy import lazy_getattr

#: Where each public name lives. Imported on first use (PEP 562), so that `import ddas.signing.commands` — which
#: the `ddas` command does at start-up — does not load cryptography for every command.
_EXPORTS = {
    "ALGORITHM": "ddas.signing.jws",
    "DIGEST_HEADER": "ddas.signing.digest",
    "Form": "ddas.signing.jws",
    "HTTP_HEADERS_MECHANISM": "ddas.signing.jws",
    "KeyMaterialError": "ddas.signing.errors",
    "PkiError": "ddas.signing.errors",
    "SIGNATURE_HEADER": "ddas.signing.jws",
    "SignatureError": "ddas.signing.errors",
    "SigningError": "ddas.signing.errors",
    "SigningIdentity": "ddas.signing.keys",
    "TrustStore": "ddas.signing.keys",
    "Verified": "ddas.signing.jws",
    "canonical_json": "ddas.signing.jws",
    "certificate_thumbprint": "ddas.signing.keys",
    "check_digest": "ddas.signing.digest",
    "digest_header": "ddas.signing.digest",
    "digest_matches": "ddas.signing.digest",
    "init_dev_pki": "ddas.signing.pki",
    "load_certificates": "ddas.signing.keys",
    "load_identity": "ddas.signing.keys",
    "sign": "ddas.signing.jws",
    "signed_headers": "ddas.signing.jws",
    "subject_name": "ddas.signing.keys",
    "subject_serial_number": "ddas.signing.keys",
    "validate_chain": "ddas.signing.chain",
    "verify": "ddas.signing.jws",
}

__all__ = [
    "ALGORITHM",
    "DIGEST_HEADER",
    "HTTP_HEADERS_MECHANISM",
    "SIGNATURE_HEADER",
    "Form",
    "KeyMaterialError",
    "PkiError",
    "SignatureError",
    "SigningError",
    "SigningIdentity",
    "TrustStore",
    "Verified",
    "canonical_json",
    "certificate_thumbprint",
    "check_digest",
    "digest_header",
    "digest_matches",
    "init_dev_pki",
    "load_certificates",
    "load_identity",
    "sign",
    "signed_headers",
    "subject_name",
    "subject_serial_number",
    "validate_chain",
    "verify",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS)
