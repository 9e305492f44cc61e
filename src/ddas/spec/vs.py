"""The Uitwisselmodel Vroegsignalering v0.9 (the newest published) as pydantic models.

Same conventions as :mod:`ddas.spec.shv`. The published JSON names include ``kvk-nummer`` (lower case, unlike
SHV), ``contactpersoonen`` and ``startdatum_matchtingperiode``; the Python attributes use the intended
spelling. Unlike SHV, ``leveringen`` is optional here and several lists are ``uniqueItems``.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Len
from pydantic import Field

from ddas.spec._base import (
    UNIQUE_ITEMS,
    Bedrag,
    ClosedObject,
    Datum,
    DatumTijd,
    Email,
    Integer,
    OpenObject,
    Tekst,
    Vlag,
)
from ddas.spec.enums import (
    EnumContactsoort,
    EnumDagdeel,
    EnumEindresultaat,
    EnumSignaalpartner,
    EnumSignaalstatus,
)

__all__ = [
    "AanleverendeOrganisatie",
    "Client",
    "Contactpersoon",
    "Contactpoging",
    "Levering",
    "Signaalpartner",
    "Vroegsignaal",
    "VroegsignaalReferentie",
    "Vroegsignaalzaak",
    "VsDocument",
]


class Contactpersoon(OpenObject):
    """Contactpersoon at the aanleverende organisatie; receives the op-orde-rapport."""

    naam: Tekst | None = None
    telefoonnummer: Tekst | None = None
    email: Email | None = None
    functietitel: Tekst | None = None


class AanleverendeOrganisatie(OpenObject):
    """The gemeente itself or the party handling vroegsignalen on its behalf."""

    naam: Tekst | None = None
    kvk_nummer: Tekst | None = Field(default=None, alias="kvk-nummer")
    contactpersonen: Annotated[list[Contactpersoon], Len(min_length=1), UNIQUE_ITEMS] | None = Field(
        default=None, alias="contactpersoonen", description="Published as `contactpersoonen` (sic)."
    )


class Signaalpartner(OpenObject):
    """The organisation that sent the signal (energy supplier, landlord, health insurer, …)."""

    type: EnumSignaalpartner | None = None


class Client(OpenObject):
    """The resident the signal is about; at least the address must be known (rule layer)."""

    burgerservicenummer: Tekst | None = Field(default=None, alias="Burgerservicenummer")
    voorletters: Tekst | None = Field(default=None, alias="Voorletters")
    voorvoegsel: Tekst | None = Field(default=None, alias="Voorvoegsel")
    achternaam: Tekst | None = Field(default=None, alias="Achternaam")
    geboortedatum: Datum | None = Field(default=None, alias="Geboortedatum")
    straatnaam: Tekst | None = Field(default=None, alias="Straatnaam")
    postcode: Tekst | None = Field(default=None, alias="Postcode")
    huisnummer: Tekst | None = Field(default=None, alias="Huisnummer")
    huisnummertoevoeging: Tekst | None = Field(default=None, alias="Huisnummertoevoeging")
    plaatsnaam: Tekst | None = Field(default=None, alias="Plaatsnaam")


class Vroegsignaal(ClosedObject):
    """A signal of payment arrears from a signaalpartner (art. 2.2.1 Wgs); `ID` is unique in the levering."""

    id: Tekst = Field(alias="ID")
    crisissignaal: Vlag | None = None
    warme_overdracht: Vlag | None = Field(default=None, alias="warmeOverdracht")
    bedrag: Bedrag | None = None
    ontstaansdatum: Datum | None = None
    signaaldatum: Datum | None = None
    status: EnumSignaalstatus | None = None
    signaalpartner: Signaalpartner
    client: Client


class VroegsignaalReferentie(ClosedObject):
    """Reference from a vroegsignaalzaak to a vroegsignaal of the same levering."""

    id: Tekst = Field(alias="ID")


class Contactpoging(OpenObject):
    """One attempt to reach the resident."""

    soort: EnumContactsoort | None = None
    bereikt: Vlag | None = None
    datum: Datum | None = None
    dagdeel: EnumDagdeel | None = None


class Vroegsignaalzaak(OpenObject):
    """The gemeente's case handling one or more signals."""

    resultaat: EnumEindresultaat | None = None
    matchingsdatum: Datum | None = None
    startdatum_matchingperiode: Datum | None = Field(
        default=None,
        alias="startdatum_matchtingperiode",
        description="Published as `startdatum_matchtingperiode` (sic).",
    )
    datum_opgepakt: Datum | None = None
    einddatum_matchingperiode: Datum | None = None
    vroegsignalen: Annotated[list[VroegsignaalReferentie], Len(min_length=1), UNIQUE_ITEMS] | None = None
    contactpogingen: list[Contactpoging] | None = None


class Levering(ClosedObject):
    """The signals and cases of exactly one gemeente."""

    teller: Integer
    gemeentecode: Tekst
    aanleverende_organisatie: AanleverendeOrganisatie
    vroegsignalen: list[Vroegsignaal] | None = None
    vroegsignaalzaken: list[Vroegsignaalzaak] | None = None


class VsDocument(ClosedObject):
    """Uitwisselmodel Vroegsignalering v0.9: one delivery for one reporting period."""

    startdatum_levering: Datum = Field(alias="startdatumLevering")
    einddatum_levering: Datum = Field(alias="einddatumLevering")
    aanleverdatum_en_tijd: DatumTijd = Field(alias="aanleverdatumEnTijd")
    code_gegevensleverancier: Tekst = Field(alias="codeGegevensleverancier")
    leveringen: Annotated[list[Levering], Len(min_length=1), UNIQUE_ITEMS] | None = None
