"""docs/standaardisatie.md: the dictionary tables are generated from the data, and every stable code is explained."""

from __future__ import annotations

import re
from pathlib import Path

from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY
from ddas.standardize.docgen import generated_part, render_dictionary, update_document

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "standaardisatie.md"


def test_document_matches_dictionary() -> None:
    part = generated_part(DOC.read_text(encoding="utf-8"))
    assert part is not None, "the markers of the generated part are missing"
    assert part == render_dictionary(), "run: python -m ddas.standardize.docgen docs/standaardisatie.md"


def test_every_spelling_is_in_the_document() -> None:
    rendered = render_dictionary()
    for table in DICTIONARY.values():
        for variants in table.values():
            for variant in variants:
                assert f"`{variant}`" in rendered
    for entries in AMBIGUOUS.values():
        for entry in entries:
            assert f"`{entry.variant}`" in rendered


def test_update_rewrites_only_the_generated_part(tmp_path: Path) -> None:
    copy = tmp_path / "doc.md"
    text = DOC.read_text(encoding="utf-8")
    begin = text.index("<!-- BEGIN woordenboek")
    end = text.index("<!-- END woordenboek -->")
    stale = text[: text.index("\n", begin) + 1] + "oud\n" + text[end:]
    copy.write_text(stale, encoding="utf-8")
    assert update_document(copy) is True
    assert copy.read_text(encoding="utf-8") == text
    assert update_document(copy) is False


def test_every_code_is_documented() -> None:
    """Each stable code raised by standardize and sources appears in the document."""
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("standardize", "sources")
        for path in (REPO / "src" / "ddas" / folder).glob("*.py")
    )
    codes = set(re.findall(r'"((?:MAPPING|SOURCE|ROW|REVIEW|STD|YAML)_[A-Z0-9_]+)"', source))
    codes |= {f"ROW_{code}" for code in re.findall(r'ParseError\(\s*"([A-Z_]+)"', source)}
    assert len(codes) > 40
    text = DOC.read_text(encoding="utf-8")
    missing = sorted(code for code in codes if f"`{code}`" not in text)
    assert not missing, f"undocumented codes: {missing}"
