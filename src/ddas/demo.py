"""`ddas demo`: the whole chain on this machine, on the embedded defaults, in a few seconds.

Certificates → synthetic data for a handful of providers (a gemeente delivering itself, a kredietbank for several
gemeenten, two organisations delivering on the same clients, a vroegsignalering supplier whose clients partly
also appear in schuldhulpverlening) → each provider's store and `ddas serve` app on loopback over HTTPS with mutual
TLS and signed responses → a collection run with signed requests → reports mailed to a local SMTP sink → the
pseudonymised warehouse → tables of what happened, `summary.json` and the logs in the work folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

__all__ = ["DEMO_PROVIDERS", "DemoProvider", "SmtpSink", "run_demo"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DemoProvider:
    name: str
    kind: str
    count: int
    seed: int
    gemeenten: tuple[str, ...]
    pool_seed: int


#: The scenario: a gemeente delivering itself; a kredietbank for three gemeenten; two organisations (a gemeente
#: and the bureau it outsourced part of the work to) delivering on the same client pool in the same gemeente;
#: a vroegsignalering supplier whose client pool is the kredietbank's.
DEMO_PROVIDERS = (
    DemoProvider("gemeente-utrecht", "shv", 120, 11, ("0344",), 11),
    DemoProvider("kredietbank-west", "shv", 240, 12, ("0518", "0599", "0603"), 12),
    DemoProvider("gemeente-zwolle", "shv", 90, 13, ("0193",), 13),
    DemoProvider("bureau-zwolle", "shv", 90, 14, ("0193",), 13),
    DemoProvider("vs-signaalhuis", "vs", 300, 15, ("0518", "0599", "0603"), 12),
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _serve(app: Any, port: int, pki: Path, log_config: dict[str, Any] | None) -> Iterator[None]:
    import uvicorn

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=log_config,
        ssl_certfile=str(pki / "provider-tls.pem"),
        ssl_keyfile=str(pki / "provider-tls.key"),
        ssl_ca_certs=str(pki / "root-ca.pem"),
        ssl_cert_reqs=ssl.CERT_REQUIRED,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("de dienst van een aanbieder start niet")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=30)


class SmtpSink:
    """A local SMTP server that keeps what it receives (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def run_demo(workdir: Path | None = None, *, quiet: bool = False) -> dict[str, Any]:
    """Run the scenario in `workdir` (a new temporary folder when None); returns the summary."""
    from aiosmtpd.controller import Controller

    from ddas.collector.archive import RawArchive
    from ddas.collector.directory import Directory, dev_consumer
    from ddas.collector.mail import SmtpSettings
    from ddas.collector.period import parse_period
    from ddas.collector.run import collect
    from ddas.provider.app import create_app
    from ddas.provider.app.commands import certs_overrides
    from ddas.provider.app.settings import load_settings
    from ddas.provider.store import Store, import_delivery
    from ddas.signing.pki import init_dev_pki
    from ddas.synth import generate
    from ddas.warehouse.pseudonym import PseudonymKey
    from ddas.warehouse.store import Warehouse

    folder = (Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="ddas-demo-"))).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    handler = logging.FileHandler(logs / "ddas.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    previous_level = root.level
    root.setLevel(logging.INFO)
    log_config = {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"file": {"class": "logging.FileHandler", "filename": str(logs / "uvicorn.log")}},
        "loggers": {"uvicorn": {"handlers": ["file"], "level": "INFO", "propagate": False}},
    }
    started = time.perf_counter()
    try:
        pki = folder / "pki"
        if not (pki / "root-ca.pem").exists():
            init_dev_pki(pki)
        period = parse_period("2025-H1")
        sink = SmtpSink()
        controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
        controller.start()
        with contextlib.ExitStack() as stack:
            stack.callback(controller.stop)
            providers: list[dict[str, Any]] = []
            generated: dict[str, dict[str, Any]] = {}
            for demo in DEMO_PROVIDERS:
                document = generate(
                    demo.kind, demo.count, demo.seed, gemeenten=list(demo.gemeenten), pool_seed=demo.pool_seed
                )
                generated[demo.name] = document
                (folder / "leveringen").mkdir(exist_ok=True)
                (folder / "leveringen" / f"{demo.name}.json").write_bytes(orjson.dumps(document))
                store = stack.enter_context(Store.open(f"sqlite:///{folder / f'opslag-{demo.name}.sqlite'}"))
                import_delivery(store, orjson.dumps(document), accept_warnings=True)
                overrides: dict[str, Any] = {**certs_overrides(pki), "rate_limit_per_minute": 0}
                overrides["signing"]["require_request_signature"] = True
                settings = load_settings(environ={}, overrides=overrides)
                port = _free_port()
                stack.enter_context(_serve(create_app(settings, store), port, pki, log_config))
                base = "/ddas-schuldhulpverlening/v1" if demo.kind == "shv" else "/ddas-vroegsignalering/v1"
                providers.append(
                    {
                        "name": demo.name,
                        "kind": demo.kind,
                        "base_url": f"https://127.0.0.1:{port}{base}",
                        "tls_ca": str(pki / "root-ca.pem"),
                        "signature_roots": [str(pki / "root-ca.pem")],
                        "page_size": 100,
                    }
                )
            directory_data = {
                "consumer": dev_consumer(pki),
                "providers": providers,
            }
            import yaml

            (folder / "directory.yaml").write_text(
                yaml.safe_dump(directory_data, sort_keys=False), encoding="utf-8"
            )
            directory = Directory.from_mapping(directory_data, folder)
            key = PseudonymKey(secrets.token_bytes(32))
            with Warehouse.open(f"sqlite:///{folder / 'warehouse.sqlite'}") as warehouse:
                outcomes = collect(
                    directory,
                    period,
                    warehouse=warehouse,
                    archive=RawArchive(folder / "archief"),
                    key=key,
                    smtp=SmtpSettings(host="127.0.0.1", port=controller.port, sender="ddas-demo@localhost"),
                )
                summary: dict[str, Any] = warehouse.summary()
                conflicts = warehouse.conflict_rows()
        summary["reports_received_by_smtp_sink"] = len(sink.messages)
        summary["providers_failed"] = [o.provider for o in outcomes if not o.ok]
        summary["merge_conflicts_per_field"] = _per_field(conflicts)
        summary["seconds"] = round(time.perf_counter() - started, 2)
        summary["outcomes"] = [o.to_dict() for o in outcomes]
        (folder / "summary.json").write_text(
            json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        summary["workdir"] = str(folder)
        return summary
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)
        handler.close()


