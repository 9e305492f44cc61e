"""Small, fictional-but-plausible reference tables the generator draws from.

Real gemeentecodes are used (so the validator's gemeente checks pass); every other name, number and address is
made up. Organisation KvK-nummers are derived from the name, not looked up: they are 8 digits, never real.
"""

from __future__ import annotations

import zlib

__all__ = [
    "ACHTERNAMEN",
    "BEGELEIDINGSSOORTEN",
    "CONTACTSOORTEN",
    "DAGDELEN",
    "DEFAULT_GEMEENTEN",
    "FUNCTIETITELS",
    "GEMEENTEN",
    "PARTIJEN",
    "PLAATSNAMEN",
    "SCHULDEISERS",
    "SIGNAALPARTNERS",
    "STRATEN",
    "VOORNAMEN",
    "fake_kvk",
    "gemeente_naam",
    "mail_domain",
]

#: CBS gemeentecodes → gemeente name, for the codes ddas-synth knows by name.
GEMEENTEN: dict[str, str] = {
    "0014": "Groningen",
    "0034": "Almere",
    "0080": "Leeuwarden",
    "0153": "Enschede",
    "0193": "Zwolle",
    "0200": "Apeldoorn",
    "0202": "Arnhem",
    "0268": "Nijmegen",
    "0307": "Amersfoort",
    "0344": "Utrecht",
    "0363": "Amsterdam",
    "0392": "Haarlem",
    "0394": "Haarlemmermeer",
    "0479": "Zaanstad",
    "0503": "Delft",
    "0505": "Dordrecht",
    "0518": "'s-Gravenhage",
    "0546": "Leiden",
    "0599": "Rotterdam",
    "0758": "Breda",
    "0772": "Eindhoven",
    "0796": "'s-Hertogenbosch",
    "0855": "Tilburg",
    "0935": "Maastricht",
}

#: The gemeenten a delivery uses when none are asked for (a single-gemeente delivery uses the first).
DEFAULT_GEMEENTEN: tuple[str, ...] = ("0363", "0599", "0518", "0344", "0772", "0014")

_MAIL_DOMAINS = {"'s-Gravenhage": "denhaag.nl", "'s-Hertogenbosch": "s-hertogenbosch.nl"}


def gemeente_naam(code: str) -> str:
    """The gemeente's name, or a neutral stand-in for a code ddas-synth has no name for."""
    return GEMEENTEN.get(code, f"gemeente {code}")


def mail_domain(name: str) -> str:
    """A plausible `.nl` mail domain for an organisation or gemeente name (ASCII letters, digits, hyphens)."""
    if name in _MAIL_DOMAINS:
        return _MAIL_DOMAINS[name]
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in name.lower())
    slug = "-".join(part for part in slug.split("-") if part)
    return f"{slug or 'organisatie'}.nl"


def fake_kvk(name: str) -> str:
    """A stable 8-digit KvK-nummer for a fictional organisation (first digit 1–9: never looks truncated)."""
    return str(10_000_000 + zlib.crc32(name.encode()) % 90_000_000)


#: Parties that deliver for several gemeenten (kredietbanken, samenwerkingsverbanden, vendors).
PARTIJEN: tuple[str, ...] = (
    "Stichting Kredietbank Randstad",
    "Kredietbank Midden-Nederland",
    "Gemeenschappelijke Regeling Schuldhulp Regio",
    "Stichting Schuldhulp Samenwerkende Gemeenten",
    "Budgetbureau Zuid B.V.",
)

FUNCTIETITELS: tuple[str, ...] = (
    "Teamleider schuldhulpverlening",
    "Functioneel beheerder",
    "Beleidsmedewerker schuldhulpverlening",
    "Informatieanalist sociaal domein",
    "Coördinator vroegsignalering",
)

VOORNAMEN: tuple[str, ...] = (
    "Anna", "Bram", "Daan", "Emma", "Fatima", "Femke", "Hans", "Ilse", "Jan", "Joyce", "Karin", "Lars",
    "Mohamed", "Noor", "Pieter", "Priya", "Ruben", "Sanne", "Thijs", "Yusuf",
)  # fmt: skip

