"""The mapping loader: valid mappings load, every kind of mistake gives a clear Dutch error with a stable code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from _sources_helpers import EXAMPLES, SHV_MAPPING, VS_MAPPING, mapping
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddas.sources import MappingError, load_mapping, mapping_from_text
from ddas.sources.mapping import Column, Constant
from ddas.sources.model import FieldType
from ddas.spec.kinds import Kind


def test_examples_load() -> None:
    shv = load_mapping(EXAMPLES / "mapping-shv.yaml")
    assert shv.kind is Kind.SHV and shv.traject_key == "Dossiernummer"
    assert shv.gemeentecode == Column("Gemeentecode")
    assert [t.group for t in shv.tables] == ["schulden"]
    vs = load_mapping(EXAMPLES / "mapping-vs.yaml")
    assert vs.kind is Kind.VS and vs.sheet == "Signalen" and vs.zaak_key == "Zaaknummer"
    assert [t.group for t in vs.tables] == ["contactpogingen"]


def test_field_types_follow_the_model() -> None:
    loaded = load_mapping(
        mapping(
            SHV_MAPPING,
            fields={
                "startdatum": "A",
                "client.0.Geboortedatum": "B",  # a string in the schema, a date by the FAQ
                "client.0.Geslachtsaanduiding": "C",  # a string in the schema, the geslacht enum by the FAQ
                "schulden[].bedrag": "D",
                "aanmelding.crisisinterventie": "E",
                "uitstroom.reden": "F",
                "client.1.Postcode": "G",
            },
        )
    )
    types = {spec.path: (spec.leaf.type, spec.leaf.enum_field) for spec in loaded.fields}
    assert types == {
        "startdatum": (FieldType.DATE, None),
        "client.0.Geboortedatum": (FieldType.DATE, None),
        "client.0.Geslachtsaanduiding": (FieldType.ENUM, "geslacht"),
        "schulden[].bedrag": (FieldType.AMOUNT, None),
        "aanmelding.crisisinterventie": (FieldType.BOOLEAN, None),
        "uitstroom.reden": (FieldType.ENUM, "uitstroomreden"),
        "client.1.Postcode": (FieldType.TEXT, None),
    }


def test_defaults_and_constants() -> None:
    loaded = load_mapping(
        mapping(
            SHV_MAPPING,
            source={"encoding": "Windows-1252", "delimiter": "tab"},
            fields={
                "startdatum": {"column": "A", "date_format": ["%d-%m-%Y", "%Y%m%d"]},
                "aanmelding.crisisinterventie": {"value": "ja"},
                "totaalSchuldbedragBijAanvangSchuld": {"value": "1.234,50"},
                "client.0.Geslachtsaanduiding": {"column": "G", "values": {"X": "Onbekend", "-": None}},
            },
        )
    )
    assert (loaded.encoding, loaded.delimiter) == ("cp1252", "\t")
    specs = {spec.path: spec for spec in loaded.fields}
    assert specs["startdatum"].date_formats == ("%d-%m-%Y", "%Y%m%d")
    assert specs["aanmelding.crisisinterventie"].source == Constant(True)
    assert specs["totaalSchuldbedragBijAanvangSchuld"].source == Constant(1235)
    assert specs["client.0.Geslachtsaanduiding"].values == {"x": "Onbekend", "-": None}
    assert loaded.gemeentecode == Constant("0999")  # from the organisation, which is the gemeente


def codes(data: Any) -> list[str]:
    with pytest.raises(MappingError) as caught:
        load_mapping(data)
    error = caught.value
    assert error.message.startswith("De mapping") and "[" in error.message
    assert error.code == error.problems[0][0]
    return [code for code, _ in error.problems]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "schulden"}, "MAPPING_KIND"),
        ({"kind": None}, "MAPPING_KIND"),
        ({"version": 2}, "MAPPING_VERSION"),
        ({"kleur": "rood"}, "MAPPING_UNKNOWN_KEY"),
        ({"source": {"encoding": "klingon"}}, "MAPPING_ENCODING"),
        ({"source": {"encoding": "rot13"}}, "MAPPING_ENCODING"),
        ({"source": {"delimiter": ";;"}}, "MAPPING_DELIMITER"),
        ({"source": {"format": "ods"}}, "MAPPING_FORMAT"),
        ({"source": "utf-8"}, "MAPPING_VALUE_TYPE"),
        ({"defaults": {"date_format": "%d-%m"}}, "MAPPING_DATE_FORMAT"),
        ({"defaults": {"date_format": "dd-mm-jjjj"}}, "MAPPING_DATE_FORMAT"),
        ({"defaults": {"decimal": ";"}}, "MAPPING_DECIMAL"),
        ({"empty_values": "-"}, "MAPPING_VALUE_TYPE"),
        ({"organisation": None}, "MAPPING_ORGANISATION"),
        ({"organisation": {"postcode": "1234AB"}}, "MAPPING_ORGANISATION"),
        ({"organisation": {"name": "X", "contacts": "iemand"}}, "MAPPING_VALUE_TYPE"),
        ({"organisation": {"name": "X", "contacts": [{"naam": "A", "leeftijd": 3}]}}, "MAPPING_UNKNOWN_KEY"),
        ({"organisation": {"name": "X"}}, "MAPPING_GEMEENTECODE"),
        ({"gemeentecode": 363}, "MAPPING_VALUE_TYPE"),
        ({"fields": None}, "MAPPING_FIELDS"),
        ({"fields": {"begindatum": "A"}}, "MAPPING_FIELD_UNKNOWN"),
        ({"fields": {"client.Burgerservicenummer": "A"}}, "MAPPING_FIELD_UNKNOWN"),
        ({"fields": {"client.2.Burgerservicenummer": "A"}}, "MAPPING_FIELD_UNKNOWN"),
        ({"fields": {"intake": "A"}}, "MAPPING_FIELD_UNKNOWN"),
        ({"fields": {"startdatum": {"column": "A", "value": "01-01-2024"}}}, "MAPPING_FIELD_SOURCE"),
        ({"fields": {"startdatum": {"kolom": "A"}}}, "MAPPING_UNKNOWN_KEY"),
        ({"fields": {"startdatum": 3}}, "MAPPING_VALUE_TYPE"),
        ({"fields": {"startdatum": {"value": "31-02-2024"}}}, "MAPPING_VALUE_TYPE"),
        ({"fields": {"aanmelding.crisisinterventie": {"value": "misschien"}}}, "MAPPING_VALUE_TYPE"),
        ({"fields": {"uitstroom.reden": {"value": "Klaar"}}}, "MAPPING_NOT_OFFICIAL"),
        (
            {"fields": {"uitstroom.reden": {"column": "R", "values": {"Klaar": "Klaar"}}}},
            "MAPPING_NOT_OFFICIAL",
        ),
        (
            {"fields": {"uitstroom.reden": {"column": "R", "values": {False: "Afgerond"}}}},
            "MAPPING_VALUE_TYPE",
        ),
        (
            {"fields": {"uitstroom.reden": {"column": "R", "values": {"a-b": "Afgerond", "A B": "Zelf"}}}},
            "MAPPING_VALUE_CONFLICT",
        ),
        ({"fields": {"gemeentecode": "G"}}, "MAPPING_FIELD_RESERVED"),
        ({"fields": {"schulden[].bedrag": "A", "schulden.0.peildatum": "B"}}, "MAPPING_GROUP_MIXED"),
        ({"zaak_key": "Z"}, "MAPPING_KEY_KIND"),
        ({"values": {"uitstroomreden": {"klaar": "Klaar"}}}, "STD_NOT_OFFICIAL"),
        ({"values": {"kleur": {"rood": "Man"}}}, "STD_UNKNOWN_FIELD"),
        ({"values": {"geslacht": {"no": False}}}, "MAPPING_VALUE_TYPE"),
        ({"values": ["a"]}, "MAPPING_VALUE_TYPE"),
        ({"tables": {"file": "x.csv"}}, "MAPPING_VALUE_TYPE"),
        (
            {"tables": [{"file": "x.csv", "key": "K", "group": "schulden", "fields": {"bedrag": "B"}}]},
            "MAPPING_TABLE",
        ),
    ],
)
def test_shv_mistakes(changes: dict[str, Any], code: str) -> None:
    assert code in codes(mapping(SHV_MAPPING, **changes))


TABLE = {"file": "pogingen.csv", "key": "Zaak", "group": "zaak.contactpogingen", "fields": {"soort": "Soort"}}


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"fields": {"vroegsignaal.bedrag": "B"}}, "MAPPING_REQUIRED"),
        ({"fields": {"vroegsignaal.ID": {"value": "1"}}}, "MAPPING_REQUIRED"),
        ({"fields": {"ID": "ID"}}, "MAPPING_FIELD_UNKNOWN"),
        ({"fields": {"vroegsignaal.ID": "ID", "zaak.vroegsignalen.0.ID": "X"}}, "MAPPING_FIELD_RESERVED"),
        ({"fields": {"vroegsignaal.ID": "ID", "zaak.contactpogingen[].soort": "S"}}, "MAPPING_GROUP_VS"),
        ({"zaak_key": None}, "MAPPING_ZAAK_KEY"),
        ({"traject_key": "T"}, "MAPPING_KEY_KIND"),
        ({"organisation": {"name": "X", "postcode": "1234AB"}}, "MAPPING_ORGANISATION"),
        ({"tables": [{**TABLE, "group": "contactpogingen"}]}, "MAPPING_TABLE"),
        ({"tables": [{**TABLE, "group": "zaak.resultaat"}]}, "MAPPING_TABLE"),
        ({"tables": [{**TABLE, "group": "zaak.vroegsignalen"}]}, "MAPPING_FIELD_RESERVED"),
        ({"tables": [{**TABLE, "key": None}]}, "MAPPING_TABLE"),
        ({"tables": [{**TABLE, "file": None}]}, "MAPPING_TABLE"),
        ({"tables": [{**TABLE, "fields": {"kleur": "K"}}]}, "MAPPING_FIELD_UNKNOWN"),
        (
            {
                "fields": {"vroegsignaal.ID": "ID", "zaak.contactpogingen.0.soort": "S"},
                "tables": [TABLE],
            },
            "MAPPING_GROUP_MIXED",
        ),
    ],
)
def test_vs_mistakes(changes: dict[str, Any], code: str) -> None:
    assert code in codes(mapping(VS_MAPPING, **changes))


def test_all_problems_at_once() -> None:
    found = codes(
        mapping(
            SHV_MAPPING,
            source={"encoding": "klingon"},
            defaults={"decimal": "x"},
            fields={"a": "A", "b": "B"},
        )
    )
    assert found.count("MAPPING_FIELD_UNKNOWN") == 2
    assert {"MAPPING_ENCODING", "MAPPING_DECIMAL"} <= set(found)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kind: shv\nkind: vs\n", "MAPPING_YAML_INVALID"),
        ("kind: [shv\n", "MAPPING_YAML_INVALID"),
        ("- kind\n", "MAPPING_NOT_A_MAPPING"),
        ("", "MAPPING_NOT_A_MAPPING"),
        ("kind: shv\n---\nkind: vs\n", "MAPPING_YAML_INVALID"),
        ("a: &x [*x]\n", "MAPPING_UNKNOWN_KEY"),
    ],
)
def test_text_mistakes(text: str, code: str) -> None:
    with pytest.raises(MappingError) as caught:
        mapping_from_text(text, "m.yaml")
    assert caught.value.code == code


def test_yaml_error_names_the_line() -> None:
    with pytest.raises(MappingError) as caught:
        mapping_from_text("kind: shv\nfields:\n  startdatum: Start\n  startdatum: Begin\n", "m.yaml")
    assert "regel 4" in caught.value.message and "twee keer" in caught.value.message


def test_file_errors(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping(tmp_path / "nope.yaml")
    assert caught.value.code == "MAPPING_NOT_FOUND"
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("kind: shv # café\n".encode("cp1252"))
    with pytest.raises(MappingError) as caught:
        load_mapping(latin)
    assert caught.value.code == "MAPPING_NOT_UTF8"


yaml_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12), st.dates()
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.one_of(
                st.sampled_from(
                    [
                        "kind",
                        "fields",
                        "organisation",
                        "source",
                        "tables",
                        "values",
                        "gemeentecode",
                        "column",
                        "value",
                        "group",
                        "key",
                        "file",
                        "name",
                        "startdatum",
                        "schulden[].bedrag",
                        "vroegsignaal.ID",
                        "client.0.Geslachtsaanduiding",
                        "geslacht",
                        "date_format",
                        "values",
                        "zaak_key",
                        "traject_key",
                    ]
                ),
                st.text(max_size=8),
            ),
            children,
            max_size=5,
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"kind": st.sampled_from(["shv", "vs", "x"])},
        optional={
            "fields": yaml_values,
            "organisation": yaml_values,
            "gemeentecode": yaml_values,
            "source": yaml_values,
            "tables": yaml_values,
            "values": yaml_values,
            "defaults": yaml_values,
            "zaak_key": yaml_values,
            "traject_key": yaml_values,
            "empty_values": yaml_values,
        },
    )
)
def test_fuzz_data(data: dict[str, Any]) -> None:
    """Whatever the mapping holds: a loaded mapping or a MappingError with a code — never another exception."""
    try:
        load_mapping(data)
    except MappingError as error:
        assert error.code.startswith(("MAPPING_", "STD_")) and error.problems


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_fuzz_text(text: str) -> None:
    try:
        mapping_from_text(text, "fuzz.yaml")
    except MappingError as error:
        assert error.code.startswith(("MAPPING_", "STD_"))


@settings(max_examples=200)
@given(yaml_values)
def test_fuzz_dumped_yaml(data: Any) -> None:
    try:
        mapping_from_text(yaml.safe_dump(data), "fuzz.yaml")
    except MappingError as error:
        assert error.code.startswith(("MAPPING_", "STD_"))
