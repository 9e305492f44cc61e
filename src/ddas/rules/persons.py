"""§4.9 (SHV clients) and the client rules of §4.18 (VS): identity, BSN, geslacht, geboortedatum, address.

CBS links a person by BSN, or — without one — by geboortedatum, geslacht, postcode and huisnummer, so these
rules decide whether the delivered persons can be linked at all. A file holds tens of thousands of persons,
nearly all of them clean: the common case is a few dictionary look-ups and anchored regular expressions, and
the slower, explanatory work (which reason, which normal form) is done only for a value that is already wrong.

BSN values never appear in messages or params: a finding's value is masked because its path ends in
`Burgerservicenummer`, and the message only says *why* the number is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from stdnum.exceptions import ValidationError
from stdnum.nl import postcode as stdnum_postcode

from ddas.rules.base import Context, Emitter, Target, as_date, check, filled
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "AGE_IMPLAUSIBLE",
    "BSN_DUPLICATE_IN_TRAJECT",
    "BSN_INVALID",
    "CLIENT_NOT_IDENTIFIABLE",
    "GEBOORTEDATUM_INVALID",
    "GESLACHTEN",
    "GESLACHT_INVALID",
    "HUISNUMMER_OUT_OF_RANGE",
    "POSTCODE_INVALID",
    "POSTCODE_NOT_NORMALISED",
    "TOEVOEGING_TOO_LONG",
    "VS_CLIENT_NO_ADDRESS",
    "bsn_problem",
    "normalise_postcode",
]

CLIENT_NOT_IDENTIFIABLE = define(
    "CLIENT_NOT_IDENTIFIABLE",
    Severity.ERROR,
    "4.9",
    nl="Cliënt heeft geen BSN en ook niet de volledige set geboortedatum, geslacht, postcode en huisnummer "
    "(ontbreekt: {ontbreekt}).",
    en="Client has no BSN nor the full set of birth date, sex, postcode and house number "
    "(missing: {missing}).",
    fix="Vul het BSN van de cliënt in; als er geen BSN is, vul dan geboortedatum, geslachtsaanduiding, "
    "postcode en huisnummer allemaal in, zodat de persoon te herkennen is.",
)

BSN_INVALID = define(
    "BSN_INVALID",
    Severity.ERROR,
    "4.9",
    nl="Burgerservicenummer is ongeldig: {reden}.",
    en="Burgerservicenummer is invalid: {reason}.",
    fix="Neem het BSN over uit de basisregistratie (BRP): 9 cijfers, met voorloopnullen, zonder spaties of "
    "punten; een nummer dat de elfproef niet doorstaat is verkeerd overgenomen of een nepnummer.",
)

BSN_DUPLICATE_IN_TRAJECT = define(
    "BSN_DUPLICATE_IN_TRAJECT",
    Severity.ERROR,
    "4.9",
    nl="Beide cliënten van het traject hebben hetzelfde burgerservicenummer.",
    en="Both clients of the traject have the same burgerservicenummer.",
    fix="Registreer bij een traject met twee cliënten (bijv. partners) voor elke cliënt het eigen BSN.",
)

GESLACHT_INVALID = define(
    "GESLACHT_INVALID",
    Severity.ERROR,
    "4.9",
    nl="Geslachtsaanduiding '{geslacht}' is geen toegestane waarde (Man, Vrouw, Onbekend of Leeg).",
    en="Geslachtsaanduiding '{geslacht}' is not an allowed value (Man, Vrouw, Onbekend or Leeg).",
    fix="Vertaal de geslachtscode van het bronsysteem naar Man, Vrouw, Onbekend of Leeg (bijv. M wordt Man).",
)

GEBOORTEDATUM_INVALID = define(
    "GEBOORTEDATUM_INVALID",
    Severity.ERROR,
    "4.9",
    nl="Geboortedatum '{datum}' {reden}.",
    en="Geboortedatum '{datum}' {reason}.",
    fix="Vul de geboortedatum in als JJJJ-MM-DD (bijv. 1980-05-01) en controleer dag, maand en jaar.",
)

AGE_IMPLAUSIBLE = define(
    "AGE_IMPLAUSIBLE",
    Severity.WARNING,
    "4.9",
    nl="Leeftijd {leeftijd} jaar op {peildatum} is onwaarschijnlijk (geboortedatum {datum}).",
    en="Age {leeftijd} on {peildatum} is implausible (birth date {datum}).",
    fix="Controleer de geboortedatum; een verkeerd jaartal (bijv. 2080 in plaats van 1980) of een "
    "standaardwaarde als 1900-01-01 ligt voor de hand.",
)

POSTCODE_INVALID = define(
    "POSTCODE_INVALID",
    Severity.ERROR,
    "4.9",
    nl="Postcode '{postcode}' is geen Nederlandse postcode (4 cijfers en 2 letters, bijv. 1234AB).",
    en="Postcode '{postcode}' is not a Dutch postcode (4 digits and 2 letters, e.g. 1234AB).",
    fix="Vul de Nederlandse postcode van het woonadres in als 4 cijfers en 2 hoofdletters, zonder spatie.",
)

POSTCODE_NOT_NORMALISED = define(
    "POSTCODE_NOT_NORMALISED",
    Severity.WARNING,
    "4.9",
    nl="Postcode '{postcode}' is niet in de standaardvorm geschreven; bedoeld is {normaal}.",
    en="Postcode '{postcode}' is not written in the standard form; meant is {normaal}.",
    fix="Schrijf postcodes als 4 cijfers en 2 hoofdletters zonder spatie (1234AB).",
)

HUISNUMMER_OUT_OF_RANGE = define(
    "HUISNUMMER_OUT_OF_RANGE",
    Severity.WARNING,
    "4.9",
    nl="Huisnummer '{huisnummer}' is geen geheel getal van 1 tot en met 99999.",
    en="Huisnummer '{huisnummer}' is not a whole number from 1 to 99999.",
    fix="Vul alleen het huisnummer in; letters en toevoegingen (bijv. 'A' of 'bis') horen in "
    "Huisnummertoevoeging.",
)

TOEVOEGING_TOO_LONG = define(
    "TOEVOEGING_TOO_LONG",
    Severity.WARNING,
    "4.9",
    nl="Huisnummertoevoeging '{toevoeging}' is langer dan 4 tekens.",
    en="Huisnummertoevoeging '{toevoeging}' is longer than 4 characters.",
    fix="Een huisnummertoevoeging is hooguit 4 tekens (bijv. 'A', 'bis', '2hg'); controleer of er geen "
    "straatnaam of woonplaats in terecht is gekomen.",
)

VS_CLIENT_NO_ADDRESS = define(
    "VS_CLIENT_NO_ADDRESS",
    Severity.ERROR,
    "4.18",
    nl="Het adres van de cliënt is onvolledig: postcode en huisnummer zijn beide nodig (ontbreekt: "
    "{ontbreekt}).",
    en="The client's address is incomplete: both postcode and house number are required "
    "(missing: {missing}).",
    fix="Neem postcode en huisnummer van het woonadres over uit het vroegsignaal van de signaalpartner.",
)

#: The `geslacht` enumeration of the SHV schema, which the FAQ makes binding for Geslachtsaanduiding.
GESLACHTEN = frozenset({"Man", "Vrouw", "Onbekend", "Leeg"})

_STATE = "persons"
# 1–99999, leading zeros allowed ("012" is 12), "0" is not a house number. Most house numbers are small:
# a set answers for those without running the pattern.
_HUISNUMMER = re.compile(r"0*[1-9][0-9]{0,4}")
_COMMON_HUISNUMMERS = frozenset(str(n) for n in range(1, 1000))
# The normal form, with the letter pairs stdnum.nl.postcode (and PostNL) never issue: SA, SD, SS.
_POSTCODE_NORMAL = re.compile(r"[1-9][0-9]{3}(?!S[ADS])[A-Z]{2}")
_MIN_AGE, _MAX_AGE = 16, 110

_BSN_LENGTH = ("niet precies 9 cijfers", "not exactly 9 digits")
_BSN_ZEROS = ("alleen nullen", "only zeros")
_BSN_ELFPROEF = ("voldoet niet aan de elfproef", "fails the elfproef (check digit)")

_NOT_A_DATE = ("is geen geldige datum in de vorm JJJJ-MM-DD", "is not a valid date of the form YYYY-MM-DD")
_IN_FUTURE = ("ligt in de toekomst", "lies in the future")


def bsn_problem(bsn: str) -> tuple[str, str] | None:
    """Why a BSN is invalid, as (Dutch, English), or None when it is valid.

    The elfproef is the weighted sum of `stdnum.nl.bsn.checksum` (9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 mod 11),
    written out on the ASCII bytes because it runs for every person in the file; a test holds it equal to
    stdnum.
    """
    b = bsn.encode()
    if len(b) != 9 or not b.isdigit():  # bytes.isdigit is ASCII-only, unlike str.isdigit
        return _BSN_LENGTH
    if (
        9 * b[0] + 8 * b[1] + 7 * b[2] + 6 * b[3] + 5 * b[4] + 4 * b[5] + 3 * b[6] + 2 * b[7] - b[8] - 43 * 48
    ) % 11:
        return _BSN_ELFPROEF
    if bsn == "000000000":
        return _BSN_ZEROS
    return None


#: What the weighted digit codes of a valid BSN leave modulo 11: the weights sum to 43, "0" is code 48.
_ELF_REST = 43 * 48 % 11


def _is_date(value: str) -> bool:
    """`as_date(value) is not None`, without its call overhead, for the date every SHV client has."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def normalise_postcode(value: str) -> str | None:
    """The normal form `1234AB` of a Dutch postcode written in any accepted way; None if it is not one."""
    if _POSTCODE_NORMAL.fullmatch(value) is not None:
        return value
    try:
        return str(stdnum_postcode.validate(value)).replace(" ", "")
    except ValidationError:
        return None


