"""Test support: one development PKI with its identities and trust store loaded, for any test suite to reuse.

Generating six 3072-bit keys takes a second or more, so test suites make one per session, e.g.:

    @pytest.fixture(scope="session")
    def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
        return make_test_pki(tmp_path_factory.mktemp("pki"))

The class is named `DevPki`, not `Test…`, so that pytest does not try to collect it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ddas.signing.keys import SigningIdentity, TrustStore, load_identity
from ddas.signing.pki import DEFAULT_CONSUMER_OIN, DEFAULT_PROVIDER_OIN, init_dev_pki

__all__ = ["DevPki", "SelfSigned", "make_test_pki", "openssl_self_signed", "self_signed_like_openssl"]


@dataclass(frozen=True, slots=True)
class DevPki:
    """A development PKI on disk: `files` maps file names (`provider-sign.pem`, …) to paths."""

    directory: Path
    files: dict[str, Path]
    provider: SigningIdentity
    consumer: SigningIdentity
    trust: TrustStore
    provider_oin: str
    consumer_oin: str

    def path(self, name: str) -> Path:
        """The path of one PKI file, e.g. `pki.path("provider-tls.pem")`."""
        return self.files[name]


def make_test_pki(tmp_dir: Path) -> DevPki:
    """Create a development PKI in `tmp_dir` (which must not hold one) and load what tests need from it."""
    files = init_dev_pki(tmp_dir, provider_oin=DEFAULT_PROVIDER_OIN, consumer_oin=DEFAULT_CONSUMER_OIN)
    return DevPki(
        directory=Path(tmp_dir),
        files=files,
        provider=load_identity(files["provider-sign.pem"], files["provider-sign.key"]),
        consumer=load_identity(files["consumer-sign.pem"], files["consumer-sign.key"]),
        trust=TrustStore.from_pem([files["root-ca.pem"]]),
        provider_oin=DEFAULT_PROVIDER_OIN,
        consumer_oin=DEFAULT_CONSUMER_OIN,
    )


@dataclass(frozen=True, slots=True)
class SelfSigned:
    """A self-signed signing certificate and its key, as the programme's test client uses: paths and PEM."""

    certificate: Path
    key: Path

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.read_bytes()

    @property
    def key_pem(self) -> bytes:
        return self.key.read_bytes()


def _subject(common_name: str, oin: str | None) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if oin is not None:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, oin))
    return x509.Name(attributes)


def self_signed_like_openssl(
    directory: Path,
    *,
    common_name: str = "DDAS testclient",
    oin: str | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> SelfSigned:
    """The certificate `openssl req -new -x509` makes with OpenSSL's default configuration (section v3_ca), built
    with cryptography: RSA 2048, SHA-256, basicConstraints critical CA:TRUE, subject and authority key
    identifiers, no keyUsage. Used where the validity must lie in the past (openssl cannot backdate), and
    compared against the real openssl output in the tests."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    end = not_after or start + timedelta(days=365)
    name = _subject(common_name, oin)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    paths = SelfSigned(directory / "certificate.crt", directory / "private_key.pem")
    paths.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return paths


def openssl_self_signed(
    directory: Path, *, common_name: str = "DDAS testclient", oin: str | None = None, days: int = 365
) -> SelfSigned | None:
    """A certificate made by the openssl binary exactly as the programme's test tools describe it
    (`openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`, `openssl req -new -x509 -days 365`);
    None when no openssl is installed. The subject is given with `-subj` instead of typed at the prompt."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    paths = SelfSigned(directory / "certificate.crt", directory / "private_key.pem")
    subject = f"/CN={common_name}" + (f"/serialNumber={oin}" if oin else "")
    subprocess.run(
        [openssl, "genpkey", "-algorithm", "RSA", "-out", str(paths.key), "-pkeyopt", "rsa_keygen_bits:2048"],
        check=True,
        capture_output=True,
    )
    request = ["req", "-new", "-x509", "-key", str(paths.key), "-out", str(paths.certificate)]
    subprocess.run([openssl, *request, "-days", str(days), "-subj", subject], check=True, capture_output=True)
    return paths