#: (voorvoegsel, achternaam) pairs as registered in the BRP.
ACHTERNAMEN: tuple[tuple[str, str], ...] = (
    ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"), ("", "Bakker"), ("", "Janssen"),
    ("", "Visser"), ("", "Smit"), ("", "Meijer"), ("de", "Boer"), ("", "Mulder"), ("de", "Groot"),
    ("", "Bos"), ("", "Vos"), ("", "Peters"), ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"),
    ("", "Brouwer"), ("de", "Wit"), ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"),
    ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"),
    ("van den", "Heuvel"), ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"), ("de", "Jong"),
    ("", "Schouten"), ("van", "Beek"), ("", "Willems"), ("van", "Wijk"), ("", "Yilmaz"), ("", "El Amrani"),
    ("", "Kaya"), ("", "Öztürk"), ("", "Bouzid"), ("", "Nguyen"), ("", "Pinas"), ("", "Martina"),
)  # fmt: skip

STRATEN: tuple[str, ...] = (
    "Dorpsstraat", "Kerkstraat", "Molenweg", "Schoolstraat", "Stationsweg", "Julianastraat", "Beatrixlaan",
    "Wilhelminastraat", "Lindelaan", "Eikenlaan", "Rembrandtlaan", "Vondelstraat", "Kastanjelaan",
    "Parkweg", "Nieuwstraat", "Hoofdstraat", "Marktstraat", "Prins Hendrikkade", "Burgemeester Visserlaan",
    "Spoorstraat", "Tulpstraat", "Merelstraat", "Irisstraat", "Klaverweide",
)  # fmt: skip

#: Used when a delivery's gemeente has no known name.
PLAATSNAMEN: tuple[str, ...] = ("Amsterdam", "Rotterdam", "Utrecht", "Eindhoven", "Groningen", "Den Haag")

#: Schuldsoort → typical schuldeisers (fictional or generic names).
SCHULDEISERS: dict[str, tuple[str, ...]] = {
    "Zorg": (
        "Zorgverzekeraar Noord", "Zorgverzekeraar Unie", "CAK", "Ziekenhuis De Linde",
        "Tandartspraktijk Centrum", "Ambulancedienst Regio",
    ),
    "Publiek": (
        "Belastingdienst", "Dienst Toeslagen", "CJIB", "DUO", "Gemeentelijke Belastingen", "UWV", "SVB",
        "Waterschapsbelastingen",
    ),
    "Nuts": (
        "Energieleverancier Stroomnet", "Energie Direct Nederland", "Waterbedrijf Regio", "Telecom Nederland",
        "Kabel & Internet B.V.",
    ),
    "Overig": (
        "Woningcorporatie Eigen Haard", "Woonstichting De Sleutel", "Postorderbedrijf Thuis",
        "Incassobureau Noord", "Consumentenkrediet Bank", "Deurwaarderskantoor Van Dam",
        "Zorgeloos Lenen B.V.", "Telefoonwinkel Mobiel",
    ),
}  # fmt: skip

BEGELEIDINGSSOORTEN: tuple[tuple[str, int], ...] = (
    ("Budgetbeheer", 35),
    ("Beschermingsbewind", 25),
    ("Budgetcoaching", 25),
    ("Budgetbegeleiding", 10),
    ("Lange Termijn Begeleiding (DFD)", 5),
)

#: Signaalpartner → (weight, median bedrag in euros).
SIGNAALPARTNERS: tuple[tuple[str, int, int], ...] = (
    ("Huur", 30, 900),
    ("Energie", 22, 450),
    ("Zorg", 16, 400),
    ("CAK Zorgverzekeringen", 10, 600),
    ("Water", 10, 120),
    ("Hypotheek", 3, 2500),
    ("Overige", 3, 500),
    ("DUO", 2, 800),
    ("Belastingdienst", 2, 1500),
    ("CAK Eigen bijdrage", 1, 300),
    ("Dienst Toeslagen", 1, 1200),
)

CONTACTSOORTEN: tuple[tuple[str, int], ...] = (
    ("Telefoon", 30),
    ("Brief", 25),
    ("Huisbezoek", 20),
    ("SMS/Whatsapp", 10),
    ("Mail", 8),
    ("Kaartje", 5),
    ("Overige", 1),
    ("Administratief", 1),
)

DAGDELEN: tuple[tuple[str, int], ...] = (("Ochtend", 40), ("Middag", 45), ("Avond", 15))
