"""`ddas import EXPORT --mapping MAPPING`: the example exports that ship with ddas, through ddas.sources and the
validator into the store; unmapped values go to a review file next to the export and their rows stay out."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ddas.provider.store import RecordType, Store, UnreadableSource, import_source
from ddas.standardize.review import load_review

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    """The example exports and mappings, copied: the review file is written next to the export."""
    if not (EXAMPLES / "mapping-shv.yaml").is_file():
        pytest.skip(f"example exports not found in {EXAMPLES}")
    for path in EXAMPLES.iterdir():
        if path.suffix in (".csv", ".xlsx", ".yaml"):
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_shv_export_with_mapping(store: Store, examples: Path) -> None:
    source = examples / "export-shv.csv"
    summary = import_source(store, source, mapping=examples / "mapping-shv.yaml")
    assert summary.rows_read and summary.rows_read > 0
    counts = summary.counts[RecordType.TRAJECT]
    assert counts.new > 0 and counts.new == store.counts()["trajecten"]
    # Rows with values nothing could standardise stay out and are listed, with the review file beside the export.
    assert summary.held_back_rows, "the example export has unmapped values"
    assert all(issue.problems for issue in summary.held_back_rows)
    review = source.with_name("export-shv.csv.review.yaml")
    assert summary.review_file == str(review) and review.is_file()
    entries = load_review(review)
    assert entries and all(entry.accept is None for entry in entries)
    assert summary.exit_code == 1
    # Records are named by their rows in the export.
    for issue in summary.held_back + summary.rejected:
        assert issue.label.startswith("rij") and issue.path == ""

    again = import_source(store, source, mapping=examples / "mapping-shv.yaml")
    assert again.total.new == 0 and again.total.changed == 0 and again.total.unchanged == counts.new


def test_accepted_review_lets_the_rows_in(store: Store, examples: Path) -> None:
    from ddas.standardize.review import accept_review

    source = examples / "export-shv.csv"
    mapping = examples / "mapping-shv.yaml"
    first = import_source(store, source, mapping=mapping, accept_warnings=True)
    review = Path(first.review_file or "")
    data = yaml.safe_load(review.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        entry["accept"] = entry["suggestions"][0]["value"]
    review.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    accept_review(review, mapping)
    second = import_source(store, source, mapping=mapping, accept_warnings=True)
    assert not second.held_back_rows
    assert second.total.new == len({i.label for i in first.held_back_rows if "export-shv.csv rij" in i.label})
    assert second.total.unchanged == first.total.new


def test_vs_export_with_mapping(store: Store, examples: Path) -> None:
    summary = import_source(store, examples / "export-vs.xlsx", mapping=examples / "mapping-vs.yaml")
    assert summary.counts[RecordType.VROEGSIGNAAL].new > 0
    assert summary.counts[RecordType.ZAAK].new > 0
    with store.engine.connect() as connection:
        dangling = connection.exec_driver_sql(
            "SELECT count(*) FROM zaak_signalen zs WHERE NOT EXISTS (SELECT 1 FROM vroegsignalen v "
            "WHERE v.signaal_id = zs.signaal_id AND v.organisatie_id = zs.organisatie_id "
            "AND v.gemeentecode = zs.gemeentecode)"
        ).scalar_one()
    assert dangling == 0


def test_unusable_mapping_is_a_usage_error(store: Store, examples: Path) -> None:
    broken = examples / "kapot.yaml"
    broken.write_text("kind: shv\nfields: [\n", encoding="utf-8")
    with pytest.raises(UnreadableSource, match="niet in te lezen"):
        import_source(store, examples / "export-shv.csv", mapping=broken)
    with pytest.raises(UnreadableSource, match="bestaat niet"):
        import_source(store, examples / "export-shv.csv", mapping=examples / "bestaat-niet.yaml")
    assert store.counts()["trajecten"] == 0
