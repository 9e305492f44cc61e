"""Signatures on a live server: every response verifies with an outsider's verifier; requests are checked."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from _app_helpers import BASE_SHV, BASE_VS, ServerFactory, independent_verify, post, third_party_sign
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ddas.provider.app import ProviderSettings
from ddas.signing import digest_header, sign
from ddas.signing.pki import SIGNING, issue_certificate
from ddas.signing.testing import DevPki

BODY = (
    b'{"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-06-30", "pageSize": 10}'
)


def _pem(pki: DevPki, name: str) -> bytes:
    return pki.path(name).read_bytes()


def _consumer_headers(pki: DevPki, body: bytes = BODY, **kwargs: Any) -> dict[str, str]:
    return third_party_sign(body, _pem(pki, "consumer-sign.pem"), _pem(pki, "consumer-sign.key"), **kwargs)


def test_every_kind_of_response_is_signed_over_its_exact_bytes(server: Any, pki: DevPki) -> None:
    root = _pem(pki, "root-ca.pem")
    with httpx.Client() as client:
        responses = [
            client.post(server.url + BASE_SHV + "/gegevens", content=b"{}"),
            client.post(server.url + BASE_VS + "/gegevens", content=b'{"pageSize": 5}'),
            client.post(server.url + BASE_SHV + "/gegevens", content=b"{"),
            client.post(
                server.url + BASE_SHV + "/gegevens", content=BODY.replace(b"2025-06-30", b"2024-06-30")
            ),
            client.post(server.url + "/nergens", content=b"{}"),
            client.get(server.url + BASE_SHV + "/gegevens"),
            client.get(server.url + BASE_SHV + "/openapi.json"),
        ]
    assert [r.status_code for r in responses] == [200, 200, 400, 422, 404, 405, 200]
    for response in responses:
        header = independent_verify(response.content, response.headers, root)
        leaf = x509.load_der_x509_certificate(__import__("base64").b64decode(header["x5c"][0]))
        oin = leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value
        assert oin == pki.provider_oin
    # The signature binds the bytes: one changed byte and the outsider's verifier refuses.
    tampered = responses[0].content.replace(b'"teller":1', b'"teller":2', 1)
    with pytest.raises(AssertionError, match="Digest"):
        independent_verify(tampered, responses[0].headers, root)


def test_a_request_signed_by_a_third_party_client_is_accepted(
    server: Any, pki: DevPki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = post(server.url + BASE_SHV + "/gegevens", content=BODY, headers=_consumer_headers(pki))
    assert response.status_code == 200, response.text
    assert "ondertekening verzoek geldig: vorm bytes" in caplog.text
    assert pki.consumer_oin in caplog.text


def test_sigd_and_canonical_forms_are_understood(
    server: Any, pki: DevPki, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    digest = digest_header(BODY)
    sig_d = {"Digest": digest, "nlgov-adr-payload-sig": sign(BODY, pki.consumer, form="sigD", digest=digest)}
    assert post(server.url + BASE_SHV + "/gegevens", content=BODY, headers=sig_d).status_code == 200
    assert "vorm sigD" in caplog.text
    # A client that signs the canonical serialisation but sends pretty-printed bytes.
    pretty = json.dumps(json.loads(BODY), indent=2).encode()
    canonical = {"nlgov-adr-payload-sig": sign(pretty, pki.consumer, form="canonical")}
    assert post(server.url + BASE_SHV + "/gegevens", content=pretty, headers=canonical).status_code == 200
    assert "vorm canonical" in caplog.text


def _certificate(pki: DevPki, *, expired: bool = False, self_signed: bool = False) -> tuple[bytes, bytes]:
    """A signing certificate under the dev intermediate (or self-signed), optionally expired: (chain, key) PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    span = (
        (now - timedelta(days=30), now - timedelta(days=1))
        if expired
        else (now - timedelta(days=1), now + timedelta(days=30))
    )
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "derde partij"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, "00000009999999999000"),
        ]
    )
    intermediate = x509.load_pem_x509_certificates(_pem(pki, "intermediate-ca.pem"))[0]
    intermediate_key = serialization.load_pem_private_key(_pem(pki, "intermediate-ca.key"), password=None)
    assert isinstance(intermediate_key, rsa.RSAPrivateKey)
    certificate = issue_certificate(
        subject,
        key,
        SIGNING,
        issuer=None if self_signed else intermediate,
        issuer_key=None if self_signed else intermediate_key,
        not_before=span[0],
        not_after=span[1],
    )
    chain = [certificate] if self_signed else [certificate, intermediate]
    chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain_pem, key_pem


