#!/usr/bin/env python3
"""Benchmark the provider service (`ddas serve`) on a store of 250,000 trajecten and 500,000 vroegsignalen.

Measures, against a real server process on loopback with response signing on (`--certs`):
- the latency of a maximum SHV page (25,000 trajecten) and a maximum VS page (50,000 vroegsignalen): the first
  request of a series (the selection frozen into a snapshot, then the page built), and within a series a
  rebuild of the same page (cache entry removed) and a repeat served from the page cache;
- the time to page through everything, for both kinds, from a fresh snapshot;
- the server's peak resident memory (VmHWM from /proc, read after each step and just before it stops; not
  ru_maxrss, which for a child started with fork also counts the benchmark's own memory at the fork);
- as a baseline in the same run, the floor for paging: reading the same record bytes straight from the SQLite
  file and hashing them (no selection, no JSON, no HTTP, no signature).
Every response's Digest is checked against its body and its signature verified against the dev root.

The store (and the dev PKI) are generated once and kept in `--workdir` (default: a folder in the system's
temporary directory), so later runs start at once; `--rebuild` makes them again.

    .venv/bin/python bench/serve.py [--workdir DIR] [--rebuild] [--trajecten 250000] [--vroegsignalen 500000]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

PY = sys.executable
LAUNCH = "import typer; from ddas.provider.app.commands import serve_command; typer.run(serve_command)"
PERIOD = {"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-06-30"}
SHV_BASE = "/ddas-schuldhulpverlening/v1/gegevens"
VS_BASE = "/ddas-vroegsignalering/v1/gegevens"
#: One gemeente per generated chunk: a VS signal's natural key includes its gemeente, so chunks never collide.
GEMEENTEN = ["0363", "0599", "0518", "0344", "0772", "0014", "0193", "0200", "0202", "0228", "0268", "0307"]
CHUNKS = 10

TARGET_PAGE_SECONDS = 2.0
TARGET_RSS_MB = 500.0
TARGET_TRAJECTEN_PER_SECOND = 50_000


def build_store(path: Path, trajecten: int, vroegsignalen: int) -> None:
    """Generate and import the deliveries in chunks (one gemeente each), as a supplier would over time."""
    from ddas.provider.store import Store, import_delivery
    from ddas.synth import generate

    path.unlink(missing_ok=True)
    started = time.perf_counter()
    with Store.open(f"sqlite:///{path}") as store:
        for kind, total in (("shv", trajecten), ("vs", vroegsignalen)):
            per_chunk = -(-total // CHUNKS)
            for chunk in range(CHUNKS):
                count = min(per_chunk, total - chunk * per_chunk)
                if count <= 0:
                    break
                document = generate(kind, count, 1000 + chunk, gemeenten=[GEMEENTEN[chunk]])
                summary = import_delivery(store, orjson.dumps(document), accept_warnings=True)
                counts = store.counts()
                print(
                    f"  {kind} deel {chunk + 1}/{CHUNKS}: {count} gegenereerd, opslag nu {counts['trajecten']} "
                    f"trajecten / {counts['vroegsignalen']} vroegsignalen ({time.perf_counter() - started:.0f} s)",
                    file=sys.stderr,
                )
                if summary.rejected:
                    raise SystemExit(f"import rejected {len(summary.rejected)} records")
        counts = store.counts()
    print(
        f"opslag gemaakt: {counts['trajecten']} trajecten, {counts['vroegsignalen']} vroegsignalen "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status_mb(pid: int, field: str) -> float:
    """A memory figure (`VmHWM:`, `VmRSS:`) of a running process from /proc, in MB (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a running process, in MB."""
    return _status_mb(pid, "VmHWM:")


def rss_mb(pid: int) -> float:
    """VmRSS (current resident set) of a running process, in MB."""
    return _status_mb(pid, "VmRSS:")


class Server:
    """`ddas serve` in a subprocess, signing with the dev PKI (`extra`: more `ddas serve` options). With
    `wait=False` the caller waits (`wait_ready`), so that many servers can start side by side."""

    def __init__(
        self, store: Path, certs: Path, log: Path, extra: tuple[str, ...] = (), wait: bool = True
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("wb")
        args = ["--store", f"sqlite:///{store}", "--port", str(self.port), "--certs", str(certs), *extra]
        self.process = subprocess.Popen([PY, "-c", LAUNCH, *args], stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready(time.monotonic() + 60)

    def wait_ready(self, deadline: float) -> None:
        """Until the server accepts connections; SystemExit when it stopped or `deadline` passed."""
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server stopped; see {self.log.name}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"server did not start; see {self.log.name}")

    def peak_mb(self) -> float:
        return peak_rss_mb(self.process.pid)

    def stop(self) -> float:
        """Stop the server; its lifetime peak RSS in MB (VmHWM just before it stops)."""
        peak = self.peak_mb()
        self.process.terminate()
        self.process.wait()
        self.log.close()
        return peak


class Checker:
    """Checks every response: Digest over the exact body, signature against the dev root."""

    def __init__(self, certs: Path) -> None:
        from ddas.signing import TrustStore

        self.trust = TrustStore.from_pem([certs / "root-ca.pem"])

    def __call__(self, response: httpx.Response, *, verify: bool) -> None:
        import base64

        from ddas.signing import verify as verify_signature

        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code}: {response.text[:500]}")
        digest = "SHA-256=" + base64.b64encode(hashlib.sha256(response.content).digest()).decode()
        if response.headers.get("digest") != digest:
            raise SystemExit("Digest does not match the body")
        if verify:
            verify_signature(
                response.content,
                [response.headers["nlgov-adr-payload-sig"]],
                digest=response.headers["digest"],
                trust=self.trust,
            )


def paging_of(body: bytes) -> dict[str, Any]:
    """The `paginering` block (the last member of every page), without parsing the whole page."""
    marker = b',"paginering":'
    paging: dict[str, Any] = orjson.loads(body[body.rindex(marker) + len(marker) : -1])
    return paging


def timed_post(client: httpx.Client, url: str, body: dict[str, Any]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = client.post(url, json=body)
    return time.perf_counter() - started, response


def clear_cache(store: Path) -> None:
    import sqlite3

    with sqlite3.connect(store) as connection:
        connection.execute("DELETE FROM page_cache")


def wait_for_cache(store: Path, suffix: str, timeout: float = 60.0) -> None:
    """Pages are kept (and the next one built ahead) after a response has gone out; wait until the page whose
    cache key ends in `suffix` is kept and the background is done, before the next measurement."""
    import sqlite3

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(store) as connection:
            keys = [row[0] for row in connection.execute("SELECT key FROM page_cache")]
        if any(key.endswith(suffix) for key in keys):
            time.sleep(1.0)  # the page after it is being built ahead; let that finish too
            return
        time.sleep(0.05)


def raw_floor(store: Path) -> dict[str, float]:
    """Seconds to read every current record's bytes straight from SQLite and SHA-256 them, per kind."""
    import sqlite3

    out: dict[str, float] = {}
    with sqlite3.connect(store) as connection:
        for label, table in (("SHV", "trajecten"), ("VS", "vroegsignalen")):
            started = time.perf_counter()
            digest = hashlib.sha256()
            for (record,) in connection.execute(f"SELECT record FROM {table} WHERE valid_to IS NULL"):
                digest.update(record)
            out[label] = time.perf_counter() - started
    connection.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ddas-bench-serve")
    parser.add_argument("--rebuild", action="store_true", help="generate the store and PKI again")
    parser.add_argument("--trajecten", type=int, default=250_000)
    parser.add_argument("--vroegsignalen", type=int, default=500_000)
    args = parser.parse_args()

    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    store = workdir / f"store-{args.trajecten}-{args.vroegsignalen}.sqlite"
    certs = workdir / "pki"
    if args.rebuild:
        shutil.rmtree(certs, ignore_errors=True)
        store.unlink(missing_ok=True)
    if not (certs / "root-ca.pem").exists():
        from ddas.signing.pki import init_dev_pki

        shutil.rmtree(certs, ignore_errors=True)
        init_dev_pki(certs)
    if not store.exists():
        print(f"opslag maken in {store} (eenmalig) ...", file=sys.stderr)
        build_store(store, args.trajecten, args.vroegsignalen)
    # Every run starts from the same state: no snapshots or cached pages from an earlier run.
    import sqlite3

    with sqlite3.connect(store) as connection:
        connection.execute("DELETE FROM page_cache")
        connection.execute("DELETE FROM snapshot_items")
        connection.execute("DELETE FROM snapshots")
    connection.close()

    floor = raw_floor(store)
    check = Checker(certs)
    # The requests here are unsigned (the figures are about answering); with --certs the service now requires
    # signed requests by default, so this benchmark asks for optional request signatures explicitly.
    server = Server(store, certs, workdir / "serve.log", extra=("--optional-signature",))
    rows: list[tuple[str, str, str, str]] = []
    peaks: list[str] = []
    try:
        with httpx.Client(timeout=300) as client:
            for label, base, size in (("SHV", SHV_BASE, 25_000), ("VS", VS_BASE, 50_000)):
                url = server.url + base
                body = {**PERIOD, "pageSize": size, "page": 1}
                first, response = timed_post(client, url, body)
                check(response, verify=True)
                document = orjson.loads(response.content)
                records = document["paginering"]
                on_page = sum(
                    len(lev.get("schuldhulptrajecten", lev.get("vroegsignalen", [])))
                    for lev in document["gegevens"]["leveringen"]
                )
                del document
                wait_for_cache(store, f":{size}:2")
                clear_cache(store)
                rebuilt, response = timed_post(client, url, body)
                check(response, verify=True)
                wait_for_cache(store, f":{size}:1")
                hit, response = timed_post(client, url, body)
                check(response, verify=True)
                clear_cache(store)
                peaks.append(f"{label}-pagina {server.peak_mb():.0f}")
                size_mb = len(response.content) / 1e6
                what = f"max. {label}-pagina ({on_page:,} van {records['totalRecords']:,}, {size_mb:.0f} MB), ondertekend"
                rows.append(
                    (
                        f"{what}: eerste verzoek (selectie vastleggen + pagina)",
                        f"{first:.2f} s",
                        f"≤ {TARGET_PAGE_SECONDS:.0f} s",
                        "ok" if first <= TARGET_PAGE_SECONDS else "NIET GEHAALD",
                    )
                )
                rows.append(
                    (
                        f"{what}: binnen een reeks",
                        f"opgebouwd {rebuilt:.2f} s · uit cache {hit:.2f} s",
                        f"≤ {TARGET_PAGE_SECONDS:.0f} s",
                        "ok" if max(rebuilt, hit) <= TARGET_PAGE_SECONDS else "NIET GEHAALD",
                    )
                )
            rss_pages = server.peak_mb()

            throughput: dict[str, float] = {}
            for label, base, size in (("SHV", SHV_BASE, 25_000), ("VS", VS_BASE, 50_000)):
                url = server.url + base
                # A period one day longer: another request, so a fresh snapshot and no cached pages.
                body = {**PERIOD, "aanleverperiodeEinddatum": "2025-07-01", "pageSize": size}
                started = time.perf_counter()
                _, response = timed_post(client, url, {**body, "page": 1})
                check(response, verify=False)
                paginering = paging_of(response.content)
                for page in range(2, paginering["totalPages"] + 1):
                    _, response = timed_post(client, url, {**body, "page": page})
                    check(response, verify=False)
                elapsed = time.perf_counter() - started
                peaks.append(f"doorbladeren {label} {server.peak_mb():.0f}")
                throughput[label] = paginering["totalRecords"] / elapsed
                unit = "trajecten" if label == "SHV" else "vroegsignalen"
                target = f"≥ {TARGET_TRAJECTEN_PER_SECOND:,} trajecten/s" if label == "SHV" else "-"
                verdict = (
                    ("ok" if throughput[label] >= TARGET_TRAJECTEN_PER_SECOND else "NIET GEHAALD")
                    if label == "SHV"
                    else ""
                )
                rows.append(
                    (
                        f"alles doorbladeren {label}: {paginering['totalRecords']:,} {unit}, "
                        f"{paginering['totalPages']} pagina's",
                        f"{elapsed:.1f} s = {throughput[label]:,.0f} {unit}/s",
                        target,
                        verdict,
                    )
                )
                rows.append(
                    (
                        "  ondergrens: dezelfde recordbytes rechtstreeks uit SQLite lezen + SHA-256",
                        f"{floor[label]:.1f} s = {paginering['totalRecords'] / floor[label]:,.0f} {unit}/s",
                        "(basislijn)",
                        "",
                    )
                )
            rss_all = server.peak_mb()
    finally:
        rss_life = server.stop()
    rss = max(rss_pages, rss_all, rss_life)
    rows.append(
        (
            "piekgeheugen server (RSS)",
            f"{rss_pages:.0f} MB na de max. pagina's, {rss:.0f} MB over de hele run",
            f"≤ {TARGET_RSS_MB:.0f} MB",
            "ok" if rss <= TARGET_RSS_MB else "NIET GEHAALD",
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    header = ("meting", "resultaat", "doel", "")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    print(f"\npiek-RSS (MB) na elke stap: {', '.join(peaks)}")
    print(f"(server: 1 proces, SQLite-opslag {store.stat().st_size / 1e9:.1f} GB; {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
