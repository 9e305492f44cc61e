"""Review files: writing, reading, and taking accepted values over into a mapping without losing its layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddas.sources.result import Translation
from ddas.standardize import Standardizer
from ddas.standardize.review import (
    ReviewEntry,
    ReviewError,
    accept_review,
    dump_review,
    load_review,
    mapped_entries,
    merge_accepted,
    write_review,
)


def entry(field: str, value: str, accept: str | None = None, count: int = 2) -> ReviewEntry:
    return ReviewEntry(field, value, count, Standardizer().suggest(field, value), accept, None, ["Kolom"])


def test_round_trip(tmp_path: Path) -> None:
    entries = [
        entry("contactsoort", "Klant nam contact op n.a.v. brief"),
        entry("geslacht", "no", "Onbekend", 5),
    ]
    path = tmp_path / "review.yaml"
    write_review(path, entries)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Beoordelingsbestand van ddas")
    assert "ddas standardize accept" in text
    loaded = load_review(path)
    assert {(e.field, e.value, e.count, e.accept) for e in loaded} == {
        ("contactsoort", "Klant nam contact op n.a.v. brief", 2, None),
        ("geslacht", "no", 5, "Onbekend"),  # 'no' stays text: YAML would read it as false unquoted
    }
    assert all(e.suggestions for e in loaded)


def test_order_field_then_frequency() -> None:
    text = dump_review(
        [
            entry("geslacht", "X", count=1),
            entry("contactsoort", "a", count=1),
            entry("contactsoort", "b", count=9),
        ]
    )
    values = [item["value"] for item in yaml.safe_load(text)["entries"]]
    assert values == ["b", "a", "X"]


def test_rewrite_keeps_decisions(tmp_path: Path) -> None:
    path = tmp_path / "review.yaml"
    write_review(path, [entry("contactsoort", "Postduif", "Overige")])
    written = write_review(path, [entry("contactsoort", "POSTDUIF!", count=7), entry("dagdeel", "Nacht")])
    assert [(e.value, e.accept) for e in written] == [("POSTDUIF!", "Overige"), ("Nacht", None)]
    assert (
        merge_accepted([entry("dagdeel", "Nacht")], [entry("dagdeel", "nacht", "Avond")])[0].accept == "Avond"
    )


def test_rewrite_refuses_to_drop_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "review.yaml"
    path.write_text("entries: [\n", encoding="utf-8")
    with pytest.raises(ReviewError) as caught:
        write_review(path, [entry("dagdeel", "Nacht")])
    assert caught.value.code == "REVIEW_EXISTING_INVALID"
    assert path.read_text(encoding="utf-8") == "entries: [\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- a\n", "lijst 'entries'"),
        ("entries: [\n", "regel"),
        ("entries:\n- field: kleur\n  value: rood\n", "'field' moet"),
        ("entries:\n- field: dagdeel\n  value: Nacht\n  accept: avond\n", "Bedoelt u 'Avond'"),
        (
            "entries:\n- field: dagdeel\n  value: Nacht\n  accept: Nachtdienst\n",
            "geen standaardwaarde van dagdeel",
        ),
        ("entries:\n- field: dagdeel\n  value: Nacht\n  accept: true\n", "geen standaardwaarde"),
        ("entries:\n- field: dagdeel\n  value: Nacht\n  count: veel\n", "'count'"),
        ("entries:\n- field: dagdeel\n  value: Nacht\n  suggestions: 3\n", "'suggestions'"),
        ("entries:\n- field: dagdeel\n  value: Nacht\n  kleur: rood\n", "onbekende sleutel"),
        ("entries:\n- field: dagdeel\n  value: Nacht\n  field: dagdeel\n", "twee keer"),
    ],
)
def test_invalid_review_files(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "review.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReviewError) as caught:
        load_review(path)
    assert caught.value.code == "REVIEW_INVALID"
    assert fragment in caught.value.message


def test_missing_review_file(tmp_path: Path) -> None:
    with pytest.raises(ReviewError) as caught:
        load_review(tmp_path / "nope.yaml")
    assert caught.value.code == "REVIEW_UNREADABLE"


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_is_a_review_error_or_a_review(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        entries = load_review(path)
    except ReviewError as error:
        assert error.code in {"REVIEW_INVALID", "REVIEW_UNREADABLE"}
    else:
        assert all(isinstance(e, ReviewEntry) for e in entries)


MAPPING = """\
# Mapping van pakket X — met opmerkingen die moeten blijven staan.
kind: vs
fields:
  vroegsignaal.ID: Nummer   # de sleutel