def _per_field(conflicts: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in conflicts:
        counts[row["field"]] = counts.get(row["field"], 0) + 1
    return dict(sorted(counts.items()))


def demo_command(
    workdir: Annotated[
        Path | None,
        typer.Option("--workdir", help="Map voor alle bestanden van de demo (standaard tijdelijk)."),
    ] = None,
) -> None:
    """Laat de hele keten zien op deze machine: certificaten, synthetische leveringen bij vijf aanbieders, hun
    API's (HTTPS met wederzijdse TLS, ondertekend), ophalen, rapporten mailen naar een lokale SMTP-server en het
    gepseudonimiseerde warehouse. Met --workdir blijven alle bestanden (summary.json, logs/) in die map."""
    from rich.console import Console

    from ddas.collector.commands import print_outcomes
    from ddas.collector.run import ProviderOutcome
    from ddas.warehouse.commands import summary_table

    console = Console()
    with (
        console.status("De keten draait …", spinner="dots")
        if console.is_terminal
        else contextlib.nullcontext()
    ):
        summary = run_demo(workdir)
    outcomes = [
        ProviderOutcome(**{k: v for k, v in o.items() if k in ProviderOutcome.__slots__})
        for o in summary["outcomes"]
    ]
    print_outcomes(console, outcomes)
    console.print(summary_table(summary))
    console.print(f"Alles staat in {summary['workdir']} (summary.json, logs/, archief/, directory.yaml).")
    if summary["providers_failed"]:
        raise typer.Exit(1)
