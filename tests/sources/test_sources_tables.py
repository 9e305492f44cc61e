"""Reading CSV and XLSX: declared encodings, BOMs, delimiters, broken files, sheets — never a guess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from ddas.sources import ExportError
from ddas.sources.tables import open_table, sniff_delimiter, table_format


def csv_file(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows(table: object) -> list[tuple[int, list[object]]]:
    return [(number, list(cells)) for number, cells in table.rows]  # type: ignore[attr-defined]


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    for data in (
        b"Naam;Plaats\r\nJos\xc3\xa9;Zo\xc3\xabl\r\n",
        b"\xef\xbb\xbfNaam;Plaats\nJos\xc3\xa9;Zo\xc3\xabl\n",
    ):
        table = open_table(csv_file(tmp_path, data), fmt="csv")
        assert table.columns == ["Naam", "Plaats"]  # no BOM glued to the first header
        assert rows(table) == [(2, ["José", "Zoël"])]
        assert (table.delimiter, table.encoding) == (";", "utf-8")


def test_cp1252_only_when_declared(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "Naam;Plaats\nJan;Rotterdam\nJosé;Zoël\n".encode("cp1252"))
    with pytest.raises(ExportError) as caught:
        open_table(path, fmt="csv")
    assert caught.value.code == "SOURCE_ENCODING"
    assert "regel 3" in caught.value.message and "cp1252" in caught.value.message
    table = open_table(path, fmt="csv", encoding="cp1252")
    assert rows(table)[1] == (3, ["José", "Zoël"])


def test_delimiter_sniffing(tmp_path: Path) -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter("a\tb") == "\t"
    assert sniff_delimiter("a;b,c") is None  # a tie: not guessed
    assert sniff_delimiter("kolom") is None
    with pytest.raises(ExportError) as caught:
        open_table(csv_file(tmp_path, b"a;b,c\n1;2,3\n"), fmt="csv")
    assert caught.value.code == "SOURCE_DELIMITER"
    table = open_table(csv_file(tmp_path, b"a;b,c\n1;2,3\n"), fmt="csv", delimiter=",")
    table.close()
    assert table.columns == ["a;b", "c"]


def test_quoted_values_span_lines_but_keep_row_numbers(tmp_path: Path) -> None:
    table = open_table(csv_file(tmp_path, b'id;tekst\n1;"twee\nregels"\n2;"a;b"\n'), fmt="csv")
    assert rows(table) == [(2, ["1", "twee\nregels"]), (3, ["2", "a;b"])]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "SOURCE_EMPTY"),
        (b"  \n\n", "SOURCE_EMPTY"),
        (b'a;b\n1;"open\n', "SOURCE_CSV_INVALID"),
        (b'a;b\n1;"x"y\n', "SOURCE_CSV_INVALID"),
    ],
)
def test_broken_csv(tmp_path: Path, data: bytes, code: str) -> None:
    with pytest.raises(ExportError) as caught:
        rows(open_table(csv_file(tmp_path, data), fmt="csv"))
    assert caught.value.code == code


def test_missing_files(tmp_path: Path) -> None:
    for fmt in ("csv", "xlsx"):
        with pytest.raises(ExportError) as caught:
            open_table(tmp_path / f"nope.{fmt}", fmt=fmt)
        assert caught.value.code == "SOURCE_NOT_FOUND"
    with pytest.raises(ExportError) as caught:
        open_table(tmp_path, fmt="csv")
    assert caught.value.code == "SOURCE_NOT_FOUND"


def test_format_from_name() -> None:
    assert table_format(Path("a.CSV"), None) == "csv"
    assert table_format(Path("a.xlsx"), None) == "xlsx"
    assert table_format(Path("a.dat"), "csv") == "csv"
    with pytest.raises(ExportError) as caught:
        table_format(Path("a.ods"), None)
    assert caught.value.code == "SOURCE_FORMAT"


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Signalen"
    first.append(["ID", "Datum", "Bedrag", 2024, None])
    first.append(["A1", dt.datetime(2024, 3, 4), 12.5, True])
    first.append([None, None, None, None])
    first.append(["A2", "05-03-2024", 7])
    second = book.create_sheet("Pogingen")
    second.append(["Zaak", "Soort"])
    second.append(["Z1", "Brief"])
    book.save(path)
    return path


def test_xlsx_first_or_named_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "export.xlsx")
    table = open_table(path, fmt="xlsx")
    assert table.typed and table.label == "export.xlsx / Signalen"
    assert table.columns == ["ID", "Datum", "Bedrag", "2024"]
    got = rows(table)
    assert got[0] == (2, ["A1", dt.datetime(2024, 3, 4), 12.5, True])
    assert got[2][0] == 4  # Excel row numbers, empty rows counted
    named = open_table(path, fmt="xlsx", sheet="Pogingen")
    assert rows(named) == [(2, ["Z1", "Brief"])]


def test_xlsx_problems(tmp_path: Path) -> None:
    path = workbook(tmp_path / "export.xlsx")
    with pytest.raises(ExportError) as caught:
        open_table(path, fmt="xlsx", sheet="Zaken")
    assert caught.value.code == "SOURCE_SHEET_MISSING" and "Signalen, Pogingen" in caught.value.message
    with pytest.raises(ExportError) as caught:
        open_table(csv_file(tmp_path, b"a;b\n1;2\n", "nep.xlsx"), fmt="xlsx")
    assert caught.value.code == "SOURCE_XLSX_INVALID"
    with pytest.raises(ExportError) as caught:
        open_table(csv_file(tmp_path, b"a;b\n", "x.csv"), fmt="csv", sheet="Blad1")
    assert caught.value.code == "SOURCE_SHEET_CSV"
