"""Generate the example exports in this folder: what an SHV package and a VS registration typically produce.

Run ``python examples/generate_examples.py [FOLDER]`` (default: this folder). The output is deterministic
(fixed seed), so the files in the repository are exactly what this script writes; a test regenerates them and
compares. All persons are invented: BSNs pass the elfproef but are drawn at random, names and addresses are
made up, and the gemeentecodes 0997–0999 are not real gemeenten.

The exports deliberately look like real ones: Dutch column headers, dd-mm-jjjj dates, amounts with a decimal
comma, yes/no as Ja/Nee or J/N, and free-text values in many spellings — most of which the built-in dictionary
standardises, and three per export that it cannot (they go to the review file, see the example mappings).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SEED = 20240701

SHV_FILE = "export-shv.csv"
SHV_SCHULDEN_FILE = "export-shv-schulden.csv"
VS_FILE = "export-vs.xlsx"

SHV_COLUMNS = [
    "Dossiernummer",
    "Gemeentecode",
    "Datum aanmelding",
    "Crisisinterventie",
    "Datum crisisinterventie",
    "Datum intake",
    "Einde intake",
    "Beschikkingsdatum",
    "Beschikking",
    "Plan van aanpak gereed",
    "Start stabilisatie",
    "Einde stabilisatie",
    "Datum verzoek schuldregeling",
    "Schuldregeling toegekend",
    "Dwangakkoord",
    "Oplossing",
    "Start oplossing",
    "Einde oplossing",
    "VTLB",
    "Begeleiding",
    "Start begeleiding",
    "Einde begeleiding",
    "Startdatum traject",
    "Einddatum traject",
    "Reden beëindiging",
    "Totale schuld",
    "BSN aanvrager",
    "Geboortedatum aanvrager",
    "Geslacht aanvrager",
    "Postcode",
    "Huisnummer",
    "Toevoeging",
    "BSN partner",
    "Geboortedatum partner",
    "Geslacht partner",
]

SCHULDEN_COLUMNS = [
    "Dossiernummer",
    "Schuldeiser",
    "KvK schuldeiser",
    "Soort schuld",
    "Bedrag",
    "Peildatum",
    "Zakelijk",
]

SIGNALEN_COLUMNS = [
    "Signaal-ID",
    "Gemeentecode",
    "Zaaknummer",
    "Melder",
    "Signaaldatum",
    "Ontstaansdatum",
    "Bedrag achterstand",
    "Crisissignaal",
    "Warme overdracht",
    "Status signaal",
    "BSN",
    "Voorletters",
    "Tussenvoegsel",
    "Achternaam",
    "Geboortedatum",
    "Straat",
    "Postcode",
    "Huisnummer",
    "Toevoeging",
    "Woonplaats",
    "Datum matching",
    "Begin matchingperiode",
    "Einde matchingperiode",
    "Datum opgepakt",
    "Resultaat",
]

POGINGEN_COLUMNS = ["Zaaknummer", "Datum", "Soort contact", "Dagdeel", "Bereikt"]

_STREETS = (
    "Dorpsstraat",
    "Kerkweg",
    "Molenlaan",
    "Havenkade",
    "Stationsplein",
    "Lindelaan",
    "Vlietweg",
    "Beukenhof",
)
_SURNAMES = (
    ("", "Jansen"),
    ("de", "Vries"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Visser"),
    ("van den", "Berg"),
    ("", "Yilmaz"),
    ("", "El Amrani"),
    ("", "Smit"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("", "Bos"),
)


def bsn(rng: random.Random, leading_zero: bool = False) -> str:
    """A random nine-digit number that passes the elfproef (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11)."""
    while True:
        first = 0 if leading_zero else rng.randint(1, 9)
        digits = [first] + [rng.randint(0, 9) for _ in range(7)]
        check = sum((9 - i) * d for i, d in enumerate(digits)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def _postcode(rng: random.Random) -> str:
    letters = "ABCDEGHJKLMNPRTVWXZ"
    return f"{rng.randint(1000, 9999)}{rng.choice(letters)}{rng.choice(letters)}"


def _d(day: dt.date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


def _bedrag(cents: int) -> str:
    """Dutch notation: 1.234,56."""
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d}"


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


# --- schuldhulpverlening ----------------------------------------------------------------------------------

_GESLACHT = ("M", "V", "Man", "Vrouw", "man", "V", "M", "vrouw")
_BESCHIKKING = ("Toelating", "Toelatingsbeschikking", "toelating")
_OPLOSSING = ("Schuldbemiddeling", "0% aanbod", "Saneringskrediet", "Betalingsregeling", "schuldbemiddeling")
_BEGELEIDING = ("Budgetbeheer", "Bewindvoering", "budgetcoach", "Budgetbeheer", "Beschermingsbewind")
_REDEN = ("Succesvol afgerond", "Niet verschenen", "Aanvraag ingetrokken", "Verhuisd", "Afgerond")
_SCHULDEISERS = (
    ("Zilveren Kruis", "", "Zilveren Kruis"),
    ("Belastingdienst", "", "Belastingdienst"),
    ("Vattenfall", "33292246", "Energie"),
    ("Woonstad Rotterdam", "24298179", "Huur"),
    ("CJIB", "", "CJIB"),
    ("Gemeente Voorbeeldstad", "", "Gemeentelijke belastingen"),
    ("Evides", "24288744", "Drinkwater"),
    ("Bank Voorbeeld", "30046259", "Creditcard"),
    ("CZ", "", "Zorgverzekeraar"),
    ("Eneco", "24352262", "Energieleverancier"),
)


def shv_exports(rng: random.Random) -> tuple[bytes, bytes]:
    """The trajecten export and the schulden export of a kredietbank working for two gemeenten."""
    rows = [SHV_COLUMNS]
    schulden = [SCHULDEN_COLUMNS]
    # The three values the dictionary cannot standardise, each placed in the first traject where it fits.
    review_values = {
        "Oplossing": "Minnelijke schuldregeling",
        "Begeleiding": "Budgetcoach (vrijwilliger)",
        "Reden": "Zelf gestopt",
    }
    placed: set[str] = set()
    for number in range(1, 31):
        dossier = f"KB-2024-{number:04d}"
        gemeente = "0997" if number % 3 else "0998"
        aanmelding = dt.date(2023, 9, 1) + dt.timedelta(days=rng.randint(0, 360))
        crisis = number % 7 == 0
        intake = aanmelding + dt.timedelta(days=rng.randint(5, 25))
        intake_end = intake + dt.timedelta(days=rng.randint(10, 40))
        afgewezen = number in (6, 17)
        beschikking = intake_end
        plan = beschikking + dt.timedelta(days=rng.randint(3, 20)) if not afgewezen else None
        stab_start = plan + dt.timedelta(days=rng.randint(1, 10)) if plan else None
        stab_end = stab_start + dt.timedelta(days=rng.randint(30, 120)) if stab_start else None
        regeling = stab_end + dt.timedelta(days=rng.randint(5, 30)) if stab_end and number % 4 != 1 else None
        toegekend = (
            regeling + dt.timedelta(days=rng.randint(10, 60)) if regeling and number % 5 != 2 else None
        )
        dwang = bool(toegekend) and number % 6 == 0
        opl_soort = rng.choice(_OPLOSSING) if toegekend else ""
        opl_start = toegekend + dt.timedelta(days=rng.randint(1, 14)) if toegekend else None
        opl_end = opl_start + dt.timedelta(days=540) if opl_start and number % 8 == 0 else None
        begeleiding = rng.choice(_BEGELEIDING) if plan and number % 3 != 0 else ""
        beg_start = plan + dt.timedelta(days=rng.randint(0, 15)) if begeleiding and plan else None
        einde: dt.date | None = None
        reden = ""
        if afgewezen:
            einde = beschikking + dt.timedelta(days=7)
            reden = "Voldoet niet aan voorwaarden"
        elif opl_end is not None:
            einde = opl_end
            reden = rng.choice(("Succesvol afgerond", "Afgerond"))
        elif number % 5 == 3 and stab_start is not None:
            einde = stab_start + dt.timedelta(days=rng.randint(20, 60))
            reden = rng.choice(_REDEN[1:4])
            regeling = toegekend = opl_start = None
            dwang, opl_soort = False, ""
            if stab_end is not None and stab_end > einde:
                stab_end = einde
        beg_end = einde if beg_start and einde else None
        if beg_start and einde and beg_start > einde:
            begeleiding, beg_start, beg_end = "", None, None
        if "Oplossing" not in placed and toegekend:
            opl_soort = review_values["Oplossing"]
            placed.add("Oplossing")
        elif "Begeleiding" not in placed and beg_start and number > 5:
            begeleiding = review_values["Begeleiding"]
            placed.add("Begeleiding")
        elif "Reden" not in placed and einde and not afgewezen and number > 10:
            reden = review_values["Reden"]
            placed.add("Reden")
        born = dt.date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))
        partner = number % 5 == 1
        no_bsn = number == 11
        postcode = _postcode(rng)
        if number == 19:
            postcode = postcode[:4] + " " + postcode[4:].lower()
        schuld_total = 0
        for _ in range(rng.randint(1, 4)):
            naam, kvk, soort = rng.choice(_SCHULDEISERS)
            cents = rng.randint(80, 9000) * 100 + (rng.choice((0, 0, 0, 50)) if kvk else 0)
            schuld_total += (cents + 50) // 100
            schulden.append(
                [dossier, naam, kvk, soort, _bedrag(cents), _d(aanmelding), "N" if number % 9 else "J"]
            )
        rows.append(
            [
                dossier,
                gemeente,
                _d(aanmelding),
                "Ja" if crisis else "Nee",
                _d(aanmelding + dt.timedelta(days=1)) if crisis else "",
                _d(intake),
                _d(intake_end),
                _d(beschikking),
                "Afwijzing" if afgewezen else rng.choice(_BESCHIKKING),
                _d(plan),
                _d(stab_start),
                _d(stab_end),
                _d(regeling),
                _d(toegekend),
                "Ja" if dwang else ("Nee" if toegekend else ""),
                opl_soort,
                _d(opl_start),
                _d(opl_end),
                str(rng.randint(11, 16) * 100) if opl_start else "",
                begeleiding,
                _d(beg_start),
                _d(beg_end),
                _d(aanmelding),
                _d(einde),
                reden,
                _bedrag(schuld_total * 100),
                "" if no_bsn else bsn(rng),
                _d(born),
                rng.choice(_GESLACHT),
                postcode,
                str(rng.randint(1, 250)),
                rng.choice(("", "", "", "A", "bis", "2")),
                bsn(rng) if partner else "",
                _d(dt.date(born.year + rng.randint(-3, 3), rng.randint(1, 12), rng.randint(1, 28)))
                if partner
                else "",
                rng.choice(_GESLACHT) if partner else "",
            ]
        )
    return _csv(rows), _csv(schulden)


# --- vroegsignalering ---------------------------------------------------------------------------------------

_MELDERS = (
    ("Eneco", 310),
    ("Vattenfall", 280),
    ("Woonstad Rotterdam", 900),
    ("Zilveren Kruis", 420),
    ("Evides", 120),
    ("Huurachterstand", 1100),
    ("DUO", 650),
    ("Belastingdienst/Toeslagen", 800),
    ("Menzis", 380),
)
_RESULTATEN = (
    ("Client niet bereikt", False),
    ("Reeds bekend bij schuldhulpverlening", True),
    ("Verwezen naar Geldloket", True),
    ("Inwoner heeft al betalingsregeling getroffen", True),
    ("Geen hulp nodig", True),
    ("Budgetadvies", True),
    ("Warme overdracht naar vervolghulp", True),
    ("Vervolghulp financieel", True),
)
_SOORTEN = (
    "Huisbezoek samen met collega",
    "Voordeurbezoek",
    "SMS / Whatsapp",
    "Sms/WhatsApp",
    "Telefonisch",
    "Brief verstuurd",
    "E-mail",
    "Kaartje in de bus",
    "whatsapp",
)
_DAGDELEN = ("ochtend", "'s middags", "Avond", "Ochtend", "middag")


def vs_rows(rng: random.Random) -> tuple[list[list[Any]], list[list[Any]]]:
    """The signal rows and contact-attempt rows of one gemeente's first half of 2024."""
    signalen: list[list[Any]] = [list(SIGNALEN_COLUMNS)]
    pogingen: list[list[Any]] = [list(POGINGEN_COLUMNS)]
    signal_number = 0
    for zaak_number in range(1, 31):
        zaak = f"Z{zaak_number:05d}"
        first = dt.date(2024, 1, 2) + dt.timedelta(days=rng.randint(0, 150))
        count = 1 if zaak_number % 4 else 2
        has_zaak = zaak_number % 10 != 0
        melders = rng.sample(_MELDERS, count)
        if zaak_number == 7:
            melders[0] = ("CAK", 250)
        surname = rng.choice(_SURNAMES)
        client: dict[str, Any] = {
            "bsn": bsn(rng, leading_zero=zaak_number == 3),
            "voorletters": rng.choice(("A.", "J.", "M.", "S.", "K.L.", "P.")),
            "voorvoegsel": surname[0],
            "achternaam": surname[1],
            "geboren": dt.date(rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28)),
            "straat": rng.choice(_STREETS),
            "postcode": _postcode(rng),
            "huisnummer": rng.randint(1, 180),
            "toevoeging": rng.choice(("", "", "", "A", "B")),
        }
        resultaat, contact = _RESULTATEN[zaak_number % len(_RESULTATEN)]
        if zaak_number == 12:
            resultaat, contact = "Warme overdracht naar vervolghulp", True
        opgepakt = first + dt.timedelta(days=rng.randint(1, 10))
        month_start = first.replace(day=1)
        month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for position, (melder, typical) in enumerate(melders):
            signal_number += 1
            signaaldatum = first + dt.timedelta(days=rng.randint(0, 5) if position else 0)
            bedrag = round(typical * rng.uniform(0.5, 1.8), 2)
            signalen.append(
                [
                    f"VS-0999-{signal_number:05d}",
                    "0999",
                    zaak if has_zaak else None,
                    melder,
                    signaaldatum,
                    signaaldatum - dt.timedelta(days=rng.randint(30, 120)),
                    bedrag,
                    "Ja" if zaak_number % 9 == 0 else "Nee",
                    "Nee",
                    None if has_zaak else rng.choice(("Nieuw", "Dubbele melding", "Nog niet opgepakt")),
                    int(client["bsn"]) if zaak_number == 3 else client["bsn"],
                    client["voorletters"],
                    client["voorvoegsel"] or None,
                    client["achternaam"],
                    client["geboren"],
                    client["straat"],
                    client["postcode"],
                    client["huisnummer"],
                    client["toevoeging"] or None,
                    "Voorbeeldstad",
                    first + dt.timedelta(days=1) if has_zaak else None,
                    month_start if has_zaak else None,
                    month_end if has_zaak else None,
                    opgepakt if has_zaak else None,
                    (resultaat if zaak_number % 6 else None) if has_zaak else None,
                ]
            )
        if not has_zaak:
            continue
        day = opgepakt
        attempts = rng.randint(1, 3)
        for attempt in range(attempts):
            reached = contact and attempt == attempts - 1
            soort = rng.choice(_SOORTEN)
            if zaak_number in (5, 18) and reached:
                soort = "Klant nam contact op n.a.v. brief"
            pogingen.append([zaak, day, soort, rng.choice(_DAGDELEN), "Ja" if reached else "Nee"])
            day += dt.timedelta(days=rng.randint(2, 9))
    return signalen, pogingen


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    """An XLSX workbook with typed cells (dates as dates, numbers as numbers), as Excel itself would save."""
    import openpyxl

    workbook = openpyxl.Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "DD-MM-YYYY"
    workbook.properties.creator = "ddas examples"
    workbook.properties.created = dt.datetime(2024, 7, 1, 9, 0, 0)
    workbook.properties.modified = dt.datetime(2024, 7, 1, 9, 0, 0)
    workbook.save(path)


def generate(folder: Path) -> list[Path]:
    """Write the example exports to ``folder``; returns the files written."""
    rng = random.Random(SEED)
    trajecten, schulden = shv_exports(rng)
    (folder / SHV_FILE).write_bytes(trajecten)
    (folder / SHV_SCHULDEN_FILE).write_bytes(schulden)
    signalen, pogingen = vs_rows(random.Random(SEED + 1))
    write_xlsx(folder / VS_FILE, {"Signalen": signalen, "Contactpogingen": pogingen})
    return [folder / SHV_FILE, folder / SHV_SCHULDEN_FILE, folder / VS_FILE]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for written in generate(target):
        print(written)
