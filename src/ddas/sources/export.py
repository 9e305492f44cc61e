"""Converting an export (CSV/XLSX) with a mapping into DDAS records: :func:`read_export`.

The unit of conversion is the record the store keeps: a schuldhulptraject (SHV), or a vroegsignaalzaak with
all its vroegsignalen (VS; a signal without a zaak is a unit of its own). A unit is complete or held back as a
whole: if any of its rows — in the main table or a joined table — has a value that does not parse, is not
standardised, or contradicts another row of the same unit, every row of the unit is held back with the
reasons, and nothing of it reaches ``records``. Nothing is guessed: a value is either read as the mapping
says, standardised by the dictionary or the mapping, or it is a reason.

Speed matters (exports of a few hundred thousand rows are normal), so the per-cell work is kept small: text
cells go through an inlined fast path, every other cell through a converter that caches per distinct cell
value, a row's values are a plain list indexed by field, and records are built by a function generated once
per record type that writes the fields in the published key order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from ddas.sources.errors import ExportError
from ddas.sources.mapping import (
    Column,
    Constant,
    FieldSpec,
    SourceMapping,
    TableSpec,
    load_mapping,
    value_key,
)
from ddas.sources.model import ROW_ITEM, FieldType, Leaf, Node, Step, root_node
from ddas.sources.parse import ParseError, parse_amount, parse_boolean, parse_date
from ddas.sources.result import HeldBackRow, Reason, RecordType, SourceRecord, SourceResult, Translation
from ddas.sources.tables import Cell, Table, open_table, table_format
from ddas.spec.kinds import Kind
from ddas.standardize import Source, normalize
from ddas.standardize.review import ReviewEntry
from ddas.validation.findings import mask_bsn, scrub

__all__ = ["read_export"]


def read_export(
    path: str | os.PathLike[str], mapping: SourceMapping | str | os.PathLike[str] | Mapping[str, Any]
) -> SourceResult:
    """Read ``path`` as ``mapping`` describes it and return records, held-back rows and values to review.

    ``mapping`` is a loaded :class:`SourceMapping`, a path to the YAML file, or its parsed content. Raises
    :class:`~ddas.sources.errors.MappingError` for an unusable mapping and
    :class:`~ddas.sources.errors.ExportError` for an export that cannot be read as described (missing
    columns, wrong encoding, …); problems of single rows are never exceptions.
    """
    loaded = mapping if isinstance(mapping, SourceMapping) else load_mapping(mapping)
    export = Path(path)
    fmt = table_format(export, loaded.format)
    with _collector_paused():
        table = open_table(
            export, fmt=fmt, encoding=loaded.encoding, delimiter=loaded.delimiter, sheet=loaded.sheet
        )
        try:
            conversion = _Conversion(loaded, table)
            conversion.read_main(table)
        finally:
            table.close()
        for spec in loaded.tables:
            extra = _open_extra(export, fmt, loaded, spec)
            try:
                conversion.read_extra(spec, extra)
            finally:
                extra.close()
        return conversion.finish()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while converting.

    An export becomes hundreds of thousands of small dicts and lists without reference cycles; the collector
    would scan the growing heap again and again for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _open_extra(export: Path, fmt: str, mapping: SourceMapping, spec: TableSpec) -> Table:
    if spec.file is None:
        if fmt != "xlsx":
            raise ExportError(
                "SOURCE_SHEET_CSV",
                f"De tabel '{spec.label}' noemt alleen een blad, maar {export.name} is een CSV-bestand; "
                "geef 'file' op.",
            )
        return open_table(export, fmt="xlsx", sheet=spec.sheet)
    path = export.parent / spec.file
    return open_table(
        path,
        fmt=table_format(path, None),
        encoding=spec.encoding or mapping.encoding,
        delimiter=spec.delimiter or mapping.delimiter,
        sheet=spec.sheet,
        label=spec.file,
    )


# --- cell conversion ------------------------------------------------------------------------------------


class _Empty:
    """A cell without a value (blank, or a text the mapping declares empty)."""


_EMPTY = _Empty()


@dataclass(frozen=True, slots=True)
class _Bad:
    code: str
    problem: str
    text: str


@dataclass(frozen=True, slots=True)
class _Unmapped:
    text: str


#: A converted cell: a JSON value, or _EMPTY, _Bad or _Unmapped.
Outcome = Any
_Translation = tuple[str, str, str, str, str]
#: Fields whose digits a spreadsheet drops the leading zeros of when it stores them as a number.
_ZERO_PADDED = {"Burgerservicenummer": 9}


def _cell_text(cell: Cell) -> str:
    """A typed spreadsheet cell as the text a person sees, for value maps, keys and messages."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return "WAAR" if cell else "ONWAAR"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return "" if cell is None else str(cell)


def _code(cell: Cell) -> str:
    """A gemeentecode cell; a spreadsheet number gets back the leading zeros Excel dropped (363 → 0363)."""
    if (
        isinstance(cell, int | float)
        and not isinstance(cell, bool)
        and float(cell).is_integer()
        and 0 <= cell < 10_000
    ):
        return str(int(cell)).zfill(4)
    return _cell_text(cell)


def _is_blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and (not cell or cell.isspace()))


