"""Interoperability: ddas signatures checked by an independent verifier, and third-party signatures checked by ddas.

The independent side of each test uses only `cryptography`, `base64`, `hashlib` and `json` — no ddas code and no
joserfc — and reads the keys and certificates from the PEM files, as a client of another vendor would.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ddas.signing import sign, verify
from ddas.signing.testing import DevPki

BODY = (
    b'{"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30", "pageSize": 100}'
)


# --- the independent few-line implementation ---------------------------------------------------------------


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_verify(
    body: bytes, value: str, root_pem: bytes, digest: str | None = None
) -> dict[str, object]:
    """Verify a detached PS256 JWS over `body` (or over the Digest header for sigD) with x5c up to `root_pem`."""
    protected, empty, signature = value.split(".")
    assert empty == ""
    header = json.loads(unb64u(protected))
    assert header["alg"] == "PS256"
    chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    root = x509.load_pem_x509_certificate(root_pem)
    for child, parent in zip(chain, [*chain[1:], root], strict=True):
        child.verify_directly_issued_by(parent)
    if "sigD" in header:
        assert digest is not None and header["b64"] is False
        signing_input = protected.encode() + b"." + b"digest: " + digest.encode()
    else:
        signing_input = (protected + "." + b64u(body)).encode()
    key = chain[0].public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)  # RFC 7518: salt = hash length
    key.verify(unb64u(signature), signing_input, pss, hashes.SHA256())  # raises InvalidSignature
    return dict(header)


def third_party_sign(
    payload: bytes,
    cert_pem: Path,
    key_pem: Path,
    *,
    extra: dict[str, object] | None = None,
    raw: bool = False,
    salt: int | None = 32,
) -> str:
    """Sign as another vendor's client would: PS256, header with x5c; `raw` puts the payload unencoded (b64=false)."""
    certificates = x509.load_pem_x509_certificates(cert_pem.read_bytes())
    key = serialization.load_pem_private_key(key_pem.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    der = [c.public_bytes(serialization.Encoding.DER) for c in certificates]
    header: dict[str, object] = {
        "typ": "JOSE",
        "alg": "PS256",
        "kid": "leverancier-x-2026",
        "x5c": [base64.b64encode(d).decode() for d in der],
        "x5t#S256": b64u(hashlib.sha256(der[0]).digest()),
        **(extra or {}),
    }
    protected = b64u(json.dumps(header).encode())  # with spaces: json.dumps default separators
    signing_input = protected.encode() + b"." + (payload if raw else b64u(payload).encode())
    salt_length = padding.PSS.MAX_LENGTH if salt is None else salt
    signature = key.sign(
        signing_input,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length),
        hashes.SHA256(),
    )
    return protected + ".." + b64u(signature)


