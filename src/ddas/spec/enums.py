"""The enumerations of the official exchange models, with the published values exactly.

Each enumeration comes in three shapes because its users differ: the models need a ``Literal`` type (named
like the published ``$defs`` entry, so the generated JSON Schema keeps the official names), code that branches
on a value reads better with a ``StrEnum`` member, and rules and the free-text standardiser just want the
plain tuple of values. The tuples are derived from the ``Literal`` types, so the values are written once here
and once in the ``StrEnum`` (a test keeps both equal to the official schemas).
"""

from __future__ import annotations

import enum
from typing import Literal, get_args

from typing_extensions import TypeAliasType

__all__ = [
    "BEGELEIDINGSSOORTEN",
    "BESCHIKKINGSSOORTEN",
    "CONTACTSOORTEN",
    "DAGDELEN",
    "EINDRESULTATEN",
    "GESLACHTEN",
    "OPLOSSINGSSOORTEN",
    "SCHULDENSOORTEN",
    "SHV_ENUMS",
    "SIGNAALPARTNERS",
    "SIGNAALSTATUSSEN",
    "UITSTROOMREDENEN",
    "VS_ENUMS",
    "Begeleidingssoort",
    "Beschikkingssoort",
    "Contactsoort",
    "Dagdeel",
    "Eindresultaat",
    "EnumBegeleidingssoort",
    "EnumBeschikkingssoort",
    "EnumContactsoort",
    "EnumDagdeel",
    "EnumEindresultaat",
    "EnumOplossingssoort",
    "EnumSchuldensoort",
    "EnumSignaalpartner",
    "EnumSignaalstatus",
    "EnumUitstroomreden",
    "Geslacht",
    "GeslachtWaarde",
    "Oplossingssoort",
    "Schuldensoort",
    "Signaalpartner",
    "Signaalstatus",
    "Uitstroomreden",
]

# --- Schuldhulpverlening v1.0 ------------------------------------------------------------------------------

EnumBeschikkingssoort = TypeAliasType(
    "EnumBeschikkingssoort", Literal["Afwijzingsbeschikking", "Toelatingsbeschikking"]
)

#: The SHV schema defines ``geslacht`` but does not use it: ``Geslachtsaanduiding`` is typed as a plain
#: string, and the FAQ makes the enum a rule. It is therefore a plain ``Literal`` and not part of the schema.
GeslachtWaarde = Literal["Man", "Vrouw", "Onbekend", "Leeg"]

EnumBegeleidingssoort = TypeAliasType(
    "EnumBegeleidingssoort",
    Literal[
        "Budgetcoaching",
        "Budgetbeheer",
        "Beschermingsbewind",
        "Lange Termijn Begeleiding (DFD)",
        "Budgetbegeleiding",
    ],
)

EnumUitstroomreden = TypeAliasType(
    "EnumUitstroomreden",
    Literal[
        "Overleden",
        "Verhuisd",
        "Nietverschenen",
        "Ingetrokken",
        "Niet passend",
        "Overig",
        "Voldoet niet",
        "Afgerond",
        "Zelf",
    ],
)

EnumSchuldensoort = TypeAliasType("EnumSchuldensoort", Literal["Zorg", "Publiek", "Nuts", "Overig"])

EnumOplossingssoort = TypeAliasType(
    "EnumOplossingssoort",
    Literal["Betalingsregeling", "Herfinanciering", "Saneringskrediet", "Schuldbemiddeling", "0%-aanbod"],
)

# --- Vroegsignalering v0.9 ---------------------------------------------------------------------------------

EnumSignaalpartner = TypeAliasType(
    "EnumSignaalpartner",
    Literal[
        "Energie",
        "Huur",
        "Hypotheek",
        "CAK Zorgverzekeringen",
        "Zorg",
        "Water",
        "DUO",
        "Belastingdienst",
        "CAK Eigen bijdrage",
        "Overige",
        "Dienst Toeslagen",
    ],
)

EnumContactsoort = TypeAliasType(
    "EnumContactsoort",
    Literal[
        "Mail",
        "Brief",
        "SMS/Whatsapp",
        "Telefoon",
        "Huisbezoek",
        "Kaartje",
        "Overige",
        "Administratief",
    ],
)

EnumEindresultaat = TypeAliasType(
    "EnumEindresultaat",
    Literal[
        "Niet opgepakt: herhaalde melding",
        "Niet opgepakt: onterecht signaal",
        "Inwoner is overleden",
        "Persoon is geen inwoner (meer) in de gemeente",
        "Niet opgepakt: andere reden",
        "Inwoner al bekend bij schuldhulpverlening",
        "Inwoner heeft al een ander lopend traject",
        "Definitief geen contact kunnen krijgen",
        "Geen reactie na eerder contact",
        "Inwoner hoeft geen hulp vanuit vroegsignalering",
        "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
        "(Budget)advies en/of quick fix",
        "Vervolghulp en/of verwijzing financieel",
        "Verwijzing zonder contact",
        "Vervolghulp en/of verwijzing niet financieel",
    ],
)