def _blank_row(cells: Sequence[Cell]) -> bool:
    """No value in any cell; a row of text (CSV) is checked in one go."""
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]
    except TypeError:
        return all(_is_blank(cell) for cell in cells)


def _text_value(cell: Cell, pad: int | None) -> Outcome:
    """A text field from a typed cell; a spreadsheet number in a zero-padded field gets its zeros back."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool | dt.time):
        return _Bad("ROW_TEXT_INVALID", "geen tekst", _cell_text(cell))
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            return _Bad("ROW_TEXT_INVALID", "een getal met decimalen waar tekst hoort", _cell_text(cell))
        digits = str(int(cell))
        return digits.zfill(pad) if pad is not None and int(cell) >= 0 else digits
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return _Bad("ROW_TEXT_INVALID", "geen tekst", _cell_text(cell))


class _Converter:
    """Turns the non-blank cells of one field into outcomes, cached per distinct cell (exports repeat a lot)."""

    _LIMIT = 200_000

    def __init__(self, spec: FieldSpec, mapping: SourceMapping, translated: Counter[_Translation]) -> None:
        self.spec = spec
        self.leaf = spec.leaf
        self.empty = mapping.empty_values
        self.values = spec.values
        self.standardizer = mapping.standardizer
        self.translated = translated
        self.pad = _ZERO_PADDED.get(spec.steps[-1].name)
        self.cache: dict[Cell, tuple[Outcome, _Translation | None]] = {}
        self.typed_cache: dict[tuple[type, Cell], tuple[Outcome, _Translation | None]] = {}
        #: Plain text without value map or declared empties: the row loop handles it inline.
        self.plain_text = spec.leaf.type is FieldType.TEXT and not spec.values and not mapping.empty_values

    def __call__(self, cell: Cell) -> Outcome:
        if cell.__class__ is str:
            hit = self.cache.get(cell)
            if hit is None:
                hit = self.miss(cell)
        else:
            key = (type(cell), cell)  # True == 1 == 1.0: the type keeps them apart
            hit = self.typed_cache.get(key)
            if hit is None:
                hit = self._convert(cell)
                if len(self.typed_cache) > self._LIMIT:
                    self.typed_cache.clear()
                self.typed_cache[key] = hit
        if hit[1] is not None:
            self.translated[hit[1]] += 1
        return hit[0]

    def miss(self, cell: Cell) -> tuple[Outcome, _Translation | None]:
        """Convert a text cell not seen before and remember the result (the caller counts translations)."""
        hit = self._convert(cell)
        if len(self.cache) > self._LIMIT:
            self.cache.clear()
        self.cache[cell] = hit
        return hit

    def _convert(self, cell: Cell) -> tuple[Outcome, _Translation | None]:
        text = _cell_text(cell)
        if not text or text.casefold() in self.empty:
            return _EMPTY, None
        if self.values:
            key = value_key(text)
            if key in self.values:
                mapped = self.values[key]
                return (_EMPTY if mapped is None else mapped), None
        leaf = self.leaf
        try:
            if leaf.type is FieldType.ENUM:
                assert leaf.enum_field is not None
                match = self.standardizer.lookup(leaf.enum_field, text)
                if match is None:
                    return _Unmapped(text), None
                translation = None
                if match.source is not Source.EXACT:
                    translation = (leaf.enum_field, text, match.standard, match.source.value, match.reason)
                return match.standard, translation
            if leaf.type is FieldType.DATE:
                value = cell if isinstance(cell, dt.date) else text
                return parse_date(value, self.spec.date_formats).isoformat(), None
            if leaf.type is FieldType.AMOUNT:
                if isinstance(cell, bool) or not isinstance(cell, int | float):
                    return parse_amount(text, self.spec.decimal), None
                return parse_amount(cell, self.spec.decimal), None
            if leaf.type is FieldType.BOOLEAN:
                if isinstance(cell, bool | int | float):
                    return parse_boolean(cell), None
                return parse_boolean(text), None
        except ParseError as error:
            return _Bad("ROW_" + error.code, error.message, text), None
        return _text_value(cell, self.pad), None


def _shown(spec_path: str, text: str) -> str:
    """A value as messages may show it: BSNs masked, everything else in quotes (and scrubbed)."""
    if spec_path.endswith("Burgerservicenummer"):
        return f"'{mask_bsn(text)}'"
    shown = text if len(text) <= 80 else text[:80] + "…"
    return f"'{scrub(shown)}'"


# --- building records in the published order ----------------------------------------------------------

# Template entry kinds.
_LEAF, _CONST, _OBJECT, _NUMBERED, _CODE, _SIGNALS, _GROUP = range(7)


@dataclass(slots=True)
class _Template:
    """How to build one object: ``(name, kind, payload)`` entries in the model's published key order.

    A leaf's payload is the index of its field (the value is looked up per record), a constant's its value,
    an object's its own template, a numbered list's the templates of its items in number order (absent items
    are skipped, so ``client.1`` alone becomes the first client), a group's the name of a row-item list.
    """

    entries: list[tuple[str, int, Any]] = field(default_factory=list)


def _template(
    node: Node, specs: Sequence[tuple[int, tuple[Step, ...], Any]], special: Mapping[str, int]
) -> _Template:
    """The template of ``node`` for ``specs`` — (field index, steps below ``node``, constant or _EMPTY)."""
    children: dict[str, list[tuple[int, tuple[Step, ...], Any]]] = {}
    for spec in specs:
        children.setdefault(spec[1][0].name, []).append(spec)
    template = _Template()
    for name, target in node.properties.items():
        if name in special:
            template.entries.append((name, special[name], name))
            continue
        mine = children.get(name)
        if not mine:
            continue
        if isinstance(target, Leaf):
            index, _steps, constant = mine[0]
            if constant is _EMPTY:
                template.entries.append((name, _LEAF, index))
            elif constant is not None:
                template.entries.append((name, _CONST, constant))
            continue
        if name not in node.lists:
            template.entries.append(
                (name, _OBJECT, _template(target, [(i, st[1:], c) for i, st, c in mine], {}))
            )
            continue
        numbers: dict[int, list[tuple[int, tuple[Step, ...], Any]]] = {}
        for i, steps, constant in mine:
            assert steps[0].index is not None
            numbers.setdefault(steps[0].index, []).append((i, steps[1:], constant))
        template.entries.append(
            (name, _NUMBERED, [_template(target, numbers[number], {}) for number in sorted(numbers)])
        )
    return template


Builder = Callable[[Sequence[Any], "_Unit | None", Callable[[str], list[Any]]], dict[str, Any]]


def _compile(template: _Template) -> Builder:
    """Turn a template into a plain Python function that builds the object with straight-line code.

    Building records is the hot loop of an import (a few hundred thousand records, a few dozen fields
    each); generated code without per-field calls or branches on the entry kind is about three times faster
    than interpreting the template. Only trusted text reaches the source: property names come from ddas's
    own schema and are written with ``repr``, field indices are integers, constants are passed by reference.
    """
    lines = ["def build(values, unit, groups):", "    out = {}"]
    constants: list[Any] = []
    names = iter(range(1_000_000))

    def emit(current: _Template, target: str) -> None:
        for name, kind, payload in current.entries:
            key = repr(name)
            if kind == _LEAF:
                lines.append(f"    x = values[{int(payload)}]")
                lines.append(f"    if x is not None: {target}[{key}] = x")
            elif kind == _CONST:
                constants.append(payload)
                lines.append(f"    {target}[{key}] = CONSTANTS[{len(constants) - 1}]")
            elif kind == _OBJECT:
                child = f"o{next(names)}"
                lines.append(f"    {child} = {{}}")
                emit(payload, child)
                lines.append(f"    if {child}: {target}[{key}] = {child}")
            elif kind == _NUMBERED:
                items = f"l{next(names)}"
                lines.append(f"    {items} = []")
                for sub in payload:
                    child = f"o{next(names)}"
                    lines.append(f"    {child} = {{}}")
                    emit(sub, child)
                    lines.append(f"    if {child}: {items}.append({child})")
                lines.append(f"    if {items}: {target}[{key}] = {items}")
            elif kind == _CODE:
                lines.append(f"    {target}[{key}] = unit.gemeentecode or ''")
            elif kind == _SIGNALS:
                lines.append(f"    {target}[{key}] = [{{'ID': signal}} for signal in unit.signal_ids]")
            else:
                lines.append(f"    x = groups({key})")
                lines.append(f"    if x: {target}[{key}] = x")

    emit(template, "out")
    lines.append("    return out")
    namespace: dict[str, Any] = {"CONSTANTS": constants}
    exec(compile("\n".join(lines), "<ddas.sources record builder>", "exec"), namespace)
    builder: Builder = namespace["build"]
    return builder


def _item_steps(spec: FieldSpec) -> tuple[Step, ...]:
    for position, step in enumerate(spec.steps):
        if step.index == ROW_ITEM:
            return spec.steps[position + 1 :]
    return spec.steps


def _constant(spec: FieldSpec) -> Any:
    return spec.source.value if isinstance(spec.source, Constant) else _EMPTY


# --- units ----------------------------------------------------------------------------------------------

RowRef = tuple[str, int]


@dataclass(slots=True)
class _Unit:
    """A record in the making, with every row it came from and every problem found."""

    type: RecordType
    #: What the unit is called in messages ("traject", "zaak", …) and its key from the export, if any.
    what: str
    key: str | None
    org: tuple[str | None, ...]
    gemeentecode: str | None
    order: int
    rows: list[RowRef] = field(default_factory=list)
    main_rows: list[int] = field(default_factory=list)
    #: per field index the value of the single-valued fields (None: empty); ``first_row`` gave them unless
    #: ``origins`` says otherwise. A list, not a dict: an export has hundreds of thousands of these.
    scalars: list[Any] = field(default_factory=list)
    first_row: int = 0
    origins: dict[int, int] = field(default_factory=dict)
    #: group → the rows (value lists) that hold one item each, in row order
    items: dict[str, list[list[Any]]] = field(default_factory=dict)
    #: group → (table index, item values) from joined tables
    table_items: dict[str, list[tuple[int, list[Any]]]] = field(default_factory=dict)
    problems: dict[RowRef, list[Reason]] = field(default_factory=dict)
    signal_ids: list[str] = field(default_factory=list)
    zaken: set[tuple[Any, ...]] = field(default_factory=set)
    held: bool = False
    #: For a unit held back because of another one: what to name and the row with the problem.
    cause: tuple[str, RowRef] | None = None

    @property
    def label(self) -> str:
        return f"{self.what} '{scrub(self.key)}'" if self.key is not None else self.what

    def add_row(self, ref: RowRef, main: bool) -> None:
        if not self.rows or ref not in self.rows:
            self.rows.append(ref)
            if main:
                self.main_rows.append(ref[1])

    def problem(self, ref: RowRef, reason: Reason) -> None:
        self.problems.setdefault(ref, []).append(reason)
        self.held = True


_ORG_KEYS = ("name", "kvk", "gemeentecode", "postcode")
_PREFIX = {"schuldhulptraject": "", "vroegsignaal": "vroegsignaal", "vroegsignaalzaak": "zaak"}


class _Conversion:
    """The state of one :func:`read_export` call."""

    def __init__(self, mapping: SourceMapping, table: Table) -> None:
        self.mapping = mapping
        self.kind = mapping.kind
        self.result = SourceResult(kind=mapping.kind, delimiter=table.delimiter, encoding=table.encoding)
        self.translated: Counter[_Translation] = Counter()
        self.unmapped: dict[tuple[str, str], tuple[Counter[str], list[str]]] = {}
        self.units: dict[tuple[Any, ...], _Unit] = {}
        self.loose: dict[RowRef, list[Reason]] = {}
        self.specs = list(mapping.fields)
        self.converters = [_Converter(spec, mapping, self.translated) for spec in self.specs]
        self.table_converters = [
            [_Converter(spec, mapping, self.translated) for spec in table.fields] for table in mapping.tables
        ]
        self.id_spec = next((i for i, s in enumerate(self.specs) if s.path == "vroegsignaal.ID"), None)
        self.width = len(self.specs)
        self.scalar_fields = [i for i, spec in enumerate(self.specs) if spec.group is None]
        self.group_fields: dict[str, list[int]] = {}
        for i, spec in enumerate(self.specs):
            if spec.group is not None:
                self.group_fields.setdefault(spec.group, []).append(i)
        self.has_groups = bool(self.group_fields)
        self.signal_fields = [i for i in self.scalar_fields if self.specs[i].prefix == "vroegsignaal"]
        self.zaak_fields = [i for i in self.scalar_fields if self.specs[i].prefix == "zaak"]
        self.org_cache: dict[tuple[str | None, ...], dict[str, Any]] = {}
        self.builders = {prefix: _compile(template) for prefix, template in self._templates().items()}
        self.item_builders: dict[tuple[str, int | None], Builder] = {}

    def _templates(self) -> dict[str, _Template]:
        """One template per record type; row-item groups (``schulden[]``, tables) become group entries."""
        out = {}
        specials = {"": {"gemeentecode": _CODE}, "vroegsignaal": {}, "zaak": {"vroegsignalen": _SIGNALS}}
        for prefix in ("",) if self.kind is Kind.SHV else ("vroegsignaal", "zaak"):
            special = dict(specials[prefix])
            for spec in self.specs:
                if spec.prefix == prefix and spec.group is not None:
                    special[spec.group] = _GROUP
            for table in self.mapping.tables:
                if table.prefix == prefix:
                    special[table.group] = _GROUP
            mine = [
                (i, spec.steps, _constant(spec))
                for i, spec in enumerate(self.specs)
                if spec.prefix == prefix and spec.group is None
            ]
            out[prefix] = _template(root_node(self.kind, prefix), mine, special)
        return out

    # -- the main table --

    def read_main(self, table: Table) -> None:
        mapping = self.mapping
        columns = _resolve_columns(table, self._main_columns())
        org_columns = [
            columns[source.name] if isinstance(source, Column) else None
            for key in _ORG_KEYS
            if (source := getattr(mapping.organisation, key)) is not None
        ]
        has_org_columns = any(index is not None for index in org_columns)
        gemeente = mapping.gemeentecode
        gemeente_index = columns[gemeente.name] if isinstance(gemeente, Column) else None
        key_column = mapping.traject_key or mapping.zaak_key
        key_index = columns[key_column] if key_column is not None else None
        plan = [
            (i, columns[spec.source.name], self.converters[i])
            for i, spec in enumerate(self.specs)
            if isinstance(spec.source, Column)
        ]
        # Text rows (CSV) take a fast path: plain text fields inline, the others through the converter caches.
        plain_plan = [(i, index) for i, index, converter in plan if converter.plain_text]
        cached_plan = [
            (i, index, converter.cache, converter) for i, index, converter in plan if not converter.plain_text
        ]
        translated = self.translated
        nfields = self.width
        typed = table.typed
        width = len(table.columns)
        label = table.label
        shv = self.kind is Kind.SHV
        rows = 0
        for number, cells in table.rows:
            count = len(cells)
            if _blank_row(cells):
                self.result.empty_rows += 1
                continue
            rows += 1
            if not typed and count < width:
                cells = [*cells, *([""] * (width - count))]
                count = width
            ref = (label, number)
            reasons: list[Reason] = []
            if count > width and any(_cell_text(cell) for cell in cells[width:]):
                reasons.append(
                    Reason(
                        "ROW_TOO_MANY_CELLS",
                        f"rij {number} heeft meer cellen dan er kolommen zijn; staat er een scheidingsteken in "
                        "een waarde zonder aanhalingstekens?",
                    )
                )
            org: tuple[str | None, ...] = ()
            if has_org_columns:
                org = tuple(
                    (_cell_text(cells[index]) or None) if index is not None and index < count else None
                    for index in org_columns
                )
            if gemeente_index is None:
                gemeentecode = gemeente.value if isinstance(gemeente, Constant) else ""
            else:
                gemeentecode = _code(cells[gemeente_index]) if gemeente_index < count else ""
            if not gemeentecode:
                reasons.append(
                    Reason(
                        "ROW_MISSING_GEMEENTECODE", "geen gemeentecode in deze rij", column=_name(gemeente)
                    )
                )
            key = (
                (_cell_text(cells[key_index]) if key_index < count else "") if key_index is not None else None
            )
            values: list[Any] = [None] * nfields
            if not typed:
                for i, index in plain_plan:
                    text = cells[index].strip()  # type: ignore[union-attr]
                    if text:
                        values[i] = text
                for i, index, cache, converter in cached_plan:
                    cell = cells[index]
                    if not cell:
                        continue
                    hit = cache.get(cell)
                    if hit is None:
                        hit = converter.miss(cell)
                    if hit[1] is not None:
                        translated[hit[1]] += 1
                    outcome = hit[0]
                    kind = outcome.__class__
                    if kind is _Empty:
                        continue
                    if kind is _Bad or kind is _Unmapped:
                        reasons.append(self._reason(self.specs[i], outcome))
                        continue
                    values[i] = outcome
            else:
                for i, index, converter in plan:
                    cell = cells[index] if index < count else None
                    if _is_blank(cell):
                        continue
                    outcome = converter(cell)
                    if outcome is _EMPTY:
                        continue
                    if isinstance(outcome, _Bad | _Unmapped):
                        reasons.append(self._reason(self.specs[i], outcome))
                        continue
                    values[i] = outcome
            if shv:
                self._shv_row(ref, org, gemeentecode or None, key, values, reasons)
            else:
                self._vs_row(ref, org, gemeentecode or None, key, values, reasons)
        self.result.rows_read = rows
        self.result.table_rows[label] = rows

    def _main_columns(self) -> list[tuple[str, str]]:
        mapping = self.mapping
        needed = [
            (spec.source.name, f"fields.{spec.path}")
            for spec in self.specs
            if isinstance(spec.source, Column)
        ]
        for key in _ORG_KEYS:
            source = getattr(mapping.organisation, key)
            if isinstance(source, Column):
                needed.append((source.name, f"organisation.{key}"))
        if isinstance(mapping.gemeentecode, Column):
            needed.append((mapping.gemeentecode.name, "gemeentecode"))
        if mapping.traject_key is not None:
            needed.append((mapping.traject_key, "traject_key"))
        if mapping.zaak_key is not None:
            needed.append((mapping.zaak_key, "zaak_key"))
        return needed

    def _reason(self, spec: FieldSpec, outcome: _Bad | _Unmapped) -> Reason:
        column = _name(spec.source)
        if isinstance(outcome, _Unmapped):
            assert spec.leaf.enum_field is not None
            self._note_unmapped(spec.leaf.enum_field, outcome.text, column)
            return Reason(
                "ROW_UNMAPPED_VALUE",
                f"kolom '{column}': {_shown(spec.path, outcome.text)} is geen standaardwaarde van "
                f"{spec.leaf.enum_field} en staat niet in het woordenboek of de mapping (zie het "
                "beoordelingsbestand)",
                column=column,
                field=spec.path,
            )
        return Reason(
            outcome.code,
            f"kolom '{column}': {_shown(spec.path, outcome.text)} is {outcome.problem}",
            column=column,
            field=spec.path,
        )

    def _note_unmapped(self, enum_field: str, text: str, column: str | None) -> None:
        key = (enum_field, normalize(text) or text)
        entry = self.unmapped.get(key)
        if entry is None:
            entry = (Counter(), [])
            self.unmapped[key] = entry
        entry[0][text] += 1
        if column is not None and column not in entry[1]:
            entry[1].append(column)

    def _unit(
        self,
        key: tuple[Any, ...],
        type_: RecordType,
        what: str,
        name: str | None,
        org: tuple[str | None, ...],
        gemeentecode: str | None,
    ) -> _Unit:
        unit = self.units.get(key)
        if unit is None:
            unit = _Unit(type_, what, name, org, gemeentecode, len(self.units))
            self.units[key] = unit
        elif unit.gemeentecode is None:
            unit.gemeentecode = gemeentecode
        return unit

    def _merge(self, unit: _Unit, ref: RowRef, values: list[Any], fields: list[int]) -> None:
        """Add a row's single-valued fields to a unit; a value contradicting an earlier row is a problem."""
        row = ref[1]
        if not unit.first_row:
            unit.first_row = row
            if fields is self.scalar_fields and not self.has_groups:
                unit.scalars = values  # the common case, one row per record: nothing to compare or copy
                return
            unit.scalars = [None] * self.width
        scalars = unit.scalars
        for i in fields:
            value = values[i]
            if value is None:
                continue
            earlier = scalars[i]
            if earlier is None:
                scalars[i] = value
                if row != unit.first_row:
                    unit.origins[i] = row
            elif earlier != value or earlier.__class__ is not value.__class__:
                spec = self.specs[i]
                unit.problem(
                    ref,
                    Reason(
                        "ROW_CONFLICT",
                        f"{spec.path}: {_shown(spec.path, str(value))} wijkt af van "
                        f"{_shown(spec.path, str(earlier))} in rij {unit.origins.get(i, unit.first_row)} van "
                        f"hetzelfde {unit.label}",
                        column=_name(spec.source),
                        field=spec.path,
                    ),
                )

    def _shv_row(
        self,
        ref: RowRef,
        org: tuple[str | None, ...],
        gemeentecode: str | None,
        key: str | None,
        values: list[Any],
        reasons: list[Reason],
    ) -> None:
        if key == "":
            reasons.append(
                Reason(
                    "ROW_MISSING_KEY",
                    f"geen waarde in de kolom '{self.mapping.traject_key}' (traject_key)",
                    column=self.mapping.traject_key,
                )
            )
            self.loose[ref] = reasons
            return
        if key is None:
            unit = self._unit(
                ("row", ref), "schuldhulptraject", f"traject van rij {ref[1]}", None, org, gemeentecode
            )
        else:
            unit = self._unit(("traject", org, key), "schuldhulptraject", "traject", key, org, gemeentecode)
        if key is not None:
            self._conflicting_code(unit, ref, gemeentecode)
        unit.add_row(ref, True)
        for reason in reasons:
            unit.problem(ref, reason)
        self._merge(unit, ref, values, self.scalar_fields)
        if self.has_groups:
            self._add_row_items(unit, values)

    def _conflicting_code(self, unit: _Unit, ref: RowRef, gemeentecode: str | None) -> None:
        if gemeentecode and unit.gemeentecode and gemeentecode != unit.gemeentecode:
            unit.problem(
                ref,
                Reason(
                    "ROW_CONFLICT",
                    f"gemeentecode '{gemeentecode}' wijkt af van '{unit.gemeentecode}' elders in hetzelfde "
                    f"{unit.label}",
                    column=_name(self.mapping.gemeentecode),
                ),
            )

    def _add_row_items(self, unit: _Unit, values: list[Any]) -> None:
        """A row with any value of a ``name[]`` group is one item of it (the row's value list is the item)."""
        for group, fields in self.group_fields.items():
            for i in fields:
                if values[i] is not None:
                    unit.items.setdefault(group, []).append(values)
                    break

    def _vs_row(
        self,
        ref: RowRef,
        org: tuple[str | None, ...],
        gemeentecode: str | None,
        zaak_key: str | None,
        values: list[Any],
        reasons: list[Reason],
    ) -> None:
        assert self.id_spec is not None
        signal_id = values[self.id_spec]
        zaak: _Unit | None = None
        if zaak_key:
            zaak = self._unit(
                ("zaak", org, gemeentecode, zaak_key),
                "vroegsignaalzaak",
                "zaak",
                zaak_key,
                org,
                gemeentecode,
            )
            zaak.add_row(ref, True)
            self._merge(zaak, ref, values, self.zaak_fields)
        elif any(values[i] is not None for i in self.zaak_fields):
            reasons.append(
                Reason(
                    "ROW_ZAAK_WITHOUT_KEY",
                    f"deze rij heeft zaakgegevens maar geen waarde in de kolom '{self.mapping.zaak_key}' (zaak_key)",
                    column=self.mapping.zaak_key,
                )
            )
        if not isinstance(signal_id, str) or not signal_id:
            reasons.append(
                Reason(
                    "ROW_MISSING_ID",
                    "geen ID voor het vroegsignaal",
                    column=_name(self.specs[self.id_spec].source),
                )
            )
            if zaak is not None:
                for reason in reasons:
                    zaak.problem(ref, reason)
            else:
                self.loose[ref] = reasons
            return
        signal = self._unit(
            ("signaal", org, gemeentecode, signal_id),
            "vroegsignaal",
            "vroegsignaal",
            signal_id,
            org,
            gemeentecode,
        )
        signal.add_row(ref, True)
        for reason in reasons:
            signal.problem(ref, reason)
        self._merge(signal, ref, values, self.signal_fields)
        if zaak is not None:
            signal.zaken.add(("zaak", org, gemeentecode, zaak_key))
            if signal_id not in zaak.signal_ids:
                zaak.signal_ids.append(signal_id)
        if len(signal.zaken) > 1:
            signal.problem(
                ref,
                Reason(
                    "ROW_CONFLICT",
                    f"vroegsignaal '{scrub(signal_id)}' hoort in verschillende rijen bij verschillende zaken",
                    column=self.mapping.zaak_key,
                ),
            )

    # -- joined tables --

    def read_extra(self, spec: TableSpec, table: Table) -> None:
        index = self.mapping.tables.index(spec)
        converters = self.table_converters[index]
        columns = _resolve_columns(
            table,
            [(spec.key, f"tables.{spec.label}.key")]
            + [
                (s.source.name, f"tables.{spec.label}.fields.{s.path}")
                for s in spec.fields
                if isinstance(s.source, Column)
            ],
        )
        key_index = columns[spec.key]
        field_columns = [
            (i, columns[s.source.name]) for i, s in enumerate(spec.fields) if isinstance(s.source, Column)
        ]
        targets: dict[str, list[_Unit]] = {}
        for unit_key, unit in self.units.items():
            if unit_key[0] in ("traject", "zaak"):
                targets.setdefault(unit_key[-1], []).append(unit)
        rows = 0
        for number, cells in table.rows:
            if _blank_row(cells):
                self.result.empty_rows += 1
                continue
            rows += 1
            ref = (table.label, number)
            key = _cell_text(cells[key_index]) if key_index < len(cells) else ""
            reasons: list[Reason] = []
            item: list[Any] = [None] * len(spec.fields)
            filled = False
            for i, column_index in field_columns:
                cell = cells[column_index] if column_index < len(cells) else None
                if _is_blank(cell):
                    continue
                outcome = converters[i](cell)
                if outcome is _EMPTY:
                    continue
                if isinstance(outcome, _Bad | _Unmapped):
                    reasons.append(self._reason(spec.fields[i], outcome))
                    continue
                item[i] = outcome
                filled = True
            matches = targets.get(key, []) if key else []
            if len(matches) != 1:
                if not key:
                    reasons.append(
                        Reason("ROW_MISSING_KEY", f"geen waarde in de kolom '{spec.key}'", column=spec.key)
                    )
                elif not matches:
                    what = "traject" if self.kind is Kind.SHV else "zaak"
                    reasons.append(
                        Reason(
                            "ROW_NO_MATCH",
                            f"geen {what} met '{scrub(key)}' in de hoofdtabel",
                            column=spec.key,
                        )
                    )
                else:
                    reasons.append(
                        Reason(
                            "ROW_AMBIGUOUS_KEY",
                            f"'{scrub(key)}' past bij meer dan één organisatie of gemeente",
                            column=spec.key,
                        )
                    )
                self.loose[ref] = reasons
                continue
            unit = matches[0]
            unit.add_row(ref, False)
            for reason in reasons:
                unit.problem(ref, reason)
            if filled:
                unit.table_items.setdefault(spec.group, []).append((index, item))
        self.result.table_rows[table.label] = rows

    # -- results --

    def finish(self) -> SourceResult:
        result = self.result
        self._propagate()
        held: dict[RowRef, list[Reason]] = {ref: list(reasons) for ref, reasons in self.loose.items()}
        for unit in self.units.values():
            if unit.held:
                for ref, reasons in unit.problems.items():
                    bucket = held.setdefault(ref, [])
                    bucket.extend(reason for reason in reasons if reason not in bucket)
        for unit in self.units.values():
            if not unit.held:
                continue
            cause = unit.cause or (unit.label, next(iter(unit.problems)))
            for ref in unit.rows:
                if held.get(ref):
                    continue
                label, (table, row) = cause
                where = f" van {table}" if table != ref[0] else ""
                held[ref] = [
                    Reason(
                        "ROW_GROUP_HELD_BACK",
                        f"hoort bij {label}, dat niet is overgenomen door een probleem in rij {row}{where}",
                    )
                ]
        table_order = {label: n for n, label in enumerate(result.table_rows)}
        result.held_back = [
            HeldBackRow(ref[0], ref[1], reasons)
            for ref, reasons in sorted(
                held.items(), key=lambda item: (table_order.get(item[0][0], 99), item[0][1])
            )
        ]
        result.records = self._records()
        result.unmapped = self._review_entries()
        result.translations = [
            Translation(field_name, value, standard, source, count, reason)
            for (field_name, value, standard, source, reason), count in sorted(
                self.translated.items(), key=lambda item: (item[0][0], -item[1], item[0][1])
            )
        ]
        return result

    def _propagate(self) -> None:
        """A zaak travels with all its signals: one held back holds back the others (and says why)."""
        if self.kind is not Kind.VS:
            return
        changed = True
        while changed:
            changed = False
            for unit in self.units.values():
                if unit.type != "vroegsignaal":
                    continue
                zaken = [self.units[z] for z in sorted(unit.zaken, key=str) if z in self.units]
                if unit.held:
                    for zaak in zaken:
                        if not zaak.held:
                            zaak.held = True
                            zaak.cause = _cause_of(unit, zaak.label)
                            changed = True
                else:
                    source = next((zaak for zaak in zaken if zaak.held), None)
                    if source is not None:
                        unit.held = True
                        unit.cause = _cause_of(source, source.label)
                        changed = True

    def _records(self) -> list[SourceRecord]:
        records: list[SourceRecord] = []
        kind = self.kind.value
        ordered = sorted(self.units.values(), key=lambda unit: (unit.type == "vroegsignaalzaak", unit.order))
        for unit in ordered:
            if unit.held:
                continue
            records.append(
                SourceRecord(
                    kind=kind,
                    type=unit.type,
                    organisatie=self._organisation(unit.org),
                    gemeentecode=unit.gemeentecode or "",
                    record=self._build(unit),
                    rows=unit.main_rows,
                )
            )
            # The raw values are in the record now; freeing them as we go keeps the peak near one copy.
            unit.scalars = []
            unit.items = {}
            unit.table_items = {}
        return records

    def _organisation(self, row_values: tuple[str | None, ...]) -> dict[str, Any]:
        cached = self.org_cache.get(row_values)
        if cached is not None:
            return dict(cached)
        spec = self.mapping.organisation
        resolved: dict[str, str] = {}
        position = 0
        for key in _ORG_KEYS:
            source = getattr(spec, key)
            if source is None:
                continue
            value = (
                source.value if isinstance(source, Constant) else row_values[position] if row_values else None
            )
            position += 1
            if value:
                resolved[key] = value
        names = (
            {
                "name": "(Statutaire) Naam",
                "kvk": "KvK-nummer",
                "postcode": "postcode",
                "gemeentecode": "gemeentecode",
            }
            if self.kind is Kind.SHV
            else {"name": "naam", "kvk": "kvk-nummer"}
        )
        out: dict[str, Any] = {names[key]: value for key, value in resolved.items() if key in names}
        if spec.contacts:
            out["contactpersonen" if self.kind is Kind.SHV else "contactpersoonen"] = [
                dict(c) for c in spec.contacts
            ]
        self.org_cache[row_values] = out
        return dict(out)

    def _build(self, unit: _Unit) -> dict[str, Any]:
        prefix = _PREFIX[unit.type]

        def groups(group: str) -> list[Any]:
            items = [self._item(group, None, item) for item in unit.items.get(group, ())]
            items += [self._item(group, index, item) for index, item in unit.table_items.get(group, ())]
            return items

        return self.builders[prefix](unit.scalars or [None] * self.width, unit, groups)

    def _item(self, group: str, table: int | None, values: list[Any]) -> dict[str, Any]:
        """One list item from a row: its values plus the constants of the same group, in key order."""
        key = (group, table)
        builder = self.item_builders.get(key)
        if builder is None:
            prefix = "zaak" if self.kind is Kind.VS else ""
            node = root_node(self.kind, prefix).properties[group]
            assert isinstance(node, Node)
            if table is None:
                specs = [
                    (i, _item_steps(spec), _constant(spec))
                    for i, spec in enumerate(self.specs)
                    if spec.group == group and spec.prefix == prefix
                ]
            else:
                specs = [
                    (i, spec.steps, _constant(spec))
                    for i, spec in enumerate(self.mapping.tables[table].fields)
                ]
            builder = self.item_builders[key] = _compile(_template(node, specs, {}))
        return builder(values, None, _no_groups)

    def _review_entries(self) -> list[ReviewEntry]:
        standardizer = self.mapping.standardizer
        entries = []
        for (enum_field, _key), (spellings, columns) in self.unmapped.items():
            text = spellings.most_common(1)[0][0]
            ambiguity = standardizer.ambiguity(enum_field, text)
            note = ambiguity.reason if ambiguity is not None else None
            if not normalize(text):
                note = (
                    "Bevat geen letters of cijfers. Betekent dit 'leeg', zet het dan in empty_values van de mapping "
                    "(of bij de kolom onder values met null)."
                )
            entries.append(
                ReviewEntry(
                    field=enum_field,
                    value=scrub(text),
                    count=sum(spellings.values()),
                    suggestions=standardizer.suggest(enum_field, text),
                    note=note,
                    columns=list(columns),
                    reason=scrub(standardizer.explain(enum_field, text).reason),
                )
            )
        return entries


