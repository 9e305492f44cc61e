"""How well each field of the exchange model is filled: the completeness profile of the op-orde-rapport.

Suppliers are asked to record complete data, and a schema-valid file can still be nearly empty. The profile
counts, per object type (levering, traject, vroegsignaal, zaak) and per field of the exchange model, how many
times the field was filled (in the sense of `ddas.rules.base.filled`: present and not empty) out of how many
times it could have been.

Denominators. A top-level field counts against all records of its type ("startdatum: 90 of 100 trajecten").
A field inside a part counts against the parts that were delivered, so a sub-field is not punished for a
phase the traject has not reached: "intake" is counted against all trajecten (how many have an intake),
"intake.beschikkingssoort" against the trajecten that have an intake object, "client.Burgerservicenummer"
against all clients (1–2 per traject), "schulden.schuldeiser.naam" against the schulden that have a
schuldeiser. A part delivered as an empty object (`"intake": {}`) is not filled itself, but does count as
present for its sub-fields: the supplier did send it, without content.

Core fields (`FieldInfo.core`) are the fields that belong on every record or part (a start date, an
identifying client field, a result); the others are often legitimately empty (an end date of a running
traject, a house number suffix). Reports highlight poorly filled core fields only, so the supplier's eye goes
to what is really missing.

The engine calls `add` for up to 50,000 records per file, on objects that may not match the schema, so the
field tree is compiled once into lookup tables and `add` only walks the keys an object actually has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ddas.rules.base import Target
from ddas.spec.kinds import Kind

__all__ = [
    "OBJECT_TYPES",
    "CompletenessProfile",
    "FieldInfo",
    "field_infos",
]


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What a report needs to know about one profiled field besides its counts."""

    #: Dotted path from the record, as in the exchange model: "intake.beschikkingssoort".
    label: str
    #: Depth of nesting: 0 for a field of the record itself.
    depth: int
    #: Expected to be filled on every record (or every delivered part); poorly filled core fields are flagged.
    core: bool
    #: What the total counts, e.g. ("trajecten met intake", "trajects with intake").
    of_nl: str
    of_en: str


# --- the field tree, as published in the exchange models ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _F:
    """A field; with `part` it is an object or a list of objects whose own fields are profiled too."""

    key: str
    core: bool = False
    part: _Part | None = None


@dataclass(frozen=True, slots=True)
class _Part:
    fields: tuple[_F, ...]
    #: What the part's fields are counted against (nl, en): the plural noun of a list's items; an object
    #: without one is described as "<parent> met <key>".
    noun: tuple[str, str] | None = None


def _obj(*fields: _F, noun: tuple[str, str] | None = None) -> _Part:
    return _Part(fields, noun)


def _list(nl: str, en: str, *fields: _F) -> _Part:
    return _Part(fields, (nl, en))


def _period() -> _Part:
    return _obj(_F("startdatum", True), _F("einddatum"))


_SHV_CLIENT = _list(
    "cliënten",
    "clients",
    _F("Burgerservicenummer", True),
    _F("Geboortedatum", True),
    _F("Geslachtsaanduiding", True),
    _F("Postcode", True),
    _F("Huisnummer", True),
    _F("Huisnummertoevoeging"),
)

_SHV_TRAJECT = _Part(
    (
        _F("gemeentecode", True),
        _F("startdatum", True),
        _F("einddatum"),
        _F("toekenningsdatum"),
        _F("totaalSchuldbedragBijAanvangSchuld"),
        _F("omschrijving"),
        _F("client", True, _SHV_CLIENT),
        _F(
            "schulden",
            False,
            _list(
                "schulden",
                "debts",
                _F("bedrag", True),
                _F("peildatum", True),
                _F("schuldsoort", True),
                _F("zakelijkeSchuld", True),
                _F(
                    "schuldeiser",
                    True,
                    _obj(
                        _F("naam", True),
                        _F("Naam", True),
                        _F("kvknummer"),
                        _F("postcode"),
                        _F("privepersoon", True),
                    ),
                ),
            ),
        ),
        _F("aanmelding", True, _obj(_F("startdatum", True), _F("einddatum"), _F("crisisinterventie", True))),
        _F(
            "intake",
            False,
            _obj(_F("startdatum", True), _F("einddatum"), _F("beschikkingsdatum"), _F("beschikkingssoort")),
        ),
        _F("planVanAanpak", False, _obj(_F("datumAfronding", True))),
        _F("stabilisatie", False, _period()),
        _F(
            "schuldregeling",
            False,
            _obj(
                _F("datum", True),
                _F("toegekend"),
                _F("afgewezen"),
                _F("ingetrokken"),
                _F("dwangakkoord"),
                _F("datumVerzoekDwangakkoord"),
            ),
        ),
        _F(
            "oplossing",
            False,
            _obj(_F("startdatum", True), _F("einddatum"), _F("soort", True), _F("vtlb", True)),
        ),
        _F("nazorg", False, _period()),
        _F(
            "uitstroom",
            False,
            _obj(
                _F("datum", True), _F("datumBeeindigingsbeschikking"), _F("reden", True), _F("omschrijving")
            ),
        ),
        _F(
            "begeleiding",
            False,
            _list(
                "begeleidingen", "guidance items", _F("soort", True), _F("startdatum", True), _F("einddatum")
            ),
        ),
        _F(
            "crisisinterventies",
            False,
            _list("crisisinterventies", "crisis interventions", *_period().fields),
        ),
        _F(
            "moratoria",
            False,
            _list(
                "moratoria",
                "moratoria",
                _F("datumAanvraag", True),
                _F("datumGoedkeuring"),
                _F("startdatum"),
                _F("einddatum"),
            ),
        ),
        _F(
            "voorlopigeVoorzieningen",
            False,
            _list("voorlopige voorzieningen", "provisional measures", *_period().fields),
        ),
        _F("informatieEnAdvies", False, _period()),
    ),
    ("trajecten", "trajects"),
)

