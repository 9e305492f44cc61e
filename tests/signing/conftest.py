"""One development PKI per test session (3072-bit keys are slow), plus the CA keys to issue special certificates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from _signing_helpers import CaMaterial
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ddas.signing.keys import load_certificates
from ddas.signing.testing import DevPki, make_test_pki


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return make_test_pki(tmp_path_factory.mktemp("pki"))


def _key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@pytest.fixture(scope="session")
def ca(dev_pki: DevPki) -> CaMaterial:
    return CaMaterial(
        root=load_certificates(dev_pki.path("root-ca.pem"))[0],
        root_key=_key(dev_pki.path("root-ca.key")),
        intermediate=load_certificates(dev_pki.path("intermediate-ca.pem"))[0],
        intermediate_key=_key(dev_pki.path("intermediate-ca.key")),
        provider_key=dev_pki.provider.private_key,
        now=datetime.now(UTC),
    )
