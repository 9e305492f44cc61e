"""The completeness profile: exact counts on hand-made records, malformed records, model coverage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ddas.reports.completeness import CompletenessProfile, field_infos
from ddas.rules.base import Target, filled
from ddas.spec.kinds import Kind

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec"


def _traject_a() -> dict[str, Any]:
    return {
        "gemeentecode": "0363",
        "startdatum": "2024-01-10",
        "einddatum": "",
        "omschrijving": None,
        "client": [
            {
                "Burgerservicenummer": "111222333",
                "Geboortedatum": "1980-01-01",
                "Geslachtsaanduiding": "Man",
                "Postcode": "1234AB",
                "Huisnummer": "1",
            },
            {"Burgerservicenummer": "", "Geboortedatum": "1982-02-02"},
        ],
        "schulden": [
            {"bedrag": 100, "zakelijkeSchuld": False, "schuldeiser": {"naam": "Energie BV", "Naam": ""}},
            {"bedrag": 0, "schuldeiser": {}},
        ],
        "aanmelding": {"startdatum": "2024-01-05", "crisisinterventie": False},
        "intake": {"startdatum": "2024-02-01", "beschikkingssoort": "Toelatingsbeschikking"},
        "begeleiding": [],
    }


def _traject_b() -> dict[str, Any]:
    return {
        "gemeentecode": "0363",
        "client": [{"Burgerservicenummer": "123456782"}],
        "intake": {},
        "schulden": [{"bedrag": 50}],
    }


def _profile_shv(*trajecten: Any) -> dict[str, dict[str, list[int]]]:
    profile = CompletenessProfile(Kind.SHV)
    for traject in trajecten:
        profile.add(Target.TRAJECT, traject)
    return profile.result()


def test_shv_traject_counts_per_record_and_per_part() -> None:
    counts = _profile_shv(_traject_a(), _traject_b())["traject"]

    # Top-level fields: against all trajecten; "" and None are empty.
    assert counts["gemeentecode"] == [2, 2]
    assert counts["startdatum"] == [1, 2]
    assert counts["einddatum"] == [0, 2]
    assert counts["omschrijving"] == [0, 2]
    # Client fields: per client (3 clients in 2 trajecten).
    assert counts["client"] == [2, 2]
    assert counts["client.Burgerservicenummer"] == [2, 3]
    assert counts["client.Geboortedatum"] == [2, 3]
    assert counts["client.Postcode"] == [1, 3]
    # Schulden: per schuld; 0 and False are values, so filled.
    assert counts["schulden"] == [2, 2]
    assert counts["schulden.bedrag"] == [3, 3]
    assert counts["schulden.zakelijkeSchuld"] == [1, 3]
    # An empty schuldeiser object is not filled, but its fields count it as delivered.
    assert counts["schulden.schuldeiser"] == [1, 3]
    assert counts["schulden.schuldeiser.naam"] == [1, 2]
    assert counts["schulden.schuldeiser.Naam"] == [0, 2]
    # Phases: the phase against all trajecten, its fields against the trajecten that have it.
    assert counts["intake"] == [1, 2]
    assert counts["intake.startdatum"] == [1, 2]
    assert counts["intake.beschikkingssoort"] == [1, 2]
    assert counts["aanmelding"] == [1, 2]
    assert counts["aanmelding.crisisinterventie"] == [1, 1]
    assert counts["aanmelding.einddatum"] == [0, 1]
    # An empty list is not filled and delivers no items.
    assert counts["begeleiding"] == [0, 2]
    assert counts["begeleiding.soort"] == [0, 0]
    assert counts["moratoria"] == [0, 2]
    assert counts["moratoria.datumAanvraag"] == [0, 0]


def test_filled_has_the_meaning_of_rules_base_filled() -> None:
    values: list[Any] = ["", "x", " ", 0, 1, False, True, None, [], [1], {}, {"a": 1}, 0.0]
    counts = _profile_shv(*({"omschrijving": v} for v in values))["traject"]
    assert counts["omschrijving"] == [sum(filled(v) for v in values), len(values)]


def test_malformed_records_are_counted_without_raising() -> None:
    odd: list[Any] = [
        "not an object",
        None,
        [1, 2],
        {"client": {"Burgerservicenummer": "111222333"}},  # an object where a list belongs
        {"client": [1, None, "x", {"Postcode": "1234AB"}], "schulden": "veel"},
        {"intake": ["Toelatingsbeschikking"], "schulden": [[{"bedrag": 1}]], 7: "int key"},
        {"uitstroom": {"reden": {"nested": ["deep", {"deeper": None}]}}},
    ]
    counts = _profile_shv(*odd)["traject"]
    assert counts["gemeentecode"] == [0, len(odd)]
    assert counts["client"] == [2, len(odd)]
    # Only object items are clients: the one from the misplaced object and the one in the list.
    assert counts["client.Burgerservicenummer"] == [1, 2]
    assert counts["client.Postcode"] == [1, 2]
    # A string where a list of schulden belongs is "filled", but delivers no schulden.
    assert counts["schulden"] == [2, len(odd)]
    assert counts["schulden.bedrag"] == [0, 0]
    assert counts["intake"] == [1, len(odd)]
    assert counts["intake.startdatum"] == [0, 0]
    assert counts["uitstroom.reden"] == [1, 1]


def test_levering_fields_include_contact_email_and_skip_item_lists() -> None:
    profile = CompletenessProfile(Kind.SHV)
    profile.add(
        Target.LEVERING,
        {
            "teller": 1,
            "aanleverende_organisatie": {
                "(Statutaire) Naam": "Kredietbank",
                "contactpersonen": [{"email": "a@example.nl"}, {"naam": "Jan", "email": ""}],
            },
            "schuldhulptrajecten": [_traject_a()],
        },
    )
    profile.add(Target.LEVERING, {"teller": 2})
    result = profile.result()
    levering = result["levering"]
    assert levering["teller"] == [2, 2]
    assert levering["aanleverende_organisatie"] == [1, 2]
    assert levering["aanleverende_organisatie.(Statutaire) Naam"] == [1, 1]
    assert levering["aanleverende_organisatie.KvK-nummer"] == [0, 1]
    assert levering["aanleverende_organisatie.contactpersonen.email"] == [1, 2]
    assert levering["aanleverende_organisatie.contactpersonen.naam"] == [1, 2]
    assert not any(label.startswith("schuldhulptrajecten") for label in levering)
    # The trajecten inside the levering are not counted: the engine hands them over one by one.
    assert result["traject"]["gemeentecode"] == [0, 0]


def test_vs_signals_zaken_and_levering() -> None:
    profile = CompletenessProfile(Kind.VS)
    profile.add(
        Target.LEVERING,
        {
            "teller": 1,
            "gemeentecode": "0518",
            "aanleverende_organisatie": {"contactpersoonen": [{"email": "x"}]},
        },
    )
    profile.add(
        Target.VROEGSIGNAAL,
        {
            "ID": "1",
            "crisissignaal": False,
            "signaalpartner": {"type": "Energie"},
            "client": {"Postcode": "1234AB", "Huisnummer": "1", "Burgerservicenummer": "111222333"},
        },
    )
    profile.add(Target.VROEGSIGNAAL, {"ID": "2", "signaalpartner": {}, "client": {}})
    profile.add(
        Target.ZAAK,
        {
            "vroegsignalen": [{"ID": "1"}],
            "contactpogingen": [{"soort": "Telefoon", "bereikt": False}, {"soort": "Brief"}],
        },
    )
    result = profile.result()
    assert result["levering"]["gemeentecode"] == [1, 1]
    assert result["levering"]["aanleverende_organisatie.contactpersoonen.email"] == [1, 1]
    signal = result["vroegsignaal"]
    assert signal["ID"] == [2, 2]
    assert signal["crisissignaal"] == [1, 2]
    assert signal["bedrag"] == [0, 2]
    assert signal["signaalpartner"] == [1, 2]
    assert signal["signaalpartner.type"] == [1, 2]
    assert signal["client.Postcode"] == [1, 2]
    assert signal["client.Burgerservicenummer"] == [1, 2]
    zaak = result["zaak"]
    assert zaak["resultaat"] == [0, 1]
    assert zaak["vroegsignalen.ID"] == [1, 1]
    assert zaak["contactpogingen"] == [1, 1]
    assert zaak["contactpogingen.soort"] == [2, 2]
    assert zaak["contactpogingen.bereikt"] == [1, 2]
    assert zaak["contactpogingen.dagdeel"] == [0, 2]


def test_targets_of_another_kind_and_end_markers_are_ignored() -> None:
    profile = CompletenessProfile(Kind.VS)
    profile.add(Target.TRAJECT, _traject_a())
    profile.add(Target.END_LEVERING, None)
    profile.add(Target.END_DOCUMENT, None)
    result = profile.result()
    assert set(result) == {"document", "levering", "vroegsignaal", "zaak"}
    assert all(total == 0 for fields in result.values() for _, total in fields.values())


def test_document_header_fields() -> None:
    profile = CompletenessProfile(Kind.SHV)
    profile.add(Target.DOCUMENT, {"startdatumLevering": "2024-01-01", "codeGegevensleverancier": ""})
    document = profile.result()["document"]
    assert document == {
        "startdatumLevering": [1, 1],
        "einddatumLevering": [0, 1],
        "aanleverdatumEnTijd": [0, 1],
        "codeGegevensleverancier": [0, 1],
    }


@pytest.mark.parametrize("kind", list(Kind))
def test_field_infos_describe_every_profiled_field_in_order(kind: Kind) -> None:
    result = CompletenessProfile(kind).result()
    infos = field_infos(kind)
    assert list(infos) == list(result)
    for obj_type, fields in result.items():
        assert list(infos[obj_type]) == list(fields)
        for label, info in infos[obj_type].items():
            assert info.depth == label.count(".")
            assert info.of_nl and info.of_en
    traject_or_signal = "traject" if kind is Kind.SHV else "vroegsignaal"
    assert infos[traject_or_signal]["client.Burgerservicenummer"].core


def test_denominator_descriptions() -> None:
    infos = field_infos(Kind.SHV)["traject"]
    assert infos["startdatum"].of_nl == "trajecten"
    assert infos["intake.beschikkingssoort"].of_nl == "trajecten met intake"
    assert infos["client.Postcode"].of_nl == "cliënten"
    assert infos["schulden.schuldeiser.naam"].of_nl == "schulden met schuldeiser"
    assert infos["schulden.schuldeiser.naam"].depth == 2


# --- coverage of the published exchange models ----------------------------------------------------------


def _schema_labels(node: dict[str, Any], defs: dict[str, Any], prefix: str, skip: set[str]) -> set[str]:
    labels: set[str] = set()
    for key, prop in node.get("properties", {}).items():
        if key in skip:
            continue
        labels.add(prefix + key)
        target = prop.get("items", prop) if prop.get("type") == "array" else prop
        if "properties" in target:
            labels |= _schema_labels(target, defs, prefix + key + ".", set())
    return labels


def _schema(name: str) -> dict[str, Any]:
    path = SPEC / name / "schema.json"
    if not path.exists():
        pytest.skip(f"official schema not available at {path}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def test_every_shv_schema_field_is_profiled() -> None:
    schema = _schema("shv-v1.0")
    defs = schema["$defs"]
    levering = schema["properties"]["leveringen"]["items"]
    traject = levering["properties"]["schuldhulptrajecten"]["items"]
    result = CompletenessProfile(Kind.SHV).result()
    assert set(result["document"]) == _schema_labels(schema, defs, "", {"leveringen"})
    assert set(result["levering"]) == _schema_labels(levering, defs, "", {"schuldhulptrajecten"})
    assert set(result["traject"]) == _schema_labels(traject, defs, "", set())


def test_every_vs_schema_field_is_profiled() -> None:
    schema = _schema("vs-v0.9")
    defs = schema["$defs"]
    levering = schema["properties"]["leveringen"]["items"]
    result = CompletenessProfile(Kind.VS).result()
    assert set(result["document"]) == _schema_labels(schema, defs, "", {"leveringen"})
    assert set(result["levering"]) == _schema_labels(
        levering, defs, "", {"vroegsignalen", "vroegsignaalzaken"}
    )
    signal = levering["properties"]["vroegsignalen"]["items"]
    zaak = levering["properties"]["vroegsignaalzaken"]["items"]
    assert set(result["vroegsignaal"]) == _schema_labels(signal, defs, "", set())
    assert set(result["zaak"]) == _schema_labels(zaak, defs, "", set())


def test_official_example_profiles_without_surprises() -> None:
    path = SPEC / "shv-v1.0" / "meervoudigVoorbeeld.json"
    if not path.exists():
        pytest.skip(f"official example not available at {path}")
    document = json.loads(path.read_text(encoding="utf-8"))
    profile = CompletenessProfile(Kind.SHV)
    profile.add(Target.DOCUMENT, document)
    n = 0
    for levering in document["leveringen"]:
        profile.add(Target.LEVERING, levering)
        for traject in levering["schuldhulptrajecten"]:
            profile.add(Target.TRAJECT, traject)
            n += 1
    counts = profile.result()["traject"]
    assert counts["gemeentecode"] == [n, n]
    clients = sum(len(t["client"]) for lev in document["leveringen"] for t in lev["schuldhulptrajecten"])
    assert counts["client.Burgerservicenummer"][1] == clients
