"""The review file: values nothing could standardise, for a person to decide — and taking the decisions over.

The file is YAML with stable English keys (the same words as the mapping file) and a Dutch explanation at
the top. Each entry is one spelling of one field (spellings equal after normalisation are one entry, shown in
their most frequent form)::

    entries:
    - field: contactsoort
      value: Klant nam contact op n.a.v. brief
      count: 3
      columns: [Contactsoort 1]
      note: Een reactie van de inwoner op een brief, …
      reason: 'Bewust niet vertaald: het woordenboek kent deze spelling als dubbelzinnig (…)'
      suggestions:
      - {value: Brief, score: 64.4}
      accept: null
    mapped:
    - field: contactsoort
      value: geen gehoor bij huisbezoek
      count: 4
      standard: Huisbezoek
      reason: "Herkend als 'Huisbezoek' aan 'huisbezoek' (regel @huisbezoek). …"

A person fills ``accept`` with a standard value; :func:`accept_review` copies every filled entry into the
mapping file's ``values`` section, which the :class:`~ddas.standardize.Standardizer` reads as overrides.
``reason`` says why the value was not mapped; ``mapped`` lists the values the recognition rules did map (not
the exact or dictionary spellings), each with the reason, so that no value is standardised unseen: a wrong one
is corrected by putting it in the mapping's ``values``, which go before the rules.
The mapping file is edited in place line by line, so its comments and layout survive; the result is parsed
again and compared with what was intended before anything is written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any, Protocol

import yaml

from ddas.standardize.dictionary import FIELDS
from ddas.standardize.normalize import normalize
from ddas.standardize.standardizer import StandardizeError, official_values
from ddas.standardize.yamlfile import YamlError, load_yaml

__all__ = [
    "AcceptSummary",
    "MappedEntry",
    "ReviewEntry",
    "ReviewError",
    "accept_review",
    "dump_review",
    "load_review",
    "mapped_entries",
    "merge_accepted",
    "write_review",
]


class ReviewError(ValueError):
    """A review or mapping file that cannot be used as asked; ``code`` is stable, ``message`` Dutch."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"