#: A contactpersoon of the organisation (SHV `contactpersonen`, VS `contactpersoonen`: the same fields).
_CONTACTPERSOON = (
    "contactpersonen",
    "contact persons",
    _F("naam", True),
    _F("email", True),
    _F("telefoonnummer"),
    _F("functietitel"),
)

_SHV_LEVERING = _Part(
    (
        _F("teller", True),
        _F(
            "aanleverende_organisatie",
            True,
            _obj(
                _F("(Statutaire) Naam", True),
                _F("KvK-nummer"),
                _F("postcode"),
                _F("gemeentecode"),
                _F(
                    "contactpersonen",
                    True,
                    _list(*_CONTACTPERSOON),
                ),
                noun=("organisaties", "organisations"),
            ),
        ),
    ),
    ("leveringen", "deliveries"),
)

_VS_LEVERING = _Part(
    (
        _F("teller", True),
        _F("gemeentecode", True),
        _F(
            "aanleverende_organisatie",
            True,
            _obj(
                _F("naam", True),
                _F("kvk-nummer"),
                _F(
                    "contactpersoonen",
                    True,
                    _list(*_CONTACTPERSOON),
                ),
                noun=("organisaties", "organisations"),
            ),
        ),
    ),
    ("leveringen", "deliveries"),
)

_VS_SIGNAAL = _Part(
    (
        _F("ID", True),
        _F("crisissignaal", True),
        _F("warmeOverdracht", True),
        _F("bedrag", True),
        _F("ontstaansdatum", True),
        _F("signaaldatum", True),
        _F("status", True),
        _F("signaalpartner", True, _obj(_F("type", True))),
        _F(
            "client",
            True,
            _obj(
                _F("Burgerservicenummer", True),
                _F("Voorletters", True),
                _F("Voorvoegsel"),
                _F("Achternaam", True),
                _F("Geboortedatum", True),
                _F("Straatnaam", True),
                _F("Postcode", True),
                _F("Huisnummer", True),
                _F("Huisnummertoevoeging"),
                _F("Plaatsnaam", True),
            ),
        ),
    ),
    ("vroegsignalen", "early signals"),
)

_VS_ZAAK = _Part(
    (
        _F("resultaat"),
        _F("matchingsdatum", True),
        _F("startdatum_matchtingperiode", True),
        _F("einddatum_matchingperiode", True),
        _F("datum_opgepakt", True),
        _F("vroegsignalen", True, _list("verwijzingen naar signalen", "signal references", _F("ID", True))),
        _F(
            "contactpogingen",
            False,
            _list(
                "contactpogingen",
                "contact attempts",
                _F("soort", True),
                _F("bereikt", True),
                _F("datum", True),
                _F("dagdeel", True),
            ),
        ),
    ),
    ("zaken", "cases"),
)

_DOCUMENT = _Part(
    (
        _F("startdatumLevering", True),
        _F("einddatumLevering", True),
        _F("aanleverdatumEnTijd", True),
        _F("codeGegevensleverancier", True),
    ),
    ("bestanden", "files"),
)

#: The object types profiled per kind, as (target, label, field tree), in report order.
OBJECT_TYPES: dict[Kind, tuple[tuple[Target, str, _Part], ...]] = {
    Kind.SHV: (
        (Target.DOCUMENT, "document", _DOCUMENT),
        (Target.LEVERING, "levering", _SHV_LEVERING),
        (Target.TRAJECT, "traject", _SHV_TRAJECT),
    ),
    Kind.VS: (
        (Target.DOCUMENT, "document", _DOCUMENT),
        (Target.LEVERING, "levering", _VS_LEVERING),
        (Target.VROEGSIGNAAL, "vroegsignaal", _VS_SIGNAAL),
        (Target.ZAAK, "zaak", _VS_ZAAK),
    ),
}