values:
  # eigen vertalingen
  contactsoort:
    "Per duif": Overige     # al eerder besloten

# slot
"""


def review_file(tmp_path: Path, entries: list[ReviewEntry]) -> Path:
    path = tmp_path / "review.yaml"
    write_review(path, entries)
    return path


def test_accept_keeps_comments_and_layout(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    review = review_file(
        tmp_path,
        [
            entry("contactsoort", "Klant nam contact op n.a.v. brief", "Brief"),
            entry("dagdeel", "Nacht", "Avond"),
            entry("signaalpartner", "CAK"),  # still open
            entry("contactsoort", "per duif", "Overige"),  # already there (normalised)
        ],
    )
    summary = accept_review(review, mapping)
    assert [(f, v, a) for f, v, a in summary.added] == [
        ("contactsoort", "Klant nam contact op n.a.v. brief", "Brief"),
        ("dagdeel", "Nacht", "Avond"),
    ]
    assert (summary.already, summary.open) == (1, 1)
    text = mapping.read_text(encoding="utf-8")
    for line in MAPPING.splitlines():
        assert line in text.splitlines(), f"lost: {line!r}"
    data = yaml.safe_load(text)
    assert data["values"] == {
        "contactsoort": {"Per duif": "Overige", "Klant nam contact op n.a.v. brief": "Brief"},
        "dagdeel": {"Nacht": "Avond"},
    }
    assert (
        Standardizer(data["values"]).standard("contactsoort", "klant nam contact op n.a.v. brief") == "Brief"
    )
    # taking the same file over twice changes nothing
    again = accept_review(review, mapping)
    assert (again.added, again.already) == ([], 3)
    assert mapping.read_text(encoding="utf-8") == text


def test_accept_without_values_section(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: shv\r\nfields:\r\n  startdatum: Start\r\n", encoding="utf-8")
    accept_review(review_file(tmp_path, [entry("geslacht", "no", "Onbekend")]), mapping)
    raw = mapping.read_bytes().decode("utf-8")
    assert "\r\n" in raw and "\n" not in raw.replace("\r\n", "")  # line endings kept
    assert yaml.safe_load(raw)["values"] == {"geslacht": {"no": "Onbekend"}}


def test_accept_into_flow_style_values(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "kind: vs  # soort\nvalues: {dagdeel: {Nacht: Avond}}\nfields: {vroegsignaal.ID: Nr}\n",
        encoding="utf-8",
    )
    accept_review(review_file(tmp_path, [entry("dagdeel", "Vroeg", "Ochtend")]), mapping)
    text = mapping.read_text(encoding="utf-8")
    assert "kind: vs  # soort" in text
    data = yaml.safe_load(text)
    assert data["values"] == {"dagdeel": {"Nacht": "Avond", "Vroeg": "Ochtend"}}
    assert data["fields"] == {"vroegsignaal.ID": "Nr"}


def test_accept_conflict_changes_nothing(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    review = review_file(
        tmp_path, [entry("dagdeel", "Nacht", "Avond"), entry("contactsoort", "Per duif!", "Brief")]
    )
    with pytest.raises(ReviewError) as caught:
        accept_review(review, mapping)
    assert caught.value.code == "REVIEW_CONFLICT"
    assert "Overige" in caught.value.message and "Brief" in caught.value.message
    assert mapping.read_text(encoding="utf-8") == MAPPING


def test_accept_rejects_a_value_that_is_not_official(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    review = tmp_path / "review.yaml"
    review.write_text(
        "entries:\n- {field: dagdeel, value: Nacht, count: 1, accept: Avond}\n"
        "- {field: contactsoort, value: Duif, count: 1, accept: sms/whatsapp}\n",
        encoding="utf-8",
    )
    with pytest.raises(ReviewError) as caught:
        accept_review(review, mapping)
    assert caught.value.code == "REVIEW_INVALID"
    assert "Bedoelt u 'SMS/Whatsapp'" in caught.value.message
    assert mapping.read_text(encoding="utf-8") == MAPPING


@pytest.mark.parametrize(
    "text",
    ["kind: [\n", "- a\n- b\n", "values: 3\n", "values:\n  kleur: {a: b}\n"],
)
def test_accept_into_unusable_mapping(tmp_path: Path, text: str) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(text, encoding="utf-8")
    with pytest.raises(ReviewError) as caught:
        accept_review(review_file(tmp_path, [entry("dagdeel", "Nacht", "Avond")]), mapping)
    assert caught.value.code == "REVIEW_MAPPING_INVALID"
    assert mapping.read_text(encoding="utf-8") == text


def test_accept_refuses_punctuation_only_values(tmp_path: Path) -> None:
    """'-' cannot be an override key (it normalises to nothing): the review says where it belongs instead."""
    review = tmp_path / "review.yaml"
    review.write_text(
        "entries:\n- {field: geslacht, value: '-', count: 4, accept: Onbekend}\n", encoding="utf-8"
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    with pytest.raises(ReviewError) as caught:
        accept_review(review, mapping)
    assert caught.value.code == "REVIEW_INVALID" and "empty_values" in caught.value.message
    assert mapping.read_text(encoding="utf-8") == MAPPING


def test_reason_and_mapped_list_round_trip(tmp_path: Path) -> None:
    """Each entry says why it was not mapped; values the rules mapped are listed with their reason."""
    standardizer = Standardizer()
    unmapped = entry("contactsoort", "Brief en huisbezoek")
    unmapped.reason = standardizer.explain("contactsoort", "Brief en huisbezoek").reason
    match = standardizer.lookup("contactsoort", "geen gehoor bij huisbezoek")
    assert match is not None
    translations = [
        Translation("contactsoort", "geen gehoor bij huisbezoek", match.standard, "rule", 4, match.reason),
        Translation("contactsoort", "Tel.", "Telefoon", "dictionary", 9),
        Translation("contactsoort", "Post", "Brief", "override", 1),
    ]
    path = tmp_path / "review.yaml"
    write_review(path, [unmapped], mapped_entries(translations))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["entries"][0]["reason"].startswith("Noemt meer dan één standaardwaarde")
    assert data["mapped"] == [
        {
            "field": "contactsoort",
            "value": "geen gehoor bij huisbezoek",
            "count": 4,
            "standard": "Huisbezoek",
            "reason": match.reason,
        }
    ]  # only what the rules recognised: the dictionary and the mapping spell their values out
    (loaded,) = load_review(path)
    assert loaded.reason == unmapped.reason
    # written again, the reason stays and the list is rewritten from the new translations
    write_review(path, [unmapped])
    assert "mapped" not in yaml.safe_load(path.read_text(encoding="utf-8"))


def test_mapped_list_masks_bsns(tmp_path: Path) -> None:
    translations = [
        Translation("contactsoort", "Huisbezoek 123456782", "Huisbezoek", "rule", 1, "… '123456782' …")
    ]
    text = dump_review([], mapped_entries(translations))
    assert "123456782" not in text and "*****6782" in text


def test_accept_ignores_the_mapped_list(tmp_path: Path) -> None:
    review = tmp_path / "review.yaml"
    translations = [Translation("contactsoort", "Huis bezoek", "Huisbezoek", "rule", 2, "reden")]
    write_review(review, [entry("dagdeel", "Nacht", "Avond")], mapped_entries(translations))
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("kind: vs\n", encoding="utf-8")
    summary = accept_review(review, mapping)
    assert summary.added == [("dagdeel", "Nacht", "Avond")]
    assert "Huis bezoek" not in mapping.read_text(encoding="utf-8")