@dataclass(slots=True)
class ReviewEntry:
    """One unmapped spelling of one field, how often it occurred, and what it probably means."""

    field: str
    value: str
    count: int
    suggestions: list[tuple[str, float]] = dataclass_field(default_factory=list)
    accept: str | None = None
    note: str | None = None
    columns: list[str] = dataclass_field(default_factory=list)
    #: Why the value was not mapped (the standardiser's explanation, Dutch).
    reason: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Identity of the entry: the field and the normalised spelling."""
        return (self.field, normalize(self.value))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "value": self.value, "count": self.count}
        if self.columns:
            out["columns"] = list(self.columns)
        if self.note:
            out["note"] = self.note
        if self.reason:
            out["reason"] = self.reason
        out["suggestions"] = [{"value": value, "score": score} for value, score in self.suggestions]
        out["accept"] = self.accept
        return out


@dataclass(frozen=True, slots=True)
class MappedEntry:
    """A value the recognition rules mapped, with the reason: listed for checking, nothing to decide."""

    field: str
    value: str
    count: int
    standard: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "count": self.count,
            "standard": self.standard,
            "reason": self.reason,
        }


class _Translated(Protocol):
    """What :func:`mapped_entries` reads of a translation (``ddas.sources.result.Translation``)."""

    @property
    def field(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def standard(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def count(self) -> int: ...
    @property
    def reason(self) -> str: ...


def mapped_entries(translations: Iterable[_Translated]) -> list[MappedEntry]:
    """The translations made by the recognition rules, for the review file's ``mapped`` list.

    Value and reason are scrubbed like every value in the review file: a BSN typed into a free-text cell
    must not end up in a file that is passed around for review.
    """
    from ddas.validation.findings import scrub

    return [
        MappedEntry(t.field, scrub(t.value), t.count, t.standard, scrub(t.reason))
        for t in translations
        if t.source == "rule"
    ]


@dataclass(slots=True)
class AcceptSummary:
    """What :func:`accept_review` did: values added to the mapping, already there, and still open."""

    added: list[tuple[str, str, str]] = dataclass_field(default_factory=list)
    already: int = 0
    open: int = 0


_HEADER = """\
# Beoordelingsbestand van ddas (standaardisatie van vrije tekst).
#
# Hieronder staan waarden uit de export die ddas niet zelf op een standaardwaarde van DDAS kon zetten:
# ze staan niet in het ingebouwde woordenboek (docs/standaardisatie.md) en niet in de mapping, of ze zijn
# dubbelzinnig ('note' zegt dan waarom). De rijen met deze waarden zijn NIET geïmporteerd.
#
# Per waarde: 'field' is het veld, 'value' de waarde zoals in de export, 'count' hoe vaak ze voorkwam,
# 'columns' in welke kolommen, 'reason' waarom ddas de waarde niet vertaalde, 'suggestions' de
# standaardwaarden die het meest lijken (score 0-100).
#
# Wat u doet: zet bij 'accept' de standaardwaarde die de waarde betekent, precies zoals gespeld in de
# suggesties of in docs/standaardisatie.md, en neem de keuzes over in de mapping met
#     ddas standardize accept <dit bestand> --mapping <mapping.yaml>
# Laat 'accept: null' staan zolang u het niet weet; de rijen blijven dan buiten de levering.
# Bekijken kan met: ddas standardize review <dit bestand>
#
# Onder 'mapped' (als die er is) staan de waarden die ddas wel vertaalde omdat het de woorden herkende, niet
# de spelling: met de standaardwaarde en de reden. Daar hoeft u niets in te vullen. Klopt een vertaling niet,
# zet de waarde dan met de juiste standaardwaarde in 'values' van de mapping; die gaat voor.
"""


def dump_review(entries: Iterable[ReviewEntry], mapped: Iterable[MappedEntry] = ()) -> str:
    """The review file's text: the Dutch explanation, then the entries (field order, most frequent first),
    then the values the recognition rules mapped (same order), when there are any."""
    ordered = sorted(entries, key=_entry_order)
    data: dict[str, Any] = {"entries": [entry.to_dict() for entry in ordered]}
    recognised = sorted(mapped, key=_entry_order)
    if recognised:
        data["mapped"] = [entry.to_dict() for entry in recognised]
    body = yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=True,
        width=110,
        default_flow_style=None,
    )
    return _HEADER + "\n" + body


def _entry_order(entry: ReviewEntry | MappedEntry) -> tuple[int, int, str]:
    fields = list(FIELDS)
    rank = fields.index(entry.field) if entry.field in FIELDS else len(fields)
    return (rank, -entry.count, normalize(entry.value))


def merge_accepted(entries: Iterable[ReviewEntry], earlier: Iterable[ReviewEntry]) -> list[ReviewEntry]:
    """``entries`` with the ``accept`` of the same spelling in an earlier review file carried over.

    Rewriting a review file after a new import must not throw away decisions not yet taken over.
    """
    decided = {entry.key: entry.accept for entry in earlier if entry.accept is not None}
    out = []
    for entry in entries:
        if entry.accept is None and entry.key in decided:
            entry = ReviewEntry(
                entry.field,
                entry.value,
                entry.count,
                list(entry.suggestions),
                decided[entry.key],
                entry.note,
                list(entry.columns),
                entry.reason,
            )
        out.append(entry)
    return out


def write_review(
    path: str | os.PathLike[str], entries: Iterable[ReviewEntry], mapped: Iterable[MappedEntry] = ()
) -> list[ReviewEntry]:
    """Write the review file, keeping decisions from the file already there; returns the entries written.

    ``mapped`` (see :func:`mapped_entries`) is listed after the entries, for checking; it is rewritten each
    time, as it holds no decisions.
    """
    target = Path(path)
    entries = list(entries)
    if target.exists():
        try:
            earlier = load_review(target)
        except ReviewError as error:
            raise ReviewError(
                "REVIEW_EXISTING_INVALID",
                f"Het bestaande beoordelingsbestand {target} is niet te lezen en zou keuzes kunnen bevatten; "
                f"herstel of verwijder het eerst.\n{error.message}",
            ) from None
        entries = merge_accepted(entries, earlier)
    _write_atomic(target, dump_review(entries, mapped))
    return entries


def _read_text(path: Path, what: str, code: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ReviewError(code, f"{what} {path} bestaat niet.") from None
    except OSError as error:
        raise ReviewError(code, f"{what} {path} is niet te lezen: {error.strerror}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReviewError(
            code, f"{what} {path} is geen UTF-8 (ongeldige byte op positie {error.start})."
        ) from None


def load_review(path: str | os.PathLike[str]) -> list[ReviewEntry]:
    """Read a review file; raises :class:`ReviewError` (``REVIEW_INVALID``) saying what is wrong and where."""
    source = Path(path)
    text = _read_text(source, "Het beoordelingsbestand", "REVIEW_UNREADABLE")
    try:
        data = load_yaml(text, str(source))
    except YamlError as error:
        raise ReviewError("REVIEW_INVALID", error.message) from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise ReviewError(
            "REVIEW_INVALID",
            f"{source} is geen beoordelingsbestand van ddas: er hoort een lijst 'entries' in te staan.",
        )
    problems: list[str] = []
    entries: list[ReviewEntry] = []
    for number, item in enumerate(data["entries"], 1):
        entry = _entry_from(item, number, problems)
        if entry is not None:
            entries.append(entry)
    if problems:
        raise ReviewError("REVIEW_INVALID", f"{source} bevat fouten:\n" + "\n".join(problems))
    return entries


def _entry_from(item: Any, number: int, problems: list[str]) -> ReviewEntry | None:
    where = f"- item {number}"
    if not isinstance(item, dict):
        problems.append(f"{where}: verwacht 'field', 'value', 'count', 'suggestions' en 'accept'.")
        return None
    unknown = sorted(str(key) for key in item if key not in _ENTRY_KEYS)
    if unknown:
        problems.append(f"{where}: onbekende sleutel(s) {', '.join(unknown)}.")
    field_name, value = item.get("field"), item.get("value")
    if not isinstance(field_name, str) or field_name not in FIELDS:
        problems.append(f"{where}: 'field' moet een van {', '.join(FIELDS)} zijn, niet {field_name!r}.")
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where} ({field_name}): 'value' moet tekst zijn.")
        return None
    count = item.get("count", 0)
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        problems.append(f"{where} ({field_name} '{value}'): 'count' moet een geheel getal zijn.")
        count = 0
    accept = item.get("accept")
    if accept is not None and not normalize(value):
        problems.append(
            f"{where} ({field_name} '{value}'): een waarde zonder letters of cijfers kan niet in 'values'; "
            "betekent ze 'leeg', zet haar dan in 'empty_values' van de mapping, of bij de kolom onder 'values'."
        )
        accept = None
    if accept is not None:
        problem = _accept_problem(field_name, accept)
        if problem is not None:
            problems.append(f"{where} ({field_name} '{value}'): {problem}")
            accept = None
    suggestions = _suggestions_from(item.get("suggestions"))
    if suggestions is None:
        problems.append(
            f"{where} ({field_name} '{value}'): 'suggestions' moet een lijst van value/score zijn."
        )
        suggestions = []
    note = item.get("note")
    reason = item.get("reason")
    columns = item.get("columns", [])
    if not isinstance(columns, list) or not all(isinstance(column, str) for column in columns):
        problems.append(f"{where} ({field_name} '{value}'): 'columns' moet een lijst kolomnamen zijn.")
        columns = []
    return ReviewEntry(
        field_name,
        value,
        count,
        suggestions,
        accept,
        note if isinstance(note, str) else None,
        columns,
        reason if isinstance(reason, str) else None,
    )


_ENTRY_KEYS = frozenset({"field", "value", "count", "columns", "note", "reason", "suggestions", "accept"})


def _accept_problem(field_name: str, accept: Any) -> str | None:
    allowed = official_values(field_name)
    if isinstance(accept, str) and accept in allowed:
        return None
    text = accept if isinstance(accept, str) else json.dumps(accept, ensure_ascii=False, default=str)
    hint = ""
    if isinstance(accept, str):
        same = [value for value in allowed if normalize(value) == normalize(accept)]
        if same:
            hint = f" Bedoelt u '{same[0]}'? Schrijf de waarde precies zo."
    return f"'accept: {text}' is geen standaardwaarde van {field_name}.{hint} Kies uit: {', '.join(allowed)}."


def _suggestions_from(raw: Any) -> list[tuple[str, float]] | None:
    if raw is None:
        return []
    if not isinstance(raw, list):
        return None
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            return None
        score = item.get("score", 0)
        if not isinstance(score, int | float) or isinstance(score, bool):
            return None
        out.append((item["value"], float(score)))
    return out


# --- taking accepted entries over into a mapping file ---------------------------------------------------


def accept_review(review: str | os.PathLike[str], mapping: str | os.PathLike[str]) -> AcceptSummary:
    """Copy every entry with a filled ``accept`` into the mapping's ``values``; all or nothing.

    Raises :class:`ReviewError` when the review file has an ``accept`` that is not an official value
    (``REVIEW_INVALID``), when the mapping already translates a spelling differently
    (``REVIEW_CONFLICT``) or when the mapping file is not a readable YAML mapping
    (``REVIEW_MAPPING_INVALID``). Nothing is written then.
    """
    entries = load_review(review)
    mapping_path = Path(mapping)
    text = _read_text(mapping_path, "De mapping", "REVIEW_MAPPING_INVALID")
    data = _mapping_data(text, mapping_path)
    current = _current_values(data, mapping_path)

    summary = AcceptSummary()
    additions: dict[str, list[tuple[str, str]]] = {}
    conflicts: list[str] = []
    planned: dict[tuple[str, str], str] = {}
    for entry in entries:
        if entry.accept is None:
            summary.open += 1
            continue
        key = normalize(entry.value)
        existing = current.get(entry.field, {}).get(key) or planned.get((entry.field, key))
        if existing == entry.accept:
            summary.already += 1
            continue
        if existing is not None:
            conflicts.append(
                f"- {entry.field} '{entry.value}': de mapping zegt al '{existing}', de beoordeling "
                f"'{entry.accept}'."
            )
            continue
        planned[(entry.field, key)] = entry.accept
        additions.setdefault(entry.field, []).append((entry.value, entry.accept))
        summary.added.append((entry.field, entry.value, entry.accept))
    if conflicts:
        raise ReviewError(
            "REVIEW_CONFLICT",
            "De mapping vertaalt deze waarden al anders; pas de mapping of de beoordeling aan:\n"
            + "\n".join(conflicts),
        )
    if not additions:
        return summary

    expected = dict(data) if isinstance(data, dict) else {}
    merged = {name: dict(table) for name, table in _raw_values(data).items()}
    for name, items in additions.items():
        table = merged.setdefault(name, {})
        for local, standard in items:
            table[local] = standard
    expected["values"] = merged

    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    new_text = None
    try:
        candidate = newline.join(_insert_lines(lines, additions)) + newline
        if _parses_to(candidate, expected):
            new_text = candidate
    except _Fallback:
        pass
    if new_text is None:
        candidate = newline.join(_replace_block(lines, merged)) + newline
        if not _parses_to(candidate, expected):
            raise ReviewError(
                "REVIEW_MAPPING_INVALID",
                f"De mapping {mapping_path} kon niet veilig worden bijgewerkt; voeg de waarden met de hand toe "
                "onder 'values'.",
            )
        new_text = candidate
    _write_atomic(mapping_path, new_text)
    return summary


def _mapping_data(text: str, path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(text, str(path))
    except YamlError as error:
        raise ReviewError("REVIEW_MAPPING_INVALID", error.message) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ReviewError("REVIEW_MAPPING_INVALID", f"De mapping {path} is geen YAML-blok met sleutels.")
    return data


def _raw_values(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    raw = data.get("values")
    if raw is None:
        return {}
    return {str(name): dict(table or {}) for name, table in raw.items()}


def _current_values(data: Mapping[str, Any], path: Path) -> dict[str, dict[str, str]]:
    """The mapping's ``values`` as normalised key → standard, checked like the Standardizer checks it."""
    raw = data.get("values")
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(table, dict | type(None)) and isinstance(name, str) for name, table in raw.items()
    ):
        raise ReviewError(
            "REVIEW_MAPPING_INVALID",
            f"'values' in de mapping {path} moet per veld een blok 'waarde uit de export: standaardwaarde' zijn.",
        )
    out: dict[str, dict[str, str]] = {}
    for name, table in raw.items():
        try:
            official_values(name)
        except StandardizeError as error:
            raise ReviewError("REVIEW_MAPPING_INVALID", f"{path}: {error.message}") from None
        out[name] = {normalize(str(local)): standard for local, standard in (table or {}).items()}
    return out


