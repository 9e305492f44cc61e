"""The models: exact round trips, published names, open and closed objects, no null, Python construction."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _spec_corpus import (
    SKIP_REASON,
    SPEC_DIR,
    complete,
    example_paths,
    official_schema,
    reference_validator,
    resolve,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ddas.spec import shv, vs
from ddas.spec._base import json_equal
from ddas.spec.kinds import Kind
from ddas.spec.models import dump_document, load_document, model_for
from ddas.spec.schema import json_schema, schema_validator

EXAMPLES = example_paths()
needs_spec = pytest.mark.skipif(not SPEC_DIR.is_dir(), reason=SKIP_REASON)

SHV_MINIMAL: dict[str, Any] = {
    "startdatumLevering": "2024-01-01",
    "einddatumLevering": "2024-06-30",
    "aanleverdatumEnTijd": "2024-07-03T09:15:00+02:00",
    "codeGegevensleverancier": "Pakket 2.1",
    "leveringen": [{"teller": 1, "aanleverende_organisatie": {}}],
}
VS_MINIMAL: dict[str, Any] = {
    "startdatumLevering": "2024-01-01",
    "einddatumLevering": "2024-06-30",
    "aanleverdatumEnTijd": "2024-07-03T09:15:00Z",
    "codeGegevensleverancier": "Pakket 2.1",
}


def _round_trip(document: Any, kind: Kind) -> Any:
    return dump_document(load_document(document, kind))


@pytest.mark.skipif(not EXAMPLES, reason=SKIP_REASON)
@pytest.mark.parametrize(("kind", "path"), EXAMPLES, ids=[f"{k.value}-{p.stem}" for k, p in EXAMPLES])
def test_official_examples_round_trip_exactly(kind: Kind, path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    assert _round_trip(document, kind) == document
    completed = complete(official_schema(kind), official_schema(kind), document)
    assert _round_trip(completed, kind) == completed


@pytest.mark.parametrize(("kind", "document"), [(Kind.SHV, SHV_MINIMAL), (Kind.VS, VS_MINIMAL)])
def test_absent_stays_absent(kind: Kind, document: dict[str, Any]) -> None:
    dumped = _round_trip(document, kind)
    assert dumped == document
    assert json.dumps(dumped, sort_keys=True) == json.dumps(document, sort_keys=True)


def test_published_names_and_pythonic_attributes() -> None:
    document = json.loads(json.dumps(SHV_MINIMAL))
    document["leveringen"][0]["aanleverende_organisatie"] = {
        "(Statutaire) Naam": "X",
        "KvK-nummer": "12345678",
    }
    document["leveringen"][0]["schuldhulptrajecten"] = [
        {"gemeentecode": "0518", "schulden": [{"schuldeiser": {"naam": "a", "Naam": "b"}}]}
    ]
    model = load_document(document, Kind.SHV)
    assert isinstance(model, shv.ShvDocument)
    levering = model.leveringen[0]
    assert levering.aanleverende_organisatie.statutaire_naam == "X"
    assert levering.aanleverende_organisatie.kvk_nummer == "12345678"
    assert levering.schuldhulptrajecten is not None
    schulden = levering.schuldhulptrajecten[0].schulden
    assert schulden is not None and schulden[0].schuldeiser is not None
    assert (schulden[0].schuldeiser.naam, schulden[0].schuldeiser.naam_subject) == ("a", "b")
    assert model.startdatum_levering == date(2024, 1, 1)
    assert model.aanleverdatum_en_tijd == "2024-07-03T09:15:00+02:00"
    assert dump_document(model) == document


def test_vs_typos_are_published_names_only() -> None:
    zaak = {"startdatum_matchtingperiode": "2024-01-01", "vroegsignalen": [{"ID": "1"}]}
    organisatie = {"kvk-nummer": "12345678", "contactpersoonen": [{"email": "a@b.nl"}], "contactpersonen": []}
    document = {
        **VS_MINIMAL,
        "leveringen": [
            {
                "teller": 1,
                "gemeentecode": "0518",
                "aanleverende_organisatie": organisatie,
                "vroegsignaalzaken": [zaak],
            }
        ],
    }
    model = load_document(document, Kind.VS)
    assert isinstance(model, vs.VsDocument) and model.leveringen is not None
    levering = model.leveringen[0]
    assert levering.aanleverende_organisatie.kvk_nummer == "12345678"
    assert levering.aanleverende_organisatie.contactpersonen == [vs.Contactpersoon(email="a@b.nl")]
    # The correctly spelled `contactpersonen` is an unknown field of an open object: kept, not merged.
    assert levering.aanleverende_organisatie.model_extra == {"contactpersonen": []}
    assert levering.vroegsignaalzaken is not None
    assert levering.vroegsignaalzaken[0].startdatum_matchingperiode == date(2024, 1, 1)
    assert dump_document(model) == document


def test_a_key_spelled_like_an_attribute_is_an_unknown_field_not_the_field() -> None:
    document = json.loads(json.dumps(SHV_MINIMAL))
    document["leveringen"][0]["aanleverende_organisatie"] = {"KvK-nummer": "1", "kvk_nummer": "2"}
    organisatie = load_document(document, Kind.SHV).leveringen[0].aanleverende_organisatie
    assert organisatie.kvk_nummer == "1"
    assert organisatie.model_extra == {"kvk_nummer": "2"}
    assert _round_trip(document, Kind.SHV) == document
    # In a closed object the attribute name is simply unknown.
    closed = {**SHV_MINIMAL, "startdatum_levering": "2024-01-01"}
    with pytest.raises(ValidationError):
        load_document(closed, Kind.SHV)


def test_unknown_fields_survive_in_open_objects_and_fail_in_closed_ones() -> None:
    extra = {"nested": {"list": [1, 1.5, None, True, "x"], "big": 10**30}, "nul": None}
    document = json.loads(json.dumps(SHV_MINIMAL))
    document["leveringen"][0]["aanleverende_organisatie"] = {
        "contactpersonen": [{"naam": "a", **extra}],
        **extra,
    }
    document["leveringen"][0]["schuldhulptrajecten"] = [
        {"gemeentecode": "0518", "client": [{"Burgerservicenummer": "1", **extra}], "uitstroom": {**extra}}
    ]
    assert _round_trip(document, Kind.SHV) == document
    for closed in (document, document["leveringen"][0], document["leveringen"][0]["schuldhulptrajecten"][0]):
        closed["onbekend"] = 1
        with pytest.raises(ValidationError):
            load_document(document, Kind.SHV)
        del closed["onbekend"]


def test_null_is_never_a_value_of_a_field_but_may_be_an_unknown_field() -> None:
    document = json.loads(json.dumps(SHV_MINIMAL))
    document["leveringen"][0]["schuldhulptrajecten"] = [{"gemeentecode": "0518", "omschrijving": None}]
    with pytest.raises(ValidationError, match="null is not allowed"):
        load_document(document, Kind.SHV)
    with pytest.raises(ValidationError):
        shv.Schuldhulptraject(gemeentecode="0518", omschrijving=None)
    document["leveringen"][0]["schuldhulptrajecten"] = [{"gemeentecode": "0518", "aanmelding": {"x": None}}]
    assert _round_trip(document, Kind.SHV) == document


def test_values_keep_their_exact_form() -> None:
    document = {**VS_MINIMAL, "aanleverdatumEnTijd": "2024-07-03t09:15:00.123456789z"}
    assert _round_trip(document, Kind.VS) == document
    # An integer written 1.0 is valid (JSON Schema) and comes back as 1, which JSON compares equal.
    shv_doc = json.loads(json.dumps(SHV_MINIMAL))
    shv_doc["leveringen"][0]["teller"] = 1.0
    dumped = _round_trip(shv_doc, Kind.SHV)
    assert dumped == shv_doc and dumped["leveringen"][0]["teller"] == 1
    assert type(dumped["leveringen"][0]["teller"]) is int


def test_wrong_json_types_are_not_coerced() -> None:
    for teller in ("1", True, 1.5):
        document = json.loads(json.dumps(SHV_MINIMAL))
        document["leveringen"][0]["teller"] = teller
        with pytest.raises(ValidationError):
            load_document(document, Kind.SHV)
    with pytest.raises(ValidationError):
        load_document({**SHV_MINIMAL, "codeGegevensleverancier": 5}, Kind.SHV)
    with pytest.raises(ValidationError):
        load_document({**SHV_MINIMAL, "startdatumLevering": "2024-1-1"}, Kind.SHV)
    for not_an_object in ([], "x", None, 1):
        with pytest.raises(ValidationError):
            load_document(not_an_object, Kind.VS)


def test_python_construction_by_attribute_names() -> None:
    document = shv.ShvDocument(
        startdatum_levering=date(2024, 1, 1),
        einddatum_levering=date(2024, 12, 31),
        aanleverdatum_en_tijd="2025-01-02T08:00:00Z",
        code_gegevensleverancier="ddas 0.1",
        leveringen=[
            shv.Levering(
                teller=1,
                aanleverende_organisatie=shv.AanleverendeOrganisatie(statutaire_naam="Gemeente X"),
                schuldhulptrajecten=[shv.Schuldhulptraject(gemeentecode="0518", startdatum=date(2024, 3, 1))],
            )
        ],
    )
    dumped = dump_document(document)
    assert dumped["leveringen"][0]["aanleverende_organisatie"] == {"(Statutaire) Naam": "Gemeente X"}
    assert dumped["leveringen"][0]["schuldhulptrajecten"] == [
        {"gemeentecode": "0518", "startdatum": "2024-03-01"}
    ]
    assert schema_validator(Kind.SHV).is_valid(dumped)
    assert model_for(Kind.SHV) is shv.ShvDocument and model_for(Kind.VS) is vs.VsDocument


def test_unique_items_follow_json_schema_equality() -> None:
    assert json_equal(1, 1.0) and json_equal({"a": [1]}, {"a": [1.0]})
    assert not json_equal(True, 1) and not json_equal([False], [0]) and not json_equal({"a": 1}, {"b": 1})
    assert not json_equal("1", 1) and not json_equal([1], [1, 1])
    zaak = {"vroegsignalen": [{"ID": "1"}, {"ID": "1"}]}
    document = {
        **VS_MINIMAL,
        "leveringen": [
            {"teller": 1, "gemeentecode": "0518", "aanleverende_organisatie": {}, "vroegsignaalzaken": [zaak]}
        ],
    }
    with pytest.raises(ValidationError, match="uniqueItems"):
        load_document(document, Kind.VS)
    with pytest.raises(ValidationError, match="uniqueItems"):
        vs.Vroegsignaalzaak(
            vroegsignalen=[vs.VroegsignaalReferentie(id="1"), vs.VroegsignaalReferentie(id="1")]
        )


# --- property-based: documents generated from ddas's schema -------------------------------------------------

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
)
_json = st.recursive(
    _json_leaf,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner, max_size=2),
    max_leaves=4,
)
_date = st.one_of(st.dates().map(date.isoformat), st.from_regex(r"\A[0-9]{4}-[01][0-9]-[0-3][0-9]\Z"))
_date_time = st.builds(
    lambda moment, sep, zone: moment.isoformat(sep=sep, timespec="seconds") + zone,
    st.datetimes(),
    st.sampled_from(["T", "t"]),
    st.sampled_from(["Z", "z", "+01:00", "-09:30"]),
)


def _strategy(root: dict[str, Any], schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    schema = resolve(root, schema)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", ()))
        open_object = schema.get("additionalProperties") is not False
        extras = (
            st.dictionaries(st.text(max_size=6).filter(lambda k: k not in props), _json, max_size=2)
            if open_object
            else st.just({})
        )
        fields = st.fixed_dictionaries(
            {name: _strategy(root, props[name]) for name in props if name in required},
            optional={name: _strategy(root, props[name]) for name in props if name not in required},
        )
        return st.builds(lambda extra, known: {**extra, **known}, extras, fields)
    if kind == "array":
        return st.lists(
            _strategy(root, schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 2), 2),
        )
    if kind == "integer":
        return st.one_of(st.integers(), st.integers(-(2**53), 2**53).map(float))
    if kind == "boolean":
        return st.booleans()
    fmt = schema.get("format")
    if fmt == "date":
        return _date
    if fmt == "date-time":
        return _date_time
    if fmt == "email":
        return st.text(max_size=4).map(lambda local: f"{local}@x")
    return st.text(max_size=6)


_STRATEGIES = {kind: _strategy(json_schema(kind), json_schema(kind)) for kind in Kind}


@needs_spec
@pytest.mark.parametrize("kind", list(Kind))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_generated_documents_are_judged_alike_and_round_trip(kind: Kind, data: st.DataObject) -> None:
    document = data.draw(_STRATEGIES[kind])
    official = reference_validator(official_schema(kind)).is_valid(document)
    event("valid" if official else "invalid")
    assert schema_validator(kind).is_valid(document) == official
    try:
        dumped = _round_trip(document, kind)
    except ValidationError:
        assert not official
    else:
        assert official
        assert dumped == document
