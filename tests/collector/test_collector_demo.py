"""End to end: the `ddas demo` scenario, checked against what the generator put in (an independent count)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from stdnum.nl import bsn as stdnum_bsn

from ddas.demo import DEMO_PROVIDERS, run_demo

REQUIRED = (
    "providers",
    "pages",
    "pages_verified",
    "trajecten_delivered",
    "trajecten_merged",
    "vroegsignalen",
    "zaken",
    "persons",
    "persons_in_both_vs_and_shv",
    "quarantined_records",
    "reports_mailed",
    "reports_waiting",
)


def _identity(bsn: Any, geboortedatum: Any, postcode: Any, huisnummer: Any, toevoeging: Any) -> str | None:
    """Who a client is, read the plain way: the BSN when valid, else birth date + address."""
    if isinstance(bsn, str) and stdnum_bsn.is_valid(bsn.replace(" ", "")):
        return "bsn:" + bsn.replace(" ", "")
    if not (isinstance(geboortedatum, str) and isinstance(postcode, str) and huisnummer not in (None, "")):
        return None
    extra = (
        (toevoeging or "").replace(" ", "").replace("-", "").upper() if isinstance(toevoeging, str) else ""
    )
    return f"adres:{geboortedatum}|{postcode.replace(' ', '').upper()}|{int(huisnummer)}|{extra}"


def _expected(folder: Path) -> dict[str, int]:
    shv_people: set[str] = set()
    vs_people: set[str] = set()
    trajecten: list[tuple[str, frozenset[str], dt.date, dt.date]] = []
    counts = {"trajecten_delivered": 0, "vroegsignalen": 0, "zaken": 0}
    for provider in DEMO_PROVIDERS:
        document = orjson.loads((folder / "leveringen" / f"{provider.name}.json").read_bytes())
        for levering in document["leveringen"]:
            for traject in levering.get("schuldhulptrajecten", []):
                counts["trajecten_delivered"] += 1
                people = {
                    _identity(
                        c.get("Burgerservicenummer"),
                        c.get("Geboortedatum"),
                        c.get("Postcode"),
                        c.get("Huisnummer"),
                        c.get("Huisnummertoevoeging"),
                    )
                    for c in traject.get("client", [])
                } - {None}
                shv_people.update(p for p in people if p)
                start = traject.get("startdatum") or traject["aanmelding"]["startdatum"]
                end = traject.get("einddatum") or "9999-12-31"
                if people:
                    trajecten.append(
                        (
                            traject["gemeentecode"],
                            frozenset(p for p in people if p),
                            dt.date.fromisoformat(start),
                            dt.date.fromisoformat(end),
                        )
                    )
            counts["vroegsignalen"] += len(levering.get("vroegsignalen", []))
            counts["zaken"] += len(levering.get("vroegsignaalzaken", []))
            for signal in levering.get("vroegsignalen", []):
                c = signal.get("client", {})
                person = _identity(
                    c.get("Burgerservicenummer"),
                    c.get("Geboortedatum"),
                    c.get("Postcode"),
                    c.get("Huisnummer"),
                    c.get("Huisnummertoevoeging"),
                )
                if person:
                    vs_people.add(person)
    # Same traject: same gemeente, a shared client, overlapping periods — every pair compared, groups joined.
    parent = list(range(len(trajecten)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, (g1, c1, s1, e1) in enumerate(trajecten):
        for j in range(i + 1, len(trajecten)):
            g2, c2, s2, e2 = trajecten[j]
            if g1 == g2 and c1 & c2 and s1 <= e2 and s2 <= e1:
                parent[find(i)] = find(j)
    counts["trajecten_merged"] = len({find(i) for i in range(len(trajecten))})
    counts["persons"] = len(shv_people | vs_people)
    counts["persons_in_both_vs_and_shv"] = len(shv_people & vs_people)
    return counts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo in a folder given relative to the working directory, as the README does (`out/demo`)."""
    import os

    base = tmp_path_factory.mktemp("demo")
    before = Path.cwd()
    os.chdir(base)
    try:
        summary = run_demo(Path("out") / "demo")
    finally:
        os.chdir(before)
    return base / "out" / "demo", summary


def test_demo_counts_match_what_the_generator_put_in(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, summary = demo
    written = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert set(REQUIRED) <= set(written)
    assert summary["providers_failed"] == []
    assert summary["providers"] == len(DEMO_PROVIDERS)
    assert summary["pages"] == summary["pages_verified"] > len(DEMO_PROVIDERS)  # page_size 100: several pages
    assert summary["quarantined_records"] == 0
    expected = _expected(folder)
    for name, value in expected.items():
        assert summary[name] == value, name
    # The scenario does what it says: samenloop merges trajecten, VS and SHV share people.
    assert summary["trajecten_merged"] < summary["trajecten_delivered"]
    assert summary["persons_in_both_vs_and_shv"] > 0
    assert summary["reports_mailed"] == summary["reports_received_by_smtp_sink"] == len(DEMO_PROVIDERS)
    assert summary["reports_waiting"] == 0


def test_demo_leaves_logs_and_no_bsn_in_the_warehouse_or_logs(demo: tuple[Path, dict[str, Any]]) -> None:
    folder, _ = demo
    logs = list((folder / "logs").iterdir())
    assert logs and any(p.stat().st_size > 0 for p in logs)
    bsns: set[bytes] = set()
    for provider in DEMO_PROVIDERS:
        document = orjson.loads((folder / "leveringen" / f"{provider.name}.json").read_bytes())
        for levering in document["leveringen"]:
            for traject in levering.get("schuldhulptrajecten", []):
                bsns.update(
                    c["Burgerservicenummer"].encode()
                    for c in traject["client"]
                    if c.get("Burgerservicenummer")
                )
            for signal in levering.get("vroegsignalen", []):
                if signal.get("client", {}).get("Burgerservicenummer"):
                    bsns.add(signal["client"]["Burgerservicenummer"].encode())
    assert len(bsns) > 100
    for path in [folder / "warehouse.sqlite", *logs, folder / "summary.json"]:
        data = path.read_bytes()
        assert not [b for b in bsns if b in data], path
    # The raw archive is the one place they are: it holds the exact pages (compressed).
    assert list((folder / "archief" / "objects").rglob("*.zst"))
