"""Shared by the `ddas collect` tests: provider services on loopback, each serving a synthetic delivery over
HTTPS with mutual TLS and signed pages (as `ddas demo` builds them), the provider directory that points at them,
and `ddas` run as a real subprocess.

Expected numbers are always derived from the generated documents, never written down.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson
import uvicorn
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ddas.provider.app import create_app, load_settings
from ddas.provider.store import Store, import_delivery
from ddas.signing.testing import DevPki
from ddas.synth import generate

#: A fixed pseudonym key for the subprocesses (hex, 32 bytes): runs that must agree use the same one.
PSEUDONYM_KEY = "5e" * 32
PERIOD = "2025-H1"
BASE_PATHS = {"shv": "/ddas-schuldhulpverlening/v1", "vs": "/ddas-vroegsignalering/v1"}
_RECORDS = {"shv": "schuldhulptrajecten", "vs": "vroegsignalen"}


@dataclass(frozen=True, slots=True)
class Supplier:
    """One provider of a scenario: what it generates and serves."""

    name: str
    kind: Literal["shv", "vs"]
    count: int
    seed: int
    gemeenten: tuple[str, ...]
    pool_seed: int


@dataclass(slots=True)
class Scenario:
    """Providers being served on loopback, what each one serves, and a directory file listing them all."""

    folder: Path
    pki: DevPki
    page_size: int
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [entry["name"] for entry in self.entries]

    @property
    def directory(self) -> Path:
        """The directory file with every served provider."""
        return self.folder / "directory.yaml"

    def write_directory(self, path: Path, extra: Sequence[Mapping[str, Any]] = ()) -> Path:
        """A directory file with the served providers plus `extra` entries (e.g. ones that must fail)."""
        data = {
            "consumer": {
                "signing_certificate": str(self.pki.path("consumer-sign.pem")),
                "signing_key": str(self.pki.path("consumer-sign.key")),
                "tls_certificate": str(self.pki.path("consumer-tls.pem")),
                "tls_key": str(self.pki.path("consumer-tls.key")),
            },
            "providers": [*self.entries, *(dict(e) for e in extra)],
        }
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    def entry(self, source: str, /, **changes: Any) -> dict[str, Any]:
        """A copy of a served provider's directory entry with some fields (`name=…` too) changed."""
        found = next(e for e in self.entries if e["name"] == source)
        return {**found, **changes}

    # -- what was generated -------------------------------------------------------------------------------

    def records(self, name: str) -> int:
        """What the collector counts as records for this provider: trajecten, or vroegsignalen plus zaken."""
        leveringen = self.documents[name]["leveringen"]
        if self.kinds[name] == "shv":
            return sum(len(lev.get("schuldhulptrajecten", [])) for lev in leveringen)
        return sum(
            len(lev.get("vroegsignalen", [])) + len(lev.get("vroegsignaalzaken", [])) for lev in leveringen
        )

    def paged_records(self, name: str) -> int:
        """The records the provider pages over (trajecten or vroegsignalen)."""
        key = _RECORDS[self.kinds[name]]
        return sum(len(lev.get(key, [])) for lev in self.documents[name]["leveringen"])

    def total(self, kind: str, key: str) -> int:
        """All `key` records (e.g. `schuldhulptrajecten`) over the providers of `kind`."""
        return sum(
            len(lev.get(key, []))
            for name, document in self.documents.items()
            if self.kinds[name] == kind
            for lev in document["leveringen"]
        )

    def bsns(self) -> set[str]:
        """Every BSN in the generated documents (the strings as delivered, and without spaces)."""
        found: set[str] = set()
        for document in self.documents.values():
            for levering in document["leveringen"]:
                for traject in levering.get("schuldhulptrajecten", []):
                    found.update(
                        c["Burgerservicenummer"]
                        for c in traject.get("client", [])
                        if c.get("Burgerservicenummer")
                    )
                for signal in levering.get("vroegsignalen", []):
                    if signal.get("client", {}).get("Burgerservicenummer"):
                        found.add(signal["client"]["Burgerservicenummer"])
        return found | {b.replace(" ", "") for b in found}


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def _serve(app: Any, pki: DevPki) -> Iterator[int]:
    """The provider app over HTTPS on loopback, client certificate required; yields the port."""
    sock = _free_socket()
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        ssl_certfile=str(pki.path("provider-tls.pem")),
        ssl_keyfile=str(pki.path("provider-tls.key")),
        ssl_ca_certs=str(pki.path("root-ca.pem")),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the provider service did not start")
        time.sleep(0.02)
    try:
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def serve_scenario(
    folder: Path, pki: DevPki, suppliers: Iterable[Supplier], *, page_size: int
) -> Iterator[Scenario]:
    """Generate, import and serve every supplier; write `folder/directory.yaml`; stop the services after."""
    folder.mkdir(parents=True, exist_ok=True)
    scenario = Scenario(folder=folder, pki=pki, page_size=page_size)
    settings = load_settings(
        environ={},
        overrides={
            "signing": {
                "certificate": str(pki.path("provider-sign.pem")),
                "key": str(pki.path("provider-sign.key")),
                "trust_anchors": [str(pki.path("root-ca.pem"))],
                "require_request_signature": True,
            },
            "rate_limit_per_minute": 0,
        },
    )
    with ExitStack() as stack:
        for supplier in suppliers:
            document = generate(
                supplier.kind,
                supplier.count,
                supplier.seed,
                gemeenten=list(supplier.gemeenten),
                pool_seed=supplier.pool_seed,
            )
            store = stack.enter_context(
                Store.open(f"sqlite:///{folder / f'aanbieder-{supplier.name}.sqlite'}")
            )
            import_delivery(store, orjson.dumps(document), accept_warnings=True)
            port = stack.enter_context(_serve(create_app(settings, store), pki))
            scenario.documents[supplier.name] = document
            scenario.kinds[supplier.name] = supplier.kind
            scenario.entries.append(
                {
                    "name": supplier.name,
                    "kind": supplier.kind,
                    "base_url": f"https://127.0.0.1:{port}{BASE_PATHS[supplier.kind]}",
                    "tls_ca": str(pki.path("root-ca.pem")),
                    "signature_roots": [str(pki.path("root-ca.pem"))],
                    "page_size": page_size,
                }
            )
        scenario.write_directory(scenario.directory)
        yield scenario


def foreign_root(path: Path) -> Path:
    """A self-signed CA certificate that vouches for nothing the scenario's providers sign."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Vreemde test-CA")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def dead_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ddas_env(*, key: str | None = PSEUDONYM_KEY) -> dict[str, str]:
    """The environment for a `ddas` subprocess: no stray DDAS_* settings, a wide terminal for the tables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DDAS_")}
    env["COLUMNS"] = "250"
    if key is not None:
        env["DDAS_PSEUDONYM_KEY"] = key
    return env


def ddas_command(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "ddas", *(str(a) for a in args)]


def run_ddas(
    *args: str | Path, cwd: Path, key: str | None = PSEUDONYM_KEY, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m ddas ARGS` as a real subprocess; output captured as text."""
    return subprocess.run(
        ddas_command(*args),
        cwd=cwd,
        env=ddas_env(key=key),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def collect_args(directory: Path, warehouse: Path, archive: Path, *extra: str | Path) -> list[str | Path]:
    """`collect` for the scenario's period into a SQLite warehouse file."""
    return [
        "collect",
        "--directory",
        directory,
        "--period",
        PERIOD,
        "--warehouse",
        f"sqlite:///{warehouse}",
        "--archive",
        archive,
        *extra,
    ]
