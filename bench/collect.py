#!/usr/bin/env python3
"""Benchmark the collecting side (`ddas collect`) at national scale, for one half-year.

The scenario: 342 gemeenten spread over 20 providers — 8 gemeenten or teams delivering themselves (two of them,
Zwolle's gemeente and its schuldhulpbureau, on the same clients), 4 kredietbanken for 20 gemeenten each, 4
software vendors hosting 25 to 90 gemeenten each, and 4 vroegsignalering suppliers that together cover all 342
gemeenten — with 100,000 trajecten and 1,000,000 vroegsignalen. Vroegsignalering clients are drawn from the same
client pools as the trajecten of their gemeenten, so persons link across VS and SHV.

Every provider is a real `ddas serve` process on loopback (HTTPS with mutual TLS, signed responses, signed
requests required); the collector runs in its own process exactly as `ddas collect` does — signed requests,
every page verified (Digest, signature, chain), archived, validated, op-orde-rapporten mailed to a local SMTP
sink, pseudonymised and ingested — and the merged trajecten are derived at the end. Measured:
- per stage, summed over the providers: fetch + verify, archive, validate, ingest, completing deliveries, mail,
  and the final merge; signature verification on its own is measured afterwards by verifying the archived pages
  again (it is part of "fetch + verify" in the run);
- the collector's peak resident memory (VmHWM of its process, read just before it exits);
- as a baseline in the same run, the floor for fetching: the same pages downloaded from the same services over
  the same mutual TLS with signed requests, nothing verified, parsed or stored (for a period one day longer, so
  the services select and build every page afresh, as they did for the collector).

The provider stores (and the dev PKI) are generated once and kept in `--workdir` (default: a folder in the
system's temporary directory), so later runs start at once; `--rebuild` makes them again. The warehouse is
SQLite by default; `--warehouse postgresql+psycopg://…` runs the same on PostgreSQL (the database is emptied).

    .venv/bin/python bench/collect.py [--workdir DIR] [--rebuild] [--scale 1.0] [--warehouse URL]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import Server, free_port, paging_of, peak_rss_mb, rss_mb  # the provider bench's helpers

TARGET_SECONDS = 600.0
TARGET_RSS_MB = 2048.0
PERIOD = "2025-H1"
SHV_PATH = "/ddas-schuldhulpverlening/v1"
VS_PATH = "/ddas-vroegsignalering/v1"
SHV_PAGE_SIZE = 10_000
VS_PAGE_SIZE = 50_000
SHV_CHUNK = 10_000  # at most this many trajecten per generated document
VS_CHUNK = 50_000
VS_SUPPLIERS = 4

#: (name, number of gemeenten (0: the named code), trajecten, own gemeente code, shares the client pool of)
SHV_PROVIDERS: tuple[tuple[str, int, int, str, str], ...] = (
    ("gemeente-amsterdam", 0, 5_000, "0363", ""),
    ("gemeente-rotterdam", 0, 4_500, "0599", ""),
    ("gemeente-den-haag", 0, 3_500, "0518", ""),
    ("gemeente-utrecht", 0, 2_500, "0344", ""),
    ("gemeente-eindhoven", 0, 1_500, "0772", ""),
    ("gemeente-groningen", 0, 1_500, "0014", ""),
    ("gemeente-zwolle", 0, 900, "0193", ""),
    ("schuldhulpbureau-zwolle", 0, 900, "0193", "gemeente-zwolle"),
    ("kredietbank-noord", 20, 6_000, "", ""),
    ("kredietbank-oost", 20, 6_000, "", ""),
    ("kredietbank-zuid", 20, 6_000, "", ""),
    ("kredietbank-west", 20, 6_000, "", ""),
    ("leverancier-a", 90, 20_000, "", ""),
    ("leverancier-b", 80, 16_000, "", ""),
    ("leverancier-c", 60, 12_000, "", ""),
    ("leverancier-d", 25, 7_700, "", ""),
)


@dataclass(frozen=True)
class Chunk:
    """One generated document: its gemeenten, count, seed and client pool."""

    kind: str
    gemeenten: tuple[str, ...]
    count: int
    seed: int
    pool: int


@dataclass
class Provider:
    name: str
    kind: str
    chunks: list[Chunk]

    @property
    def count(self) -> int:
        return sum(c.count for c in self.chunks)


def gemeentecodes(n: int, named: set[str]) -> list[str]:
    """`n` distinct 4-digit codes that are not among the named ones (the validator checks the form only,
    unless it is given a reference list)."""
    codes = [f"{i:04d}" for i in range(1, 2000) if f"{i:04d}" not in named]
    return codes[:n]


def split(total: int, parts: int) -> list[int]:
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


def scenario(scale: float) -> list[Provider]:
    """The 20 providers and the documents each one holds; `scale` multiplies every count (for quick tries)."""
    named = {code for _, _, _, code, _ in SHV_PROVIDERS if code}
    spare = iter(gemeentecodes(sum(n for _, n, _, _, _ in SHV_PROVIDERS), named))
    providers: list[Provider] = []
    pools: dict[str, int] = {}
    seed = 100
    vs_groups: list[tuple[tuple[str, ...], int, int]] = []  # (gemeenten, trajecten, pool) for the VS side
    for name, n_gemeenten, trajecten, own, shares in SHV_PROVIDERS:
        count = max(1, round(trajecten * scale))  # the 16 SHV counts add up to 100,000
        codes = (own,) if own else tuple(next(spare) for _ in range(n_gemeenten))
        parts = min(len(codes), max(1, -(-count // SHV_CHUNK)))
        chunks = []
        start = 0
        for size, chunk_count in zip(split(len(codes), parts), split(count, parts), strict=True):
            seed += 1
            group = codes[start : start + size]
            start += size
            pool = pools[shares] if shares else seed
            chunks.append(Chunk("shv", group, chunk_count, seed, pool))
            if not shares:  # samenloop partners share the gemeente: its vroegsignalen are counted once
                vs_groups.append((group, chunk_count, pool))
        pools[name] = chunks[0].pool
        providers.append(Provider(name, "shv", chunks))
    suppliers = [Provider(f"signaalhuis-{i + 1}", "vs", []) for i in range(VS_SUPPLIERS)]
    # 1,000,000 vroegsignalen over the gemeenten in proportion to their trajecten.
    total_vs = round(1_000_000 * scale)
    weight = sum(t for _, t, _ in vs_groups)
    counts = [total_vs * t // weight for _, t, _ in vs_groups]
    counts[0] += total_vs - sum(counts)
    for (group, _, pool), count in zip(vs_groups, counts, strict=True):
        parts = min(len(group), max(1, -(-count // VS_CHUNK)))
        start = 0
        for size, part_count in zip(split(len(group), parts), split(count, parts), strict=True):
            seed += 1
            target = min(suppliers, key=lambda s: s.count)
            target.chunks.append(Chunk("vs", group[start : start + size], part_count, seed, pool))
            start += size
    return providers + suppliers


def build_store(path: Path, provider: Provider) -> tuple[str, int, float]:
    """Generate and import one provider's documents into a fresh store (runs in a worker process)."""
    from ddas.provider.store import Store, import_delivery
    from ddas.synth import generate

    started = time.perf_counter()
    partial = path.with_suffix(".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    with Store.open(f"sqlite:///{partial}") as store:
        for chunk in provider.chunks:
            document = generate(
                chunk.kind, chunk.count, chunk.seed, gemeenten=list(chunk.gemeenten), pool_seed=chunk.pool
            )
            summary = import_delivery(store, orjson.dumps(document), accept_warnings=True)
            del document
            if summary.rejected:
                raise SystemExit(f"{provider.name}: import rejected {len(summary.rejected)} records")
    partial.rename(path)
    return provider.name, provider.count, time.perf_counter() - started


def prepare(workdir: Path, providers: list[Provider], rebuild: bool) -> Path:
    """The dev PKI and one store per provider (made once; kept across runs); returns the PKI folder."""
    from ddas.signing.pki import init_dev_pki

    pki = workdir / "pki"
    if rebuild:
        shutil.rmtree(workdir / "stores", ignore_errors=True)
        shutil.rmtree(pki, ignore_errors=True)
    if not (pki / "root-ca.pem").exists():
        shutil.rmtree(pki, ignore_errors=True)
        init_dev_pki(pki)
    stores = workdir / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    todo = [p for p in providers if not (stores / f"{p.name}.sqlite").exists()]
    if todo:
        print(f"opslag van {len(todo)} aanbieders maken in {stores} (eenmalig) ...", file=sys.stderr)
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
            futures = [pool.submit(build_store, stores / f"{p.name}.sqlite", p) for p in todo]
            for done, future in enumerate(futures, 1):
                name, count, seconds = future.result()
                print(
                    f"  [{done}/{len(todo)}] {name}: {count:,} records in {seconds:.0f} s "
                    f"({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                )
    # Every run starts from the same state: no snapshots or cached pages from an earlier run.
    import sqlite3

    for provider in providers:
        connection = sqlite3.connect(stores / f"{provider.name}.sqlite")
        with connection:
            connection.execute("DELETE FROM page_cache")
            connection.execute("DELETE FROM snapshot_items")
            connection.execute("DELETE FROM snapshots")
        connection.close()
    return pki


class Service(Server):
    """One provider's `ddas serve` process: HTTPS with mutual TLS, signed responses, signed requests required."""

    def __init__(self, provider: Provider, store: Path, pki: Path, log: Path) -> None:
        super().__init__(
            store, pki, log, ("--tls", "--require-signature", "--log-level", "warning"), wait=False
        )
        self.provider = provider

    @property
    def base_url(self) -> str:
        path = SHV_PATH if self.provider.kind == "shv" else VS_PATH
        return f"https://127.0.0.1:{self.port}{path}"


def write_directory(path: Path, pki: Path, services: list[Service]) -> None:
    import yaml

    from ddas.collector.directory import dev_consumer

    data = {
        "consumer": dev_consumer(pki),
        "providers": [
            {
                "name": s.provider.name,
                "kind": s.provider.kind,
                "base_url": s.base_url,
                "tls_ca": str(pki / "root-ca.pem"),
                "signature_roots": [str(pki / "root-ca.pem")],
                "page_size": SHV_PAGE_SIZE if s.provider.kind == "shv" else VS_PAGE_SIZE,
                "timeout_seconds": 300,
            }
            for s in services
        ],
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


# --- the collector's own process ------------------------------------------------------------------------------


def collector_child(directory: Path, warehouse_url: str, archive: Path, out: Path) -> None:
    """Run one collection exactly as `ddas collect` does (reports mailed to a local SMTP sink) and write the
    outcomes, the stage times and this process's peak RSS to `out`."""
    from aiosmtpd.controller import Controller

    from ddas.collector.archive import RawArchive
    from ddas.collector.directory import load_directory
    from ddas.collector.mail import SmtpSettings
    from ddas.collector.period import parse_period
    from ddas.collector.run import collect
    from ddas.demo import SmtpSink
    from ddas.warehouse.pseudonym import PseudonymKey
    from ddas.warehouse.store import Warehouse

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    started = time.perf_counter()
    merge_seconds: list[float] = []
    try:
        with Warehouse.open(warehouse_url) as warehouse:
            derive = warehouse.derive_merged

            def timed_derive() -> None:
                clock = time.perf_counter()
                derive()
                merge_seconds.append(time.perf_counter() - clock)
                print(
                    f"  samengevoegd in {merge_seconds[-1]:.0f} s (RSS {rss_mb(os.getpid()):.0f} MB, "
                    f"piek {peak_rss_mb(os.getpid()):.0f} MB)",
                    file=sys.stderr,
                )

            warehouse.derive_merged = timed_derive  # type: ignore[method-assign]

            def progress(name: str, page: int, total: int) -> None:
                print(
                    f"  {name}: pagina {page}/{total} ({time.perf_counter() - started:.0f} s, "
                    f"RSS {rss_mb(os.getpid()):.0f} MB, piek {peak_rss_mb(os.getpid()):.0f} MB)",
                    file=sys.stderr,
                )

            outcomes = collect(
                load_directory(directory),
                parse_period(PERIOD),
                warehouse=warehouse,
                archive=RawArchive(archive),
                key=PseudonymKey(secrets.token_bytes(32)),
                smtp=SmtpSettings(host="127.0.0.1", port=controller.port, sender="bench@localhost"),
                progress=progress,
            )
            total = time.perf_counter() - started
            summary = warehouse.summary()
    finally:
        controller.stop()
    out.write_text(
        json.dumps(
            {
                "seconds": total,
                "merge_seconds": sum(merge_seconds),
                "outcomes": [o.to_dict() for o in outcomes],
                "summary": summary,
                "mails_received": len(sink.messages),
                "peak_rss_mb": peak_rss_mb(os.getpid()),
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )


# --- measurements after the run ----------------------------------------------------------------------------------


def reverify(archive: Path, pki: Path) -> tuple[float, int]:
    """Seconds to check the Digest and signature of every archived page again, and the number of pages."""
    from ddas.collector.archive import RawArchive
    from ddas.signing import TrustStore, check_digest, verify

    trust = TrustStore.from_pem([pki / "root-ca.pem"])
    raw = RawArchive(archive)
    seconds = 0.0
    count = 0
    for entry in raw.entries():
        body = raw.get(entry.sha256)
        headers = entry.headers
        started = time.perf_counter()
        check_digest(body, headers["digest"])
        verify(body, [headers["nlgov-adr-payload-sig"]], digest=headers["digest"], trust=trust)
        seconds += time.perf_counter() - started
        count += 1
    return seconds, count


def download_floor(services: list[Service], pki: Path) -> tuple[float, int, int]:
    """Fetch every page over the same mutual TLS with signed requests, nothing checked or stored (period one
    day longer than the collector's, so every snapshot and page is built afresh). (seconds, pages, bytes)."""
    import ssl

    import httpx

    from ddas.signing import load_identity, signed_headers

    identity = load_identity(pki / "consumer-sign.pem", pki / "consumer-sign.key", None)
    context = ssl.create_default_context(cafile=str(pki / "root-ca.pem"))
    context.load_cert_chain(pki / "consumer-tls.pem", pki / "consumer-tls.key")
    pages = size = 0
    started = time.perf_counter()
    with httpx.Client(verify=context, timeout=300) as client:
        for service in sorted(services, key=lambda s: s.provider.name):
            page_size = SHV_PAGE_SIZE if service.provider.kind == "shv" else VS_PAGE_SIZE
            page, total = 1, 1
            while page <= total:
                body = orjson.dumps(
                    {
                        "aanleverperiodeStartdatum": "2025-01-01",
                        "aanleverperiodeEinddatum": "2025-07-01",
                        "page": page,
                        "pageSize": page_size,
                    }
                )
                headers = {"Content-Type": "application/json", **signed_headers(body, identity)}
                response = client.post(f"{service.base_url}/gegevens", content=body, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(
                        f"{service.provider.name}: HTTP {response.status_code}: {response.text[:300]}"
                    )
                total = paging_of(response.content)["totalPages"]
                pages += 1
                size += len(response.content)
                page += 1
    return time.perf_counter() - started, pages, size


def reset_warehouse(url: str | None, workdir: Path) -> str:
    if url is None:
        path = workdir / "warehouse.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    from sqlalchemy import MetaData

    from ddas.provider.store import db

    engine = db.make_engine(db.normalise_url(url))
    meta = MetaData()
    meta.reflect(engine)
    meta.drop_all(engine)
    engine.dispose()
    return url


def table(rows: list[tuple[str, ...]]) -> str:
    header = ("meting", "resultaat", "doel", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("-|-".join("-" * w for w in widths))
    lines.extend(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)
    return "\n".join(lines)


STAGES = (
    ("ophalen+verifiëren", "ophalen + verifiëren (HTTPS, Digest, handtekening, keten)"),
    ("archiveren", "ruw archief (zstd, fsync)"),
    ("valideren", "valideren (alle lagen)"),
    ("inlezen", "pseudonimiseren + inlezen (per pagina één transactie)"),
    ("afronden", "leveringen afronden (vergelijken, vervangen)"),
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ddas-bench-collect")
    parser.add_argument("--rebuild", action="store_true", help="generate the stores and PKI again")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (1.0: national scale)")
    parser.add_argument("--warehouse", help="warehouse URL (default: a SQLite file in the workdir; emptied)")
    parser.add_argument(
        "--collector-child", nargs=4, metavar=("DIRECTORY", "URL", "ARCHIVE", "OUT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.collector_child:
        directory, url, archive, out = args.collector_child
        collector_child(Path(directory), url, Path(archive), Path(out))
        return

    workdir: Path = args.workdir / (f"scale-{args.scale:g}")
    workdir.mkdir(parents=True, exist_ok=True)
    providers = scenario(args.scale)
    pki = prepare(workdir, providers, args.rebuild)
    shv = sum(p.count for p in providers if p.kind == "shv")
    vs = sum(p.count for p in providers if p.kind == "vs")
    gemeenten = len({g for p in providers for c in p.chunks for g in c.gemeenten})
    print(
        f"scenario: {len(providers)} aanbieders, {gemeenten} gemeenten, {shv:,} trajecten, {vs:,} vroegsignalen",
        file=sys.stderr,
    )

    url = reset_warehouse(args.warehouse, workdir)
    archive = workdir / "archief"
    shutil.rmtree(archive, ignore_errors=True)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    services = [
        Service(p, workdir / "stores" / f"{p.name}.sqlite", pki, logs / f"{p.name}.log") for p in providers
    ]
    peaks: dict[str, float] = {}
    try:
        deadline = time.monotonic() + 120
        for service in services:
            service.wait_ready(deadline)
        directory = workdir / "directory.yaml"
        write_directory(directory, pki, services)
        out = workdir / "collect.json"
        out.unlink(missing_ok=True)
        print("ophalen ...", file=sys.stderr)
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, __file__, "--collector-child", str(directory), url, str(archive), str(out)],
            check=False,
        )
        wall = time.perf_counter() - started
        if child.returncode != 0 or not out.exists():
            raise SystemExit(f"de collector stopte met code {child.returncode}")
        result = json.loads(out.read_text(encoding="utf-8"))
        print("ondergrens: dezelfde pagina's alleen downloaden ...", file=sys.stderr)
        floor_seconds, floor_pages, floor_bytes = download_floor(services, pki)
    finally:
        for service in services:
            peaks[service.provider.name] = service.stop()
    verify_seconds, verified_pages = reverify(archive, pki)

    outcomes = result["outcomes"]
    failed = [o["provider"] for o in outcomes if not o["ok"]]
    stage_totals = {key: sum(o["stages"].get(key, 0.0) for o in outcomes) for key, _ in STAGES}
    mail_seconds = sum(o["seconds"] - sum(o["stages"].values()) for o in outcomes)
    summary = result["summary"]
    total = result["seconds"]
    rss = result["peak_rss_mb"]
    rows: list[tuple[str, ...]] = []
    for key, label in STAGES:
        rows.append((f"  {label}", f"{stage_totals[key]:.1f} s", "", ""))
        if key == "ophalen+verifiëren":
            rows.append(
                (
                    f"    waarvan handtekeningen + Digest (apart gemeten, {verified_pages} pagina's)",
                    f"{verify_seconds:.1f} s",
                    "",
                    "",
                )
            )
    rows.append(("  rapporten opmaken + mailen (SMTP op loopback)", f"{mail_seconds:.1f} s", "", ""))
    rows.append(("  samenvoegen (SPEC §7), eenmaal aan het eind", f"{result['merge_seconds']:.1f} s", "", ""))
    pages_total = sum(o["pages"] for o in outcomes)
    rows.insert(
        0,
        (
            f"hele run: {len(outcomes)} aanbieders, {pages_total} pagina's, "
            f"{summary['trajecten_delivered']:,} trajecten + {summary['vroegsignalen']:,} vroegsignalen",
            f"{total:.0f} s ({total / 60:.1f} min)",
            f"≤ {TARGET_SECONDS / 60:.0f} min",
            "ok" if total <= TARGET_SECONDS and not failed else "NIET GEHAALD",
        ),
    )
    rows.append(
        (
            "  ondergrens: dezelfde pagina's alleen downloaden (mTLS, ondertekend verzoek, niets gecontroleerd)",
            f"{floor_seconds:.0f} s ({floor_pages} pagina's, {floor_bytes / 1e9:.2f} GB)",
            "(basislijn)",
            "",
        )
    )
    rows.append(
        (
            "piekgeheugen collector (RSS)",
            f"{rss:.0f} MB",
            f"≤ {TARGET_RSS_MB / 1024:.0f} GB",
            "ok" if rss <= TARGET_RSS_MB else "NIET GEHAALD",
        )
    )
    print(table(rows))
    print(
        f"\nwarehouse: {summary['trajecten_merged']:,} samengevoegde trajecten "
        f"({summary['merge_conflicts']:,} conflicten), {summary['zaken']:,} zaken, {summary['persons']:,} personen, "
        f"waarvan {summary['persons_in_both_vs_and_shv']:,} in VS én SHV; "
        f"{summary['quarantined_records']:,} records in quarantaine; "
        f"{result['mails_received']} rapporten ontvangen door de SMTP-sink"
    )
    if failed:
        print(f"MISLUKT: {', '.join(failed)}")
    print(
        f"(wandklok van het collectorproces {wall:.0f} s; piek-RSS van de diensten {min(peaks.values()):.0f}–"
        f"{max(peaks.values()):.0f} MB; warehouse {url.split(':')[0]}; {os.cpu_count()} cores, diensten en "
        "collector op dezelfde machine)"
    )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
