"""Records from a source export (the CSV/XLSX path): validated and imported exactly as a delivery would be."""

from __future__ import annotations

from typing import Any

import orjson
from _store_helpers import ORG_SHV, ORG_VS, shv, signaal, traject, vs, zaak

from ddas.provider.store import Reason, RecordType, Store, import_records, records_document
from ddas.spec.kinds import Kind
from ddas.validation.engine import validate_document
from ddas.validation.result import ValidationResult


def _shv_records(document: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for levering in document["leveringen"]:
        for t in levering["schuldhulptrajecten"]:
            rows.append(
                {
                    "kind": "shv",
                    "type": "schuldhulptraject",
                    "organisatie": levering["aanleverende_organisatie"],
                    "gemeentecode": t["gemeentecode"],
                    "record": t,
                    "rows": [len(rows) + 2],
                }
            )
    return rows


def test_records_document_is_a_valid_delivery() -> None:
    rows = _shv_records(shv(50, seed=61, gemeenten=["0363", "0599"]))
    document, origins = records_document(rows)
    result = validate_document(document, ValidationResult(file="x"))
    assert result.kind is Kind.SHV
    assert [f.code for f in result.findings] == []
    assert len(document["leveringen"]) == 2 and [lev["teller"] for lev in document["leveringen"]] == [1, 2]
    assert len(origins) == 50 and set(origins.values()) == {f"rij {n}" for n in range(2, 52)}


def test_records_import_and_reimport(store: Store) -> None:
    rows = _shv_records(shv(40, seed=62))
    first = import_records(store, rows, source="export.csv")
    assert first.total.new == 40 and first.exit_code == 0
    again = import_records(store, [dict(r) for r in rows], source="export.csv")
    assert again.total.unchanged == 40 and again.total.new == 0


def test_records_errors_are_named_by_source_row(store: Store) -> None:
    rows = _shv_records(shv(10, seed=63, gemeenten=["0363"]))
    rows[6] = {
        **rows[6],
        "rows": [17, 18],
        "record": {**rows[6]["record"], "client": [{"Geslachtsaanduiding": "Man"}]},
    }
    summary = import_records(store, rows, source="export.csv")
    assert summary.total.rejected == 1
    assert summary.rejected[0].label == "rijen 17, 18" and summary.rejected[0].reason is Reason.RECORD_ERRORS


def test_records_without_organisation_name_take_the_given_name(store: Store) -> None:
    unnamed = {k: v for k, v in ORG_SHV.items() if k != "(Statutaire) Naam"}
    rows = [
        {"kind": "shv", "organisatie": unnamed, "gemeentecode": "0363", "record": traject(1, "2025-02-01")},
        {"kind": "shv", "organisatie": unnamed, "gemeentecode": "0363", "record": traject(2, "2025-03-01")},
    ]
    summary = import_records(store, rows, organisatie="Gemeente Amsterdam", accept_warnings=True)
    assert summary.total.new == 2, summary.to_dict()
    assert store.organisaties() == ["Gemeente Amsterdam"]
    envelope = store.organisatie_json("Gemeente Amsterdam", Kind.SHV)
    assert envelope is not None and orjson.loads(envelope)["(Statutaire) Naam"] == "Gemeente Amsterdam"


def test_records_with_a_bare_organisation_name_are_rejected_as_a_levering(store: Store) -> None:
    rows = [{"kind": "shv", "gemeentecode": "0363", "record": traject(1, "2025-02-01")}]
    summary = import_records(store, rows, organisatie="Gemeente Amsterdam", accept_warnings=True)
    assert summary.total.rejected == 1 and store.counts()["trajecten"] == 0
    assert [p.code for p in summary.rejected_leveringen[0].problems] == ["ORG_NO_IDENTIFIER"]


def test_vs_records_with_zaken(store: Store) -> None:
    rows: list[dict[str, Any]] = [
        {
            "kind": "vs",
            "organisatie": ORG_VS,
            "gemeentecode": "0363",
            "record": signaal("A", "2025-02-01", 1),
        },
        {
            "kind": "vs",
            "organisatie": ORG_VS,
            "gemeentecode": "0363",
            "record": signaal("B", "2025-02-03", 2),
        },
        {
            "kind": "vs",
            "organisatie": ORG_VS,
            "gemeentecode": "0363",
            "type": "zaak",
            "record": zaak(["A", "B"], "2025-02-05"),
        },
    ]
    summary = import_records(store, rows)
    assert summary.counts[RecordType.VROEGSIGNAAL].new == 2 and summary.counts[RecordType.ZAAK].new == 1


def test_records_from_a_vs_delivery_round_trip(store: Store) -> None:
    document = vs(80, seed=64, gemeenten=["0363"])
    levering = document["leveringen"][0]
    rows = [
        {
            "kind": "vs",
            "organisatie": levering["aanleverende_organisatie"],
            "gemeentecode": "0363",
            "record": s,
        }
        for s in levering["vroegsignalen"]
    ] + [
        {
            "kind": "vs",
            "organisatie": levering["aanleverende_organisatie"],
            "gemeentecode": "0363",
            "record": z,
        }
        for z in levering["vroegsignaalzaken"]
    ]
    summary = import_records(store, rows)
    assert summary.exit_code == 0
    assert store.counts()["vroegsignalen"] == 80
    assert store.counts()["zaken"] == len(levering["vroegsignaalzaken"])