def digest_of(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


# --- ddas → independent verifier ---------------------------------------------------------------------------


def test_independent_verifier_accepts_a_ddas_signature_over_the_exact_bytes(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider)
    header = independent_verify(BODY, value, dev_pki.path("root-ca.pem").read_bytes())
    assert header["typ"] == "JOSE" and header["kid"] == dev_pki.provider.kid


def test_independent_verifier_rejects_a_ddas_signature_over_other_bytes(dev_pki: DevPki) -> None:
    from cryptography.exceptions import InvalidSignature

    value = sign(BODY, dev_pki.provider)
    with pytest.raises(InvalidSignature):
        independent_verify(BODY + b"\n", value, dev_pki.path("root-ca.pem").read_bytes())


def test_independent_verifier_accepts_a_ddas_sigd_signature(dev_pki: DevPki) -> None:
    digest = digest_of(BODY)
    value = sign(BODY, dev_pki.provider, form="sigD", digest=digest)
    independent_verify(BODY, value, dev_pki.path("root-ca.pem").read_bytes(), digest=digest)


def test_joserfc_accepts_a_ddas_signature_with_the_body_reattached(dev_pki: DevPki) -> None:
    """A second, library-based check: joserfc verifies the compact JWS once the detached payload is put back."""
    from joserfc import jws
    from joserfc.jwk import RSAKey

    class Registry(jws.JWSRegistry):
        max_header_length = 16 * 1024  # x5c with two 3072-bit certificates exceeds joserfc's default 512

    value = sign(BODY, dev_pki.provider)
    protected, _, signature = value.partition("..")
    key = RSAKey.import_key(dev_pki.provider.certificate.public_key())  # type: ignore[arg-type]
    result = jws.deserialize_compact(
        f"{protected}.{b64u(BODY)}.{signature}",
        key,
        algorithms=["PS256"],
        registry=Registry(algorithms=["PS256"]),
    )
    assert result.payload == BODY


# --- third party → ddas ------------------------------------------------------------------------------------


def test_ddas_accepts_a_third_party_signature_over_the_exact_bytes(dev_pki: DevPki) -> None:
    value = third_party_sign(BODY, dev_pki.path("consumer-sign.pem"), dev_pki.path("consumer-sign.key"))
    verified = verify(BODY, [value], digest=digest_of(BODY), trust=dev_pki.trust)
    assert verified.form == "bytes" and verified.detail == "exact body bytes, base64url payload"
    assert verified.oin == dev_pki.consumer_oin and verified.kid == "leverancier-x-2026"


def test_ddas_accepts_a_third_party_unencoded_payload(dev_pki: DevPki) -> None:
    value = third_party_sign(
        BODY,
        dev_pki.path("consumer-sign.pem"),
        dev_pki.path("consumer-sign.key"),
        extra={"b64": False, "crit": ["b64"]},
        raw=True,
    )
    verified = verify(BODY, [value], digest=None, trust=dev_pki.trust)
    assert verified.form == "bytes" and "b64=false" in verified.detail


def test_ddas_accepts_a_third_party_maximum_salt_length(dev_pki: DevPki) -> None:
    value = third_party_sign(
        BODY, dev_pki.path("consumer-sign.pem"), dev_pki.path("consumer-sign.key"), salt=None
    )
    assert verify(BODY, [value], digest=None, trust=dev_pki.trust).form == "bytes"


def test_ddas_accepts_a_third_party_etsi_sigd_signature(dev_pki: DevPki) -> None:
    digest = digest_of(BODY)
    sig_d = {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]}
    value = third_party_sign(
        b"digest: " + digest.encode(),
        dev_pki.path("consumer-sign.pem"),
        dev_pki.path("consumer-sign.key"),
        extra={
            "sigT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "b64": False,
            "sigD": sig_d,
            "crit": ["sigT", "sigD", "b64"],
        },
        raw=True,
    )
    verified = verify(BODY, [value], digest=digest, trust=dev_pki.trust)
    assert verified.form == "sigD" and verified.detail.startswith("ETSI HttpHeaders")


def test_ddas_accepts_a_third_party_sigd_over_the_bare_digest_value(dev_pki: DevPki) -> None:
    """Some clients sign base64url(Digest value) and leave b64 at its default."""
    digest = digest_of(BODY)
    sig_d = {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]}
    value = third_party_sign(
        digest.encode(),
        dev_pki.path("consumer-sign.pem"),
        dev_pki.path("consumer-sign.key"),
        extra={"sigD": sig_d, "crit": ["sigD"]},
    )
    verified = verify(BODY, [value], digest=digest, trust=dev_pki.trust)
    assert verified.form == "sigD" and verified.detail == "bare Digest header value, base64url payload"


def test_ddas_accepts_a_third_party_canonical_signature_over_pretty_bytes(dev_pki: DevPki) -> None:
    """The client signs JSON.stringify of its sorted object but sends pretty-printed bytes."""
    document = json.loads(BODY)
    signed = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    sent = json.dumps(document, indent=2).encode()
    value = third_party_sign(signed, dev_pki.path("consumer-sign.pem"), dev_pki.path("consumer-sign.key"))
    verified = verify(sent, [value], digest=digest_of(sent), trust=dev_pki.trust)
    assert verified.form == "canonical"