def _bad_signatures(pki: DevPki) -> dict[str, tuple[bytes, list[tuple[str, str]]]]:
    """code → (body sent, headers sent)."""
    good = _consumer_headers(pki)
    other = BODY.replace(b"10", b"11")
    cases: dict[str, tuple[bytes, list[tuple[str, str]]]] = {}
    cases["SIG_INVALID"] = (
        other,
        [("Digest", digest_header(other)), ("nlgov-adr-payload-sig", good["nlgov-adr-payload-sig"])],
    )
    cases["SIG_DIGEST_MISMATCH"] = (other, list(good.items()))
    rs256 = _consumer_headers(pki, alg="RS256")
    cases["SIG_ALG_NOT_ALLOWED"] = (BODY, list(rs256.items()))
    cases["SIG_MULTIPLE"] = (BODY, [*good.items(), ("nlgov-adr-payload-sig", good["nlgov-adr-payload-sig"])])
    cases["SIG_MALFORMED"] = (BODY, [("nlgov-adr-payload-sig", "geen.jws")])
    chain, key = _certificate(pki, self_signed=True)
    cases["SIG_CHAIN_UNTRUSTED"] = (BODY, list(third_party_sign(BODY, chain, key).items()))
    chain, key = _certificate(pki, expired=True)
    cases["SIG_CERT_EXPIRED"] = (BODY, list(third_party_sign(BODY, chain, key).items()))
    return cases


@pytest.mark.parametrize(
    "code",
    [
        "SIG_INVALID",
        "SIG_DIGEST_MISMATCH",
        "SIG_ALG_NOT_ALLOWED",
        "SIG_MULTIPLE",
        "SIG_MALFORMED",
        "SIG_CHAIN_UNTRUSTED",
        "SIG_CERT_EXPIRED",
    ],
)
def test_bad_request_signatures_are_401_naming_what_failed(server: Any, pki: DevPki, code: str) -> None:
    body, headers = _bad_signatures(pki)[code]
    with httpx.Client() as client:
        response = client.post(
            server.url + BASE_SHV + "/gegevens",
            content=body,
            headers=[("Content-Type", "application/json"), *headers],
        )
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == code
    assert problem["status"] == 401 and problem["domain"] == "ERROR_DOMAIN_INWAY"
    assert problem["title"] == "Ondertekening van het verzoek ongeldig"
    assert problem["detail"] and problem["detail_en"]
    independent_verify(response.content, response.headers, _pem(pki, "root-ca.pem"))


def test_a_required_signature_that_is_missing_is_401(
    serve: ServerFactory, signed_settings: ProviderSettings, settings_with: Any, pki: DevPki
) -> None:
    live = serve(settings_with(signed_settings, signing={"require_request_signature": True}))
    url = live.url + BASE_SHV + "/gegevens"
    missing = post(url, content=BODY)
    assert missing.status_code == 401
    assert missing.json()["code"] == "SIG_MISSING"
    assert post(url, content=BODY, headers=_consumer_headers(pki)).status_code == 200


def test_optional_signature_lets_unsigned_requests_through(server: Any) -> None:
    assert post(server.url + BASE_SHV + "/gegevens", content=BODY).status_code == 200
