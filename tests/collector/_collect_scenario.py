"""Shared by the `ddas collect` tests: provider services on loopback, each serving a synthetic delivery over
HTTPS with mutual TLS and signed pages (as `ddas demo` builds them), the provider directory that points at them,
and `ddas` run as a real subprocess. Besides the real service, a provider imitation that signs whatever it is
told to answer: to serve documents with errors, which the real service's import refuses.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ddas.collector.directory import dev_consumer
from ddas.provider.app import create_app, load_settings
from ddas.provider.app.commands import certs_overrides
from ddas.provider.store import Store, import_delivery
from ddas.signing.jws import signed_headers
from ddas.signing.keys import SigningIdentity
from ddas.signing.testing import DevPki
from ddas.synth import generate

#: A fixed pseudonym key for the subprocesses (hex, 32 bytes): runs that must agree use the same one.
PSEUDONYM_KEY = "5e" * 32
PERIOD = "2025-H1"
BASE_PATHS = {"shv": "/ddas-schuldhulpverlening/v1", "vs": "/ddas-vroegsignalering/v1"}
_RECORDS = {"shv": "schuldhulptrajecten", "vs": "vroegsignalen"}
#: The lists of records in a levering.
_MEMBERS = ("schuldhulptrajecten", "vroegsignaalzaken", "vroegsignalen")


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
    #: Per provider served by the imitation (`serve_documents`): its pages as served.
    pages: dict[str, list[ServedPage]] = field(default_factory=dict)

    def add(self, name: str, kind: str, document: dict[str, Any], port: int) -> None:
        """A provider being served on `port`: remember its document and list it in the directory."""
        self.documents[name] = document
        self.kinds[name] = kind
        self.entries.append(
            {
                "name": name,
                "kind": kind,
                "base_url": f"https://127.0.0.1:{port}{BASE_PATHS[kind]}",
                "tls_ca": str(self.pki.path("root-ca.pem")),
                "signature_roots": [str(self.pki.path("root-ca.pem"))],
                "page_size": self.page_size,
            }
        )

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
            "consumer": dev_consumer(self.pki.directory),
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
    overrides: dict[str, Any] = {**certs_overrides(pki.directory), "rate_limit_per_minute": 0}
    overrides["signing"]["require_request_signature"] = True
    settings = load_settings(environ={}, overrides=overrides)
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
            scenario.add(supplier.name, supplier.kind, document, port)
        scenario.write_directory(scenario.directory)
        yield scenario


# -- a provider imitation: serves what it is given, errors included ---------------------------------------------

#: From the request body (parsed) to the answer: status and body.
Answer = Callable[[dict[str, Any]], tuple[int, bytes]]


def imitation(identity: SigningIdentity, answer: Answer, *, kind: str = "shv") -> Starlette:
    """A provider that signs whatever `answer` makes of the request (status, body) with `identity`."""

    async def gegevens(request: Request) -> Response:
        status, body = answer(orjson.loads(await request.body()))
        media = "application/json" if status == 200 else "application/problem+json"
        return Response(body, status_code=status, media_type=media, headers=signed_headers(body, identity))

    return Starlette(routes=[Route(BASE_PATHS[kind] + "/gegevens", gegevens, methods=["POST"])])


@dataclass(frozen=True, slots=True)
class ServedPage:
    """One page as the imitation serves it: its `gegevens`, and for each of its records where that record
    sits in the whole document (page pointer → document pointer, e.g. `/leveringen/0/schuldhulptrajecten/3`)."""

    gegevens: dict[str, Any]
    origin: dict[str, str]


def _units(kind: str, levering: dict[str, Any]) -> list[tuple[list[tuple[str, int]], int]]:
    """The levering's records in groups a page never splits, each with the records it counts for paging:
    a traject alone; a zaak with the signals it refers to; a signal without a zaak alone (as the service
    pages, see `ddas.provider.store.selection`)."""
    if kind == "shv":
        return [
            ([("schuldhulptrajecten", i)], 1) for i in range(len(levering.get("schuldhulptrajecten", [])))
        ]
    signals = levering.get("vroegsignalen", [])
    position: dict[Any, int] = {}
    for i, signal in enumerate(signals):
        position.setdefault(signal.get("ID"), i)
    claimed: set[int] = set()
    units: list[tuple[list[tuple[str, int]], int]] = []
    for z, zaak in enumerate(levering.get("vroegsignaalzaken", [])):
        members = [("vroegsignaalzaken", z)]
        for ref in zaak.get("vroegsignalen", []):
            i = position.get(ref.get("ID"))
            if i is not None and i not in claimed:
                claimed.add(i)
                members.append(("vroegsignalen", i))
        units.append((members, len(members) - 1))
    units.extend(([("vroegsignalen", i)], 1) for i in range(len(signals)) if i not in claimed)
    return units


def paginate(document: dict[str, Any], kind: str, page_size: int) -> list[ServedPage]:
    """The document cut into pages of at most `page_size` trajecten or vroegsignalen (a larger group gets a
    page of its own); each page a document with the same header and the leveringen it has records of."""
    chosen: list[list[tuple[int, str, int]]] = [[]]
    weight = 0
    for li, levering in enumerate(document["leveringen"]):
        for members, size in _units(kind, levering):
            if chosen[-1] and weight + size > page_size:
                chosen.append([])
                weight = 0
            chosen[-1].extend((li, member, index) for member, index in members)
            weight += size
    header = {key: value for key, value in document.items() if key != "leveringen"}
    pages: list[ServedPage] = []
    for records in chosen:
        leveringen: list[dict[str, Any]] = []
        origin: dict[str, str] = {}
        for li, levering in enumerate(document["leveringen"]):
            mine = [(member, index) for lj, member, index in records if lj == li]
            if not mine:
                continue
            copied = {key: value for key, value in levering.items() if key not in _MEMBERS}
            for member in _MEMBERS:
                kept = sorted(index for name, index in mine if name == member)
                if kept:
                    copied[member] = [levering[member][index] for index in kept]
                    for at, index in enumerate(kept):
                        origin[f"/leveringen/{len(leveringen)}/{member}/{at}"] = (
                            f"/leveringen/{li}/{member}/{index}"
                        )
            leveringen.append(copied)
        pages.append(ServedPage({**header, "leveringen": leveringen}, origin))
    return pages


def _pager(pages: list[ServedPage], total: int) -> Answer:
    """Answers each request with the page it asks for, and a paging block that fits."""

    def answer(request: dict[str, Any]) -> tuple[int, bytes]:
        page = request["page"]
        paginering = {
            "pageSize": request["pageSize"],
            "currentPage": page,
            "totalPages": len(pages),
            "totalRecords": total,
        }
        return 200, orjson.dumps({"gegevens": pages[page - 1].gegevens, "paginering": paginering})

    return answer


@contextmanager
def serve_documents(
    folder: Path, pki: DevPki, documents: Mapping[str, tuple[str, dict[str, Any]]], *, page_size: int
) -> Iterator[Scenario]:
    """Serve each document (name → kind, document) as it is — errors included — through an imitation on
    loopback (HTTPS, client certificate required, answers signed with the provider key), cut into pages by
    `paginate`; write `folder/directory.yaml`; stop the imitations after."""
    folder.mkdir(parents=True, exist_ok=True)
    scenario = Scenario(folder=folder, pki=pki, page_size=page_size)
    with ExitStack() as stack:
        for name, (kind, document) in documents.items():
            pages = paginate(document, kind, page_size)
            total = sum(len(lev.get(_RECORDS[kind], [])) for lev in document["leveringen"])
            app = imitation(pki.provider, _pager(pages, total), kind=kind)
            port = stack.enter_context(_serve(app, pki))
            scenario.add(name, kind, document, port)
            scenario.pages[name] = pages
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
    *args: str | Path,
    cwd: Path,
    key: str | None = PSEUDONYM_KEY,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m ddas ARGS` as a real subprocess (with `env` added to its environment); output as text."""
    return subprocess.run(
        ddas_command(*args),
        cwd=cwd,
        env={**ddas_env(key=key), **(env or {})},
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
