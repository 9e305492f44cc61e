"""Pinned signing certificates: the programme's test client signs with a self-signed `openssl req -x509`
certificate (CA:TRUE, only itself in x5c). ddas refuses it by the spec; pinned, exactly that certificate is
accepted without chain or CA-flag checks, and nothing else is."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from _signing_helpers import craft
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ddas.signing import SignatureError, TrustStore, verify
from ddas.signing.errors import KeyMaterialError
from ddas.signing.testing import DevPki, SelfSigned, openssl_self_signed, self_signed_like_openssl

#: What the test tool sends by default: its payload as `requests` serialises it (json=…), signed canonically.
PAYLOAD = {"aanleverperiodeStartdatum": "2026-01-01", "aanleverperiodeEinddatum": "2026-06-30"}
OIN = "00000009876543210000"


@pytest.fixture(scope="module")
def tool_certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    """Made by the openssl binary as the test tools' instructions say; the cryptography twin without it."""
    directory = tmp_path_factory.mktemp("testtool")
    made = openssl_self_signed(directory, oin=OIN)
    return made if made is not None else self_signed_like_openssl(directory, oin=OIN)


def _tool_request(certificate: SelfSigned) -> tuple[bytes, str]:
    """(body sent, signature) as the test tool builds them: header alg/typ/kid/x5c only, no Digest."""
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem)
    key = serialization.load_pem_private_key(certificate.key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    header = {
        "alg": "PS256",
        "typ": "JOSE",
        "kid": "test-key-2026",
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
    }
    signed = json.dumps(PAYLOAD, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    return json.dumps(PAYLOAD).encode(), craft(header, signed, key)


def _pinned(dev_pki: DevPki, *certificates: SelfSigned) -> TrustStore:
    return TrustStore.from_pem(
        [dev_pki.path("root-ca.pem")], pinned=[certificate.certificate for certificate in certificates]
    )


def test_the_openssl_certificate_is_what_the_test_tool_uses(
    tool_certificate: SelfSigned, tmp_path: Path
) -> None:
    cert = x509.load_pem_x509_certificate(tool_certificate.certificate_pem)
    assert cert.issuer == cert.subject
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # The cryptography twin (used for expired certificates) has exactly the same extensions.
    twin = x509.load_pem_x509_certificate(self_signed_like_openssl(tmp_path, oin=OIN).certificate_pem)
    assert [(e.oid, e.critical) for e in twin.extensions] == [(e.oid, e.critical) for e in cert.extensions]


def test_unpinned_the_test_tool_is_refused_as_the_spec_says(
    tool_certificate: SelfSigned, dev_pki: DevPki
) -> None:
    body, signature = _tool_request(tool_certificate)
    with pytest.raises(SignatureError) as caught:
        verify(body, [signature], digest=None, trust=dev_pki.trust)
    assert caught.value.code == "SIG_CHAIN_UNTRUSTED"
    # Even as its own root, a CA certificate may not sign messages.
    as_root = TrustStore.from_pem([tool_certificate.certificate])
    with pytest.raises(SignatureError) as caught:
        verify(body, [signature], digest=None, trust=as_root)
    assert caught.value.code == "SIG_CERT_USAGE"


def test_pinned_the_test_tool_is_accepted_and_says_so(tool_certificate: SelfSigned, dev_pki: DevPki) -> None:
    body, signature = _tool_request(tool_certificate)
    verified = verify(body, [signature], digest=None, trust=_pinned(dev_pki, tool_certificate))
    assert verified.pinned
    assert verified.form == "canonical"
    assert verified.oin == OIN
    assert verified.path == (verified.certificate,)


def test_pinning_one_certificate_does_not_admit_another(
    tool_certificate: SelfSigned, dev_pki: DevPki, tmp_path: Path
) -> None:
    other = openssl_self_signed(tmp_path) or self_signed_like_openssl(tmp_path)
    body, signature = _tool_request(other)
    with pytest.raises(SignatureError) as caught:
        verify(body, [signature], digest=None, trust=_pinned(dev_pki, tool_certificate))
    assert caught.value.code == "SIG_CHAIN_UNTRUSTED"
    assert "vastgepind" in caught.value.nl


def test_a_pinned_ca_certificate_is_no_anchor_for_what_it_issues(
    tool_certificate: SelfSigned, dev_pki: DevPki
) -> None:
    """The pinned certificate is CA:TRUE, but pinning trusts it as a signer only, never as an issuer."""
    from ddas.signing.pki import SIGNING, issue_certificate, new_key

    issuer = x509.load_pem_x509_certificate(tool_certificate.certificate_pem)
    issuer_key = serialization.load_pem_private_key(tool_certificate.key_pem, password=None)
    assert isinstance(issuer_key, rsa.RSAPrivateKey)
    key = new_key(2048)
    now = datetime.now(UTC)
    leaf = issue_certificate(
        x509.Name.from_rfc4514_string("CN=uitgegeven door vastgepind"),
        key,
        SIGNING,
        issuer=issuer,
        issuer_key=issuer_key,
        not_before=now - timedelta(days=1),
        not_after=now + timedelta(days=1),
    )
    header = {
        "alg": "PS256",
        "typ": "JOSE",
        "kid": "x",
        "x5c": [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in (leaf, issuer)
        ],
    }
    body = b"{}"
    with pytest.raises(SignatureError) as caught:
        verify(body, [craft(header, body, key)], digest=None, trust=_pinned(dev_pki, tool_certificate))
    assert caught.value.code == "SIG_CHAIN_UNTRUSTED"


@pytest.mark.parametrize(
    ("shift", "code"),
    [(timedelta(days=-400), "SIG_CERT_EXPIRED"), (timedelta(days=30), "SIG_CERT_NOT_YET_VALID")],
)
def test_a_pinned_certificate_outside_its_validity_is_refused(
    dev_pki: DevPki, tmp_path: Path, shift: timedelta, code: str
) -> None:
    start = datetime.now(UTC) + shift
    certificate = self_signed_like_openssl(tmp_path, not_before=start, not_after=start + timedelta(days=365))
    body, signature = _tool_request(certificate)
    with pytest.raises(SignatureError) as caught:
        verify(body, [signature], digest=None, trust=_pinned(dev_pki, certificate))
    assert caught.value.code == code
    assert "vastgepinde" in caught.value.nl


def test_pinned_certificates_alone_make_a_trust_store(tool_certificate: SelfSigned) -> None:
    trust = TrustStore.from_pem([], pinned=[tool_certificate.certificate])
    body, signature = _tool_request(tool_certificate)
    assert verify(body, [signature], digest=None, trust=trust).pinned
    with pytest.raises(KeyMaterialError) as caught:
        TrustStore.from_pem([])
    assert caught.value.code == "TRUST_EMPTY"


def test_chain_signatures_are_not_reported_as_pinned(dev_pki: DevPki, tool_certificate: SelfSigned) -> None:
    from ddas.signing import signed_headers

    body = b'{"pageSize": 1}'
    headers = signed_headers(body, dev_pki.consumer)
    verified = verify(
        body,
        [headers["nlgov-adr-payload-sig"]],
        digest=headers["Digest"],
        trust=_pinned(dev_pki, tool_certificate),
    )
    assert not verified.pinned and len(verified.path) == 3
