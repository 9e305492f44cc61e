"""The mapping file: how the columns of one export become DDAS records (format: ``docs/standaardisatie.md``).

Loading checks everything that can be checked without the export — keys, types, paths, formats, value maps
— and reports every problem at once, each with a stable code and a Dutch explanation, so that fixing a
mapping takes one round, not ten. Whether the named columns exist is checked when the export is read.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddas.sources.errors import MappingError
from ddas.sources.model import ROW_ITEM, FieldType, Leaf, Node, PathError, Step, parse_path, root_node
from ddas.sources.parse import ParseError, parse_amount, parse_boolean, parse_date
from ddas.spec.kinds import Kind
from ddas.standardize import StandardizeError, Standardizer, normalize, official_values
from ddas.standardize.yamlfile import YamlError, load_yaml

__all__ = [
    "ENCODINGS",
    "Column",
    "Constant",
    "FieldSpec",
    "OrganisationSpec",
    "SourceMapping",
    "TableSpec",
    "load_mapping",
    "value_key",
]

#: Encodings an export may declare (Python codec name → the name to write in the mapping).
ENCODINGS: dict[str, str] = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "cp1252": "cp1252",
    "iso8859-1": "latin-1",
    "iso8859-15": "iso-8859-15",
    "utf-16": "utf-16",
}

_TOP_KEYS = frozenset(
    {
        "version",
        "description",
        "kind",
        "source",
        "defaults",
        "empty_values",
        "organisation",
        "gemeentecode",
        "traject_key",
        "zaak_key",
        "fields",
        "tables",
        "values",
    }
)
_SOURCE_KEYS = frozenset({"format", "encoding", "delimiter", "sheet"})
_DEFAULT_KEYS = frozenset({"date_format", "decimal"})
_ORG_KEYS = frozenset({"name", "kvk", "gemeentecode", "postcode", "contacts"})
_CONTACT_KEYS = frozenset({"naam", "email", "telefoonnummer", "functietitel"})
_FIELD_KEYS = frozenset({"column", "value", "date_format", "decimal", "values"})
_TABLE_KEYS = frozenset({"file", "sheet", "encoding", "delimiter", "key", "group", "fields"})


@dataclass(frozen=True, slots=True)
class Column:
    """A value read from a column of the export."""

    name: str


@dataclass(frozen=True, slots=True)
class Constant:
    """A value written in the mapping, the same for every row."""

    value: Any


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One model field and where its value comes from."""

    path: str
    prefix: str
    steps: tuple[Step, ...]
    leaf: Leaf
    source: Column | Constant
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    decimal: str = ","
    #: Per-column value map: :func:`value_key` of the cell text → the JSON value (None: empty).
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def group(self) -> str | None:
        """The list this field fills one item of per row (``schulden`` for ``schulden[].bedrag``), if any."""
        for step in self.steps:
            if step.index == ROW_ITEM:
                return step.name
        return None


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A second table (file or sheet) whose rows are items of one list, joined on a key column."""

    label: str
    file: str | None
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    key: str
    prefix: str
    group: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class OrganisationSpec:
    """The aanleverende organisatie: fixed in the mapping, or read per row from columns."""

    name: Column | Constant | None = None
    kvk: Column | Constant | None = None
    gemeentecode: Column | Constant | None = None
    postcode: Column | Constant | None = None
    contacts: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SourceMapping:
    """A loaded, checked mapping."""

    kind: Kind
    organisation: OrganisationSpec
    gemeentecode: Column | Constant
    fields: tuple[FieldSpec, ...]
    standardizer: Standardizer
    format: str | None = None
    encoding: str = "utf-8"
    delimiter: str | None = None
    sheet: str | None = None
    traject_key: str | None = None
    zaak_key: str | None = None
    tables: tuple[TableSpec, ...] = ()
    empty_values: frozenset[str] = frozenset()
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    name: str = "mapping"


def value_key(text: str) -> str:
    """How a value map matches cell text: normalised, or the trimmed text itself when that is all punctuation."""
    return normalize(text) or text.strip()


class _Problems:
    """Collects every problem of a mapping, so that one error message lists them all."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[tuple[str, str]] = []

    def add(self, code: str, message: str) -> None:
        self.items.append((code, message))

    def raise_if_any(self) -> None:
        if self.items:
            lines = "\n".join(f"- {message} [{code}]" for code, message in self.items)
            raise MappingError(
                self.items[0][0], f"De mapping {self.name} is niet bruikbaar:\n{lines}", self.items
            )


