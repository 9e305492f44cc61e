"""Reading the rows of a CSV file or an XLSX sheet: a header row, then data rows numbered as a spreadsheet does.

Row numbers are the ones a person sees when opening the export in Excel: the header is row 1, the first data
row is row 2 (a CSV value spanning several lines is still one row). The encoding of a CSV file is never
guessed: the mapping says it (default UTF-8, with or without byte order mark), and a byte that does not fit
stops the conversion with the line where it is. The delimiter is taken from the mapping, or else from the
header line when exactly one candidate occurs there most often — and the result reports which one was used.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ddas.sources.errors import ExportError

__all__ = ["DELIMITER_CANDIDATES", "Cell", "Table", "open_table", "sniff_delimiter", "table_format"]

#: What a cell can hold: text from CSV, typed values from XLSX.
Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | None

#: Delimiters recognised in a header line when the mapping names none.
DELIMITER_CANDIDATES = (";", ",", "\t", "|")


def _nothing() -> None:
    return None


@dataclass(slots=True)
class Table:
    """An opened table: its column names and an iterator over ``(row number, cells)``."""

    label: str
    columns: list[str]
    rows: Iterator[tuple[int, Sequence[Cell]]]
    delimiter: str | None = None
    encoding: str | None = None
    #: True for spreadsheets (cells hold typed values or None); False for CSV (every cell is text).
    typed: bool = False
    #: Releases the file; also done when ``rows`` is exhausted.
    close: Callable[[], None] = _nothing


def table_format(path: Path, declared: str | None) -> str:
    """``csv`` or ``xlsx``: as the mapping declares, else from the file name."""
    if declared is not None:
        return declared
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    raise ExportError(
        "SOURCE_FORMAT",
        f"Van {path.name} is niet te zien of het CSV of Excel (XLSX) is; zet source.format in de mapping.",
    )


def open_table(
    path: Path,
    *,
    fmt: str,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    sheet: str | None = None,
    label: str | None = None,
) -> Table:
    """Open ``path`` and read its header; raises :class:`ExportError` when that is impossible."""
    label = label or path.name
    if fmt == "xlsx":
        return _open_xlsx(path, sheet, label)
    if sheet is not None:
        raise ExportError("SOURCE_SHEET_CSV", f"{label} is een CSV-bestand en heeft geen bladen ('sheet').")
    return _open_csv(path, encoding, delimiter, label)


@contextmanager
def _source_errors(path: Path, label: str) -> Iterator[None]:
    """Turn the operating system's errors on opening a source into the same Dutch ExportErrors for every format."""
    try:
        yield
    except FileNotFoundError:
        raise ExportError("SOURCE_NOT_FOUND", f"Het bestand {label} bestaat niet ({path}).") from None
    except IsADirectoryError:
        raise ExportError("SOURCE_NOT_FOUND", f"{label} is een map, geen bestand.") from None
    except OSError as error:
        raise ExportError(
            "SOURCE_UNREADABLE", f"Het bestand {label} is niet te lezen: {error.strerror}."
        ) from None


def _read_bytes(path: Path, label: str) -> bytes:
    with _source_errors(path, label):
        return path.read_bytes()


def _check_readable(path: Path, label: str) -> None:
    """The same not-found / unreadable errors as for CSV, before openpyxl turns them into its own."""
    with _source_errors(path, label), path.open("rb"):
        pass


def _decode(data: bytes, encoding: str, label: str) -> str:
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        hint = (
            " Komt de export uit Excel of een Windows-pakket, zet dan in de mapping 'source: {encoding: cp1252}'."
            if codec.startswith("utf")
            else ""
        )
        raise ExportError(
            "SOURCE_ENCODING",
            f"{label} is geen geldige {encoding}: byte 0x{byte} op regel {line} past daar niet.{hint}",
        ) from None


