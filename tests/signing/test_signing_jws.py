"""Detached JWS sign/verify: the three forms, and every failure code with a precise message."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from _signing_helpers import CaMaterial, b64url, craft, craft_hmac, encode_header, header_of, x5c
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from ddas.signing import (
    HTTP_HEADERS_MECHANISM,
    SIGNATURE_HEADER,
    Form,
    SignatureError,
    SigningIdentity,
    TrustStore,
    canonical_json,
    certificate_thumbprint,
    digest_header,
    sign,
    signed_headers,
    verify,
)
from ddas.signing.pki import INTERMEDIATE_CA, ROOT_CA, SIGNING, CertificateProfile, issue_certificate, new_key
from ddas.signing.testing import DevPki

BODY = json.dumps(
    {
        "gegevens": {"leveringen": [{"gemeentecode": "0363", "naam": "Café Één"}]},
        "paginering": {"pageSize": 1},
    },
    indent=2,
    ensure_ascii=False,
).encode("utf-8")


def _fails(code: str, body: bytes, signatures: list[str], pki: DevPki, **kwargs: object) -> SignatureError:
    kwargs.setdefault("digest", None)
    kwargs.setdefault("trust", pki.trust)
    with pytest.raises(SignatureError) as caught:
        verify(body, signatures, **kwargs)  # type: ignore[arg-type]
    assert caught.value.code == code, caught.value.en
    assert caught.value.nl and caught.value.en and caught.value.nl != caught.value.en
    return caught.value


def _subject(common_name: str, oin: str | None = None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if oin:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
    return x509.Name(attributes)


def _leaf(
    ca: CaMaterial,
    profile: CertificateProfile = SIGNING,
    *,
    issuer: x509.Certificate | None = None,
    issuer_key: object = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    start, end = ca.window()
    return issue_certificate(
        _subject("test-signer", "00000001234567890000"),
        ca.provider_key,
        profile,
        issuer=issuer or ca.intermediate,
        issuer_key=issuer_key or ca.intermediate_key,  # type: ignore[arg-type]
        not_before=not_before or start,
        not_after=not_after or end,
    )


# --- round trips -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["bytes", "sigD", "canonical"])
def test_round_trip_in_every_form(dev_pki: DevPki, form: str) -> None:
    digest = digest_header(BODY)
    value = sign(BODY, dev_pki.provider, form=form, digest=digest)  # type: ignore[arg-type]
    verified = verify(BODY, [value], digest=digest, trust=dev_pki.trust)
    assert verified.form == form
    assert verified.oin == dev_pki.provider_oin
    assert verified.kid == dev_pki.provider.kid
    assert "provider" in verified.subject
    assert verified.certificate == dev_pki.provider.certificate
    assert len(verified.path) == 3 and verified.path[-1] == dev_pki.trust.roots[0]


def test_bytes_and_canonical_forms_verify_without_a_digest(dev_pki: DevPki) -> None:
    forms: tuple[Form, ...] = ("bytes", "canonical")
    for form in forms:
        verified = verify(BODY, [sign(BODY, dev_pki.consumer, form=form)], digest=None, trust=dev_pki.trust)
        assert verified.form == form and verified.oin == dev_pki.consumer_oin


def test_protected_header_has_what_the_koppelvlak_prescribes(dev_pki: DevPki) -> None:
    header = header_of(sign(BODY, dev_pki.provider))
    assert header["alg"] == "PS256" and header["typ"] == "JOSE"
    assert header["kid"] == dev_pki.provider.kid
    assert header["x5c"] == x5c(dev_pki.provider.chain)
    assert header["x5t#S256"] == certificate_thumbprint(dev_pki.provider.certificate)
    assert set(header) == {"alg", "typ", "kid", "x5c", "x5t#S256"}


def test_sigd_header_declares_the_http_headers_mechanism_over_digest(dev_pki: DevPki) -> None:
    header = header_of(
        sign(BODY, dev_pki.provider, form="sigD", now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    )
    assert header["sigT"] == "2026-01-02T03:04:05Z"
    assert header["sigD"] == {"mId": HTTP_HEADERS_MECHANISM, "pars": ["digest"]}
    assert header["b64"] is False
    assert header["crit"] == ["b64", "sigD"]


def test_value_is_a_compact_detached_jws(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider)
    protected, payload, signature = value.split(".")
    assert payload == "" and protected and signature
    assert "=" not in value and "+" not in value and "/" not in value


def test_canonical_form_matches_a_differently_formatted_body(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider, form="canonical")
    reformatted = json.dumps(json.loads(BODY), ensure_ascii=False, indent=4, sort_keys=False).encode()
    assert reformatted != BODY
    verified = verify(reformatted, [value], digest=digest_header(reformatted), trust=dev_pki.trust)
    assert verified.form == "canonical"
    assert "UTF-8" in verified.detail


def test_canonical_json_sorts_keys_drops_whitespace_and_keeps_utf8() -> None:
    assert (
        canonical_json('{ "b" : [1, {"d": 2, "c": null}], "a": "é" }'.encode())
        == '{"a":"é","b":[1,{"c":null,"d":2}]}'.encode()
    )
    with pytest.raises(ValueError):
        canonical_json(b"not json")


def test_canonical_signature_with_escaped_non_ascii_is_recognised(dev_pki: DevPki, ca: CaMaterial) -> None:
    escaped = json.dumps(json.loads(BODY), sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    value = sign(escaped, dev_pki.provider)  # a client that signed its own ASCII canonical bytes
    verified = verify(BODY, [value], digest=None, trust=dev_pki.trust)
    assert verified.form == "canonical" and "\\u escapes" in verified.detail


def test_signed_headers_carry_digest_and_signature(dev_pki: DevPki) -> None:
    headers = signed_headers(BODY, dev_pki.provider)
    assert headers["Digest"] == digest_header(BODY)
    verified = verify(BODY, [headers[SIGNATURE_HEADER]], digest=headers["Digest"], trust=dev_pki.trust)
    assert verified.form == "bytes"


def test_sign_refuses_a_digest_that_is_not_of_the_body(dev_pki: DevPki) -> None:
    with pytest.raises(ValueError, match="does not match"):
        sign(BODY, dev_pki.provider, form="sigD", digest=digest_header(b"other"))
    with pytest.raises(ValueError, match="unknown signature form"):
        sign(BODY, dev_pki.provider, form="jades")  # type: ignore[arg-type]


def test_large_body_round_trip_crosses_the_hashing_chunk_boundary(dev_pki: DevPki) -> None:
    body = bytes(range(256)) * (4 * 1024 * 1024 // 256 + 7)  # > one 3 MiB chunk, length not a multiple of 3
    verified = verify(body, [sign(body, dev_pki.provider)], digest=digest_header(body), trust=dev_pki.trust)
    assert verified.form == "bytes"


# --- message-level failures --------------------------------------------------------------------------------


def test_tampered_body_without_digest_is_invalid_and_says_what_was_tried(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider)
    error = _fails("SIG_INVALID", BODY.replace(b"0363", b"0364"), [value], dev_pki)
    assert "bytes: exact body bytes" in error.en and "canonical: sorted keys" in error.en
    assert "geprobeerd" in error.nl


def test_tampered_body_with_original_digest_is_a_digest_mismatch(dev_pki: DevPki) -> None:
    headers = signed_headers(BODY, dev_pki.provider)
    _fails(
        "SIG_DIGEST_MISMATCH",
        BODY.replace(b"0363", b"0364"),
        [headers[SIGNATURE_HEADER]],
        dev_pki,
        digest=headers["Digest"],
    )


def test_wrong_digest_for_an_intact_body_is_a_digest_mismatch(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider)
    _fails("SIG_DIGEST_MISMATCH", BODY, [value], dev_pki, digest=digest_header(b"something else"))


def test_non_json_body_says_canonical_was_not_tried(dev_pki: DevPki) -> None:
    value = sign(b"binary \x00 body", dev_pki.provider)
    error = _fails("SIG_INVALID", b"binary \x00 b0dy", [value], dev_pki)
    assert "canonical: not tried, the body is not JSON" in error.en


def test_sigd_without_digest_header_is_digest_required(dev_pki: DevPki) -> None:
    _fails("SIG_DIGEST_REQUIRED", BODY, [sign(BODY, dev_pki.provider, form="sigD")], dev_pki)


def test_sigd_with_body_and_digest_both_replaced_is_invalid(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider, form="sigD")
    forged = BODY.replace(b"0363", b"0364")
    error = _fails("SIG_INVALID", forged, [value], dev_pki, digest=digest_header(forged))
    assert "sigD: ETSI HttpHeaders" in error.en and "bytes:" not in error.en


def test_no_signature_header_is_missing(dev_pki: DevPki) -> None:
    _fails("SIG_MISSING", BODY, [], dev_pki)


def test_two_signature_values_are_refused_even_when_both_are_valid(dev_pki: DevPki) -> None:
    value = sign(BODY, dev_pki.provider)
    error = _fails("SIG_MULTIPLE", BODY, [value, value], dev_pki)
    assert "2" in error.nl
    _fails("SIG_MULTIPLE", BODY, [f"{value}, {sign(BODY, dev_pki.consumer)}"], dev_pki)


@pytest.mark.parametrize(
    "value",
    [
        "not-a-jws",
        "a.b",
        "eyJhbGciOiJQUzI1NiJ9.cGF5bG9hZA.c2ln",  # attached payload
        "bm90IGpzb24..c2ln",  # header is not JSON
        b64url(b"[1, 2]") + "..c2ln",  # header is not an object
        b64url(b'{"alg":"PS256","alg":"none"}') + "..c2ln",  # duplicate names
        b64url(b'{"alg":"PS256"}') + "..",  # no signature part
        b64url(b'{"alg":"PS256"}') + "..!!",  # signature not base64url
    ],
)
def test_malformed_values_are_refused(dev_pki: DevPki, value: str) -> None:
    _fails("SIG_MALFORMED", BODY, [value], dev_pki)


def test_oversized_header_is_refused_before_decoding(dev_pki: DevPki) -> None:
    _fails("SIG_MALFORMED", BODY, ["A" * 70_000 + "..AAAA"], dev_pki)


def _header(identity: SigningIdentity, **extra: object) -> dict[str, object]:
    header: dict[str, object] = {
        "alg": "PS256",
        "typ": "JOSE",
        "kid": identity.kid,
        "x5c": x5c(identity.chain),
    }
    header.update(extra)
    return {k: v for k, v in header.items() if v is not None}


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"crit": ["exp"], "exp": 1}, "kritiek"),
        ({"crit": ["b64"]}, "kritiek"),  # b64 listed but absent
        ({"crit": []}, "niet-lege lijst"),
        ({"sigD": {"mId": "http://uri.etsi.org/19182/ObjectIdByURI", "pars": ["x"]}}, "sigD-mechanisme"),
        ({"sigD": {"mId": HTTP_HEADERS_MECHANISM, "pars": ["(request-target)", "digest"]}}, "sigD.pars"),
        ({"b64": "false"}, "'b64'"),
        ({"x5t#S256": "AAAA"}, "x5t#S256"),
        ({"x5c": ["bm90IGEgY2VydA=="]}, "x5c[0]"),
        ({"x5c": "MIIB"}, "x5c moet"),
    ],
)
def test_header_problems_are_malformed_with_a_precise_reason(
    dev_pki: DevPki, extra: dict[str, object], fragment: str
) -> None:
    value = craft(_header(dev_pki.provider, **extra), BODY, dev_pki.provider.private_key)
    error = _fails("SIG_MALFORMED", BODY, [value], dev_pki, digest=digest_header(BODY))
    assert fragment in error.nl


# --- algorithms --------------------------------------------------------------------------------------------


def test_alg_none_is_refused(dev_pki: DevPki) -> None:
    value = encode_header(_header(dev_pki.provider, alg="none")) + ".."
    error = _fails("SIG_ALG_NOT_ALLOWED", BODY, [value], dev_pki)
    assert "'none'" in error.nl and "PS256" in error.nl


def test_hs256_keyed_with_the_public_key_is_refused(dev_pki: DevPki) -> None:
    public_pem = dev_pki.provider.certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    value = craft_hmac(_header(dev_pki.provider, alg="HS256"), BODY, public_pem)
    _fails("SIG_ALG_NOT_ALLOWED", BODY, [value], dev_pki)


def test_rs256_is_refused_even_with_a_valid_rsa_signature(dev_pki: DevPki) -> None:
    value = craft(_header(dev_pki.provider, alg="RS256"), BODY, dev_pki.provider.private_key, scheme="RS256")
    _fails("SIG_ALG_NOT_ALLOWED", BODY, [value], dev_pki)


@pytest.mark.parametrize("alg", ["ps256", "PS384", "ES256", None, 256])
def test_anything_but_ps256_is_refused(dev_pki: DevPki, alg: object) -> None:
    header = _header(dev_pki.provider)
    if alg is None:
        del header["alg"]
    else:
        header["alg"] = alg
    _fails("SIG_ALG_NOT_ALLOWED", BODY, [craft(header, BODY, dev_pki.provider.private_key)], dev_pki)


def test_short_rsa_key_is_refused(dev_pki: DevPki, ca: CaMaterial) -> None:
    weak = new_key(1024)
    start, end = ca.window()
    leaf = issue_certificate(
        _subject("weak"),
        weak,
        SIGNING,
        issuer=ca.intermediate,
        issuer_key=ca.intermediate_key,
        not_before=start,
        not_after=end,
    )
    identity = SigningIdentity(private_key=weak, chain=(leaf, ca.intermediate))
    error = _fails("SIG_ALG_NOT_ALLOWED", BODY, [sign(BODY, identity)], dev_pki)
    assert "1024" in error.nl


# --- chains and certificates -------------------------------------------------------------------------------


def test_no_x5c_is_no_chain(dev_pki: DevPki) -> None:
    chains: tuple[list[str] | None, ...] = (None, [])
    for chain in chains:
        value = craft(_header(dev_pki.provider, x5c=chain), BODY, dev_pki.provider.private_key)
        if chain is None:
            assert "x5c" not in header_of(value)
        _fails("SIG_NO_CHAIN", BODY, [value], dev_pki)


def test_chain_from_a_different_root_is_untrusted(dev_pki: DevPki, ca: CaMaterial) -> None:
    other_key = new_key(2048)
    start, end = ca.window()
    other_root = issue_certificate(
        _subject("Andere root"), other_key, ROOT_CA, not_before=start, not_after=end
    )
    leaf = _leaf(ca, issuer=other_root, issuer_key=other_key)
    identity = SigningIdentity(private_key=ca.provider_key, chain=(leaf, other_root))
    error = _fails("SIG_CHAIN_UNTRUSTED", BODY, [sign(BODY, identity)], dev_pki)
    assert "CN=Andere root" in error.nl
    # and the other way round: the dev PKI's signature is not trusted by a store of the other root
    _fails(
        "SIG_CHAIN_UNTRUSTED",
        BODY,
        [sign(BODY, dev_pki.provider)],
        dev_pki,
        trust=TrustStore(roots=(other_root,)),
    )


def test_a_root_with_the_right_name_but_another_key_is_untrusted(dev_pki: DevPki, ca: CaMaterial) -> None:
    impostor_key = new_key(2048)
    start, end = ca.window()
    impostor = issue_certificate(ca.root.subject, impostor_key, ROOT_CA, not_before=start, not_after=end)
    intermediate = issue_certificate(
        ca.intermediate.subject,
        ca.intermediate_key,
        INTERMEDIATE_CA,
        issuer=impostor,
        issuer_key=impostor_key,
        not_before=start,
        not_after=end,
    )
    leaf = _leaf(ca)
    identity = SigningIdentity(private_key=ca.provider_key, chain=(leaf, intermediate))
    # names and keys all look right, but the x5c intermediate is signed by the impostor, not by the trusted root
    _fails("SIG_CHAIN_UNTRUSTED", BODY, [sign(BODY, identity)], dev_pki)


def test_leaf_only_x5c_verifies_when_the_trust_store_knows_the_intermediate(dev_pki: DevPki) -> None:
    leaf_only = replace(dev_pki.provider, chain=dev_pki.provider.chain[:1])
    value = sign(BODY, leaf_only)
    _fails("SIG_CHAIN_UNTRUSTED", BODY, [value], dev_pki)
    trust = TrustStore(roots=dev_pki.trust.roots, intermediates=(dev_pki.provider.chain[1],))
    assert verify(BODY, [value], digest=None, trust=trust).form == "bytes"


def test_x5c_that_includes_the_root_still_verifies(dev_pki: DevPki) -> None:
    with_root = replace(dev_pki.provider, chain=(*dev_pki.provider.chain, dev_pki.trust.roots[0]))
    assert (
        verify(BODY, [sign(BODY, with_root)], digest=None, trust=dev_pki.trust).path[-1]
        == dev_pki.trust.roots[0]
    )


def test_issuer_that_is_not_a_ca_breaks_the_chain(dev_pki: DevPki, ca: CaMaterial) -> None:
    consumer_key = dev_pki.consumer.private_key
    leaf = _leaf(ca, issuer=dev_pki.consumer.certificate, issuer_key=consumer_key)
    identity = SigningIdentity(private_key=ca.provider_key, chain=(leaf, *dev_pki.consumer.chain))
    error = _fails("SIG_CHAIN_UNTRUSTED", BODY, [sign(BODY, identity)], dev_pki)
    assert "geen CA" in error.nl


def test_path_length_constraint_is_enforced(dev_pki: DevPki, ca: CaMaterial) -> None:
    start, end = ca.window()
    sub_key = new_key(2048)
    sub_ca = issue_certificate(
        _subject("Sub-CA"),
        sub_key,
        INTERMEDIATE_CA,
        issuer=ca.intermediate,
        issuer_key=ca.intermediate_key,
        not_before=start,
        not_after=end,
    )
    leaf = _leaf(ca, issuer=sub_ca, issuer_key=sub_key)
    identity = SigningIdentity(private_key=ca.provider_key, chain=(leaf, sub_ca, ca.intermediate))
    error = _fails("SIG_CHAIN_UNTRUSTED", BODY, [sign(BODY, identity)], dev_pki)
    assert "pathLenConstraint" in error.nl


def test_expired_signing_certificate(dev_pki: DevPki) -> None:
    later = dev_pki.provider.certificate.not_valid_after_utc + timedelta(days=1)
    error = _fails("SIG_CERT_EXPIRED", BODY, [sign(BODY, dev_pki.provider)], dev_pki, now=later)
    assert "ondertekeningscertificaat" in error.nl and "verlopen" in error.nl


def test_not_yet_valid_signing_certificate(dev_pki: DevPki) -> None:
    earlier = dev_pki.provider.certificate.not_valid_before_utc - timedelta(days=1)
    error = _fails("SIG_CERT_NOT_YET_VALID", BODY, [sign(BODY, dev_pki.provider)], dev_pki, now=earlier)
    assert "pas geldig vanaf" in error.nl


def test_naive_now_is_taken_as_utc(dev_pki: DevPki) -> None:
    later = (dev_pki.provider.certificate.not_valid_after_utc + timedelta(hours=1)).replace(tzinfo=None)
    _fails("SIG_CERT_EXPIRED", BODY, [sign(BODY, dev_pki.provider)], dev_pki, now=later)


def test_expired_intermediate_with_a_valid_leaf(dev_pki: DevPki, ca: CaMaterial) -> None:
    expired = issue_certificate(
        ca.intermediate.subject,
        ca.intermediate_key,
        INTERMEDIATE_CA,
        issuer=ca.root,
        issuer_key=ca.root_key,
        not_before=ca.now - timedelta(days=60),
        not_after=ca.now - timedelta(days=1),
    )
    leaf = _leaf(ca, issuer=expired)
    identity = SigningIdentity(private_key=ca.provider_key, chain=(leaf, expired))
    error = _fails("SIG_CERT_EXPIRED", BODY, [sign(BODY, identity)], dev_pki, now=ca.now)
    assert "tussencertificaat" in error.nl


def test_not_yet_valid_intermediate(dev_pki: DevPki, ca: CaMaterial) -> None:
    future = issue_certificate(
        ca.intermediate.subject,
        ca.intermediate_key,
        INTERMEDIATE_CA,
        issuer=ca.root,
        issuer_key=ca.root_key,
        not_before=ca.now + timedelta(days=1),
        not_after=ca.now + timedelta(days=60),
    )
    identity = SigningIdentity(private_key=ca.provider_key, chain=(_leaf(ca, issuer=future), future))
    error = _fails("SIG_CERT_NOT_YET_VALID", BODY, [sign(BODY, identity)], dev_pki, now=ca.now)
    assert "tussencertificaat" in error.nl


def test_signing_certificate_without_digital_signature(dev_pki: DevPki, ca: CaMaterial) -> None:
    leaf = _leaf(ca, CertificateProfile(digital_signature=False, non_repudiation=True))
    identity = SigningIdentity(private_key=ca.provider_key, chain=(leaf, ca.intermediate))
    error = _fails("SIG_CERT_USAGE", BODY, [sign(BODY, identity)], dev_pki)
    assert "digitalSignature" in error.nl


def test_tls_certificate_may_not_sign(dev_pki: DevPki) -> None:
    from ddas.signing import load_identity

    tls = load_identity(dev_pki.path("provider-tls.pem"), dev_pki.path("provider-tls.key"))
    error = _fails("SIG_CERT_USAGE", BODY, [sign(BODY, tls)], dev_pki)
    assert "TLS-certificaat" in error.nl


def test_ca_certificate_may_not_sign_messages(dev_pki: DevPki, ca: CaMaterial) -> None:
    identity = SigningIdentity(private_key=ca.intermediate_key, chain=(ca.intermediate,))
    error = _fails("SIG_CERT_USAGE", BODY, [sign(BODY, identity)], dev_pki)
    assert "CA-certificaat" in error.nl


def test_signature_by_another_key_than_the_x5c_leaf_is_invalid(dev_pki: DevPki) -> None:
    header = _header(dev_pki.provider)
    value = craft(header, BODY, dev_pki.consumer.private_key)
    _fails("SIG_INVALID", BODY, [value], dev_pki)


# --- logging -----------------------------------------------------------------------------------------------


def test_matched_form_is_logged_at_info_and_bodies_never(
    dev_pki: DevPki, caplog: pytest.LogCaptureFixture
) -> None:
    secret = b'{"bsn": "999993653", "naam": "Jansen"}'
    caplog.set_level(logging.DEBUG, logger="ddas.signing")
    verify(
        secret,
        [sign(secret, dev_pki.provider, form="sigD")],
        digest=digest_header(secret),
        trust=dev_pki.trust,
    )
    info = [r for r in caplog.records if r.name == "ddas.signing" and r.levelno == logging.INFO]
    assert len(info) == 1 and "vorm sigD" in info[0].getMessage()
    with pytest.raises(SignatureError):
        verify(secret + b" ", [sign(secret, dev_pki.provider)], digest=None, trust=dev_pki.trust)
    assert caplog.records, "expected debug records for the forms tried"
    assert "999993653" not in caplog.text and "Jansen" not in caplog.text