EnumDagdeel = TypeAliasType("EnumDagdeel", Literal["Ochtend", "Middag", "Avond"])

EnumSignaalstatus = TypeAliasType(
    "EnumSignaalstatus",
    Literal[
        "Nog niet opgepakt",
        "Niet opgepakt: onterecht signaal",
        "Inwoner is overleden",
        "Persoon is geen inwoner (meer) in de gemeente",
        "Niet opgepakt: herhaalde melding",
        "Niet opgepakt: andere reden",
    ],
)


def _values(alias: object) -> tuple[str, ...]:
    """The values of a ``Literal`` (possibly wrapped in a ``TypeAliasType``), in published order."""
    literal = getattr(alias, "__value__", alias)
    return tuple(get_args(literal))


BESCHIKKINGSSOORTEN: tuple[str, ...] = _values(EnumBeschikkingssoort)
GESLACHTEN: tuple[str, ...] = _values(GeslachtWaarde)
BEGELEIDINGSSOORTEN: tuple[str, ...] = _values(EnumBegeleidingssoort)
UITSTROOMREDENEN: tuple[str, ...] = _values(EnumUitstroomreden)
SCHULDENSOORTEN: tuple[str, ...] = _values(EnumSchuldensoort)
OPLOSSINGSSOORTEN: tuple[str, ...] = _values(EnumOplossingssoort)
SIGNAALPARTNERS: tuple[str, ...] = _values(EnumSignaalpartner)
CONTACTSOORTEN: tuple[str, ...] = _values(EnumContactsoort)
EINDRESULTATEN: tuple[str, ...] = _values(EnumEindresultaat)
DAGDELEN: tuple[str, ...] = _values(EnumDagdeel)
SIGNAALSTATUSSEN: tuple[str, ...] = _values(EnumSignaalstatus)

#: Every enumeration of the SHV v1.0 schema under its published ``$defs`` name.
SHV_ENUMS: dict[str, tuple[str, ...]] = {
    "EnumBeschikkingssoort": BESCHIKKINGSSOORTEN,
    "geslacht": GESLACHTEN,
    "EnumBegeleidingssoort": BEGELEIDINGSSOORTEN,
    "EnumUitstroomreden": UITSTROOMREDENEN,
    "EnumSchuldensoort": SCHULDENSOORTEN,
    "EnumOplossingssoort": OPLOSSINGSSOORTEN,
}

#: Every enumeration of the VS v0.9 schema under its published ``$defs`` name.
VS_ENUMS: dict[str, tuple[str, ...]] = {
    "EnumSignaalpartner": SIGNAALPARTNERS,
    "EnumContactsoort": CONTACTSOORTEN,
    "EnumEindresultaat": EINDRESULTATEN,
    "EnumDagdeel": DAGDELEN,
    "EnumSignaalstatus": SIGNAALSTATUSSEN,
}


class Beschikkingssoort(enum.StrEnum):
    """``EnumBeschikkingssoort`` (SHV intake); a beëindigingsbeschikking belongs to Uitstroom instead."""

    AFWIJZINGSBESCHIKKING = "Afwijzingsbeschikking"
    TOELATINGSBESCHIKKING = "Toelatingsbeschikking"


class Geslacht(enum.StrEnum):
    """``geslacht`` (SHV): the values ``Geslachtsaanduiding`` must take according to the FAQ."""

    MAN = "Man"
    VROUW = "Vrouw"
    ONBEKEND = "Onbekend"
    LEEG = "Leeg"


class Begeleidingssoort(enum.StrEnum):
    """``EnumBegeleidingssoort`` (SHV begeleiding)."""

    BUDGETCOACHING = "Budgetcoaching"
    BUDGETBEHEER = "Budgetbeheer"
    BESCHERMINGSBEWIND = "Beschermingsbewind"
    LANGE_TERMIJN_BEGELEIDING_DFD = "Lange Termijn Begeleiding (DFD)"
    BUDGETBEGELEIDING = "Budgetbegeleiding"


class Uitstroomreden(enum.StrEnum):
    """``EnumUitstroomreden`` (SHV uitstroom)."""

    OVERLEDEN = "Overleden"
    VERHUISD = "Verhuisd"
    NIETVERSCHENEN = "Nietverschenen"
    INGETROKKEN = "Ingetrokken"
    NIET_PASSEND = "Niet passend"
    OVERIG = "Overig"
    VOLDOET_NIET = "Voldoet niet"
    AFGEROND = "Afgerond"
    ZELF = "Zelf"