def sniff_delimiter(header_line: str) -> str | None:
    """The candidate occurring most often outside quotes in the header line; None when none or a tie."""
    counts = dict.fromkeys(DELIMITER_CANDIDATES, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    ranked = sorted(counts.values(), reverse=True)
    if ranked[0] == 0 or ranked[0] == ranked[1]:
        return None
    return max(counts, key=lambda candidate: counts[candidate])


def _codec(encoding: str) -> str:
    """The codec that reads ``encoding``: UTF-8 accepts a byte order mark (it is unambiguous, not a guess)."""
    return "utf-8-sig" if encoding == "utf-8" else encoding


def _check_text(path: Path, encoding: str, label: str) -> bool:
    """Decode the whole file once, in chunks, without keeping it: True when it holds any non-blank text.

    Reading the rows then streams through a text wrapper, so a large export is never held in memory twice.
    On an invalid byte the file is decoded in one piece to say exactly on which line it is.
    """
    decoder = codecs.getincrementaldecoder(_codec(encoding))()
    content = False
    try:
        with path.open("rb") as raw:
            while True:
                chunk = raw.read(1 << 20)
                try:
                    text = decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError:
                    _decode(_read_bytes(path, label), encoding, label)
                    raise  # pragma: no cover - _decode raised with the line number
                content = content or (bool(text) and not text.isspace())
                if not chunk:
                    return content
    except FileNotFoundError:
        raise ExportError("SOURCE_NOT_FOUND", f"Het bestand {label} bestaat niet ({path}).") from None
    except IsADirectoryError:
        raise ExportError("SOURCE_NOT_FOUND", f"{label} is een map, geen bestand.") from None
    except OSError as error:
        raise ExportError(
            "SOURCE_UNREADABLE", f"Het bestand {label} is niet te lezen: {error.strerror}."
        ) from None


def _open_csv(path: Path, encoding: str, delimiter: str | None, label: str) -> Table:
    if not _check_text(path, encoding, label):
        raise ExportError("SOURCE_EMPTY", f"{label} is leeg.")
    handle = path.open("r", encoding=_codec(encoding), newline="")
    try:
        first_line = handle.readline()
        if delimiter is None:
            delimiter = sniff_delimiter(first_line.rstrip("\r\n"))
            if delimiter is None:
                raise ExportError(
                    "SOURCE_DELIMITER",
                    f"Het scheidingsteken van {label} is niet eenduidig uit de kopregel af te leiden; zet "
                    'source.delimiter in de mapping (bijvoorbeeld ";").',
                )
        reader = csv.reader(itertools.chain([first_line], handle), delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except csv.Error as error:
            raise ExportError(
                "SOURCE_CSV_INVALID", f"De kopregel van {label} is geen geldige CSV: {error}."
            ) from None
    except BaseException:
        handle.close()
        raise
    columns = [name.strip() for name in header]
    return Table(label, columns, _csv_rows(reader, label, handle), delimiter, encoding, close=handle.close)


def _csv_rows(reader: Any, label: str, handle: Any) -> Iterator[tuple[int, Sequence[Cell]]]:
    number = 1
    try:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ExportError(
                    "SOURCE_CSV_INVALID",
                    f"{label} is geen geldige CSV na rij {number} (regel {reader.line_num}): {error}.",
                ) from None
            number += 1
            yield number, row
    finally:
        handle.close()


def _open_xlsx(path: Path, sheet: str | None, label: str) -> Table:
    import openpyxl

    _check_readable(path, label)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged or foreign file
        raise ExportError(
            "SOURCE_XLSX_INVALID", f"{label} is geen leesbaar Excel-bestand (XLSX): {type(error).__name__}."
        ) from None
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ExportError(
                "SOURCE_SHEET_MISSING",
                f"{label} heeft geen blad '{sheet}'; wel: {', '.join(workbook.sheetnames)}.",
            )
        if hasattr(worksheet, "reset_dimensions"):
            worksheet.reset_dimensions()  # stored dimensions are often wrong; read what is there
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None)
    except ExportError:
        workbook.close()
        raise
    except Exception as error:
        workbook.close()
        raise ExportError(
            "SOURCE_XLSX_INVALID", f"{label} is niet te lezen als Excel-bestand: {type(error).__name__}."
        ) from None
    if header is None:
        workbook.close()
        raise ExportError("SOURCE_EMPTY", f"Het blad van {label} is leeg.")
    columns = [_header_name(cell) for cell in header]
    while columns and not columns[-1]:
        columns.pop()
    shown = f"{label} / {worksheet.title}"
    return Table(shown, columns, _xlsx_rows(workbook, rows, shown), typed=True, close=workbook.close)


def _header_name(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _xlsx_rows(
    workbook: Any, rows: Iterator[tuple[Any, ...]], label: str
) -> Iterator[tuple[int, Sequence[Cell]]]:
    number = 1
    try:
        for row in rows:
            number += 1
            yield number, row
    except Exception as error:
        raise ExportError(
            "SOURCE_XLSX_INVALID", f"{label} is niet verder te lezen na rij {number}: {type(error).__name__}."
        ) from None
    finally:
        workbook.close()
