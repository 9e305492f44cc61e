"""Fuzzing the conversion: random exports never raise anything but ExportError, and no row goes missing or
slips through unstandardised — each row is in exactly one record or held back, with its value in the review."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from _sources_helpers import SHV_MAPPING, mapping
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddas.sources import ExportError, read_export
from ddas.standardize import Standardizer, normalize, official_values
from ddas.validation.findings import scrub

FIELDS = {
    "startdatum": "Start",
    "client.0.Geslachtsaanduiding": "Geslacht",
    "uitstroom.reden": "Reden",
    "aanmelding.crisisinterventie": "Crisis",
    "schulden[].bedrag": "Bedrag",
    "schulden[].schuldsoort": "Soort",
}
HEADER = ["Dossier", "Start", "Geslacht", "Reden", "Crisis", "Bedrag", "Soort"]

texts = st.one_of(
    st.text(max_size=12), st.sampled_from(["", " ", "-", "M", "v", "Afgerond", "Zelf gestopt", "huur"])
)
rows = st.lists(
    st.tuples(
        st.sampled_from(["D1", "D2", "D3", ""]),
        st.one_of(st.sampled_from(["01-02-2024", "31-02-2024", ""]), st.text(max_size=10)),
        texts,
        texts,
        st.one_of(st.sampled_from(["ja", "nee", "", "x"]), st.text(max_size=3)),
        st.one_of(st.sampled_from(["1.234,56", "12", "", "1.5"]), st.text(max_size=6)),
        texts,
    ),
    min_size=1,
    max_size=12,
)


def write(folder: Path, data: list[tuple[str, ...]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(data)
    path = folder / "fuzz.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


ENUMS = {"Geslacht": "geslacht", "Reden": "uitstroomreden", "Soort": "schuldsoort"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows)
def test_every_row_accounted_for(tmp_path: Path, data: list[tuple[str, ...]]) -> None:
    path = write(tmp_path, data)
    try:
        result = read_export(path, mapping(SHV_MAPPING, traject_key="Dossier", fields=FIELDS))
    except ExportError as error:
        assert error.code.startswith("SOURCE_")
        return
    imported = [number for record in result.records for number in record["rows"]]
    held = [row.row for row in result.held_back]
    assert len(imported) == len(set(imported)) and not set(imported) & set(held)
    assert set(imported) | set(held) | _empty_rows(data) == set(range(2, 2 + len(data)))
    for record in result.records:
        body: dict[str, Any] = record["record"]
        for client in body.get("client", []):
            assert client.get("Geslachtsaanduiding", "Man") in official_values("geslacht")
        assert body.get("uitstroom", {}).get("reden", "Overig") in official_values("uitstroomreden")
        for debt in body.get("schulden", []):
            assert debt.get("schuldsoort", "Zorg") in official_values("schuldsoort")
    standardizer = Standardizer()
    review = {(entry.field, normalize(entry.value) or entry.value) for entry in result.unmapped}
    for row in data:
        for column, field in ENUMS.items():
            text = row[HEADER.index(column)].strip()
            if text and standardizer.standard(field, text) is None:
                # The review file masks anything shaped like a BSN (nine digits), as every report does.
                shown = scrub(text)
                assert (field, normalize(shown) or shown) in review


def _empty_rows(data: list[tuple[str, ...]]) -> set[int]:
    return {number for number, row in enumerate(data, 2) if not "".join(row).strip()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bytes.csv"
    path.write_bytes(b"Dossier;Start\n" + data)
    try:
        result = read_export(path, mapping(SHV_MAPPING, fields={"startdatum": "Start"}))
    except ExportError as error:
        assert error.code.startswith("SOURCE_") and error.message
    else:
        assert result.rows_read == len(result.records) + len({row.row for row in result.held_back})
