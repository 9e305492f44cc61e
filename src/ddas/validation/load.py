"""Layer (a): bytes → JSON document, with findings for encoding, BOM, syntax and duplicate keys.

The fast path parses with orjson, which is several times faster than the standard library but does not report
duplicate keys (the last one wins). Duplicates are detected by a cheap invariant instead: outside string
literals every `:` in a JSON text separates a key from its value, and orjson writes string contents back with
the colons they contain, so a document without duplicate keys has as many colons as its re-serialisation. Only
when the counts differ (or the text escapes a colon as `\\u003a`, which the invariant cannot see) is the slow
event parser run to find each duplicate and its path.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from ddas.validation.findings import Finding, PathParts, Severity, define

__all__ = [
    "JSON_BOM",
    "JSON_DUPLICATE_KEY",
    "JSON_ENCODING",
    "JSON_SYNTAX",
    "Loaded",
    "find_duplicate_keys",
    "line_col",
    "load_bytes",
]

JSON_SYNTAX = define(
    "JSON_SYNTAX",
    Severity.ERROR,
    "4.1",
    nl="Het bestand is geen geldige JSON: {reden} (regel {regel}, kolom {kolom}).",
    en="The file is not valid JSON: {reason} (line {regel}, column {kolom}).",
    fix="Laat het bestand door de software opnieuw aanmaken; een handmatig bewerkt of afgebroken bestand "
    "(bijvoorbeeld een onvolledige download) is de gebruikelijke oorzaak.",
    layer="json",
)
JSON_ENCODING = define(
    "JSON_ENCODING",
    Severity.ERROR,
    "4.1",
    nl="Het bestand is niet in UTF-8 gecodeerd: ongeldige byte 0x{byte} op regel {regel}, kolom {kolom} "
    "({aantal} ongeldige bytereeks(en) in totaal).",
    en="The file is not UTF-8 encoded: invalid byte 0x{byte} at line {regel}, column {kolom} "
    "({aantal} invalid byte sequence(s) in total).",
    fix="Exporteer het bestand als UTF-8 (niet als Latin-1/Windows-1252 of UTF-16); namen met accenten "
    "zoals 'Coördinator' zijn meestal de plek waar het misgaat.",
    layer="json",
)
JSON_DUPLICATE_KEY = define(
    "JSON_DUPLICATE_KEY",
    Severity.ERROR,
    "4.1",
    nl="Het veld '{sleutel}' komt meer dan eens voor in hetzelfde object; alleen de laatste waarde telt.",
    en="The key '{sleutel}' occurs more than once in the same object; only the last value counts.",
    fix="Elk veld mag één keer per object voorkomen; controleer de export op dubbel opgenomen velden.",
    layer="json",
)
JSON_BOM = define(
    "JSON_BOM",
    Severity.WARNING,
    "4.1",
    nl="Het bestand begint met een UTF-8 byte order mark (BOM); die hoort niet in JSON.",
    en="The file starts with a UTF-8 byte order mark (BOM), which does not belong in JSON.",
    fix="Sla het bestand op als 'UTF-8 zonder BOM'.",
    layer="json",
)

_BOM = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"


@dataclass(slots=True)
class Loaded:
    """A parsed document (or `parsed=False` when nothing usable could be read) and the layer-(a) findings."""

    document: Any = None
    parsed: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        return not self.parsed


def line_col(data: bytes, pos: int) -> tuple[int, int]:
    """1-based line and column (in characters, as editors show them) of a byte offset."""
    pos = max(0, min(pos, len(data)))
    line_start = data.rfind(b"\n", 0, pos) + 1
    line = data.count(b"\n", 0, pos) + 1
    column = len(data[line_start:pos].decode("utf-8", errors="replace")) + 1
    return line, column


def _syntax(reason_nl: str, reason_en: str, line: int, column: int) -> Finding:
    return Finding.at(JSON_SYNTAX, (), reden=reason_nl, reason=reason_en, regel=line, kolom=column)


_ORJSON_REASONS = {
    "empty": ("het bestand is leeg", "the file is empty"),
    "unexpected end of data": (
        "het bestand houdt onverwacht op (afgebroken?)",
        "unexpected end of data (truncated?)",
    ),
    "depth limit exceeded": ("te diep geneste structuur", "nesting too deep"),
    "trailing comma": ("komma na het laatste element", "trailing comma"),
    "infinity": ("getal te groot", "number too large"),
}


def _reason(message: str) -> tuple[str, str]:
    for needle, reasons in _ORJSON_REASONS.items():
        if needle in message:
            return reasons
    return ("ongeldige syntaxis: " + message, message)


def load_bytes(data: bytes) -> Loaded:
    """Parse a delivery; every problem becomes a finding, never an exception."""
    loaded = Loaded()
    if data.startswith(_BOM):
        loaded.findings.append(Finding.at(JSON_BOM, ()))
        data = data[len(_BOM) :]
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        loaded.findings.append(
            Finding.at(JSON_ENCODING, (), byte=data[:2].hex().upper(), regel=1, kolom=1, aantal="UTF-16")
        )
        return loaded
    if not data.strip(_WHITESPACE):
        loaded.findings.append(_syntax("het bestand is leeg", "the file is empty", 1, 1))
        return loaded
    try:
        loaded.document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        repaired = _check_encoding(data, loaded)
        if repaired is None:
            nl, en = _reason(exc.msg)
            line, column = line_col(data, exc.pos)
            loaded.findings.append(_syntax(nl, en, line, column))
            return loaded
        data = repaired
        try:
            loaded.document = orjson.loads(data)
        except orjson.JSONDecodeError as exc2:
            nl, en = _reason(exc2.msg)
            line, column = line_col(data, exc2.pos)
            loaded.findings.append(_syntax(nl, en, line, column))
            return loaded
    loaded.parsed = True
    if _may_have_duplicates(data, loaded.document):
        loaded.findings.extend(
            Finding.at(JSON_DUPLICATE_KEY, path, sleutel=str(path[-1])) for path in find_duplicate_keys(data)
        )
    return loaded


def _check_encoding(data: bytes, loaded: Loaded) -> bytes | None:
    """When the bytes are not UTF-8: report it and return a repaired text to go on with (None when they are)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        invalid = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
        line, column = line_col(data, exc.start)
        loaded.findings.append(
            Finding.at(
                JSON_ENCODING,
                (),
                byte=f"{data[exc.start]:02X}",
                regel=line,
                kolom=column,
                aantal=max(invalid, 1),
            )
        )
        return text.encode("utf-8")
    return None


