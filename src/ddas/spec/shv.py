"""The Uitwisselmodel Schuldhulpverlening v1.0 as pydantic models.

Field names are Pythonic; the JSON names are the published ones, typos and all (``(Statutaire) Naam``,
``KvK-nummer``, schuldeiser ``naam`` next to ``Naam``). Objects the official schema closes
(``additionalProperties: false``) forbid unknown fields; the others keep them, so a round trip loses nothing.
Optional fields are ``None`` when absent; a present field is never ``None`` because JSON ``null`` is invalid.
Rules the FAQ adds (geslacht enum, BSN, postcode, …) are the rule layer's business, not the models': the
models accept exactly what the official schema accepts.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Len
from pydantic import Field

from ddas.spec._base import Bedrag, ClosedObject, Datum, DatumTijd, Email, Integer, OpenObject, Tekst, Vlag
from ddas.spec.enums import (
    EnumBegeleidingssoort,
    EnumBeschikkingssoort,
    EnumOplossingssoort,
    EnumSchuldensoort,
    EnumUitstroomreden,
)

__all__ = [
    "AanleverendeOrganisatie",
    "Aanmelding",
    "Begeleiding",
    "Client",
    "Contactpersoon",
    "Crisisinterventie",
    "InformatieEnAdvies",
    "Intake",
    "Levering",
    "Moratorium",
    "Nazorg",
    "Oplossing",
    "PlanVanAanpak",
    "Schuld",
    "Schuldeiser",
    "Schuldhulptraject",
    "Schuldregeling",
    "ShvDocument",
    "Stabilisatie",
    "Uitstroom",
    "VoorlopigeVoorziening",
]


class Contactpersoon(OpenObject):
    """Contactpersoon of the aanleverende organisatie; the op-orde-rapport goes to this e-mail address."""

    email: Email | None = None
    functietitel: Tekst | None = None
    naam: Tekst | None = None
    telefoonnummer: Tekst | None = None


class AanleverendeOrganisatie(OpenObject):
    """The gemeente or SHV-organisatie delivering: a gemeente fills `gemeentecode`, a third party its KvK."""

    statutaire_naam: Tekst | None = Field(default=None, alias="(Statutaire) Naam")
    kvk_nummer: Tekst | None = Field(default=None, alias="KvK-nummer")
    postcode: Tekst | None = None
    gemeentecode: Tekst | None = None
    contactpersonen: Annotated[list[Contactpersoon], Len(min_length=1)] | None = None


class _Periode(OpenObject):
    """A phase or list item that only has a start and an end date."""

    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Aanmelding(OpenObject):
    """Moment a person comes with a question about (threatening) debts."""

    crisisinterventie: Vlag | None = None
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Begeleiding(OpenObject):
    """Budgetbeheer, beschermingsbewind, budgetcoaching, … alongside the traject."""

    einddatum: Datum | None = None
    soort: EnumBegeleidingssoort | None = None
    startdatum: Datum | None = None


class Client(OpenObject):
    """A person in the traject (one or two per traject).

    ``Geboortedatum``, ``Geslachtsaanduiding`` and ``Postcode`` are plain strings in the official schema;
    their content rules (date, geslacht enum, ``1234AB``) belong to the rule layer.
    """

    burgerservicenummer: Tekst | None = Field(default=None, alias="Burgerservicenummer")
    geboortedatum: Tekst | None = Field(default=None, alias="Geboortedatum")
    geslachtsaanduiding: Tekst | None = Field(default=None, alias="Geslachtsaanduiding")
    postcode: Tekst | None = Field(default=None, alias="Postcode")
    huisnummer: Tekst | None = Field(default=None, alias="Huisnummer")
    huisnummertoevoeging: Tekst | None = Field(default=None, alias="Huisnummertoevoeging")


class Crisisinterventie(_Periode):
    """Averting a crisis (eviction, cut-off of utilities, cancelled health insurance, …)."""


class InformatieEnAdvies(_Periode):
    """Information and advice given without a full traject."""


class Intake(OpenObject):
    """Phase between the first conversation and the plan van aanpak; ends in a beschikking."""

    beschikkingsdatum: Datum | None = None
    beschikkingssoort: EnumBeschikkingssoort | None = None
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Moratorium(OpenObject):
    """A request to the court (art. 287b Fw) to stop a creditor's collection, at most six months."""

    datum_aanvraag: Datum | None = Field(default=None, alias="datumAanvraag")
    datum_goedkeuring: Datum | None = Field(default=None, alias="datumGoedkeuring")
    einddatum: Datum | None = None
    startdatum: Datum | None = None


class Nazorg(_Periode):
    """Support after the traject, to prevent relapse."""