def _years_before(day: dt.date, years: int) -> dt.date | None:
    """The same calendar day `years` earlier (29 February → 28 February); None before year 1."""
    year = day.year - years
    if year < 1:
        return None
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _limits(ctx: Context) -> tuple[str, str, str, dt.date]:
    """Per document: today and the birth-date bounds of a plausible age, as ISO strings for cheap comparison.

    Born after `young` means younger than 16 on the reference date; born on or before `old` means 111 or
    older. A bound before year 1 becomes a string no date passes (U+FFFF above, "" below).
    """
    limits: tuple[str, str, str, dt.date] | None = ctx.doc_state.get(_STATE)
    if limits is None:
        ref = ctx.reference_date
        young = _years_before(ref, _MIN_AGE)
        old = _years_before(ref, _MAX_AGE + 1)
        limits = (
            ctx.today.isoformat(),
            young.isoformat() if young else "\uffff",
            old.isoformat() if old else "",
            ref,
        )
        ctx.doc_state[_STATE] = limits
    return limits


def _at(path: PathParts, k: int, field: str) -> PathParts:
    """The path of a client's field: `client/k/field` for SHV (a list of clients), `client/field` for VS."""
    return (*path, "client", field) if k < 0 else (*path, "client", k, field)


def _birth_date(
    value: str, where: PathParts, limits: tuple[str, str, str, dt.date], shv: bool, out: Emitter
) -> None:
    """GEBOORTEDATUM_INVALID and AGE_IMPLAUSIBLE for a Geboortedatum a string comparison made suspect."""
    today, young, old, ref = limits
    born = as_date(value)
    if born is None:
        if shv:  # the VS schema checks the date format itself
            out.emit(
                GEBOORTEDATUM_INVALID, where, value, datum=value, reden=_NOT_A_DATE[0], reason=_NOT_A_DATE[1]
            )
    elif value > today:
        out.emit(GEBOORTEDATUM_INVALID, where, value, datum=value, reden=_IN_FUTURE[0], reason=_IN_FUTURE[1])
    elif value > young or value <= old:
        out.emit(
            AGE_IMPLAUSIBLE, where, value, datum=value, leeftijd=_age(born, ref), peildatum=ref.isoformat()
        )


