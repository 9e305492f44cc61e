"""`ddas standardize …` through typer's runner: output, exit codes, and the files it writes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from ddas.standardize import Standardizer
from ddas.standardize.commands import standardize_app
from ddas.standardize.review import ReviewEntry, write_review

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
runner = CliRunner()


def review_file(tmp_path: Path, accept: str | None = None) -> Path:
    path = tmp_path / "review.yaml"
    suggestions = Standardizer().suggest("dagdeel", "Nacht")
    write_review(
        path, [ReviewEntry("dagdeel", "Nacht", 3, suggestions, accept), ReviewEntry("geslacht", "X", 1)]
    )
    return path


def test_review_plain_output(tmp_path: Path) -> None:
    result = runner.invoke(standardize_app, ["review", str(review_file(tmp_path, "Avond"))])
    assert result.exit_code == 0, result.output
    rows = {line.split("\t")[0]: line.split("\t") for line in result.output.splitlines() if "\t" in line}
    assert rows["geslacht"] == ["geslacht", "X", "1", "—", "-"]  # in field order: geslacht before dagdeel
    assert rows["dagdeel"][:3] == ["dagdeel", "Nacht", "3"] and rows["dagdeel"][-1] == "Avond"
    assert "Avond (" in rows["dagdeel"][3]
    assert list(rows) == ["geslacht", "dagdeel"]
    assert "2 waarde(n) ter beoordeling: 1 met een keuze, 1 open (1 cel(len) wachten nog)." in result.output
    assert "ddas standardize accept" in result.output


def test_review_of_a_broken_file(tmp_path: Path) -> None:
    broken = tmp_path / "review.yaml"
    broken.write_text("entries:\n- {field: dagdeel, value: Nacht, accept: nacht}\n", encoding="utf-8")
    result = runner.invoke(standardize_app, ["review", str(broken)])
    assert result.exit_code == 1
    assert "REVIEW_INVALID" in result.output
    missing = runner.invoke(standardize_app, ["review", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    assert "REVIEW_UNREADABLE" in missing.output


def test_accept(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: vs\nfields:\n  vroegsignaal.ID: Nr\n", encoding="utf-8")
    result = runner.invoke(
        standardize_app, ["accept", str(review_file(tmp_path, "Avond")), "--mapping", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    assert "dagdeel: 'Nacht' → Avond" in result.output
    assert "1 waarde(n) overgenomen" in result.output and "1 nog open" in result.output
    assert yaml.safe_load(mapping.read_text(encoding="utf-8"))["values"] == {"dagdeel": {"Nacht": "Avond"}}


def test_accept_conflict_exit_code(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: vs\nvalues:\n  dagdeel:\n    nacht: Ochtend\n", encoding="utf-8")
    result = runner.invoke(
        standardize_app, ["accept", str(review_file(tmp_path, "Avond")), "-m", str(mapping)]
    )
    assert result.exit_code == 1
    assert "REVIEW_CONFLICT" in result.output


def test_convert_example_writes_review_and_document(tmp_path: Path) -> None:
    for name in ("export-shv.csv", "export-shv-schulden.csv", "mapping-shv.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    review = tmp_path / "review.yaml"
    output = tmp_path / "levering.json"
    result = runner.invoke(
        standardize_app,
        [
            "convert",
            str(tmp_path / "export-shv.csv"),
            "--mapping",
            str(tmp_path / "mapping-shv.yaml"),
            "--review",
            str(review),
            "--output",
            str(output),
            "--period",
            "2024-01-01..2024-12-31",
            "--details",
        ],
    )
    assert result.exit_code == 1, result.output  # three values wait for review
    assert "30 rij(en) gelezen uit export-shv.csv" in result.output
    assert "woordenboek" in result.output  # --details lists the translations
    assert "ROW_UNMAPPED_VALUE" in result.output
    assert len(yaml.safe_load(review.read_text(encoding="utf-8"))["entries"]) == 3
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["startdatumLevering"] == "2024-01-01"
    assert {levering["teller"] for levering in document["leveringen"]} == {1, 2}


def test_convert_usage_errors(tmp_path: Path) -> None:
    export = str(EXAMPLES / "export-shv.csv")
    mapping = str(EXAMPLES / "mapping-shv.yaml")
    no_period = runner.invoke(
        standardize_app, ["convert", export, "-m", mapping, "-o", str(tmp_path / "x.json")]
    )
    assert no_period.exit_code == 2 and "--period" in no_period.output
    reversed_period = runner.invoke(
        standardize_app,
        [
            "convert",
            export,
            "-m",
            mapping,
            "-o",
            str(tmp_path / "x.json"),
            "--period",
            "2024-12-31..2024-01-01",
        ],
    )
    assert reversed_period.exit_code == 2
    bad_mapping = tmp_path / "bad.yaml"
    bad_mapping.write_text("kind: iets\n", encoding="utf-8")
    result = runner.invoke(standardize_app, ["convert", export, "-m", str(bad_mapping)])
    assert result.exit_code == 2 and "MAPPING_KIND" in result.output
    assert not (tmp_path / "x.json").exists()


def test_dictionary_command() -> None:
    result = runner.invoke(standardize_app, ["dictionary", "contactsoort"])
    assert result.exit_code == 0
    assert "Huisbezoek: " in result.output and "voordeurbezoek" in result.output
    assert "? Klant nam contact op n.a.v. brief → ter beoordeling" in result.output
    assert runner.invoke(standardize_app, ["dictionary", "kleur"]).exit_code == 2
