"""ddas's own schema (and models) accept and reject exactly what the official schema does.

The judge is the reference validator (python ``jsonschema``, draft 2020-12, format checking on) on the
official schema. For every document of the corpus — the official examples, completed with every field and
mutated at every node — four verdicts must equal the reference's:

- ``schema_validator(kind)`` (``jsonschema_rs`` on ddas's schema, the validator ddas actually runs);
- the reference validator on ddas's schema (so the schema itself, not only the fast validator, is right);
- ``load_document`` succeeding (the models accept exactly the valid documents);
- and for valid documents ``dump_document(load_document(d)) == d`` (the round trip is exact).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _spec_corpus import (
    SKIP_REASON,
    TALLY,
    Corpus,
    build_corpus,
    example_paths,
    official_schema,
    reference_validator,
)
from pydantic import ValidationError

from ddas.spec.kinds import Kind
from ddas.spec.models import dump_document, load_document
from ddas.spec.schema import json_schema, schema_validator

EXAMPLES = example_paths()


def _verdicts(kind: Kind, document: Any, official: Any, ours: Any) -> dict[str, Any]:
    verdicts: dict[str, Any] = {
        "reference on official schema": official.is_valid(document),
        "jsonschema_rs on ddas schema": schema_validator(kind).is_valid(document),
        "reference on ddas schema": ours.is_valid(document),
    }
    try:
        model = load_document(document, kind)
    except ValidationError:
        verdicts["load_document"] = False
    else:
        verdicts["load_document"] = True
        dumped = dump_document(model)
        verdicts["exact round trip"] = True if dumped == document else f"dumped {dumped!r}"
    return verdicts


def _disagreements(corpus: Corpus) -> tuple[list[str], int]:
    """The documents judged differently from the reference, and how many the reference found valid."""
    official = reference_validator(official_schema(corpus.kind))
    ours = reference_validator(json_schema(corpus.kind))
    problems = []
    valid = 0
    for mutant in corpus.mutants:
        verdicts = _verdicts(corpus.kind, mutant.document, official, ours)
        expected = verdicts["reference on official schema"]
        valid += expected
        TALLY.add(corpus.source, expected)
        wrong = {name: verdict for name, verdict in verdicts.items() if verdict is not expected}
        if "exact round trip" in verdicts and expected is True and verdicts["exact round trip"] is not True:
            wrong["exact round trip"] = verdicts["exact round trip"]
        if wrong:
            problems.append(
                f"{mutant.label}: reference says {'valid' if expected else 'invalid'}, but {wrong}"
            )
    return problems, valid


@pytest.mark.skipif(not EXAMPLES, reason=SKIP_REASON)
@pytest.mark.parametrize(("kind", "path"), EXAMPLES, ids=[f"{k.value}-{p.stem}" for k, p in EXAMPLES])
def test_every_mutant_is_judged_as_the_reference_judges_it(kind: Kind, path: Path) -> None:
    first_of_its_kind = next(p for k, p in EXAMPLES if k is kind) == path
    corpus = build_corpus(kind, path, leaf_types=first_of_its_kind)
    problems, valid = _disagreements(corpus)
    assert not problems, (
        f"{len(problems)} of {len(corpus.mutants)} documents of {corpus.source} judged differently:\n"
        + "\n".join(problems[:40])
    )
    # A corpus of only valid or only invalid documents would prove little.
    assert valid > 50, f"only {valid} valid documents in the corpus of {corpus.source}"
    assert len(corpus.mutants) - valid > 200, f"only {len(corpus.mutants) - valid} invalid documents"
