"""The development PKI: files, chains, profiles, permissions, refusal to overwrite, and real TLS with it."""

from __future__ import annotations

import socket
import ssl
import stat
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ddas.signing import PkiError, init_dev_pki, load_certificates
from ddas.signing.pki import PKI_FILES
from ddas.signing.testing import DevPki

LEAVES = ("provider-tls", "provider-sign", "consumer-tls", "consumer-sign")


def _ext(certificate: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.ExtensionType | None:
    try:
        return certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def test_all_files_are_written_and_keys_are_private(dev_pki: DevPki) -> None:
    assert set(dev_pki.files) == set(PKI_FILES)
    for name, path in dev_pki.files.items():
        assert path == dev_pki.directory / name and path.is_file()
        if name.endswith(".key"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
            assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM expected"
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 3072


def test_readme_is_dutch_says_development_only_and_names_every_file(dev_pki: DevPki) -> None:
    text = dev_pki.path("README.md").read_text(encoding="utf-8")
    assert "Alleen voor ontwikkeling" in text and "PKIoverheid" in text
    for name in PKI_FILES:
        if name != "README.md":
            assert f"`{name}`" in text, name


def test_end_entity_files_hold_the_chain_leaf_first(dev_pki: DevPki) -> None:
    root = load_certificates(dev_pki.path("root-ca.pem"))
    intermediate = load_certificates(dev_pki.path("intermediate-ca.pem"))
    assert len(root) == 1 and len(intermediate) == 1
    root[0].verify_directly_issued_by(root[0])
    intermediate[0].verify_directly_issued_by(root[0])
    for stem in LEAVES:
        chain = load_certificates(dev_pki.path(f"{stem}.pem"))
        assert len(chain) == 2, stem
        assert chain[1] == intermediate[0]
        chain[0].verify_directly_issued_by(chain[1])
        key = serialization.load_pem_private_key(dev_pki.path(f"{stem}.key").read_bytes(), password=None)
        assert key.public_key().public_numbers() == chain[0].public_key().public_numbers()  # type: ignore[union-attr]


def test_ca_certificates_are_cas_with_path_length(dev_pki: DevPki) -> None:
    for name, path_length in (("root-ca.pem", 1), ("intermediate-ca.pem", 0)):
        certificate = load_certificates(dev_pki.path(name))[0]
        constraints = _ext(certificate, x509.BasicConstraints)
        assert isinstance(constraints, x509.BasicConstraints)
        assert constraints.ca and constraints.path_length == path_length
        usage = _ext(certificate, x509.KeyUsage)
        assert isinstance(usage, x509.KeyUsage) and usage.key_cert_sign and usage.crl_sign
        assert certificate.public_key().key_size == 3072  # type: ignore[union-attr]


@pytest.mark.parametrize("role", ["provider", "consumer"])
def test_subjects_carry_the_oin_and_name_the_party(dev_pki: DevPki, role: str) -> None:
    oin = dev_pki.provider_oin if role == "provider" else dev_pki.consumer_oin
    for kind in ("tls", "sign"):
        leaf = load_certificates(dev_pki.path(f"{role}-{kind}.pem"))[0]
        assert leaf.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == oin
        assert role in str(leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)
        organisation = str(leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value)
        assert ("aanbieder" if role == "provider" else "afnemer") in organisation


@pytest.mark.parametrize("role", ["provider", "consumer"])
def test_signing_certificates_sign_and_do_nothing_else(dev_pki: DevPki, role: str) -> None:
    leaf = load_certificates(dev_pki.path(f"{role}-sign.pem"))[0]
    usage = _ext(leaf, x509.KeyUsage)
    assert isinstance(usage, x509.KeyUsage)
    assert usage.digital_signature and usage.content_commitment
    assert not usage.key_encipherment and not usage.key_cert_sign
    assert _ext(leaf, x509.ExtendedKeyUsage) is None
    constraints = _ext(leaf, x509.BasicConstraints)
    assert isinstance(constraints, x509.BasicConstraints) and not constraints.ca


def test_tls_certificates_have_the_tls_purposes_and_names(dev_pki: DevPki) -> None:
    provider = load_certificates(dev_pki.path("provider-tls.pem"))[0]
    purposes = _ext(provider, x509.ExtendedKeyUsage)
    assert isinstance(purposes, x509.ExtendedKeyUsage)
    assert set(purposes) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    names = _ext(provider, x509.SubjectAlternativeName)
    assert isinstance(names, x509.SubjectAlternativeName)
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]

    consumer = load_certificates(dev_pki.path("consumer-tls.pem"))[0]
    purposes = _ext(consumer, x509.ExtendedKeyUsage)
    assert isinstance(purposes, x509.ExtendedKeyUsage)
    assert list(purposes) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_tls_certificates_work_for_mutual_tls_with_openssl(dev_pki: DevPki) -> None:
    """A real handshake over loopback: server demands a client certificate under the dev root."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(dev_pki.path("provider-tls.pem"), dev_pki.path("provider-tls.key"))
    server_context.load_verify_locations(dev_pki.path("root-ca.pem"))
    server_context.verify_mode = ssl.CERT_REQUIRED

    client_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_context.load_verify_locations(dev_pki.path("root-ca.pem"))
    client_context.load_cert_chain(dev_pki.path("consumer-tls.pem"), dev_pki.path("consumer-tls.key"))

    for server_name in ("localhost", "127.0.0.1"):
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        seen: dict[str, object] = {}

        def serve(listener: socket.socket = listener, seen: dict[str, object] = seen) -> None:
            connection, _ = listener.accept()
            with server_context.wrap_socket(connection, server_side=True) as tls:
                seen["peer"] = tls.getpeercert()
                tls.sendall(b"ok")

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            client_context.wrap_socket(raw, server_hostname=server_name) as tls,
        ):
            assert tls.recv(2) == b"ok"
        thread.join(timeout=10)
        listener.close()
        peer = seen["peer"]
        assert isinstance(peer, dict)
        subject = dict(pair[0] for pair in peer["subject"])
        assert subject["serialNumber"] == dev_pki.consumer_oin


def test_existing_pki_is_not_overwritten(dev_pki: DevPki) -> None:
    before = {name: path.read_bytes() for name, path in dev_pki.files.items()}
    with pytest.raises(PkiError) as caught:
        init_dev_pki(dev_pki.directory)
    assert caught.value.code == "PKI_EXISTS"
    assert "--force" in caught.value.nl
    assert {name: path.read_bytes() for name, path in dev_pki.files.items()} == before


def test_one_existing_file_is_enough_to_refuse(tmp_path: Path) -> None:
    (tmp_path / "provider-sign.key").write_text("eigen sleutel")
    with pytest.raises(PkiError) as caught:
        init_dev_pki(tmp_path)
    assert "provider-sign.key" in caught.value.nl
    assert (tmp_path / "provider-sign.key").read_text() == "eigen sleutel"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["provider-sign.key"]


@pytest.mark.parametrize("oin", ["123", "0000000123456789000X", "000000012345678900001"])
def test_bad_oin_is_refused_before_anything_is_written(tmp_path: Path, oin: str) -> None:
    with pytest.raises(PkiError) as caught:
        init_dev_pki(tmp_path / "pki", provider_oin=oin)
    assert caught.value.code == "PKI_BAD_OIN"
    assert not (tmp_path / "pki").exists()


def test_bad_validity_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PkiError) as caught:
        init_dev_pki(tmp_path, days=0)
    assert caught.value.code == "PKI_BAD_DAYS"