# --- compilation into lookup tables ---------------------------------------------------------------------


class _Node:
    """A compiled part: for each key, the slot of its filled-counter and the compiled sub-part (if any)."""

    __slots__ = ("group", "keys")

    def __init__(self, group: int) -> None:
        #: Index of this part's visit counter: the total of every field of the part.
        self.group = group
        self.keys: dict[str, tuple[int, _Node | None]] = {}


@dataclass(slots=True)
class _Compiled:
    label: str
    root: _Node
    #: Per field slot: (label, group index of its denominator).
    slots: list[tuple[str, int]]
    infos: list[FieldInfo]
    groups: int


def _compile(label: str, part: _Part) -> _Compiled:
    slots: list[tuple[str, int]] = []
    infos: list[FieldInfo] = []
    counter = [0]

    def new_group() -> int:
        counter[0] += 1
        return counter[0] - 1

    def walk(p: _Part, prefix: str, depth: int, of: tuple[str, str]) -> _Node:
        node = _Node(new_group())
        for f in p.fields:
            name = prefix + f.key
            slot = len(slots)
            slots.append((name, node.group))
            infos.append(FieldInfo(name, depth, f.core, of[0], of[1]))
            child = None
            if f.part is not None:
                default_noun = (f"{of[0]} met {f.key}", f"{of[1]} with {f.key}")
                child_of = f.part.noun if f.part.noun is not None else default_noun
                child = walk(f.part, name + ".", depth + 1, child_of)
            node.keys[f.key] = (slot, child)
        return node

    assert part.noun is not None
    root = walk(part, "", 0, part.noun)
    return _Compiled(label, root, slots, infos, counter[0])


_COMPILED: dict[Kind, dict[Target, _Compiled]] = {
    kind: {target: _compile(label, part) for target, label, part in types}
    for kind, types in OBJECT_TYPES.items()
}


def field_infos(kind: Kind) -> dict[str, dict[str, FieldInfo]]:
    """Object type label → field label → its description, in report order."""
    return {c.label: {i.label: i for i in c.infos} for c in _COMPILED[kind].values()}


# --- the profile ----------------------------------------------------------------------------------------


class _Counts:
    __slots__ = ("filled", "visits")

    def __init__(self, compiled: _Compiled) -> None:
        self.filled = [0] * len(compiled.slots)
        self.visits = [0] * compiled.groups


_SIZED = (str, list, dict)


def _visit(node: _Node, obj: dict[str, Any], filled_counts: list[int], visits: list[int]) -> None:
    """Count one object: the hot loop, so `filled` is inlined (same meaning: not None, not empty)."""
    visits[node.group] += 1
    keys = node.keys
    for key, value in obj.items():
        entry = keys.get(key)
        if entry is None or value is None:
            continue
        slot, child = entry
        if isinstance(value, _SIZED) and not value:
            if child is not None and isinstance(value, dict):
                visits[child.group] += 1
            continue
        filled_counts[slot] += 1
        if child is not None:
            # Tolerant of shape errors (the schema layer reports them): an object where a list belongs is
            # profiled as one item, a list where an object belongs as its object items.
            if isinstance(value, dict):
                _visit(child, value, filled_counts, visits)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, dict):
                        _visit(child, item, filled_counts, visits)


class CompletenessProfile:
    """Accumulates fill counts over the records of one file; the engine feeds it, the reports read it."""

    __slots__ = ("_compiled", "_counts", "kind")

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self._compiled = _COMPILED[kind]
        self._counts = {target: _Counts(c) for target, c in self._compiled.items()}

    def add(self, target: Target, obj: Any) -> None:
        """Count one record; a record that is not an object counts as a record with nothing filled.

        The item lists of a levering are not profiled here: the engine hands each item over separately (and
        in streaming mode the levering arrives without them).
        """
        compiled = self._compiled.get(target)
        if compiled is None:
            return
        counts = self._counts[target]
        if isinstance(obj, dict):
            _visit(compiled.root, obj, counts.filled, counts.visits)
        else:
            counts.visits[compiled.root.group] += 1

    def result(self) -> dict[str, dict[str, list[int]]]:
        """Object type label → field label → [filled, total], every field of the model in model order.

        Fields whose part never occurred have total 0; they are kept so the shape does not depend on the data.
        """
        out: dict[str, dict[str, list[int]]] = {}
        for target, compiled in self._compiled.items():
            counts = self._counts[target]
            out[compiled.label] = {
                label: [counts.filled[slot], counts.visits[group]]
                for slot, (label, group) in enumerate(compiled.slots)
            }
        return out