def _person(
    client: dict[str, Any],
    path: PathParts,
    k: int,
    limits: tuple[str, str, str, dt.date],
    shv: bool,
    out: Emitter,
) -> None:
    """The rules for one person that SHV and VS share: BSN, geboortedatum, postcode, huisnummer, toevoeging.

    Each value passes one cheap test (an anchored pattern, a string comparison); only a value that fails it
    is looked at closely, and only then is a path built (see `_at`).
    """
    bsn = client.get("Burgerservicenummer")
    if bsn.__class__ is str and bsn:
        b = bsn.encode()  # the elfproef of `bsn_problem`, inline for the valid majority
        if (
            len(b) != 9
            or not b.isdigit()
            or (9 * b[0] + 8 * b[1] + 7 * b[2] + 6 * b[3] + 5 * b[4] + 4 * b[5] + 3 * b[6] + 2 * b[7] - b[8])
            % 11
            != _ELF_REST
            or bsn == "000000000"
        ):
            reason = bsn_problem(bsn) or _BSN_ELFPROEF
            out.emit(BSN_INVALID, _at(path, k, "Burgerservicenummer"), bsn, reden=reason[0], reason=reason[1])
    born = client.get("Geboortedatum")
    # ISO dates order as strings; an SHV value must also be a real date (its schema only says "string").
    if (
        born.__class__ is str
        and born
        and (born > limits[0] or born > limits[1] or born <= limits[2] or (shv and not _is_date(born)))
    ):
        _birth_date(born, _at(path, k, "Geboortedatum"), limits, shv, out)
    pc = client.get("Postcode")
    if pc.__class__ is str and pc and _POSTCODE_NORMAL.fullmatch(pc) is None:
        normal = normalise_postcode(pc)
        if normal is None:
            out.emit(POSTCODE_INVALID, _at(path, k, "Postcode"), pc, postcode=pc)
        else:
            out.emit(POSTCODE_NOT_NORMALISED, _at(path, k, "Postcode"), pc, postcode=pc, normaal=normal)
    nr = client.get("Huisnummer")
    if nr.__class__ is str:
        if nr and nr not in _COMMON_HUISNUMMERS and _HUISNUMMER.fullmatch(nr) is None:
            out.emit(HUISNUMMER_OUT_OF_RANGE, _at(path, k, "Huisnummer"), nr, huisnummer=nr)
    elif nr.__class__ is int and not 1 <= nr <= 99999:
        out.emit(HUISNUMMER_OUT_OF_RANGE, _at(path, k, "Huisnummer"), nr, huisnummer=nr)
    toev = client.get("Huisnummertoevoeging")
    if toev.__class__ is str and len(toev) > 4:
        out.emit(TOEVOEGING_TOO_LONG, _at(path, k, "Huisnummertoevoeging"), toev, toevoeging=toev)


