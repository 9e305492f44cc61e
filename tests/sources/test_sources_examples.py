"""The shipped examples: they are what the generator writes, they convert, their review entries make sense, and
once the review is accepted every row is imported and the delivery validates without errors."""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
import yaml
from _sources_helpers import EXAMPLES

from ddas.sources import SourceResult, read_export, to_document
from ddas.sources.model import FieldType, Leaf, Node, root_node
from ddas.spec.kinds import Kind
from ddas.standardize import official_values
from ddas.standardize.review import accept_review, load_review, write_review
from ddas.validation.engine import validate_bytes

#: What a person reviewing the examples decides for each value the dictionary leaves open.
DECISIONS = {
    ("oplossingssoort", "Minnelijke schuldregeling"): "Schuldbemiddeling",
    ("begeleidingssoort", "Budgetcoach (vrijwilliger)"): "Budgetcoaching",
    ("uitstroomreden", "Zelf gestopt"): "Ingetrokken",
    ("signaalpartner", "CAK"): "CAK Zorgverzekeringen",
    ("eindresultaat", "Warme overdracht naar vervolghulp"): "Vervolghulp en/of verwijzing financieel",
    ("contactsoort", "Klant nam contact op n.a.v. brief"): "Brief",
}

CASES = {
    "shv": ("export-shv.csv", "mapping-shv.yaml", ["export-shv-schulden.csv"], ("2024-01-01", "2024-12-31")),
    "vs": ("export-vs.xlsx", "mapping-vs.yaml", [], ("2024-01-01", "2024-06-30")),
}


def generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_examples", EXAMPLES / "generate_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


def test_examples_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = generator().generate(tmp_path)
    for path in written:
        shipped = EXAMPLES / path.name
        if path.suffix == ".csv":
            assert path.read_bytes() == shipped.read_bytes(), (
                "regenerate: python examples/generate_examples.py"
            )
        else:
            assert cells(path) == cells(shipped)


def test_generated_bsns_pass_the_elfproef() -> None:
    import random

    rng = random.Random(7)
    module = generator()
    for leading_zero in (False, True):
        for _ in range(200):
            bsn = module.bsn(rng, leading_zero)
            digits = [int(c) for c in bsn]
            assert len(digits) == 9 and (digits[0] == 0) is leading_zero
            assert (sum((9 - i) * d for i, d in enumerate(digits[:8])) - digits[8]) % 11 == 0


def convert(kind: str, folder: Path) -> SourceResult:
    export, mapping, _, _ = CASES[kind]
    return read_export(folder / export, folder / mapping)


def copy_case(kind: str, folder: Path) -> Path:
    export, mapping, extra, _ = CASES[kind]
    for name in (export, mapping, *extra):
        shutil.copy(EXAMPLES / name, folder / name)
    return folder


def validate(kind: str, result: SourceResult) -> Any:
    document = to_document(
        result, CASES[kind][3], "Voorbeeldpakket 4.2", delivered_at=dt.datetime(2025, 3, 1, 12, 0)
    )
    return validate_bytes(orjson.dumps(document), today=dt.date(2025, 3, 1)), document


def enum_values(kind: Kind, record_type: str, record: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every (standardiser field, value) in a record, found through the model."""
    prefix = {"schuldhulptraject": "", "vroegsignaal": "vroegsignaal", "vroegsignaalzaak": "zaak"}[
        record_type
    ]
    out: list[tuple[str, Any]] = []

    def walk(node: Node, value: dict[str, Any]) -> None:
        for name, item in value.items():
            target = node.properties[name]
            for element in item if name in node.lists else [item]:
                if isinstance(target, Node):
                    walk(target, element)
                elif isinstance(target, Leaf) and target.type is FieldType.ENUM:
                    assert target.enum_field is not None
                    out.append((target.enum_field, element))

    walk(root_node(kind, prefix), record)
    return out


@pytest.mark.parametrize("kind", ["shv", "vs"])
def test_example_converts_and_leaves_three_values_for_review(kind: str) -> None:
    result = convert(kind, EXAMPLES)
    assert result.rows_read >= 30 and result.records
    assert len(result.unmapped) == 3
    for entry in result.unmapped:
        decision = DECISIONS[(entry.field, entry.value)]
        assert decision in [value for value, _ in entry.suggestions[:2]], (entry.value, entry.suggestions)
        assert entry.count >= 1 and entry.columns
    assert sum(t.count for t in result.translations) > 100  # most free text is standardised by the dictionary
    held_rows = {row.row for row in result.held_back if row.table == next(iter(result.table_rows))}
    imported_rows = {number for record in result.records for number in record["rows"]}
    assert not held_rows & imported_rows
    assert any(reason.code == "ROW_UNMAPPED_VALUE" for row in result.held_back for reason in row.reasons)
    # what is converted is already a valid delivery: no unmapped value slipped in
    validation, _ = validate(kind, result)
    assert validation.errors == 0, [f.to_dict() for f in validation.findings if f.severity == "error"]
    for record in result.records:
        for field, value in enum_values(Kind(kind), record["type"], record["record"]):
            assert value in official_values(field)


@pytest.mark.parametrize("kind", ["shv", "vs"])
def test_accepted_review_completes_the_example(kind: str, tmp_path: Path) -> None:
    folder = copy_case(kind, tmp_path)
    first = convert(kind, folder)
    review = folder / "review.yaml"
    write_review(review, first.unmapped)
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        entry["accept"] = DECISIONS[(entry["field"], entry["value"])]
    review.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert all(entry.accept for entry in load_review(review))
    mapping = folder / CASES[kind][1]
    before = mapping.read_text(encoding="utf-8")
    summary = accept_review(review, mapping)
    assert len(summary.added) == 3 and summary.open == 0
    after = mapping.read_text(encoding="utf-8")
    assert all(line in after.splitlines() for line in before.splitlines() if line.startswith("#"))

    result = convert(kind, folder)
    assert result.complete, [row.to_dict() for row in result.held_back]
    assert {number for record in result.records for number in record["rows"]} == set(
        range(2, 2 + result.rows_read)
    ), "every row of the export is part of a record"
    validation, document = validate(kind, result)
    assert validation.errors == 0, [f.to_dict() for f in validation.findings if f.severity == "error"]
    if kind == "shv":
        assert [lev["teller"] for lev in document["leveringen"]] == [1, 2]  # one levering per gemeente
        assert len(result.records) == 30
    else:
        zaken = [r for r in result.records if r["type"] == "vroegsignaalzaak"]
        signals = [r for r in result.records if r["type"] == "vroegsignaal"]
        assert len(signals) == result.rows_read
        assert all(z["record"].get("contactpogingen") for z in zaken if z["record"].get("resultaat"))
