"""The SHV traject rules never raise, whatever the shape of the (schema-invalid) input."""

from __future__ import annotations

import contextlib
from typing import Any

from _shv_driver import full_traject, run
from hypothesis import given, settings
from hypothesis import strategies as st

DATES = st.sampled_from(
    ["2024-01-01", "2024-06-30", "2025-02-29", "2024-13-45", "", "2024-1-1", "9999-12-31"]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    DATES,
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _mutations() -> st.SearchStrategy[list[tuple[tuple[str | int, ...], Any]]]:
    """Paths into a complete traject and random values to put there: deep, realistic and wrong at once."""
    paths = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        paths.append(path)
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, (*path, k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, (*path, i))

    walk(full_traject(), ())
    return st.lists(st.tuples(st.sampled_from(paths[1:]), st.one_of(JSON, DATES)), max_size=6)


def _apply(mutations: list[tuple[tuple[str | int, ...], Any]]) -> dict[str, Any]:
    traject = full_traject()
    for path, value in mutations:
        node: Any = traject
        for part in path[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        else:
            with contextlib.suppress(IndexError, TypeError):
                node[path[-1]] = value
    return traject


@settings(max_examples=200, deadline=None)
@given(_mutations(), JSON)
def test_mutated_trajecten_never_raise(mutations: list[tuple[tuple[str | int, ...], Any]], junk: Any) -> None:
    traject = _apply(mutations)
    doc = {
        "startdatumLevering": "2024-01-01",
        "einddatumLevering": "2024-12-31",
        "aanleverdatumEnTijd": "2024-12-31T12:00:00Z",
        "leveringen": [{"teller": 1, "schuldhulptrajecten": [traject, junk, traject]}],
    }
    for finding in run(doc):
        finding.message("nl")
        finding.message("en")
        finding.to_dict()


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_random_documents_never_raise(doc: Any) -> None:
    run(doc)
    run({"leveringen": [{"schuldhulptrajecten": [doc]}]})