def _no_groups(group: str) -> list[Any]:
    return []


def _cause_of(unit: _Unit, label: str) -> tuple[str, RowRef]:
    """The row to point at when ``unit`` holds back a related unit (a zaak and its signals)."""
    if unit.problems:
        return (label, next(iter(unit.problems)))
    assert unit.cause is not None
    return (label, unit.cause[1])


def _name(source: Column | Constant | None) -> str | None:
    return source.name if isinstance(source, Column) else None


def _resolve_columns(table: Table, needed: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Column name → index for every needed column; all missing or doubled names are reported at once."""
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(table.columns):
        positions.setdefault(name, []).append(index)
    folded: dict[str, list[str]] = {}
    for name in table.columns:
        folded.setdefault(name.casefold(), []).append(name)
    out: dict[str, int] = {}
    missing: list[str] = []
    doubled: list[str] = []
    for name, used_by in needed:
        if name in out:
            continue
        found = positions.get(name)
        if found is None:
            hint = ""
            same_case = folded.get(name.casefold())
            if same_case:
                hint = f"; bedoelt u '{same_case[0]}' (hoofdletters tellen)?"
            elif table.columns:
                best = process.extractOne(name, table.columns, scorer=fuzz.WRatio, score_cutoff=75)
                if best is not None:
                    hint = f"; bedoelt u '{best[0]}'?"
            missing.append(f"- kolom '{name}' ({used_by}) ontbreekt{hint}")
        elif len(found) > 1:
            doubled.append(
                f"- kolom '{name}' ({used_by}) staat {len(found)} keer in de kopregel; welke is bedoeld?"
            )
        else:
            out[name] = found[0]
    if missing or doubled:
        raise ExportError(
            "SOURCE_COLUMN_MISSING" if missing else "SOURCE_COLUMN_DUPLICATE",
            f"{table.label} past niet bij de mapping:\n" + "\n".join(missing + doubled),
        )
    return out