def _may_have_duplicates(data: bytes, document: Any) -> bool:
    if not isinstance(document, dict | list):
        return False
    if data.count(b":") != orjson.dumps(document).count(b":"):
        return True
    return b"\\u003a" in data or b"\\u003A" in data


class _Frame:
    """One open object or array during the event parse: the keys seen so far, or the current index."""

    __slots__ = ("is_map", "key", "keys")

    def __init__(self, is_map: bool) -> None:
        self.is_map = is_map
        self.keys: set[str] = set()
        self.key: str | int = -1


def find_duplicate_keys(data: bytes) -> list[PathParts]:
    """Every repeated key with its JSON path (parts), by an event parse of the whole text (the slow path)."""
    import ijson

    found: list[PathParts] = []
    frames: list[_Frame] = []
    try:
        for event, value in ijson.basic_parse(io.BytesIO(data), use_float=True):
            if event == "map_key":
                top = frames[-1]
                if value in top.keys:
                    found.append((*(f.key for f in frames[:-1]), value))
                top.keys.add(value)
                top.key = value
            elif event in ("end_map", "end_array"):
                frames.pop()
            else:
                if frames and not frames[-1].is_map:
                    frames[-1].key = int(frames[-1].key) + 1
                if event in ("start_map", "start_array"):
                    frames.append(_Frame(event == "start_map"))
    except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError, json.JSONDecodeError):
        pass
    return found
