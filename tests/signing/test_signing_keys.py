"""Signing identities and trust stores from PEM files."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ddas.signing import (
    KeyMaterialError,
    TrustStore,
    certificate_thumbprint,
    load_certificates,
    load_identity,
    subject_name,
    subject_serial_number,
)
from ddas.signing.testing import DevPki


def test_identity_holds_chain_leaf_first_and_default_kid_is_the_sha256_thumbprint(dev_pki: DevPki) -> None:
    identity = dev_pki.provider
    assert len(identity.chain) == 2
    leaf, intermediate = identity.chain
    assert leaf.issuer == intermediate.subject
    der = leaf.public_bytes(serialization.Encoding.DER)
    expected = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert identity.kid == expected == certificate_thumbprint(leaf)
    assert identity.certificate is leaf


def test_explicit_kid_is_kept(dev_pki: DevPki) -> None:
    identity = load_identity(
        dev_pki.path("provider-sign.pem"), dev_pki.path("provider-sign.key"), kid="shv-2026"
    )
    assert identity.kid == "shv-2026"


def test_key_of_another_certificate_is_refused(dev_pki: DevPki) -> None:
    with pytest.raises(KeyMaterialError) as caught:
        load_identity(dev_pki.path("provider-sign.pem"), dev_pki.path("consumer-sign.key"))
    assert caught.value.code == "KEY_MISMATCH"


def test_missing_and_unreadable_files_give_clear_errors(dev_pki: DevPki, tmp_path: Path) -> None:
    with pytest.raises(KeyMaterialError) as caught:
        load_identity(tmp_path / "nope.pem", dev_pki.path("provider-sign.key"))
    assert caught.value.code == "FILE_MISSING"
    assert "bestaat niet" in caught.value.nl

    junk = tmp_path / "junk.pem"
    junk.write_text("geen certificaat\n")
    with pytest.raises(KeyMaterialError) as caught:
        load_identity(junk, dev_pki.path("provider-sign.key"))
    assert caught.value.code == "CERT_UNREADABLE"

    with pytest.raises(KeyMaterialError) as caught:
        load_identity(dev_pki.path("provider-sign.pem"), junk)
    assert caught.value.code == "KEY_UNREADABLE"


def test_non_rsa_key_is_refused(dev_pki: DevPki, tmp_path: Path) -> None:
    ec_key = tmp_path / "ec.key"
    ec_key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(KeyMaterialError) as caught:
        load_identity(dev_pki.path("provider-sign.pem"), ec_key)
    assert caught.value.code == "KEY_NOT_RSA"


def test_trust_store_loads_roots_and_intermediates(dev_pki: DevPki) -> None:
    store = TrustStore.from_pem(
        [dev_pki.path("root-ca.pem")], intermediates=[dev_pki.path("intermediate-ca.pem")]
    )
    assert [c.subject for c in store.roots] == [load_certificates(dev_pki.path("root-ca.pem"))[0].subject]
    assert len(store.intermediates) == 1


def test_trust_store_refuses_end_entity_certificates_and_emptiness(dev_pki: DevPki) -> None:
    with pytest.raises(KeyMaterialError) as caught:
        TrustStore.from_pem([dev_pki.path("provider-sign.pem")])
    assert caught.value.code == "TRUST_NOT_CA"
    with pytest.raises(KeyMaterialError) as caught:
        TrustStore.from_pem([])
    assert caught.value.code == "TRUST_EMPTY"


def test_subject_serial_number_is_the_oin(dev_pki: DevPki) -> None:
    assert subject_serial_number(dev_pki.provider.certificate) == dev_pki.provider_oin
    assert subject_serial_number(dev_pki.consumer.certificate) == dev_pki.consumer_oin
    assert subject_serial_number(dev_pki.trust.roots[0]) is None
    assert f"serialNumber={dev_pki.provider_oin}" in subject_name(dev_pki.provider.certificate)
