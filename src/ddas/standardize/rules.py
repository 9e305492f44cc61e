"""Recognition rules: what the words of a free-text value must contain to mean one standard value.

Data, like :mod:`ddas.standardize.dictionary`, and printed in ``docs/standaardisatie.md`` by the same generator.
The dictionary lists whole spellings; these rules recognise a value by its *words*, so that the variants people
really type meet a standard value too: extra words before or after a known phrase, another word order,
compounds written apart or together, plural and inflected forms, abbreviations and typing errors. How a value
is cut into words and how rules compete is in :mod:`ddas.standardize.matcher`.

Policy — a rule is here only when every value that contains its words means its standard value, whatever else
the value says, unless the rest of the value names another standard value too (then the value goes to review):

- A **concept** (``@name``) is a set of phrases that say the same thing ("gebeld", "telefonisch", "voicemail").
  A phrase matches when all of its words occur in the value, in any order, each word in any inflection the
  Dutch stemmer folds together. ``geen``, ``niet`` and ``nooit`` belong to the word they negate, so "geen
  contact" never matches a rule for "contact"; ``zonder`` likewise.
- A **rule** needs one phrase of each of its slots. ``unless`` names words that make the rule not apply.
  A rule without a standard value (``target=None``) is an ambiguity: a value it matches goes to review with the
  candidates and the reason.
- **Neutral** phrases are known words that say nothing about the field (the outcome of a contact attempt in
  'contactsoort': that belongs in 'bereikt'). Any other negation that no rule explains stops the value from
  being mapped, because it may turn the meaning around ("brief niet verstuurd").
- **Abbreviations** are expanded before anything else; they are per field where one abbreviation means different
  things in different fields ("mw": mevrouw, or maatschappelijk werk).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ABBREVIATIONS",
    "CONCEPTS",
    "GENERIC_HEADS",
    "NEGATION_SKIPS",
    "NEGATORS",
    "NEUTRAL",
    "RULES",
    "STOPWORDS",
    "SURFACE_ONLY",
    "Rule",
]


@dataclass(frozen=True, slots=True)
class Rule:
    """A value means ``target`` when it contains one phrase of every slot and none of ``unless``.

    Slots are concept names (``"@telefoon"``) or literal phrases. ``target=None`` marks an ambiguity: the value
    goes to review, with ``candidates`` as the first suggestions and ``reason`` in the review file. A rule with a
    higher ``priority`` sets aside the matches of lower ones (used once: a referral *without contact* is that,
    wherever it went).
    """

    target: str | None
    slots: tuple[str, ...]
    unless: tuple[str, ...] = ()
    candidates: tuple[str, ...] = ()
    reason: str = ""
    priority: int = 0


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that carry no meaning for any field; dropped before matching (after abbreviations are expanded).
STOPWORDS: frozenset[str] = _words(
    """
    de het een en of van naar bij met in op aan door voor te om is was zijn wordt werd worden heeft hebben
    na had ook er dat die deze dit als maar dan per tot uit nr nrs nummer ivm nav mbt tav ism obv evt dd ca
    eerste tweede derde vierde 1e 2e 3e 4e 5e 1ste 2de 3de 4de keer x mbv zie nl namelijk over tegen sinds
    zoals omdat want wel ik jij hij zij ze we wij u hem haar hun mijn zijn ons onze
    """
)

#: Words compared by their exact form only: their stems meet words of another meaning ("anders" and "andere"
#: share the stem "ander", but "Verhuisd naar andere gemeente" says nothing about "anders"; "meerdere" has the
#: stem "meer", but "niet bereikt na meerdere pogingen" is not "niet meer bereikt").
SURFACE_ONLY: frozenset[str] = frozenset(
    {"ander", "andere", "anders", "overig", "overige", "overigen", "meer"}
)

#: Words that negate the next word ("geen contact"), or the one before when nothing follows ("reageert niet").
NEGATORS: frozenset[str] = frozenset({"geen", "niet", "nooit"})

#: Words the negation skips to reach the word it negates ("niet meer woonachtig" negates "woonachtig").
NEGATION_SKIPS: frozenset[str] = frozenset({"meer", "langer", "nog", "al", "echt", "helemaal"})

#: The second part of a compound that adds nothing the first part does not say: "energierekening" is about
#: energie, "adviesgesprek" about advies. A compound of a known word and one of these is read as that word.
GENERIC_HEADS: frozenset[str] = _words(
    """
    rekening rekeningen nota factuur facturen schuld schulden achterstand achterstanden kosten premie
    bericht berichten berichtje gesprek gesprekken gesprekje contact contacten poging pogingen notitie
    moment momenten traject trajecten afspraak bedrijf maatschappij leverancier verstrekker
    """
)

#: Abbreviations per field ("*" for every field): a word → what it stands for.
ABBREVIATIONS: dict[str, dict[str, str]] = {
    "*": {
        "tel": "telefoon",
        "telef": "telefoon",
        "tlf": "telefoon",
        "shv": "schuldhulpverlening",
        "schuldhulpverl": "schuldhulpverlening",
        "inw": "inwoner",
        "clt": "client",
        "cl": "client",
        "reeds": "al",
        "vsv": "vroegsignalering",
        "maatsch": "maatschappelijk",
        "adm": "administratief",
        "admin": "administratief",
        "amw": "algemeen maatschappelijk werk",
        "z": "zonder",
        "zdr": "zonder",
        "mnd": "maanden",
        "wk": "week",
    },
    "contactsoort": {
        "huisbez": "huisbezoek",
        "hb": "huisbezoek",
        "wa": "whatsapp",
    },
    "eindresultaat": {
        "mw": "maatschappelijk werk",
        "br": "betalingsregeling",
        "bet": "betalings",
        "vow": "vertrokken onbekend waarheen",
    },
    "signaalstatus": {"vow": "vertrokken onbekend waarheen"},
    "signaalpartner": {"zvw": "zorgverzekering"},
    "uitstroomreden": {"vow": "vertrokken onbekend waarheen"},
    "oplossingssoort": {"sk": "saneringskrediet", "br": "betalingsregeling", "0": "nul"},
}

# --- concepts ------------------------------------------------------------------------------------------------

_VERWIJZING = (
    "verwezen",
    "doorverwezen",
    "verwijzing",
    "doorverwijzing",
    "verwijzen",
    "doorverwijzen",
    "verwijst",
    "aangemeld",
    "aanmelding",
    "aanmelden",
    "warme overdracht",
    "overdracht",
    "overgedragen",
    "overgedaan",
    "toeleiding",
    "toegeleid",
    "doorgezet",
    "doorgestuurd",
    "doorgeleid",
    "aangedragen",
)

_OVERLEDEN = ("overleden", "overlijden", "overleed", "gestorven")

_GEEN_INWONER = (
    "verhuisd",
    "verhuist",
    "verhuizing",
    "vertrokken",
    "geemigreerd",
    "emigratie",
    "uitgeschreven",
    "buiten gemeente",
    "andere gemeente",
    "geen inwoner",
    "niet woonachtig",
    "woont niet gemeente",
    "niet gemeente",
)

_HERHAALD = (
    "herhaald",
    "herhaalde",
    "herhaling",
    "herhaalmelding",
    "dubbel",
    "dubbele",
    "dubbeling",
    "al gemeld",
    "eerder gemeld",
    "al bekend signaal",
    "eerder gesignaleerd",
    "al eerder",
)

_ONTERECHT = ("onterecht", "onterechte", "onrechte", "onjuist", "onjuiste", "foutief", "foutieve", "fout")

_ANDERE_REDEN = (
    "ander",
    "andere reden",
    "anders",
    "overig",
    "overige",
    "capaciteit",
    "drukte",
    "personeelstekort",
    "bedrag laag",
    "drempel",
    "beleid",
)

#: field → concept name → phrases. Phrases are written as people type them and read like the values.
CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "contactsoort": {
        "telefoon": (
            "telefoon",
            "telefonisch",
            "telefonische",
            "telefoontje",
            "telefoongesprek",
            "gebeld",
            "bellen",
            "belde",
            "belt",
            "opgebeld",
            "nagebeld",
            "teruggebeld",
            "belpoging",
            "belpogingen",
            "belronde",
            "voicemail",
            "ingesproken",
        ),
        "huisbezoek": (
            "huisbezoek",
            "huisbezoeken",
            "thuisbezoek",
            "voordeurbezoek",
            "voordeurgesprek",
            "voordeur",
            "deurbezoek",
            "aan huis",
            "aan de deur",
            "aangebeld",
            "langs geweest",
            "langsgegaan",
            "langsgeweest",
            "langs",
            "bezocht",
            "outreachend bezoek",
        ),
        "brief": (
            "brief",
            "brieven",
            "briefje",
            "post",
            "per post",
            "aangetekend",
            "aangetekende",
            "poststuk",
        ),
        "mail": ("mail", "email", "mails", "emails", "gemaild", "mailen", "mailtje", "mailbericht"),
        "sms": (
            "sms",
            "smsje",
            "smsen",
            "gesmst",
            "whatsapp",
            "whatsappen",
            "whatsappbericht",
            "app",
            "appje",
            "appen",
            "geappt",
            "whatsup",
            "tekstbericht",
            "signal bericht",
        ),
        "kaartje": (
            "kaartje",
            "kaartjes",
            "kaart",
            "visitekaartje",
            "achterlaatkaart",
            "kaart achtergelaten",
        ),
        "overige": (
            "overig",
            "overige",
            "anders",
            "spreekuur",
            "inloopspreekuur",
            "kantoor",
            "loket",
            "balie",
        ),
        "administratief": (
            "administratief",
            "administratieve",
            "dossieronderzoek",
            "dossiercontrole",
            "dossier onderzoek",
            "dossier controle",
            "brp controle",
        ),
        "partner": ("ketenpartner", "wijkteam", "corporatie", "woningcorporatie", "buurtteam", "partner"),
        "reactie": (
            "reageerde",
            "gereageerd",
            "reactie",
            "nam contact",
            "neemt contact",
            "contact opgenomen",
            "zelf",
        ),
    },
    "eindresultaat": {
        "verwijzing": _VERWIJZING,
        "herhaald": _HERHAALD,
        "onterecht": _ONTERECHT,
        "overleden": _OVERLEDEN,
        "geen_inwoner": _GEEN_INWONER,
        "niet_opgepakt": ("niet opgepakt",),
        "andere_reden": _ANDERE_REDEN,
        "geen_capaciteit": ("geen capaciteit", "capaciteitsgebrek", "capaciteitstekort"),
        "al": ("al", "lopend", "lopende", "loopt", "in traject", "traject", "bekend", "in beeld", "aanwezig"),
        "shv": (
            "schuldhulpverlening",
            "schuldhulp",
            "schuldhulptraject",
            "schuldhulpverlener",
            "kredietbank",
            "gkb",
            "schuldbemiddeling",
        ),
        "al_hulp": ("al", "lopend", "lopende", "loopt", "aanwezig", "onder", "bekend", "in beeld"),
        "andere_hulp": (
            "hulpverlening",
            "hulpverlener",
            "bewind",
            "bewindvoerder",
            "bewindvoering",
            "beschermingsbewind",
            "begeleiding",
            "wijkteam",
            "budgetbeheer",
            "budgetcoach",
            "budgetcoaching",
            "maatschappelijk werk",
            "ggz",
            "casemanager",
            "hulp",
            "ander traject",
        ),
        "geen_contact": (
            "niet bereikt",
            "nooit bereikt",
            "niet bereikbaar",
            "onbereikbaar",
            "geen contact",
            "nooit contact",
            "geen contact gekregen",
            "niet in contact",
            "contact niet gelukt",
        ),
        "contact_verloren": (
            "geen reactie meer",
            "reageert niet",
            "niet gereageerd meer",
            "niet meer gereageerd",
            "afgehaakt",
            "haakt af",
            "verwaterd",
            "contact verbroken",
            "contact verloren",
            "geen contact meer",
            "niet meer bereikbaar",
            "niet meer bereikt",
            "afspraak niet nagekomen",
            "niet verschenen",
            "niet op afspraak",
            "niet komen opdagen",
            "niet opgedaagd",
            "no show",
        ),
        "geen_hulp": (
            "geen hulp",
            "geen hulpvraag",
            "geen hulpbehoefte",
            "geen behoefte",
            "geen interesse",
            "geen ondersteuning",
            "geen hulpaanbod",
            "hulp niet nodig",
            "hulp niet gewenst",
            "weigert",
            "weigering",
            "geweigerd",
            "hulp afgewezen",
            "hulp afgeslagen",
            "hulpaanbod afgewezen",
            "hulpaanbod afgeslagen",
            "aanbod afgewezen",
            "aanbod afgeslagen",
            "redt zichzelf",
            "redt zich zelf",
        ),
        "zelf": ("zelf", "al", "zelfstandig"),
        "betaald": (
            "betaald",
            "voldaan",
            "ingelopen",
            "afgelost",
            "opgelost",
            "geregeld",
            "betalingsregeling",
            "betalingsregeling getroffen",
            "regeling",
            "regeling getroffen",
        ),
        "advies": (
            "advies",
            "adviezen",
            "budgetadvies",
            "adviesgesprek",
            "quickfix",
            "quick fix",
            "budgetadvisering",
            "informatie en advies",
        ),
        "hulp_gemeente": ("geholpen", "hulp gemeente", "via gemeente", "gemeente", "bemiddeld", "met hulp"),
        "regeling": ("betalingsregeling", "betalingsregeling getroffen", "regeling getroffen"),
        "financieel": (
            "schuldhulpverlening",
            "schuldhulp",
            "schuldhulptraject",
            "geldloket",
            "kredietbank",
            "gkb",
            "budgetbeheer",
            "bewind",
            "bewindvoerder",
            "bewindvoering",
            "beschermingsbewind",
            "budgetcoach",
            "budgetcoaching",
            "schuldhulpmaatje",
            "geldzaken",
            "financieel",
            "financiele hulp",
        ),
        "niet_financieel": (
            "maatschappelijk werk",
            "ggz",
            "verslavingszorg",
            "welzijn",
            "welzijnswerk",
            "huisarts",
            "jeugdhulp",
            "jeugdzorg",
            "wmo",
            "ggd",
            "niet financieel",
            "opvoedondersteuning",
            "thuiszorg",
            "psycholoog",
        ),
        "wijkteam": (
            "wijkteam",
            "sociaal team",
            "buurtteam",
            "toegangsteam",
            "sociaal wijkteam",
            "wijkcoach",
        ),
        "zonder_contact": ("zonder contact",),
        "vervolghulp": ("vervolghulp", "hulpverlening", "hulp"),
    },
    "signaalstatus": {
        "nieuw": (
            "nieuw",
            "nieuwe",
            "ontvangen",
            "binnengekomen",
            "binnen",
            "te beoordelen",
            "te behandelen",
            "nog niet opgepakt",
            "nog niet behandeld",
            "nog niet in behandeling",
            "nog op te pakken",
            "wacht",
            "wachtrij",
        ),
        "herhaald": _HERHAALD,
        "onterecht": _ONTERECHT,
        "overleden": _OVERLEDEN,
        "geen_inwoner": _GEEN_INWONER,
        "niet_opgepakt": ("niet opgepakt",),
        "andere_reden": _ANDERE_REDEN,
        "geen_capaciteit": ("geen capaciteit", "capaciteitsgebrek", "capaciteitstekort"),
    },
    "signaalpartner": {
        "cak_zorg": ("zorgverzekering", "wanbetalers", "wanbetaler", "premie", "bestuursrechtelijk", "zvw"),
        "cak_eigen": ("eigen bijdrage", "wmo", "wlz", "bijdrage"),
        "toeslagen": ("toeslagen", "toeslag", "zorgtoeslag", "huurtoeslag", "kinderopvangtoeslag"),
    },
    "uitstroomreden": {
        "ingetrokken": ("ingetrokken", "intrekking", "trekt in", "teruggetrokken", "teruggetrokken aanvraag"),
        "niet_verschenen": (
            "niet verschenen",
            "niet op afspraak",
            "niet gekomen",
            "niet komen opdagen",
            "niet opgedaagd",
            "no show",
        ),
        "afgerond": ("afgerond", "voltooid", "schuldenvrij", "schuldvrij", "beeindigd schuldenvrij"),
        "zelf_opgelost": ("zelf opgelost", "zelf geregeld", "zelf afgelost", "zelf betaald"),
    },
}

#: field → the rules (besides the dictionary's own spellings, which every field also has as rules).
RULES: dict[str, tuple[Rule, ...]] = {
    "contactsoort": (
        Rule("Telefoon", ("@telefoon",)),
        Rule("Huisbezoek", ("@huisbezoek",)),
        Rule("Brief", ("@brief",)),
        Rule("Mail", ("@mail",)),
        Rule("SMS/Whatsapp", ("@sms",)),
        Rule("Kaartje", ("@kaartje",)),
        Rule("Overige", ("@overige",)),
        Rule("Administratief", ("@administratief",)),
        Rule(
            None,
            ("via", "@partner"),
            candidates=("Overige",),
            reason="Contact via een partner (wijkteam, corporatie) kan elke contactvorm zijn geweest.",
        ),
        Rule(
            None,
            ("@reactie",),
            reason="Een reactie of actie van de inwoner zelf, geen poging van de gemeente: of en hoe die als "
            "contactpoging telt weet alleen wie de export kent.",
        ),
    ),
    "eindresultaat": (
        Rule("Niet opgepakt: herhaalde melding", ("@herhaald",)),
        Rule("Niet opgepakt: onterecht signaal", ("@onterecht",)),
        Rule("Inwoner is overleden", ("@overleden",)),
        Rule("Persoon is geen inwoner (meer) in de gemeente", ("@geen_inwoner",), unless=("binnen",)),
        Rule("Niet opgepakt: andere reden", ("@niet_opgepakt", "@andere_reden")),
        Rule("Niet opgepakt: andere reden", ("@geen_capaciteit",)),
        Rule("Inwoner al bekend bij schuldhulpverlening", ("@al", "@shv")),
        Rule("Inwoner heeft al een ander lopend traject", ("@al_hulp", "@andere_hulp"), unless=("@shv",)),
        Rule("Definitief geen contact kunnen krijgen", ("@geen_contact",)),
        Rule("Geen reactie na eerder contact", ("@contact_verloren",)),
        Rule("Inwoner hoeft geen hulp vanuit vroegsignalering", ("@geen_hulp",)),
        Rule("Inwoner heeft zelf al betaald/betalingsregeling getroffen", ("@zelf", "@betaald")),
        Rule("(Budget)advies en/of quick fix", ("@advies",)),
        Rule("(Budget)advies en/of quick fix", ("@regeling", "@hulp_gemeente")),
        Rule("Vervolghulp en/of verwijzing financieel", ("@verwijzing", "@financieel")),
        Rule("Vervolghulp en/of verwijzing niet financieel", ("@verwijzing", "@niet_financieel")),
        Rule("Verwijzing zonder contact", ("@verwijzing", "@zonder_contact"), priority=1),
        Rule("Verwijzing zonder contact", ("zonder contact", "@vervolghulp"), priority=1),
        Rule(
            None,
            ("geen achterstand meer",),
            candidates=(
                "Inwoner heeft zelf al betaald/betalingsregeling getroffen",
                "Niet opgepakt: onterecht signaal",
            ),
            reason="Zegt niet of er nooit een achterstand was (onterecht signaal) of dat die inmiddels betaald is.",
        ),
        Rule(
            None,
            ("@verwijzing", "@wijkteam"),
            candidates=(
                "Vervolghulp en/of verwijzing niet financieel",
                "Vervolghulp en/of verwijzing financieel",
            ),
            reason="Het sociaal wijkteam doet in veel gemeenten ook de intake schuldhulpverlening.",
        ),
    ),
    "signaalstatus": (
        Rule("Nog niet opgepakt", ("@nieuw",)),
        Rule("Niet opgepakt: herhaalde melding", ("@herhaald",)),
        Rule("Niet opgepakt: onterecht signaal", ("@onterecht",)),
        Rule("Inwoner is overleden", ("@overleden",)),
        Rule("Persoon is geen inwoner (meer) in de gemeente", ("@geen_inwoner",), unless=("binnen",)),
        Rule("Niet opgepakt: andere reden", ("@niet_opgepakt", "@andere_reden")),
        Rule("Niet opgepakt: andere reden", ("@geen_capaciteit",)),
    ),
    "signaalpartner": (
        Rule("CAK Zorgverzekeringen", ("cak", "@cak_zorg")),
        Rule("CAK Eigen bijdrage", ("cak", "@cak_eigen")),
        Rule("Dienst Toeslagen", ("@toeslagen",)),
    ),
    "uitstroomreden": (
        Rule("Ingetrokken", ("@ingetrokken",)),
        Rule("Nietverschenen", ("@niet_verschenen",)),
        Rule("Afgerond", ("@afgerond",)),
        Rule("Zelf", ("@zelf_opgelost",)),
    ),
    "begeleidingssoort": (
        Rule(
            None,
            ("vrijwilliger",),
            candidates=("Budgetcoaching", "Budgetbegeleiding"),
            reason="Hulp door vrijwilligers (Humanitas, SchuldHulpMaatje) telt niet overal als een van de "
            "soorten; de gemeente kiest.",
        ),
        Rule(
            None,
            ("humanitas",),
            candidates=("Budgetcoaching", "Budgetbegeleiding"),
            reason="Hulp door vrijwilligers (Humanitas, SchuldHulpMaatje) telt niet overal als een van de "
            "soorten; de gemeente kiest.",
        ),
        Rule(
            None,
            ("schuldhulpmaatje",),
            candidates=("Budgetcoaching", "Budgetbegeleiding"),
            reason="Hulp door vrijwilligers (Humanitas, SchuldHulpMaatje) telt niet overal als een van de "
            "soorten; de gemeente kiest.",
        ),
    ),
}

#: field → phrases that are known but say nothing about the field; they may hold a negation.
NEUTRAL: dict[str, tuple[str, ...]] = {
    "contactsoort": (
        "geen gehoor",
        "niet thuis",
        "niemand thuis",
        "niet bereikt",
        "bereikt",
        "niet opgenomen",
        "niet opengedaan",
        "niet open gedaan",
        "niet open",
        "niet aanwezig",
        "geen reactie",
        "geen contact",
        "niet gesproken",
        "contact gehad",
        "gesproken",
        "geen antwoord",
    ),
    "eindresultaat": ("niet opgepakt",),
}