def load_mapping(
    source: str | os.PathLike[str] | Mapping[str, Any], *, name: str | None = None
) -> SourceMapping:
    """Load and check a mapping from a YAML file, or from already-parsed data (a dict).

    Raises :class:`MappingError` listing every problem; its ``code`` is the first problem's code.
    """
    if isinstance(source, Mapping):
        return _build(source, name or "mapping")
    path = Path(source)
    label = name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise MappingError("MAPPING_NOT_FOUND", f"De mapping {label} bestaat niet.") from None
    except OSError as error:
        raise MappingError(
            "MAPPING_UNREADABLE", f"De mapping {label} is niet te lezen: {error.strerror}."
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MappingError(
            "MAPPING_NOT_UTF8", f"De mapping {label} is geen UTF-8 (ongeldige byte op positie {error.start})."
        ) from None
    return mapping_from_text(text, label)


def mapping_from_text(text: str, name: str = "mapping") -> SourceMapping:
    """Load and check a mapping from YAML text."""
    try:
        data = load_yaml(text, name)
    except YamlError as error:
        raise MappingError("MAPPING_YAML_INVALID", error.message) from None
    if not isinstance(data, Mapping):
        raise MappingError(
            "MAPPING_NOT_A_MAPPING",
            f"De mapping {name} moet een YAML-blok met sleutels zijn (kind, organisation, fields, …).",
        )
    return _build(data, name)


def _build(data: Mapping[str, Any], name: str) -> SourceMapping:
    problems = _Problems(name)
    _unknown_keys(data, _TOP_KEYS, "de mapping", problems)
    version = data.get("version", 1)
    if version != 1:
        problems.add("MAPPING_VERSION", f"'version: {version}' wordt niet ondersteund; alleen versie 1.")

    raw_kind = data.get("kind")
    try:
        kind = Kind(str(raw_kind).lower()) if raw_kind is not None else None
    except ValueError:
        kind = None
    if kind is None:
        problems.add("MAPPING_KIND", f"'kind' moet 'shv' of 'vs' zijn, niet {_show(raw_kind)}.")
        problems.raise_if_any()
    assert kind is not None

    source = _section(data, "source", problems)
    _unknown_keys(source, _SOURCE_KEYS, "source", problems)
    fmt = source.get("format")
    if fmt is not None and fmt not in ("csv", "xlsx"):
        problems.add("MAPPING_FORMAT", f"source.format moet 'csv' of 'xlsx' zijn, niet {_show(fmt)}.")
        fmt = None
    encoding = _encoding(source.get("encoding", "utf-8"), "source.encoding", problems) or "utf-8"
    delimiter = _delimiter(source.get("delimiter"), "source.delimiter", problems)
    sheet = _optional_text(source.get("sheet"), "source.sheet", problems)

    defaults = _section(data, "defaults", problems)
    _unknown_keys(defaults, _DEFAULT_KEYS, "defaults", problems)
    date_formats = _date_formats(defaults.get("date_format", "%Y-%m-%d"), "defaults.date_format", problems)
    decimal = _decimal(defaults.get("decimal", ","), "defaults.decimal", problems)

    empty_values = _empty_values(data.get("empty_values", []), problems)

    values = _overrides(data.get("values"), problems)
    standardizer = Standardizer()
    try:
        standardizer = Standardizer(values)
    except StandardizeError as error:
        problems.add(error.code, f"values: {error.message}")

    organisation = _organisation(data.get("organisation"), kind, problems)
    gemeentecode = _value_source(data.get("gemeentecode"), "gemeentecode", problems)
    if gemeentecode is None:
        if organisation.gemeentecode is not None:
            gemeentecode = organisation.gemeentecode
        else:
            problems.add(
                "MAPPING_GEMEENTECODE",
                "'gemeentecode' ontbreekt: geef de gemeente waaronder de gegevens vallen als vaste waarde "
                '(gemeentecode: "0363") of als kolom (gemeentecode: {column: Gemeente}), of zet '
                "organisation.gemeentecode als de organisatie zelf de gemeente is.",
            )

    traject_key = _optional_text(data.get("traject_key"), "traject_key", problems)
    zaak_key = _optional_text(data.get("zaak_key"), "zaak_key", problems)
    if kind is Kind.SHV and zaak_key is not None:
        problems.add("MAPPING_KEY_KIND", "'zaak_key' hoort bij vroegsignalering (kind: vs), niet bij shv.")
    if kind is Kind.VS and traject_key is not None:
        problems.add(
            "MAPPING_KEY_KIND", "'traject_key' hoort bij schuldhulpverlening (kind: shv), niet bij vs."
        )

    context = _FieldContext(kind, date_formats, decimal, standardizer)
    fields = _fields(data.get("fields"), context, None, "fields", problems)
    _check_fields(kind, fields, zaak_key, problems)
    tables = _tables(data.get("tables"), context, kind, traject_key, zaak_key, fields, problems)

    problems.raise_if_any()
    assert gemeentecode is not None
    return SourceMapping(
        kind=kind,
        organisation=organisation,
        gemeentecode=gemeentecode,
        fields=tuple(fields),
        standardizer=standardizer,
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
        traject_key=traject_key,
        zaak_key=zaak_key,
        tables=tuple(tables),
        empty_values=empty_values,
        values=values,
        name=name,
    )


# --- small checkers -------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return "niets"
    if isinstance(value, str):
        return f"'{value}'"
    return f"{value!r} ({_type_name(value)})"


def _type_name(value: Any) -> str:
    return {
        bool: "ja/nee",
        int: "getal",
        float: "getal",
        str: "tekst",
        list: "lijst",
        dict: "blok",
        dt.date: "datum",
        dt.datetime: "tijdstip",
    }.get(type(value), type(value).__name__)


def _unknown_keys(data: Mapping[str, Any], allowed: frozenset[str], where: str, problems: _Problems) -> None:
    for key in data:
        if key not in allowed:
            problems.add(
                "MAPPING_UNKNOWN_KEY",
                f"onbekende sleutel {_show(key)} in {where}; toegestaan: {', '.join(sorted(allowed))}.",
            )


def _section(data: Mapping[str, Any], key: str, problems: _Problems) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add("MAPPING_VALUE_TYPE", f"'{key}' moet een blok met sleutels zijn, niet {_show(value)}.")
        return {}
    return value


def _optional_text(value: Any, where: str, problems: _Problems) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add("MAPPING_VALUE_TYPE", f"{where} moet tekst zijn, niet {_show(value)}.")
        return None
    return value.strip()


def _encoding(value: Any, where: str, problems: _Problems) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            codec = codecs.lookup(value).name
        except LookupError:
            codec = ""
        if codec in ENCODINGS:
            return codec
    problems.add(
        "MAPPING_ENCODING",
        f"{where}: {_show(value)} wordt niet ondersteund; kies uit {', '.join(ENCODINGS.values())}.",
    )
    return None


def _delimiter(value: Any, where: str, problems: _Problems) -> str | None:
    if value is None:
        return None
    if value == "tab":
        return "\t"
    if isinstance(value, str) and len(value) == 1 and value not in '"\r\n' and not value.isalnum():
        return value
    problems.add(
        "MAPPING_DELIMITER",
        f'{where} moet één leesteken zijn (";", ",", "|" of tab), niet {_show(value)}.',
    )
    return None


_PROBE = dt.date(2031, 12, 30)


def _date_formats(value: Any, where: str, problems: _Problems) -> tuple[str, ...]:
    formats = value if isinstance(value, list) else [value]
    out: list[str] = []
    for fmt in formats:
        if not isinstance(fmt, str) or "%" not in fmt:
            problems.add(
                "MAPPING_DATE_FORMAT",
                f'{where}: {_show(fmt)} is geen datumnotatie; gebruik codes als "%d-%m-%Y" (dd-mm-jjjj).',
            )
            continue
        try:
            back = dt.datetime.strptime(_PROBE.strftime(fmt), fmt).date()
        except ValueError:
            back = None
        if back != _PROBE:
            problems.add(
                "MAPPING_DATE_FORMAT",
                f'{where}: "{fmt}" legt geen volledige datum vast (dag, maand en jaar); '
                'bijvoorbeeld "%d-%m-%Y" voor 31-12-2024.',
            )
            continue
        out.append(fmt)
    return tuple(out) or ("%Y-%m-%d",)


def _decimal(value: Any, where: str, problems: _Problems) -> str:
    if value in (",", "."):
        return str(value)
    problems.add("MAPPING_DECIMAL", f'{where} moet "," of "." zijn, niet {_show(value)}.')
    return ","


def _empty_values(value: Any, problems: _Problems) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.add(
            "MAPPING_VALUE_TYPE", 'empty_values moet een lijst teksten zijn, bijvoorbeeld ["-", "n.v.t."].'
        )
        return frozenset()
    return frozenset(item.strip().casefold() for item in value)


_YAML_WORDS = "YAML leest yes/no/on/off/true/false en getallen zonder aanhalingstekens niet als tekst"


def _overrides(value: Any, problems: _Problems) -> dict[str, dict[str, str]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(
            "MAPPING_VALUE_TYPE",
            "'values' moet per veld een blok 'waarde uit de export: standaardwaarde' zijn.",
        )
        return {}
    out: dict[str, dict[str, str]] = {}
    for field_name, table in value.items():
        if table is None:
            out[str(field_name)] = {}
            continue
        if not isinstance(table, Mapping):
            problems.add(
                "MAPPING_VALUE_TYPE", f"values.{field_name} moet een blok 'waarde: standaardwaarde' zijn."
            )
            continue
        clean: dict[str, str] = {}
        for local, standard in table.items():
            if not isinstance(local, str) or not isinstance(standard, str):
                problems.add(
                    "MAPPING_VALUE_TYPE",
                    f"values.{field_name}: {_show(local)}: {_show(standard)} — beide moeten tekst zijn ({_YAML_WORDS}; "
                    "zet ze tussen aanhalingstekens).",
                )
                continue
            clean[local] = standard
        out[str(field_name)] = clean
    return out


def _value_source(value: Any, where: str, problems: _Problems) -> Column | Constant | None:
    """A literal text, or ``{column: Name}``."""
    if value is None:
        return None
    if isinstance(value, str):
        return Constant(value.strip()) if value.strip() else None
    if isinstance(value, Mapping) and set(value) == {"column"} and isinstance(value["column"], str):
        return Column(value["column"].strip())
    hint = " (zet een code als 0363 tussen aanhalingstekens)" if isinstance(value, int) else ""
    problems.add(
        "MAPPING_VALUE_TYPE",
        f"{where} moet tekst zijn of {{column: kolomnaam}}, niet {_show(value)}{hint}.",
    )
    return None


def _organisation(value: Any, kind: Kind, problems: _Problems) -> OrganisationSpec:
    if not isinstance(value, Mapping):
        problems.add(
            "MAPPING_ORGANISATION",
            "'organisation' ontbreekt of is geen blok: geef ten minste name, kvk of gemeentecode van de "
            "aanleverende organisatie.",
        )
        return OrganisationSpec()
    _unknown_keys(value, _ORG_KEYS, "organisation", problems)
    sources = {
        key: _value_source(value.get(key), f"organisation.{key}", problems)
        for key in _ORG_KEYS - {"contacts"}
    }
    if not any(sources[key] is not None for key in ("name", "kvk", "gemeentecode")):
        problems.add("MAPPING_ORGANISATION", "organisation heeft geen name, kvk of gemeentecode.")
    if kind is Kind.VS and sources["postcode"] is not None:
        problems.add(
            "MAPPING_ORGANISATION", "organisation.postcode bestaat niet in vroegsignalering; laat het weg."
        )
    contacts: list[dict[str, str]] = []
    raw_contacts = value.get("contacts", [])
    if not isinstance(raw_contacts, list):
        problems.add("MAPPING_VALUE_TYPE", "organisation.contacts moet een lijst zijn.")
        raw_contacts = []
    for number, contact in enumerate(raw_contacts, 1):
        if not isinstance(contact, Mapping):
            problems.add("MAPPING_VALUE_TYPE", f"organisation.contacts item {number} moet een blok zijn.")
            continue
        _unknown_keys(contact, _CONTACT_KEYS, f"organisation.contacts item {number}", problems)
        clean = {}
        for key in ("naam", "telefoonnummer", "email", "functietitel"):
            item = contact.get(key)
            if item is None:
                continue
            if not isinstance(item, str):
                problems.add(
                    "MAPPING_VALUE_TYPE",
                    f"organisation.contacts item {number}: {key} moet tekst zijn (tussen aanhalingstekens).",
                )
                continue
            clean[key] = item.strip()
        if clean:
            contacts.append(clean)
    return OrganisationSpec(
        sources["name"], sources["kvk"], sources["gemeentecode"], sources["postcode"], tuple(contacts)
    )


@dataclass(frozen=True, slots=True)
class _FieldContext:
    kind: Kind
    date_formats: tuple[str, ...]
    decimal: str
    standardizer: Standardizer


def _fields(
    value: Any, context: _FieldContext, base: Node | None, where: str, problems: _Problems
) -> list[FieldSpec]:
    if not isinstance(value, Mapping) or not value:
        problems.add(
            "MAPPING_FIELDS",
            f"'{where}' ontbreekt of is leeg: geef per veld de kolom, bijvoorbeeld 'startdatum: Startdatum'.",
        )
        return []
    out = []
    for path, spec in value.items():
        if not isinstance(path, str):
            problems.add("MAPPING_VALUE_TYPE", f"{where}: {_show(path)} is geen veldnaam.")
            continue
        built = _field(path.strip(), spec, context, base, where, problems)
        if built is not None:
            out.append(built)
    return out


def _field(
    path: str, spec: Any, context: _FieldContext, base: Node | None, where: str, problems: _Problems
) -> FieldSpec | None:
    try:
        prefix, steps, leaf = parse_path(context.kind, path, base=base)
    except PathError as error:
        problems.add("MAPPING_FIELD_UNKNOWN", f"{where}: {error}")
        return None
    if isinstance(spec, str):
        spec = {"column": spec}
    if not isinstance(spec, Mapping):
        problems.add(
            "MAPPING_VALUE_TYPE",
            f"{where}.{path} moet een kolomnaam zijn of een blok met column/value, niet {_show(spec)}.",
        )
        return None
    _unknown_keys(spec, _FIELD_KEYS, f"{where}.{path}", problems)
    if ("column" in spec) == ("value" in spec):
        problems.add(
            "MAPPING_FIELD_SOURCE", f"{where}.{path} moet precies één van 'column' en 'value' hebben."
        )
        return None
    date_formats = context.date_formats
    if "date_format" in spec:
        date_formats = _date_formats(spec["date_format"], f"{where}.{path}.date_format", problems)
    decimal = (
        _decimal(spec["decimal"], f"{where}.{path}.decimal", problems)
        if "decimal" in spec
        else context.decimal
    )
    here = f"{where}.{path}"
    values = _column_values(spec.get("values"), leaf, here, problems)
    source: Column | Constant
    if "column" in spec:
        column = spec["column"]
        if not isinstance(column, str) or not column.strip():
            problems.add(
                "MAPPING_VALUE_TYPE", f"{here}.column moet een kolomnaam (tekst) zijn, niet {_show(column)}."
            )
            return None
        source = Column(column.strip())
    else:
        constant = _typed(
            spec["value"], leaf, here, problems, date_formats=date_formats, decimal=decimal, context=context
        )
        if constant is _INVALID:
            return None
        source = Constant(constant)
    return FieldSpec(path, prefix, steps, leaf, source, date_formats, decimal, values)


_INVALID: Any = object()


def _typed(
    value: Any,
    leaf: Leaf,
    where: str,
    problems: _Problems,
    *,
    date_formats: tuple[str, ...] = ("%Y-%m-%d",),
    decimal: str = ",",
    context: _FieldContext | None = None,
) -> Any:
    """A value written in the mapping, as the JSON value of ``leaf``; :data:`_INVALID` after a problem."""
    if value is None:
        return None
    try:
        if leaf.type is FieldType.ENUM:
            assert leaf.enum_field is not None
            allowed = official_values(leaf.enum_field)
            if isinstance(value, str) and value in allowed:
                return value
            problems.add(
                "MAPPING_NOT_OFFICIAL",
                f"{where}: {_show(value)} is geen standaardwaarde van {leaf.enum_field}; kies uit: {', '.join(allowed)}.",
            )
            return _INVALID
        if leaf.type is FieldType.BOOLEAN:
            if isinstance(value, bool):
                return value
            if isinstance(value, str):
                return parse_boolean(value)
        elif leaf.type is FieldType.AMOUNT:
            if isinstance(value, int | str) and not isinstance(value, bool):
                return parse_amount(value, decimal)
        elif leaf.type is FieldType.DATE:
            if isinstance(value, dt.date | str):
                return parse_date(value, (*date_formats, "%Y-%m-%d")).isoformat()
        elif isinstance(value, str):
            return value
    except ParseError as error:
        problems.add("MAPPING_VALUE_TYPE", f"{where}: {_show(value)} is {error.message}.")
        return _INVALID
    expected = {
        FieldType.BOOLEAN: "ja/nee (true/false)",
        FieldType.AMOUNT: "een bedrag",
        FieldType.DATE: "een datum",
        FieldType.TEXT: "tekst (tussen aanhalingstekens)",
    }[leaf.type]
    problems.add("MAPPING_VALUE_TYPE", f"{where}: {_show(value)} moet {expected} zijn.")
    return _INVALID


def _column_values(value: Any, leaf: Leaf, where: str, problems: _Problems) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.add(
            "MAPPING_VALUE_TYPE", f"{where}.values moet een blok 'waarde uit de export: waarde' zijn."
        )
        return {}
    out: dict[str, Any] = {}
    for local, target in value.items():
        if not isinstance(local, str):
            problems.add(
                "MAPPING_VALUE_TYPE",
                f"{where}.values: sleutel {_show(local)} moet tekst zijn ({_YAML_WORDS}; zet hem tussen aanhalingstekens).",
            )
            continue
        key = value_key(local)
        if not key:
            problems.add("MAPPING_VALUE_TYPE", f"{where}.values: een lege sleutel vertaalt niets.")
            continue
        typed = _typed(target, leaf, f"{where}.values.{local}", problems)
        if typed is _INVALID:
            continue
        if key in out and out[key] != typed:
            problems.add(
                "MAPPING_VALUE_CONFLICT",
                f"{where}.values: '{local}' valt na normalisatie samen met een andere sleutel met een andere waarde.",
            )
            continue
        out[key] = typed
    return out


def _check_fields(kind: Kind, fields: list[FieldSpec], zaak_key: str | None, problems: _Problems) -> None:
    paths = {spec.path for spec in fields}
    numbered: set[tuple[str, str]] = set()
    per_row: set[tuple[str, str]] = set()
    for spec in fields:
        top = spec.steps[0]
        if kind is Kind.SHV and spec.steps == (Step("gemeentecode"),):
            problems.add(
                "MAPPING_FIELD_RESERVED",
                "fields.gemeentecode: de gemeentecode van het traject komt uit 'gemeentecode' bovenaan de mapping.",
            )
        if kind is Kind.VS and spec.prefix == "zaak" and top.name == "vroegsignalen":
            problems.add(
                "MAPPING_FIELD_RESERVED",
                f"fields.{spec.path}: de verwijzingen van een zaak naar zijn signalen volgen uit zaak_key.",
            )
        for step in spec.steps:
            if step.index == ROW_ITEM:
                per_row.add((spec.prefix, step.name))
            elif step.index is not None:
                numbered.add((spec.prefix, step.name))
        if kind is Kind.VS and spec.prefix == "zaak" and spec.group is not None:
            problems.add(
                "MAPPING_GROUP_VS",
                f"fields.{spec.path}: in vroegsignalering is elke rij één signaal; contactpogingen komen uit "
                f"genummerde kolommen ('zaak.{spec.group}.0.…') of uit een aparte tabel (tables).",
            )
    for prefix, group in sorted(numbered & per_row):
        shown = f"{prefix}.{group}" if prefix else group
        problems.add(
            "MAPPING_GROUP_MIXED",
            f"'{shown}' staat zowel genummerd ('{shown}.0.…') als per rij ('{shown}[].…') in fields; kies één vorm.",
        )
    if kind is Kind.VS:
        if "vroegsignaal.ID" not in paths:
            problems.add(
                "MAPPING_REQUIRED", "fields.vroegsignaal.ID ontbreekt: elk signaal heeft een ID nodig."
            )
        if zaak_key is None and any(spec.prefix == "zaak" for spec in fields):
            problems.add(
                "MAPPING_ZAAK_KEY",
                "er staan zaak-velden in fields maar geen zaak_key: zeg welke kolom de signalen van één "
                "vroegsignaalzaak verbindt (bijvoorbeeld zaak_key: Zaaknummer).",
            )
    for spec in fields:
        if spec.path == "vroegsignaal.ID" and not isinstance(spec.source, Column):
            problems.add(
                "MAPPING_REQUIRED", "fields.vroegsignaal.ID moet uit een kolom komen, niet een vaste waarde."
            )


def _tables(
    value: Any,
    context: _FieldContext,
    kind: Kind,
    traject_key: str | None,
    zaak_key: str | None,
    fields: list[FieldSpec],
    problems: _Problems,
) -> list[TableSpec]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add("MAPPING_VALUE_TYPE", "'tables' moet een lijst tabellen zijn.")
        return []
    out: list[TableSpec] = []
    groups_in_fields = {
        (spec.prefix, step.name) for spec in fields for step in spec.steps if step.index is not None
    }
    for number, table in enumerate(value, 1):
        where = f"tables item {number}"
        if not isinstance(table, Mapping):
            problems.add(
                "MAPPING_VALUE_TYPE", f"{where} moet een blok zijn (file/sheet, key, group, fields)."
            )
            continue
        _unknown_keys(table, _TABLE_KEYS, where, problems)
        file = _optional_text(table.get("file"), f"{where}.file", problems)
        sheet = _optional_text(table.get("sheet"), f"{where}.sheet", problems)
        if file is None and sheet is None:
            problems.add(
                "MAPPING_TABLE",
                f"{where} heeft 'file' (een ander bestand) of 'sheet' (een ander blad) nodig.",
            )
        key = _optional_text(table.get("key"), f"{where}.key", problems)
        if key is None:
            problems.add(
                "MAPPING_TABLE",
                f"{where}.key ontbreekt: de kolom die de rij aan zijn traject of zaak koppelt.",
            )
        group = table.get("group")
        parsed = _table_group(kind, group, where, problems)
        if parsed is None:
            continue
        prefix, group_name, item_node = parsed
        if kind is Kind.SHV and traject_key is None:
            problems.add(
                "MAPPING_TABLE",
                f"{where}: koppelen vraagt om traject_key (de kolom die een traject aanwijst).",
            )
        if kind is Kind.VS and zaak_key is None:
            problems.add(
                "MAPPING_TABLE", f"{where}: koppelen vraagt om zaak_key (de kolom die een zaak aanwijst)."
            )
        if (prefix, group_name) in groups_in_fields:
            problems.add(
                "MAPPING_GROUP_MIXED",
                f"{where}: '{group}' wordt ook al in fields gevuld; kies één bron per lijst.",
            )
        groups_in_fields.add((prefix, group_name))
        table_fields = _fields(table.get("fields"), context, item_node, f"{where}.fields", problems)
        for spec in table_fields:
            if any(step.index is not None for step in spec.steps):
                problems.add(
                    "MAPPING_FIELD_UNKNOWN", f"{where}.fields.{spec.path}: een item heeft geen lijsten."
                )
        label = f"{file or ''}{' / ' if file and sheet else ''}{sheet or ''}"
        out.append(
            TableSpec(
                label=label,
                file=file,
                sheet=sheet,
                encoding=_encoding(table.get("encoding"), f"{where}.encoding", problems),
                delimiter=_delimiter(table.get("delimiter"), f"{where}.delimiter", problems),
                key=key or "",
                prefix=prefix,
                group=group_name,
                fields=tuple(
                    FieldSpec(s.path, prefix, s.steps, s.leaf, s.source, s.date_formats, s.decimal, s.values)
                    for s in table_fields
                ),
            )
        )
    return out


def _table_group(kind: Kind, group: Any, where: str, problems: _Problems) -> tuple[str, str, Node] | None:
    if not isinstance(group, str) or not group.strip():
        problems.add(
            "MAPPING_TABLE",
            f"{where}.group moet de lijst noemen die de rijen vullen (shv: 'schulden', 'begeleiding', …; "
            "vs: 'zaak.contactpogingen').",
        )
        return None
    group = group.strip()
    prefix, _, name = group.rpartition(".")
    if kind is Kind.VS and prefix not in ("vroegsignaal", "zaak"):
        problems.add(
            "MAPPING_TABLE",
            f"{where}.group '{group}' moet beginnen met 'zaak.' (bijvoorbeeld zaak.contactpogingen).",
        )
        return None
    if kind is Kind.SHV and prefix:
        problems.add(
            "MAPPING_TABLE",
            f"{where}.group '{group}' moet een lijst van het traject zijn (bijvoorbeeld schulden).",
        )
        return None
    node = root_node(kind, prefix)
    target = node.properties.get(name)
    if name not in node.lists or not isinstance(target, Node):
        lists = ", ".join(sorted(item for item in node.lists if isinstance(node.properties[item], Node)))
        problems.add("MAPPING_TABLE", f"{where}.group '{group}' is geen lijst; wel: {lists}.")
        return None
    if kind is Kind.VS and name == "vroegsignalen":
        problems.add("MAPPING_FIELD_RESERVED", f"{where}: de signalen van een zaak volgen uit zaak_key.")
        return None
    return prefix, name, target
