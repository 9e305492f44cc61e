"""The document, gemeente, person and VS rules never raise, whatever the shape of the (invalid) input."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from _doc_driver import run, shv_document, vs_document
from hypothesis import given, settings
from hypothesis import strategies as st

from ddas.spec.kinds import Kind

DATES = st.sampled_from(
    ["2025-01-01", "2025-06-30", "2025-02-29", "2025-13-45", "", "2025-1-1", "0001-01-01"]
)
TEXT = st.sampled_from(
    ["0363", "GM0363", "GM001", "Onbekend", "111222333", "1011 ab", "1011AB", "12", "x@y.nl"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    DATES,
    TEXT,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
REFERENCE = {"0363": (dt.date(1900, 1, 1), None), "0518": (None, dt.date(2000, 1, 1))}


def _paths(node: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*path, i))
    return out


SHV_PATHS = _paths(shv_document())[1:]
VS_PATHS = _paths(vs_document())[1:]


def _apply(doc: dict[str, Any], mutations: list[tuple[tuple[str | int, ...], Any]]) -> dict[str, Any]:
    for path, value in mutations:
        node: Any = doc
        for part in path[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            with contextlib.suppress(IndexError, TypeError):
                node[path[-1]] = value
    return doc


def _exercise(doc: Any, kind: Kind) -> None:
    for streaming in (False, True):
        for finding in run(doc, kind, streaming=streaming, gemeenten=REFERENCE):
            finding.message("nl")
            finding.message("en")
            finding.to_dict()
    run(doc, kind, zaken_first=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SHV_PATHS), st.one_of(JSON, DATES, TEXT)), max_size=6))
def test_mutated_shv_documents_never_raise(mutations: list[tuple[tuple[str | int, ...], Any]]) -> None:
    _exercise(_apply(shv_document(), mutations), Kind.SHV)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(VS_PATHS), st.one_of(JSON, DATES, TEXT)), max_size=6))
def test_mutated_vs_documents_never_raise(mutations: list[tuple[tuple[str | int, ...], Any]]) -> None:
    _exercise(_apply(vs_document(), mutations), Kind.VS)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_random_documents_never_raise(doc: Any) -> None:
    for kind in Kind:
        _exercise(doc, kind)
        _exercise({"leveringen": [doc, {"aanleverende_organisatie": doc}]}, kind)
        _exercise(
            {
                "leveringen": [
                    {"schuldhulptrajecten": [doc, {"client": [doc]}]},
                    {
                        "vroegsignalen": [doc, {"client": doc}],
                        "vroegsignaalzaken": [doc, {"vroegsignalen": [doc]}],
                    },
                ]
            },
            kind,
        )


def test_bsn_never_appears_in_clear() -> None:
    """Every finding about a client of the default documents, made wrong in every way at once."""
    doc = shv_document()
    client = doc["leveringen"][0]["schuldhulptrajecten"][0]["client"]
    client.append(dict(client[0], Geslachtsaanduiding="M", Postcode="1011 ab"))
    client[0]["Burgerservicenummer"] = "123456789"
    texts = [repr(f.to_dict("nl")) + repr(f.to_dict("en")) + repr(dict(f.params)) for f in run(doc, Kind.SHV)]
    assert texts
    assert not any("111222333" in t or "123456789" in t for t in texts)
