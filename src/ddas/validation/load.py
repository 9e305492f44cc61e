"""Layer (a): bytes → JSON document, with findings for encoding, BOM, syntax and duplicate keys.

The fast path parses with orjson, which is several times faster than the standard library but does not report
duplicate keys (the last one wins). Duplicates are detected by a cheap invariant instead: outside string
literals every `:` in a JSON text separates a key from its value, and orjson writes string contents back with
the colons they contain, so a document without duplicate keys has as many colons as its re-serialisation. Only
when the counts differ (or the text escapes a colon as `\\u003a`, which the invariant cannot see) is the slow
event parser run to find each duplicate and its path. The re-serialisation doubles as the depth check: orjson
reads 1024 levels but writes only 254, and a document nested deeper than that (`MAX_DEPTH`) is refused as a
whole (JSON_TOO_DEEP), since nothing after this layer (the store writing a record back, the collector's
archive) could handle it.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from ddas.validation.findings import Finding, PathParts, Severity, define

__all__ = [
    "JSON_BOM",
    "JSON_DUPLICATE_KEY",
    "JSON_ENCODING",
    "JSON_SYNTAX",
    "JSON_TOO_DEEP",
    "MAX_DEPTH",
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

#: The deepest nesting accepted: what orjson can write back (it refuses a 255th level). A delivery following
#: the exchange model is about ten levels deep.
MAX_DEPTH = 254

JSON_TOO_DEEP = define(
    "JSON_TOO_DEEP",
    Severity.ERROR,
    "4.1",
    nl="Het bestand is dieper genest dan {grens} niveaus (regel {regel}, kolom {kolom}); een levering "
    "volgens het uitwisselmodel is hooguit een tiental niveaus diep.",
    en="The file is nested deeper than {grens} levels (line {regel}, column {kolom}); a delivery following "
    "the exchange model is about ten levels deep at most.",
    fix="Laat het bestand opnieuw aanmaken door de software: zo'n diepe nesting komt niet uit een export "
    "volgens het uitwisselmodel. Kijk op de genoemde plek of een veld zichzelf steeds opnieuw bevat.",
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
            loaded.findings.append(_decode_error(data, exc))
            return loaded
        data = repaired
        try:
            loaded.document = orjson.loads(data)
        except orjson.JSONDecodeError as exc2:
            loaded.findings.append(_decode_error(data, exc2))
            return loaded
    colons = serialised_colons(loaded.document)
    if colons is None:
        loaded.document = None
        loaded.findings.append(_too_deep(data, None))
        return loaded
    loaded.parsed = True
    if isinstance(loaded.document, dict | list) and (colons != data.count(b":") or _escapes_colon(data)):
        loaded.findings.extend(
            Finding.at(JSON_DUPLICATE_KEY, path, sleutel=str(path[-1])) for path in find_duplicate_keys(data)
        )
    return loaded


def _escapes_colon(data: bytes) -> bool:
    """Whether the text writes a colon as an escape (`\\u003a`), which the colon count cannot see.

    A backslash is looked for first (memchr): most deliveries have none, and then this costs a few
    milliseconds instead of a scan of the whole text per spelling.
    """
    return b"\\" in data and (b"\\u003a" in data or b"\\u003A" in data)


def _decode_error(data: bytes, exc: orjson.JSONDecodeError) -> Finding:
    if "depth limit" in exc.msg or "recursion" in exc.msg:
        return _too_deep(data, exc.pos)
    nl, en = _reason(exc.msg)
    line, column = line_col(data, exc.pos)
    return _syntax(nl, en, line, column)


#: A string literal (skipped whole) or a bracket: what the depth scan needs to see.
_DEPTH_TOKENS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def deepest_at(data: bytes, limit: int = MAX_DEPTH) -> int | None:
    """Byte offset of the first bracket that opens level `limit + 1`, or None when the text stays within it.

    Only run on a text already known to be too deep, so its cost (a token scan in Python) falls on bad input.
    """
    depth = 0
    for match in _DEPTH_TOKENS.finditer(data):
        char = data[match.start()]
        if char == 0x5B or char == 0x7B:  # [ {
            depth += 1
            if depth > limit:
                return match.start()
        elif char == 0x5D or char == 0x7D:  # ] }
            depth -= 1
    return None


def _too_deep(data: bytes, fallback: int | None) -> Finding:
    position = deepest_at(data)
    line, column = line_col(data, position if position is not None else (fallback or 0))
    return Finding.at(JSON_TOO_DEEP, (), grens=MAX_DEPTH, regel=line, kolom=column)


#: The record lists of a levering (SHV and VS), serialised record by record by `serialised_colons`.
_RECORD_LISTS = ("schuldhulptrajecten", "vroegsignalen", "vroegsignaalzaken")


def serialised_colons(document: Any) -> int | None:
    """The number of colons in orjson's serialisation of `document`, or None when it is nested too deep.

    orjson refuses to write a 255th level (`MAX_DEPTH`), so the one serialisation the duplicate-key check
    needs also tells whether the document is within the depth ddas accepts. A delivery is written record by
    record, each wrapped in as many lists as it lies deep (so the depth check stays exact), and then the rest:
    small buffers instead of one as large as the file, which saves time and a hundred megabytes of memory.
    """
    try:
        if document.__class__ is not dict or document.get("leveringen").__class__ is not list:
            return orjson.dumps(document).count(b":")
        total = 0
        skeleton = []
        for levering in document["leveringen"]:
            if levering.__class__ is dict:
                levering = dict(levering)
                for name in _RECORD_LISTS:
                    records = levering.get(name)
                    if records.__class__ is list:
                        levering[name] = []
                        for record in records:
                            total += orjson.dumps([[[[record]]]]).count(b":")
            skeleton.append(levering)
        return total + orjson.dumps({**document, "leveringen": skeleton}).count(b":")
    except orjson.JSONEncodeError as exc:
        # Anything else orjson might refuse: a count that matches no text sends the caller to the slow check.
        return None if "ecursion" in str(exc) else -1


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