def _parses_to(text: str, expected: Mapping[str, Any]) -> bool:
    try:
        return bool(load_yaml(text, "mapping") == expected)
    except YamlError:
        return False


class _Fallback(Exception):
    """The layout is not plain block style; the whole ``values`` block is rewritten instead."""


_VALUES_LINE = re.compile(r"^values\s*:\s*(#.*)?$")
_VALUES_ANY = re.compile(r"^values\s*:")


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """Index after the block that starts at ``start``: the next content line indented ``indent`` or less."""
    for index in range(start + 1, len(lines)):
        if _is_content(lines[index]) and _indent(lines[index]) <= indent:
            return index
    return len(lines)


def _last_content(lines: list[str], start: int, end: int) -> int:
    last = start
    for index in range(start, end):
        if _is_content(lines[index]):
            last = index
    return last


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), safe for any text."""
    return json.dumps(text, ensure_ascii=False)


def _insert_lines(lines: list[str], additions: Mapping[str, list[tuple[str, str]]]) -> list[str]:
    lines = list(lines)
    if any("\t" in line[: _indent(line) + 1] for line in lines if _is_content(line)):
        raise _Fallback
    top = next((i for i, line in enumerate(lines) if _VALUES_LINE.match(line)), None)
    if top is None:
        if any(_VALUES_ANY.match(line) for line in lines):
            raise _Fallback
        while lines and not lines[-1].strip():
            lines.pop()
        lines += ["", "values:"]
        for name, items in additions.items():
            lines.append(f"  {name}:")
            lines += [f"    {_quote(local)}: {_quote(standard)}" for local, standard in items]
        return lines
    for name, items in additions.items():
        end = _block_end(lines, top, 0)
        first = next((i for i in range(top + 1, end) if _is_content(lines[i])), None)
        indent = _indent(lines[first]) if first is not None else 2
        if indent == 0:
            raise _Fallback
        field_line = re.compile(
            rf"^ {{{indent}}}(?:{re.escape(name)}|\"{re.escape(name)}\"|'{re.escape(name)}')\s*:(.*)$"
        )
        at = next((i for i in range(top + 1, end) if field_line.match(lines[i])), None)
        if at is None:
            position = _last_content(lines, top, end) + 1
            new = [f"{' ' * indent}{name}:"]
            new += [f"{' ' * (indent + 2)}{_quote(local)}: {_quote(standard)}" for local, standard in items]
            lines[position:position] = new
            continue
        rest = field_line.match(lines[at])
        if rest is not None and _is_content(rest.group(1)):
            raise _Fallback
        sub_end = _block_end(lines, at, indent)
        entry = next((i for i in range(at + 1, sub_end) if _is_content(lines[i])), None)
        entry_indent = _indent(lines[entry]) if entry is not None else indent + 2
        position = _last_content(lines, at, sub_end) + 1
        lines[position:position] = [
            f"{' ' * entry_indent}{_quote(local)}: {_quote(standard)}" for local, standard in items
        ]
    return lines


def _replace_block(lines: list[str], merged: Mapping[str, Mapping[str, Any]]) -> list[str]:
    block = yaml.safe_dump(
        {"values": {name: dict(table) for name, table in merged.items()}},
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    ).splitlines()
    top = next((i for i, line in enumerate(lines) if _VALUES_ANY.match(line)), None)
    if top is None:
        return [*lines, "", *block]
    end = _block_end(lines, top, 0)
    return [*lines[:top], *block, *lines[end:]]


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, so a failure never leaves half a file."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