def _given(client: dict[str, Any], field: str) -> bool:
    """Filled in; a Geslachtsaanduiding "Leeg" says the sex is not recorded, so it identifies nobody."""
    value = client.get(field)
    return filled(value) and not (field == "Geslachtsaanduiding" and value == "Leeg")


def _missing(client: dict[str, Any], fields: tuple[str, ...]) -> tuple[str, str]:
    names = ", ".join(f for f in fields if not _given(client, f))
    return names, names


_IDENTITY = ("Burgerservicenummer", "Geboortedatum", "Geslachtsaanduiding", "Postcode", "Huisnummer")
_ADDRESS = ("Postcode", "Huisnummer")


@check(Target.TRAJECT, Kind.SHV)
def traject_clients(traject: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.9 for the one or two clients of a traject."""
    if traject.__class__ is not dict:
        return
    clients = traject.get("client")
    if clients.__class__ is not list:
        return
    limits: tuple[str, str, str, dt.date] = ctx.doc_state.get(_STATE) or _limits(ctx)
    first_bsn = None
    for k, client in enumerate(clients):
        if client.__class__ is not dict:
            continue
        bsn = client.get("Burgerservicenummer")
        if bsn.__class__ is str and bsn:
            if first_bsn is None:
                first_bsn = bsn
            elif bsn == first_bsn:
                out.emit(BSN_DUPLICATE_IN_TRAJECT, _at(path, k, "Burgerservicenummer"), bsn)
        # A mistyped BSN (a number, say) is the schema's to report, but it does not make the person anonymous.
        elif not (
            filled(bsn)
            or (
                filled(client.get("Geboortedatum"))
                and _given(client, "Geslachtsaanduiding")
                and filled(client.get("Postcode"))
                and filled(client.get("Huisnummer"))
            )
        ):
            nl, en = _missing(client, _IDENTITY)
            out.emit(CLIENT_NOT_IDENTIFIABLE, (*path, "client", k), ontbreekt=nl, missing=en)
        geslacht = client.get("Geslachtsaanduiding")
        if geslacht.__class__ is str and geslacht and geslacht not in GESLACHTEN:
            out.emit(GESLACHT_INVALID, _at(path, k, "Geslachtsaanduiding"), geslacht, geslacht=geslacht)
        _person(client, path, k, limits, True, out)


@check(Target.VROEGSIGNAAL, Kind.VS)
def vroegsignaal_client(signal: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.18: the signal's client must have an address; BSN, date and address rules as for SHV."""
    if signal.__class__ is not dict:
        return
    client = signal.get("client")
    if client.__class__ is not dict:
        return  # missing or mistyped: the schema layer reports it
    pc = client.get("Postcode")
    nr = client.get("Huisnummer")
    if not ((pc.__class__ is str and pc) or filled(pc)) or not ((nr.__class__ is str and nr) or filled(nr)):
        nl, en = _missing(client, _ADDRESS)
        out.emit(VS_CLIENT_NO_ADDRESS, (*path, "client"), ontbreekt=nl, missing=en)
    _person(client, path, -1, ctx.doc_state.get(_STATE) or _limits(ctx), False, out)