class Oplossing(OpenObject):
    """The solution realised; ``vtlb`` is the vrij te laten bedrag in whole euros per month."""

    einddatum: Datum | None = None
    soort: EnumOplossingssoort | None = None
    startdatum: Datum | None = None
    vtlb: Bedrag | None = None


class PlanVanAanpak(OpenObject):
    """The plan with the person's question, the support proposed and the conditions."""

    datum_afronding: Datum | None = Field(default=None, alias="datumAfronding")


class Schuldeiser(OpenObject):
    """The creditor. The schema has both `naam` and `Naam`; the FAQ says to fill both with the same value."""

    naam: Tekst | None = None
    kvknummer: Tekst | None = None
    naam_subject: Tekst | None = Field(
        default=None, alias="Naam", description="Published with a capital N next to `naam`; same value."
    )
    postcode: Tekst | None = None
    privepersoon: Vlag | None = None


class Schuld(OpenObject):
    """One debt; several debts to one creditor are delivered separately."""

    bedrag: Bedrag | None = None
    peildatum: Datum | None = None
    schuldsoort: EnumSchuldensoort | None = None
    zakelijke_schuld: Vlag | None = Field(default=None, alias="zakelijkeSchuld")
    schuldeiser: Schuldeiser | None = None


class Schuldregeling(OpenObject):
    """The (minnelijke) schuldregeling and, when creditors refuse, the dwangakkoord (art. 287a Fw)."""

    afgewezen: Datum | None = None
    datum: Datum | None = None
    datum_verzoek_dwangakkoord: Datum | None = Field(default=None, alias="datumVerzoekDwangakkoord")
    dwangakkoord: Vlag | None = None
    ingetrokken: Datum | None = None
    toegekend: Datum | None = None


class VoorlopigeVoorziening(_Periode):
    """A provisional court measure during the traject."""


class Uitstroom(OpenObject):
    """Why and when the help ended; the dates equal the traject's ``einddatum`` (FAQ)."""

    datum: Datum | None = None
    datum_beeindigingsbeschikking: Datum | None = Field(default=None, alias="datumBeeindigingsbeschikking")
    omschrijving: Tekst | None = None
    reden: EnumUitstroomreden | None = None


class Stabilisatie(_Periode):
    """Bringing income and expenses into balance before a regeling can start."""


class Schuldhulptraject(ClosedObject):
    """One traject of one or two clients, under the responsibility of the gemeente in ``gemeentecode``."""

    einddatum: Datum | None = None
    omschrijving: Tekst | None = None
    startdatum: Datum | None = None
    toekenningsdatum: Datum | None = None
    totaal_schuldbedrag_bij_aanvang_schuld: Bedrag | None = Field(
        default=None, alias="totaalSchuldbedragBijAanvangSchuld"
    )
    gemeentecode: Tekst
    aanmelding: Aanmelding | None = None
    begeleiding: list[Begeleiding] | None = None
    client: Annotated[list[Client], Len(min_length=1, max_length=2)] | None = None
    crisisinterventies: list[Crisisinterventie] | None = None
    informatie_en_advies: InformatieEnAdvies | None = Field(default=None, alias="informatieEnAdvies")
    intake: Intake | None = None
    moratoria: list[Moratorium] | None = None
    nazorg: Nazorg | None = None
    oplossing: Oplossing | None = None
    plan_van_aanpak: PlanVanAanpak | None = Field(default=None, alias="planVanAanpak")
    schulden: list[Schuld] | None = None
    schuldregeling: Schuldregeling | None = None
    voorlopige_voorzieningen: list[VoorlopigeVoorziening] | None = Field(
        default=None, alias="voorlopigeVoorzieningen"
    )
    uitstroom: Uitstroom | None = None
    stabilisatie: Stabilisatie | None = None


class Levering(ClosedObject):
    """The trajecten of one organisation; a party serving several gemeenten sends a levering per gemeente."""

    teller: Integer
    aanleverende_organisatie: AanleverendeOrganisatie
    schuldhulptrajecten: list[Schuldhulptraject] | None = None


class ShvDocument(ClosedObject):
    """Uitwisselmodel Schuldhulpverlening v1.0: one delivery for one reporting period."""

    startdatum_levering: Datum = Field(alias="startdatumLevering")
    einddatum_levering: Datum = Field(alias="einddatumLevering")
    aanleverdatum_en_tijd: DatumTijd = Field(alias="aanleverdatumEnTijd")
    code_gegevensleverancier: Tekst = Field(alias="codeGegevensleverancier")
    leveringen: Annotated[list[Levering], Len(min_length=1)]
