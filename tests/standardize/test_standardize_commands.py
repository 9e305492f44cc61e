"""`ddas standardize …` through typer's runner: output, exit codes, and the files it writes."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import yaml
from typer.testing import CliRunner

from ddas.standardize import Standardizer, normalize
from ddas.standardize.commands import standardize_app
from ddas.standardize.evaluation import load_cases
from ddas.standardize.review import ReviewEntry, load_review, write_review

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
PARTS = [REPO / "tests" / "standardize" / "data" / name for name in ("eval_dev.tsv", "eval_heldout.tsv")]
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


def _vs_export(tmp_path: Path) -> tuple[Path, Path, list[tuple[str, str]]]:
    """A VS export holding every contactsoort and eindresultaat of the evaluation set, one zaak per row."""
    cases = [
        case for part in PARTS for case in load_cases(part) if case.field in ("contactsoort", "eindresultaat")
    ]
    soorten = [case.value for case in cases if case.field == "contactsoort"]
    resultaten = [case.value for case in cases if case.field == "eindresultaat"]
    export = tmp_path / "vs.csv"
    with export.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["ID", "Zaak", "Melder", "Postcode", "Huisnummer", "Resultaat", "Soort"])
        for number in range(max(len(soorten), len(resultaten))):
            resultaat = resultaten[number] if number < len(resultaten) else ""
            soort = soorten[number] if number < len(soorten) else ""
            writer.writerow(
                [f"S{number}", f"Z{number}", "Eneco", "1234AB", str(number + 1), resultaat, soort]
            )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "kind: vs\nsource: {delimiter: ';'}\norganisation: {name: Gemeente Test, kvk: '12345678'}\n"
        "gemeentecode: '0999'\nzaak_key: Zaak\nfields:\n  vroegsignaal.ID: ID\n"
        "  vroegsignaal.signaalpartner.type: Melder\n  vroegsignaal.client.Postcode: Postcode\n"
        "  vroegsignaal.client.Huisnummer: Huisnummer\n  zaak.resultaat: Resultaat\n"
        "  zaak.contactpogingen.0.soort: Soort\n",
        encoding="utf-8",
    )
    values = [(case.field, case.value) for case in cases]
    return export, mapping, values


def test_the_review_file_says_why_each_value_was_or_was_not_mapped(tmp_path: Path) -> None:
    export, mapping, values = _vs_export(tmp_path)
    review = tmp_path / "review.yaml"
    result = runner.invoke(
        standardize_app,
        ["convert", str(export), "--mapping", str(mapping), "--review", str(review), "--details"],
    )
    assert result.exit_code == 1, result.output  # the ambiguous and junk values wait for review
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    entries = {
        (entry["field"], normalize(entry["value"]) or entry["value"]): entry for entry in data["entries"]
    }
    mapped = {(entry["field"], normalize(entry["value"])): entry for entry in data["mapped"]}
    assert all(entry.get("reason") for entry in data["entries"])
    standardizer = Standardizer()
    seen = {"rule": 0, "unmapped": 0}
    for field, value in values:
        explanation = standardizer.explain(field, value)
        key = (field, normalize(value) or value.strip())
        if explanation.standard is None:
            assert entries[key]["reason"] == explanation.reason, value
            seen["unmapped"] += 1
        elif explanation.code == "rule":
            assert (mapped[key]["standard"], mapped[key]["reason"]) == (
                explanation.standard,
                explanation.reason,
            )
            assert explanation.reason in result.output  # --details shows it too
            seen["rule"] += 1
        else:  # the standard value itself or a dictionary spelling: nothing to check
            assert key not in entries and key not in mapped, value
    assert seen["rule"] > 100 and seen["unmapped"] > 50
    # the review file still reads, and accepting works around the 'mapped' list
    assert len(load_review(review)) == len(data["entries"])


def test_explain_command() -> None:
    result = runner.invoke(
        standardize_app, ["explain", "contactsoort", "geen gehoor bij huisbezoek", "Brief en huisbezoek"]
    )
    assert result.exit_code == 1  # one value is left for review
    first, second = (line.split("\t") for line in result.output.splitlines())
    assert first[:3] == ["geen gehoor bij huisbezoek", "Huisbezoek", "rule"] and "@huisbezoek" in first[3]
    assert second[:3] == ["Brief en huisbezoek", "ter beoordeling", "conflict"]
    assert runner.invoke(standardize_app, ["explain", "contactsoort", "tel."]).exit_code == 0
    assert runner.invoke(standardize_app, ["explain", "kleur", "rood"]).exit_code == 2


def test_explain_command_with_a_mapping(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "kind: vs\norganisation: {name: Gemeente Test, gemeentecode: '0999'}\nfields:\n  vroegsignaal.ID: Nr\n"
        "values:\n  contactsoort:\n    Brief en huisbezoek: Brief\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        standardize_app, ["explain", "contactsoort", "Brief en huisbezoek", "--mapping", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.split("\t")[1:3] == ["Brief", "override"]
    missing = runner.invoke(
        standardize_app, ["explain", "contactsoort", "x", "--mapping", str(tmp_path / "no")]
    )
    assert missing.exit_code == 2 and "MAPPING_NOT_FOUND" in missing.output
