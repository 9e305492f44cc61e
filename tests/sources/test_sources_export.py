"""read_export: rows become records per traject or zaak; a unit with any problem is held back whole, with reasons."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from _sources_helpers import SHV_MAPPING, VS_MAPPING, mapping, write_csv

from ddas.sources import ExportError, SourceResult, read_export, to_document
from ddas.standardize import official_values

BSN_1 = "123456782"
BSN_2 = "111222333"


def reasons(result: SourceResult) -> dict[int, list[str]]:
    return {row.row: [reason.code for reason in row.reasons] for row in result.held_back}


def test_one_row_per_traject(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path,
        "export.csv",
        [
            ["BSN", "Geslacht", "Start", "BSN partner", "Geslacht partner", "Reden", "Einde"],
            [BSN_1, "M", "01-02-2024", "", "", "", ""],
            ["", "", "02-02-2024", BSN_2, "vrouwelijk", "Succesvol afgerond", "03-03-2024"],
        ],
    )
    fields = {
        "startdatum": "Start",
        "einddatum": "Einde",
        "uitstroom.reden": "Reden",
        "uitstroom.datum": "Einde",
        "client.0.Burgerservicenummer": "BSN",
        "client.0.Geslachtsaanduiding": "Geslacht",
        "client.1.Burgerservicenummer": "BSN partner",
        "client.1.Geslachtsaanduiding": "Geslacht partner",
        "omschrijving": {"value": "Uit het pakket"},
    }
    result = read_export(export, mapping(SHV_MAPPING, fields=fields))
    assert result.complete and result.rows_read == 2
    first, second = (record["record"] for record in result.records)
    assert first == {
        "omschrijving": "Uit het pakket",
        "startdatum": "2024-02-01",
        "gemeentecode": "0999",
        "client": [{"Burgerservicenummer": BSN_1, "Geslachtsaanduiding": "Man"}],
    }
    # the published key order, the second client closing up to the first place
    assert list(second) == ["einddatum", "omschrijving", "startdatum", "gemeentecode", "client", "uitstroom"]
    assert second["client"] == [{"Burgerservicenummer": BSN_2, "Geslachtsaanduiding": "Vrouw"}]
    assert second["uitstroom"] == {"datum": "2024-03-03", "reden": "Afgerond"}
    envelope = result.records[0]
    assert envelope["kind"] == "shv" and envelope["type"] == "schuldhulptraject" and envelope["rows"] == [2]
    assert envelope["organisatie"] == {"(Statutaire) Naam": "Gemeente Test", "gemeentecode": "0999"}
    assert {(t.value, t.standard, t.count) for t in result.translations} == {
        ("M", "Man", 1),
        ("vrouwelijk", "Vrouw", 1),
        ("Succesvol afgerond", "Afgerond", 1),
    }


def long_export(tmp_path: Path, rows: list[list[str]]) -> Path:
    return write_csv(
        tmp_path, "export.csv", [["Dossier", "BSN", "Start", "Schuld", "Soort", "Schuldeiser"], *rows]
    )


LONG_FIELDS = {
    "startdatum": "Start",
    "client.0.Burgerservicenummer": "BSN",
    "schulden[].bedrag": "Schuld",
    "schulden[].schuldsoort": "Soort",
    "schulden[].schuldeiser.naam": "Schuldeiser",
    "schulden[].zakelijkeSchuld": {"value": False},
}


def test_rows_per_traject_with_a_debt_each(tmp_path: Path) -> None:
    export = long_export(
        tmp_path,
        [
            ["D1", BSN_1, "01-02-2024", "1.234,56", "Zorgverzekeraar", "CZ"],
            ["D1", "", "", "200", "Belastingdienst", "Belastingdienst"],
            ["D2", BSN_2, "05-03-2024", "", "", ""],
        ],
    )
    result = read_export(export, mapping(SHV_MAPPING, traject_key="Dossier", fields=LONG_FIELDS))
    assert result.complete
    d1, d2 = (record["record"] for record in result.records)
    assert d1["schulden"] == [
        {"bedrag": 1235, "schuldsoort": "Zorg", "zakelijkeSchuld": False, "schuldeiser": {"naam": "CZ"}},
        {
            "bedrag": 200,
            "schuldsoort": "Publiek",
            "zakelijkeSchuld": False,
            "schuldeiser": {"naam": "Belastingdienst"},
        },
    ]
    assert "schulden" not in d2  # a row without any debt value adds no debt (the constant alone makes none)
    assert result.records[0]["rows"] == [2, 3]


def test_conflicting_rows_hold_back_the_whole_traject(tmp_path: Path) -> None:
    export = long_export(
        tmp_path,
        [
            ["D1", BSN_1, "01-02-2024", "10", "Huur", "Woonstad"],
            ["D1", BSN_2, "01-02-2024", "20", "Huur", "Woonstad"],
            ["D1", "", "", "30", "Huur", "Woonstad"],
            ["D2", BSN_2, "05-03-2024", "5", "Huur", "X"],
        ],
    )
    result = read_export(export, mapping(SHV_MAPPING, traject_key="Dossier", fields=LONG_FIELDS))
    assert [record["record"]["client"][0]["Burgerservicenummer"] for record in result.records] == [BSN_2]
    assert reasons(result) == {3: ["ROW_CONFLICT"], 2: ["ROW_GROUP_HELD_BACK"], 4: ["ROW_GROUP_HELD_BACK"]}
    conflict = result.held_back[1].reasons[0]
    assert conflict.field == "client.0.Burgerservicenummer" and conflict.column == "BSN"
    assert BSN_1 not in conflict.message and BSN_2 not in conflict.message  # masked
    assert "*****6782" in conflict.message and "rij 2" in conflict.message
    group = result.held_back[0].reasons[0]
    assert "traject 'D1'" in group.message and "rij 3" in group.message


def test_values_that_do_not_parse(tmp_path: Path) -> None:
    export = long_export(
        tmp_path,
        [
            ["D1", BSN_1, "31-02-2024", "12.5", "Telefoon", "KPN"],
            ["D2", BSN_2, "01-02-2024", "5", "telefoon ", "KPN"],
            ["D3", "", "01-02-2024", "5", "Huur", "X"],
        ],
    )
    result = read_export(export, mapping(SHV_MAPPING, traject_key="Dossier", fields=LONG_FIELDS))
    assert [record["rows"] for record in result.records] == [[4]]
    assert reasons(result) == {
        2: ["ROW_DATE_INVALID", "ROW_AMOUNT_INVALID", "ROW_UNMAPPED_VALUE"],
        3: ["ROW_UNMAPPED_VALUE"],
    }
    date = result.held_back[0].reasons[0]
    assert date.message == "kolom 'Start': '31-02-2024' is geen datum in de vorm dd-mm-jjjj"
    (entry,) = result.unmapped
    assert (entry.field, entry.value, entry.count, entry.columns) == ("schuldsoort", "Telefoon", 2, ["Soort"])
    assert entry.note and [value for value, _ in entry.suggestions][:2] == ["Nuts", "Overig"]


def test_keys_codes_and_cells(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path,
        "export.csv",
        [
            ["Dossier", "Gemeente", "Start"],
            ["", "0999", "01-01-2024"],
            ["D2", "", "01-01-2024"],
            ["D3", "0999", "01-01-2024", "extra"],
            ["D4", "0999", "01-01-2024", ""],
            ["", "", ""],
            ["D5", "0998"],
        ],
    )
    result = read_export(
        export,
        mapping(
            SHV_MAPPING,
            traject_key="Dossier",
            gemeentecode={"column": "Gemeente"},
            fields={"startdatum": "Start"},
        ),
    )
    assert reasons(result) == {
        2: ["ROW_MISSING_KEY"],
        3: ["ROW_MISSING_GEMEENTECODE"],
        4: ["ROW_TOO_MANY_CELLS"],
    }
    assert [(r["gemeentecode"], r["rows"]) for r in result.records] == [("0999", [5]), ("0998", [7])]
    assert (result.rows_read, result.empty_rows) == (5, 1)


def test_gemeentecode_conflict_within_a_traject(tmp_path: Path) -> None:
    export = write_csv(tmp_path, "e.csv", [["Dossier", "Gemeente"], ["D1", "0999"], ["D1", "0998"]])
    result = read_export(
        export,
        mapping(
            SHV_MAPPING,
            traject_key="Dossier",
            gemeentecode={"column": "Gemeente"},
            fields={"omschrijving": "Dossier"},
        ),
    )
    assert not result.records and reasons(result) == {3: ["ROW_CONFLICT"], 2: ["ROW_GROUP_HELD_BACK"]}


def test_missing_and_doubled_columns(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path, "e.csv", [["Startdatum", "BSN", "BSN", "geslacht"], ["01-01-2024", "1", "2", "M"]]
    )
    with pytest.raises(ExportError) as caught:
        read_export(
            export,
            mapping(
                SHV_MAPPING, fields={"startdatum": "Start datum", "client.0.Geslachtsaanduiding": "Geslacht"}
            ),
        )
    assert caught.value.code == "SOURCE_COLUMN_MISSING"
    assert "bedoelt u 'Startdatum'?" in caught.value.message
    assert "bedoelt u 'geslacht' (hoofdletters tellen)?" in caught.value.message
    with pytest.raises(ExportError) as caught:
        read_export(export, mapping(SHV_MAPPING, fields={"client.0.Burgerservicenummer": "BSN"}))
    assert caught.value.code == "SOURCE_COLUMN_DUPLICATE"


def test_empty_values_and_column_value_maps(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path,
        "e.csv",
        [
            ["Crisis", "Geslacht", "Oplossing"],
            ["X", "-", "n.v.t."],
            ["", "?", "Schuldregeling"],
            ["nee", "Man", "onbekend"],
        ],
    )
    fields = {
        "aanmelding.crisisinterventie": {"column": "Crisis", "values": {"X": True}},
        "client.0.Geslachtsaanduiding": {"column": "Geslacht", "values": {"?": "Onbekend"}},
        "oplossing.soort": {
            "column": "Oplossing",
            "values": {"Schuldregeling": "Schuldbemiddeling", "Onbekend": None},
        },
    }
    result = read_export(export, mapping(SHV_MAPPING, fields=fields, empty_values=["-", "N.V.T."]))
    assert result.complete
    assert [record["record"] for record in result.records] == [
        {"gemeentecode": "0999", "aanmelding": {"crisisinterventie": True}},
        {
            "gemeentecode": "0999",
            "client": [{"Geslachtsaanduiding": "Onbekend"}],
            "oplossing": {"soort": "Schuldbemiddeling"},
        },
        {
            "gemeentecode": "0999",
            "aanmelding": {"crisisinterventie": False},
            "client": [{"Geslachtsaanduiding": "Man"}],
        },
    ]


def test_mapping_values_are_used_and_reported(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path, "e.csv", [["Oplossing"], ["Minnelijke schuldregeling"], ["MINNELIJKE SCHULDREGELING"]]
    )
    result = read_export(
        export,
        mapping(
            SHV_MAPPING,
            fields={"oplossing.soort": "Oplossing"},
            values={"oplossingssoort": {"Minnelijke schuldregeling": "Schuldbemiddeling"}},
        ),
    )
    assert result.complete
    assert {(t.value, t.source) for t in result.translations} == {
        ("Minnelijke schuldregeling", "override"),
        ("MINNELIJKE SCHULDREGELING", "override"),
    }


def test_joined_table(tmp_path: Path) -> None:
    write_csv(
        tmp_path,
        "export.csv",
        [["Dossier", "Start"], ["D1", "01-01-2024"], ["D2", "02-01-2024"], ["D3", "03-01-2024"]],
    )
    write_csv(
        tmp_path,
        "schulden.csv",
        [
            ["Dossier", "Bedrag", "Soort"],
            ["D1", "100", "Huur"],
            ["D1", "50,50", "Eneco"],
            ["D2", "7", "Bitcoin"],
            ["D9", "1", "Huur"],
            ["", "1", "Huur"],
        ],
        encoding="cp1252",
    )
    table = {
        "file": "schulden.csv",
        "encoding": "cp1252",
        "key": "Dossier",
        "group": "schulden",
        "fields": {"bedrag": "Bedrag", "schuldsoort": "Soort"},
    }
    result = read_export(
        tmp_path / "export.csv",
        mapping(SHV_MAPPING, traject_key="Dossier", fields={"startdatum": "Start"}, tables=[table]),
    )
    assert [(r["record"]["startdatum"], r["record"].get("schulden")) for r in result.records] == [
        ("2024-01-01", [{"bedrag": 100, "schuldsoort": "Overig"}, {"bedrag": 51, "schuldsoort": "Nuts"}]),
        ("2024-01-03", None),
    ]
    held = {(row.table, row.row): [r.code for r in row.reasons] for row in result.held_back}
    assert held == {
        ("export.csv", 3): ["ROW_GROUP_HELD_BACK"],
        ("schulden.csv", 4): ["ROW_UNMAPPED_VALUE"],
        ("schulden.csv", 5): ["ROW_NO_MATCH"],
        ("schulden.csv", 6): ["ROW_MISSING_KEY"],
    }
    assert result.table_rows == {"export.csv": 3, "schulden.csv": 5}


def test_organisation_per_row_gives_leveringen_per_gemeente(tmp_path: Path) -> None:
    export = write_csv(
        tmp_path,
        "e.csv",
        [
            ["Org", "KvK", "Gemeente", "Start"],
            ["Bank A", "11111111", "0997", "01-01-2024"],
            ["Bank A", "11111111", "0998", "01-01-2024"],
            ["Bank B", "22222222", "0997", "01-01-2024"],
            ["Bank A", "11111111", "0997", "02-01-2024"],
        ],
    )
    result = read_export(
        export,
        mapping(
            SHV_MAPPING,
            organisation={
                "name": {"column": "Org"},
                "kvk": {"column": "KvK"},
                "contacts": [{"email": "a@b.nl"}],
            },
            gemeentecode={"column": "Gemeente"},
            fields={"startdatum": "Start"},
        ),
    )
    document = to_document(
        result,
        (dt.date(2024, 1, 1), "2024-12-31"),
        "Pakket 1.0",
        delivered_at=dt.datetime(2025, 1, 2, 3, 4, 5),
    )
    assert document["aanleverdatumEnTijd"] == "2025-01-02T03:04:05Z"
    summary = [
        (
            lev["teller"],
            lev["aanleverende_organisatie"]["(Statutaire) Naam"],
            len(lev["schuldhulptrajecten"]),
            {t["gemeentecode"] for t in lev["schuldhulptrajecten"]},
        )
        for lev in document["leveringen"]
    ]
    assert summary == [(1, "Bank A", 2, {"0997"}), (2, "Bank A", 1, {"0998"}), (3, "Bank B", 1, {"0997"})]
    org = document["leveringen"][0]["aanleverende_organisatie"]
    assert org == {
        "(Statutaire) Naam": "Bank A",
        "KvK-nummer": "11111111",
        "contactpersonen": [{"email": "a@b.nl"}],
    }


VS_HEADER = ["ID", "Zaak", "Melder", "Postcode", "Huisnummer", "Resultaat"]


def vs_export(tmp_path: Path, rows: list[list[str]]) -> Path:
    return write_csv(tmp_path, "vs.csv", [VS_HEADER, *rows])


def test_vs_signals_and_zaken(tmp_path: Path) -> None:
    export = vs_export(
        tmp_path,
        [
            ["S1", "Z1", "Eneco", "1234AB", "1", "Client niet bereikt"],
            ["S2", "Z1", "Woonstad Rotterdam", "1234AB", "1", ""],
            ["S3", "", "DUO", "1234AC", "2", ""],
            ["S1", "Z1", "Eneco", "1234AB", "1", "Client niet bereikt"],  # the same signal again: merged
        ],
    )
    result = read_export(export, VS_MAPPING)
    assert result.complete
    types = [(r["type"], r["record"].get("ID")) for r in result.records]
    assert types == [
        ("vroegsignaal", "S1"),
        ("vroegsignaal", "S2"),
        ("vroegsignaal", "S3"),
        ("vroegsignaalzaak", None),
    ]
    zaak = result.records[3]
    assert zaak["record"] == {
        "resultaat": "Definitief geen contact kunnen krijgen",
        "vroegsignalen": [{"ID": "S1"}, {"ID": "S2"}],
    }
    assert zaak["rows"] == [2, 3, 5] and zaak["gemeentecode"] == "0999"
    assert result.records[0]["record"] == {
        "ID": "S1",
        "signaalpartner": {"type": "Energie"},
        "client": {"Postcode": "1234AB", "Huisnummer": "1"},
    }
    assert zaak["organisatie"] == {"naam": "Gemeente Test", "kvk-nummer": "12345678"}
    document = to_document(result, ("2024-01-01", "2024-06-30"), "Pakket 1.0")
    (levering,) = document["leveringen"]
    assert levering["gemeentecode"] == "0999"
    assert (len(levering["vroegsignalen"]), len(levering["vroegsignaalzaken"])) == (3, 1)


def test_vs_a_zaak_travels_with_all_its_signals(tmp_path: Path) -> None:
    export = vs_export(
        tmp_path,
        [
            ["S1", "Z1", "Eneco", "1234AB", "1", ""],
            ["S2", "Z1", "CAK", "1234AB", "1", ""],
            ["S3", "Z2", "DUO", "1234AC", "2", "Geen hulp nodig"],
            ["S4", "Z2", "DUO", "1234AC", "2", "Budgetadvies"],
            ["S5", "Z3", "DUO", "1234AD", "3", ""],
            ["S5", "Z4", "DUO", "1234AD", "3", ""],
            ["", "Z5", "DUO", "1234AE", "4", ""],
            ["S6", "Z5", "DUO", "1234AE", "4", ""],
            ["S7", "", "DUO", "1234AF", "5", "Budgetadvies"],
        ],
    )
    result = read_export(export, VS_MAPPING)
    assert not result.records
    assert reasons(result) == {
        2: ["ROW_GROUP_HELD_BACK"],
        3: ["ROW_UNMAPPED_VALUE"],
        4: ["ROW_GROUP_HELD_BACK"],
        5: ["ROW_CONFLICT"],
        6: ["ROW_GROUP_HELD_BACK"],
        7: ["ROW_CONFLICT"],
        8: ["ROW_MISSING_ID"],
        9: ["ROW_GROUP_HELD_BACK"],
        10: ["ROW_ZAAK_WITHOUT_KEY"],
    }
    assert "zaak 'Z1'" in result.held_back[0].reasons[0].message
    assert "rij 3" in result.held_back[0].reasons[0].message


def test_vs_contact_attempts_from_a_sheet(tmp_path: Path) -> None:
    path = tmp_path / "vs.xlsx"
    book = openpyxl.Workbook()
    signals = book.active
    assert signals is not None
    signals.title = "Signalen"
    signals.append(
        ["ID", "Zaak", "Melder", "Postcode", "Huisnummer", "Resultaat", "BSN", "Datum", "Bedrag", "Gemeente"]
    )
    signals.append(
        [
            "S1",
            "Z1",
            "Vattenfall",
            "1234AB",
            12,
            "Verwezen naar Geldloket",
            12345672,
            dt.datetime(2024, 2, 3),
            99.5,
            363,
        ]
    )
    signals.append(["S2", "Z2", "Evides", "1234AC", 3, None, "012345672", "04-02-2024", "1.000,00", "0363"])
    attempts = book.create_sheet("Pogingen")
    attempts.append(["Zaak", "Soort", "Bereikt", "Dagdeel", "Datum"])
    attempts.append(["Z1", "Huisbezoek samen met collega", True, "'s middags", dt.date(2024, 2, 5)])
    attempts.append(["Z1", "Sms/WhatsApp", "Nee", "ochtend", dt.date(2024, 2, 6)])
    attempts.append(["Z2", "Postduif", 1, "Avond", dt.date(2024, 2, 6)])
    book.save(path)
    result = read_export(
        path,
        mapping(
            VS_MAPPING,
            source={"sheet": "Signalen"},
            gemeentecode={"column": "Gemeente"},
            fields={
                **VS_MAPPING["fields"],
                "vroegsignaal.client.Burgerservicenummer": "BSN",
                "vroegsignaal.signaaldatum": "Datum",
                "vroegsignaal.bedrag": "Bedrag",
            },
            tables=[
                {
                    "sheet": "Pogingen",
                    "key": "Zaak",
                    "group": "zaak.contactpogingen",
                    "fields": {
                        "soort": "Soort",
                        "bereikt": "Bereikt",
                        "dagdeel": "Dagdeel",
                        "datum": "Datum",
                    },
                }
            ],
        ),
    )
    assert [r["record"].get("ID") for r in result.records] == ["S1", None]
    signal, zaak = (r["record"] for r in result.records)
    assert signal["client"] == {"Burgerservicenummer": "012345672", "Postcode": "1234AB", "Huisnummer": "12"}
    assert (signal["signaaldatum"], signal["bedrag"]) == ("2024-02-03", 100)
    assert result.records[0]["gemeentecode"] == "0363"
    assert zaak["contactpogingen"] == [
        {"soort": "Huisbezoek", "bereikt": True, "datum": "2024-02-05", "dagdeel": "Middag"},
        {"soort": "SMS/Whatsapp", "bereikt": False, "datum": "2024-02-06", "dagdeel": "Ochtend"},
    ]
    held = {(row.table, row.row): [r.code for r in row.reasons] for row in result.held_back}
    assert held == {
        ("vs.xlsx / Signalen", 3): ["ROW_GROUP_HELD_BACK"],
        ("vs.xlsx / Pogingen", 4): ["ROW_UNMAPPED_VALUE"],
    }


@pytest.mark.parametrize("value", ["Telefoon", "telefonisch", "Postduif", "", "  "])
def test_nothing_unmapped_slips_through(tmp_path: Path, value: str) -> None:
    export = vs_export(tmp_path, [["S1", "Z1", value, "1234AB", "1", value]])
    result = read_export(
        export, mapping(VS_MAPPING, fields={**VS_MAPPING["fields"], "zaak.contactpogingen.0.soort": "Melder"})
    )
    records: list[dict[str, Any]] = [r["record"] for r in result.records]
    for record in records:
        partner = record.get("signaalpartner", {}).get("type")
        assert partner is None or partner in official_values("signaalpartner")
    unmapped = {(entry.field, entry.value) for entry in result.unmapped}
    if result.records:
        assert not unmapped
    else:
        assert unmapped and result.held_back


def test_punctuation_only_values_are_reviewed_with_a_hint(tmp_path: Path) -> None:
    export = write_csv(tmp_path, "e.csv", [["Start", "BSN", "Geslacht"], ["01-01-2024", BSN_1, "-"]])
    result = read_export(export, SHV_MAPPING)
    (entry,) = result.unmapped
    assert entry.value == "-" and entry.note is not None and "empty_values" in entry.note
    fixed = read_export(export, mapping(SHV_MAPPING, empty_values=["-"]))
    assert fixed.complete and fixed.records[0]["record"]["client"] == [{"Burgerservicenummer": BSN_1}]