class Schuldensoort(enum.StrEnum):
    """``EnumSchuldensoort`` (SHV schuld)."""

    ZORG = "Zorg"
    PUBLIEK = "Publiek"
    NUTS = "Nuts"
    OVERIG = "Overig"


class Oplossingssoort(enum.StrEnum):
    """``EnumOplossingssoort`` (SHV oplossing); ``0%-aanbod`` is the published name for a schuldregeling
    zonder afloscapaciteit."""

    BETALINGSREGELING = "Betalingsregeling"
    HERFINANCIERING = "Herfinanciering"
    SANERINGSKREDIET = "Saneringskrediet"
    SCHULDBEMIDDELING = "Schuldbemiddeling"
    NUL_PROCENT_AANBOD = "0%-aanbod"


class Signaalpartner(enum.StrEnum):
    """``EnumSignaalpartner`` (VS signaalpartner ``type``)."""

    ENERGIE = "Energie"
    HUUR = "Huur"
    HYPOTHEEK = "Hypotheek"
    CAK_ZORGVERZEKERINGEN = "CAK Zorgverzekeringen"
    ZORG = "Zorg"
    WATER = "Water"
    DUO = "DUO"
    BELASTINGDIENST = "Belastingdienst"
    CAK_EIGEN_BIJDRAGE = "CAK Eigen bijdrage"
    OVERIGE = "Overige"
    DIENST_TOESLAGEN = "Dienst Toeslagen"


class Contactsoort(enum.StrEnum):
    """``EnumContactsoort`` (VS contactpoging)."""

    MAIL = "Mail"
    BRIEF = "Brief"
    SMS_WHATSAPP = "SMS/Whatsapp"
    TELEFOON = "Telefoon"
    HUISBEZOEK = "Huisbezoek"
    KAARTJE = "Kaartje"
    OVERIGE = "Overige"
    ADMINISTRATIEF = "Administratief"


class Eindresultaat(enum.StrEnum):
    """``EnumEindresultaat`` (VS vroegsignaalzaak ``resultaat``)."""

    NIET_OPGEPAKT_HERHAALDE_MELDING = "Niet opgepakt: herhaalde melding"
    NIET_OPGEPAKT_ONTERECHT_SIGNAAL = "Niet opgepakt: onterecht signaal"
    INWONER_IS_OVERLEDEN = "Inwoner is overleden"
    PERSOON_IS_GEEN_INWONER_MEER = "Persoon is geen inwoner (meer) in de gemeente"
    NIET_OPGEPAKT_ANDERE_REDEN = "Niet opgepakt: andere reden"
    INWONER_AL_BEKEND_BIJ_SCHULDHULPVERLENING = "Inwoner al bekend bij schuldhulpverlening"
    INWONER_HEEFT_AL_EEN_ANDER_LOPEND_TRAJECT = "Inwoner heeft al een ander lopend traject"
    DEFINITIEF_GEEN_CONTACT_KUNNEN_KRIJGEN = "Definitief geen contact kunnen krijgen"
    GEEN_REACTIE_NA_EERDER_CONTACT = "Geen reactie na eerder contact"
    INWONER_HOEFT_GEEN_HULP = "Inwoner hoeft geen hulp vanuit vroegsignalering"
    INWONER_HEEFT_ZELF_AL_BETAALD = "Inwoner heeft zelf al betaald/betalingsregeling getroffen"
    BUDGETADVIES_EN_OF_QUICK_FIX = "(Budget)advies en/of quick fix"
    VERVOLGHULP_EN_OF_VERWIJZING_FINANCIEEL = "Vervolghulp en/of verwijzing financieel"
    VERWIJZING_ZONDER_CONTACT = "Verwijzing zonder contact"
    VERVOLGHULP_EN_OF_VERWIJZING_NIET_FINANCIEEL = "Vervolghulp en/of verwijzing niet financieel"


class Dagdeel(enum.StrEnum):
    """``EnumDagdeel`` (VS contactpoging)."""

    OCHTEND = "Ochtend"
    MIDDAG = "Middag"
    AVOND = "Avond"


class Signaalstatus(enum.StrEnum):
    """``EnumSignaalstatus`` (VS vroegsignaal ``status``): signals start as "Nog niet opgepakt"."""

    NOG_NIET_OPGEPAKT = "Nog niet opgepakt"
    NIET_OPGEPAKT_ONTERECHT_SIGNAAL = "Niet opgepakt: onterecht signaal"
    INWONER_IS_OVERLEDEN = "Inwoner is overleden"
    PERSOON_IS_GEEN_INWONER_MEER = "Persoon is geen inwoner (meer) in de gemeente"
    NIET_OPGEPAKT_HERHAALDE_MELDING = "Niet opgepakt: herhaalde melding"
    NIET_OPGEPAKT_ANDERE_REDEN = "Niet opgepakt: andere reden"
