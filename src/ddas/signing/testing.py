"""Test support: one development PKI with its identities and trust store loaded, for any test suite to reuse.

Generating six 3072-bit keys takes a second or more, so test suites make one per session, e.g.:

    @pytest.fixture(scope="session")
    def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
        return make_test_pki(tmp_path_factory.mktemp("pki"))

The class is named `DevPki`, not `Test…`, so that pytest does not try to collect it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ddas.signing.keys import SigningIdentity, TrustStore, load_identity
from ddas.signing.pki import DEFAULT_CONSUMER_OIN, DEFAULT_PROVIDER_OIN, init_dev_pki

__all__ = ["DevPki", "make_test_pki"]


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
