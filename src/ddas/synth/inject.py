"""Defects injected on purpose into a clean generated delivery, with the list of what the validator must say.

Each defect breaks one thing in one record and must produce exactly one finding: that code, at that JSON
Pointer, and nothing else. That is harder than it sounds, because the rules look at records together: a BSN
that changes can suddenly collide with another client, a traject whose code changes makes a levering mixed, a
signal that loses its zaak gets a warning of its own. So every defect states its preconditions and checks them
on the document as it is at that moment, records that take part in a defect (also as the *other* traject or
zaak) are never touched again, and clients that already occur in two trajecten (the generator's sequential
trajecten) are left alone altogether.

Per document, besides the record defects, up to three document or levering defects are injected (supplier
code, tellers, organisation, period), chosen so that they do not cancel each other or the record defects.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ddas.spec.kinds import Kind
from ddas.synth.draw import rint
from ddas.synth.pool import bsn_check_digit
from ddas.synth.reference import DEFAULT_GEMEENTEN, GEMEENTEN

__all__ = ["INJECTABLE", "SEVERITIES", "Defect", "inject"]

ERROR, WARNING = "error", "warning"

#: The severity of every code the injector produces (the validator's catalogue is the authority; a test
#: holds the two equal).
SEVERITIES: dict[str, str] = {
    "SCHEMA_REQUIRED": ERROR,
    "SCHEMA_TYPE": ERROR,
    "SCHEMA_ENUM": ERROR,
    "SCHEMA_FORMAT": ERROR,
    "SCHEMA_ADDITIONAL_PROPERTIES": ERROR,
    "SCHEMA_MIN_ITEMS": ERROR,
    "SCHEMA_MAX_ITEMS": ERROR,
    "SCHEMA_UNIQUE_ITEMS": ERROR,
    "UNKNOWN_FIELD": WARNING,
    "PERIOD_START_AFTER_END": ERROR,
    "DELIVERED_BEFORE_PERIOD_END": WARNING,
    "TELLER_DUPLICATE": ERROR,
    "TELLER_NOT_SEQUENTIAL": WARNING,
    "SUPPLIER_CODE_NO_VERSION": WARNING,
    "ORG_NO_IDENTIFIER": ERROR,
    "KVK_INVALID": ERROR,
    "CONTACT_NO_VALID_EMAIL": WARNING,
    "GEMEENTECODE_INVALID": ERROR,
    "GEMEENTECODE_ONBEKEND": WARNING,
    "LEVERING_MIXED_GEMEENTEN": WARNING,
    "TRAJECT_OTHER_GEMEENTE": WARNING,
    "CLIENT_NOT_IDENTIFIABLE": ERROR,
    "BSN_INVALID": ERROR,
    "BSN_DUPLICATE_IN_TRAJECT": ERROR,
    "GESLACHT_INVALID": ERROR,
    "GEBOORTEDATUM_INVALID": ERROR,
    "AGE_IMPLAUSIBLE": WARNING,
    "POSTCODE_INVALID": ERROR,
    "POSTCODE_NOT_NORMALISED": WARNING,
    "HUISNUMMER_OUT_OF_RANGE": WARNING,
    "TOEVOEGING_TOO_LONG": WARNING,
    "TRAJECT_NO_STARTDATUM": ERROR,
    "END_BEFORE_START": ERROR,
    "TRAJECT_OUTSIDE_PERIOD": WARNING,
    "DATE_AFTER_DELIVERY": WARNING,
    "PHASES_OUT_OF_ORDER": WARNING,
    "UITSTROOM_WITHOUT_EINDDATUM": ERROR,
    "ENDED_WITHOUT_REDEN": WARNING,
    "EINDDATUM_UITSTROOM_MISMATCH": WARNING,
    "TOEKENNINGSDATUM_MISMATCH": WARNING,
    "DWANGAKKOORD_WITHOUT_TOEGEKEND": ERROR,
    "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD": WARNING,
    "SCHULDREGELING_OUTCOME_BEFORE_DATUM": ERROR,
    "SCHULDREGELING_MULTIPLE_OUTCOMES": WARNING,
    "AMOUNT_NEGATIVE": ERROR,
    "VTLB_OUT_OF_RANGE": WARNING,
    "SCHULDBEDRAG_SUM_MISMATCH": WARNING,
    "SCHULDEISER_NAAM_MISMATCH": WARNING,
    "SCHULDEISER_KVK_INVALID": ERROR,
    "PRIVEPERSOON_WITH_KVK": WARNING,
    "CLIENT_OVERLAPPING_TRAJECTEN": ERROR,
    "MORATORIUM_TOO_LONG": WARNING,
    "CRISISINTERVENTIE_INCONSISTENT": WARNING,
    "AFWIJZING_WITH_OPLOSSING": WARNING,
    "VROEGSIGNAAL_ID_DUPLICATE": ERROR,
    "ZAAK_UNKNOWN_SIGNAL": ERROR,
    "SIGNAL_IN_MULTIPLE_ZAKEN": ERROR,
    "SIGNAL_WITHOUT_ZAAK": WARNING,
    "SIGNAALDATUM_BEFORE_ONTSTAANSDATUM": ERROR,
    "SIGNAALDATUM_OUTSIDE_PERIOD": WARNING,
    "VS_CLIENT_NO_ADDRESS": ERROR,
    "MATCHING_PERIOD_START_AFTER_END": ERROR,
    "OPGEPAKT_BEFORE_SIGNAL": WARNING,
    "CONTACT_BEFORE_OPGEPAKT": WARNING,
    "RESULTAAT_CONTRADICTS_CONTACT": WARNING,
}

#: Codes whose finding depends on a sane reporting period: not injected when the period itself is broken.
_NEEDS_PERIOD = frozenset({"TRAJECT_OUTSIDE_PERIOD", "SIGNAALDATUM_OUTSIDE_PERIOD"})
_OPEN = dt.date.max.toordinal()


@dataclass(frozen=True, slots=True)
class Defect:
    """One injected defect: the finding the validator must report for it."""

    code: str
    severity: str
    path: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "severity": self.severity, "code": self.code}


def _pointer(parts: tuple[str | int, ...]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _status_needs_zaak(status: Any) -> bool:
    """Mirrors §4.17: a signal without zaak is fine while not picked up ("Nog niet …", "Niet opgepakt: …")."""
    return (
        isinstance(status, str) and status != "Nog niet opgepakt" and not status.startswith("Niet opgepakt:")
    )


#: A JSON Pointer as its parts, e.g. ("leveringen", 0, "schuldhulptrajecten", 5).
Parts = tuple[str | int, ...]
#: A record defect: (record, its path) → the defect, after mutating the record; None when it does not apply.
RecordFn = Callable[[dict[str, Any], Parts], "Defect | None"]
DocFn = Callable[[], "Defect | None"]


class _Injector:
    """One injection run over one document: the bookkeeping that keeps every defect to exactly one finding."""

    def __init__(self, doc: dict[str, Any], kind: Kind, rng: random.Random) -> None:
        self.doc = doc
        self.kind = kind
        self.rng = rng
        self.defects: list[Defect] = []
        #: ids of records (trajecten, signals, zaken) that took part in a defect or must stay as they are.
        self.used: set[int] = set()
        #: ids of organisations (and leveringen) a levering defect already changed.
        self.touched: set[int] = set()
        self.period_broken = False
        self._record_list: list[tuple[str, dict[str, Any], Parts]] = []
        self._indexes: dict[int, _LeveringIndex] = {}
        self.bsns: set[str] = set()
        self.ps = _date(doc.get("startdatumLevering")) or dt.date(2025, 1, 1)
        self.pe = _date(doc.get("einddatumLevering")) or dt.date(2025, 6, 30)
        delivered = doc.get("aanleverdatumEnTijd")
        self.delivered = _date(delivered[:10] if isinstance(delivered, str) else None) or self.pe
        for t in self._trajecten():
            for client in t.get("client") or ():
                if isinstance(client.get("Burgerservicenummer"), str):
                    self.bsns.add(client["Burgerservicenummer"])
        for s in self._signalen():
            bsn = s.get("client", {}).get("Burgerservicenummer")
            if isinstance(bsn, str):
                self.bsns.add(bsn)
        self._exclude_linked_clients()

    # --- bookkeeping ----------------------------------------------------------------------------------------

    def _leveringen(self) -> list[dict[str, Any]]:
        leveringen: list[dict[str, Any]] = self.doc.get("leveringen") or []
        return leveringen

    def _trajecten(self) -> Iterator[dict[str, Any]]:
        for lev in self._leveringen():
            yield from lev.get("schuldhulptrajecten") or ()

    def _signalen(self) -> Iterator[dict[str, Any]]:
        for lev in self._leveringen():
            yield from lev.get("vroegsignalen") or ()

    def _exclude_linked_clients(self) -> None:
        """Trajecten whose client also has another traject (the generator's sequential pairs) stay untouched:
        moving their dates or identities could make the two overlap, or stop them overlapping."""
        owners: dict[Any, list[int]] = {}
        for t in self._trajecten():
            for client in t.get("client") or ():
                owners.setdefault(_client_key(client), []).append(id(t))
        for ids in owners.values():
            if len(ids) > 1:
                self.used.update(ids)

    def _add(self, code: str, path: Parts) -> Defect:
        defect = Defect(code, SEVERITIES[code], _pointer(path))
        self.defects.append(defect)
        return defect

    def _fresh_bsn(self) -> str:
        """An elfproef-valid BSN that occurs nowhere in the document."""
        while True:
            first8 = str(rint(self.rng, 10_000_000, 99_999_999))
            check = bsn_check_digit(first8)
            bsn = first8 + str(check)
            if check < 10 and bsn not in self.bsns:
                self.bsns.add(bsn)
                return bsn

    def _other_code(self, code: Any) -> str:
        return next(c for c in (*DEFAULT_GEMEENTEN, *GEMEENTEN) if c != code)

    # --- the run --------------------------------------------------------------------------------------------

    def run(self, rate: float) -> list[Defect]:
        self._document_defects(3)
        records = self._records()
        self._record_list = records
        if not records:
            return self.defects
        target = max(1, round(rate * len(records)))
        eligible = [r for r in records if id(r[1]) not in self.used]
        self.rng.shuffle(eligible)
        catalogue = self._record_defects()
        for types in catalogue.values():
            self.rng.shuffle(types)
        turn = dict.fromkeys(catalogue, 0)
        applied = 0
        for kind, record, path in eligible:
            if applied >= target:
                break
            if id(record) in self.used:
                continue  # became the other record of an earlier defect
            types = catalogue[kind]
            start = turn[kind]
            for step in range(len(types)):
                code, fn = types[(start + step) % len(types)]
                if self.period_broken and code in _NEEDS_PERIOD:
                    continue
                if fn(record, path) is not None:
                    self.used.add(id(record))
                    turn[kind] = start + step + 1  # rotate, so that few records still cover many codes
                    applied += 1
                    break
        return self.defects

    def _records(self) -> list[tuple[str, dict[str, Any], Parts]]:
        out: list[tuple[str, dict[str, Any], Parts]] = []
        for i, lev in enumerate(self._leveringen()):
            if self.kind is Kind.SHV:
                for j, t in enumerate(lev.get("schuldhulptrajecten") or ()):
                    out.append(("traject", t, ("leveringen", i, "schuldhulptrajecten", j)))
            else:
                for j, s in enumerate(lev.get("vroegsignalen") or ()):
                    out.append(("signaal", s, ("leveringen", i, "vroegsignalen", j)))
                for j, z in enumerate(lev.get("vroegsignaalzaken") or ()):
                    out.append(("zaak", z, ("leveringen", i, "vroegsignaalzaken", j)))
        return out

    def _record_defects(self) -> dict[str, list[tuple[str, RecordFn]]]:
        client = [
            ("UNKNOWN_FIELD", self.client_unknown_field),
            ("BSN_INVALID", self.client_bsn_invalid),
            ("AGE_IMPLAUSIBLE", self.client_age),
            ("POSTCODE_INVALID", self.client_postcode_invalid),
            ("POSTCODE_NOT_NORMALISED", self.client_postcode_not_normalised),
            ("HUISNUMMER_OUT_OF_RANGE", self.client_huisnummer),
            ("TOEVOEGING_TOO_LONG", self.client_toevoeging),
        ]
        if self.kind is Kind.SHV:
            return {
                "traject": [
                    *[(code, self._per_client(fn)) for code, fn in client],
                    ("GEBOORTEDATUM_INVALID", self._per_client(self.client_geboortedatum_not_a_date)),
                    ("GESLACHT_INVALID", self._per_client(self.client_geslacht)),
                    ("CLIENT_NOT_IDENTIFIABLE", self._per_client(self.client_not_identifiable)),
                    ("SCHEMA_REQUIRED", self.traject_required),
                    ("SCHEMA_TYPE", self.traject_type),
                    ("SCHEMA_ENUM", self.traject_enum),
                    ("SCHEMA_FORMAT", self.traject_format),
                    ("SCHEMA_ADDITIONAL_PROPERTIES", self.additional_property),
                    ("SCHEMA_MIN_ITEMS", self.traject_no_clients),
                    ("SCHEMA_MAX_ITEMS", self.traject_three_clients),
                    ("GEMEENTECODE_INVALID", self.traject_gemeentecode_invalid),
                    ("GEMEENTECODE_ONBEKEND", self.traject_gemeentecode_onbekend),
                    ("BSN_DUPLICATE_IN_TRAJECT", self.traject_bsn_duplicate),
                    ("TRAJECT_NO_STARTDATUM", self.traject_no_startdatum),
                    ("END_BEFORE_START", self.traject_end_before_start),
                    ("TRAJECT_OUTSIDE_PERIOD", self.traject_outside_period),
                    ("DATE_AFTER_DELIVERY", self.traject_date_after_delivery),
                    ("PHASES_OUT_OF_ORDER", self.traject_phases_out_of_order),
                    ("UITSTROOM_WITHOUT_EINDDATUM", self.traject_uitstroom_without_einddatum),
                    ("ENDED_WITHOUT_REDEN", self.traject_ended_without_reden),
                    ("EINDDATUM_UITSTROOM_MISMATCH", self.traject_einddatum_mismatch),
                    ("TOEKENNINGSDATUM_MISMATCH", self.traject_toekenningsdatum),
                    ("DWANGAKKOORD_WITHOUT_TOEGEKEND", self.traject_dwangakkoord),
                    ("VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD", self.traject_verzoek_dwangakkoord),
                    ("SCHULDREGELING_OUTCOME_BEFORE_DATUM", self.traject_outcome_before_datum),
                    ("SCHULDREGELING_MULTIPLE_OUTCOMES", self.traject_multiple_outcomes),
                    ("AMOUNT_NEGATIVE", self.traject_amount_negative),
                    ("VTLB_OUT_OF_RANGE", self.traject_vtlb),
                    ("SCHULDBEDRAG_SUM_MISMATCH", self.traject_sum_mismatch),
                    ("SCHULDEISER_NAAM_MISMATCH", self.traject_naam_mismatch),
                    ("SCHULDEISER_KVK_INVALID", self.traject_schuldeiser_kvk),
                    ("PRIVEPERSOON_WITH_KVK", self.traject_privepersoon),
                    ("CLIENT_OVERLAPPING_TRAJECTEN", self.traject_overlap),
                    ("MORATORIUM_TOO_LONG", self.traject_moratorium),
                    ("CRISISINTERVENTIE_INCONSISTENT", self.traject_crisis),
                    ("AFWIJZING_WITH_OPLOSSING", self.traject_afwijzing),
                ]
            }
        return {
            "signaal": [
                *[(code, self._signal_client(fn)) for code, fn in client],
                ("GEBOORTEDATUM_INVALID", self._signal_client(self.client_geboortedatum_future)),
                ("VS_CLIENT_NO_ADDRESS", self._signal_client(self.client_no_address)),
                ("SCHEMA_REQUIRED", self.signal_required),
                ("SCHEMA_TYPE", self.signal_type),
                ("SCHEMA_ENUM", self.signal_enum),
                ("SCHEMA_FORMAT", self.signal_format),
                ("SCHEMA_ADDITIONAL_PROPERTIES", self.additional_property),
                ("AMOUNT_NEGATIVE", self.signal_amount_negative),
                ("SIGNAALDATUM_BEFORE_ONTSTAANSDATUM", self.signal_before_ontstaan),
                ("SIGNAALDATUM_OUTSIDE_PERIOD", self.signal_outside_period),
                ("VROEGSIGNAAL_ID_DUPLICATE", self.signal_id_duplicate),
                ("SIGNAL_WITHOUT_ZAAK", self.signal_without_zaak),
            ],
            "zaak": [
                ("SCHEMA_MIN_ITEMS", self.zaak_no_signals),
                ("SCHEMA_UNIQUE_ITEMS", self.zaak_duplicate_reference),
                ("ZAAK_UNKNOWN_SIGNAL", self.zaak_unknown_signal),
                ("SIGNAL_IN_MULTIPLE_ZAKEN", self.zaak_shared_signal),
                ("MATCHING_PERIOD_START_AFTER_END", self.zaak_matching_period),
                ("OPGEPAKT_BEFORE_SIGNAL", self.zaak_opgepakt_early),
                ("CONTACT_BEFORE_OPGEPAKT", self.zaak_contact_early),
                ("RESULTAAT_CONTRADICTS_CONTACT", self.zaak_resultaat),
            ],
        }

    # --- persons (both kinds) -------------------------------------------------------------------------------

    def _per_client(self, fn: Callable[[dict[str, Any], Parts], Defect | None]) -> RecordFn:
        """A client defect applied to one (random) client of a traject."""

        def apply(t: dict[str, Any], path: Parts) -> Defect | None:
            clients = t.get("client")
            if not isinstance(clients, list) or not clients:
                return None
            k = rint(self.rng, 0, len(clients) - 1)
            return fn(clients[k], (*path, "client", k))

        return apply

    def _signal_client(self, fn: Callable[[dict[str, Any], Parts], Defect | None]) -> RecordFn:
        def apply(s: dict[str, Any], path: Parts) -> Defect | None:
            client = s.get("client")
            return fn(client, (*path, "client")) if isinstance(client, dict) else None

        return apply

    def client_unknown_field(self, client: dict[str, Any], path: Parts) -> Defect | None:
        client["Telefoonnummer"] = f"06{rint(self.rng, 10_000_000, 99_999_999)}"
        return self._add("UNKNOWN_FIELD", (*path, "Telefoonnummer"))

    def client_bsn_invalid(self, client: dict[str, Any], path: Parts) -> Defect | None:
        bsn = client.get("Burgerservicenummer")
        if not isinstance(bsn, str) or len(bsn) != 9:
            return None
        wrong = bsn[:8] + str(
            (int(bsn[8]) + rint(self.rng, 1, 9)) % 10
        )  # another check digit: elfproef fails
        self.bsns.add(wrong)
        client["Burgerservicenummer"] = wrong
        return self._add("BSN_INVALID", (*path, "Burgerservicenummer"))

    def client_age(self, client: dict[str, Any], path: Parts) -> Defect | None:
        # Well past the plausible 110 years, but a real date and not in the future.
        born = dt.date(self.pe.year - rint(self.rng, 115, 125), rint(self.rng, 1, 12), rint(self.rng, 1, 28))
        client["Geboortedatum"] = _iso(born)
        return self._add("AGE_IMPLAUSIBLE", (*path, "Geboortedatum"))

    def client_geboortedatum_not_a_date(self, client: dict[str, Any], path: Parts) -> Defect | None:
        born = _date(client.get("Geboortedatum"))
        if born is None:
            return None
        client["Geboortedatum"] = f"{born.year:04d}-02-30"
        return self._add("GEBOORTEDATUM_INVALID", (*path, "Geboortedatum"))

    def client_geboortedatum_future(self, client: dict[str, Any], path: Parts) -> Defect | None:
        # Decades ahead, so that it is "in the future" whenever the file is validated.
        born = dt.date(
            self.delivered.year + rint(self.rng, 40, 60), rint(self.rng, 1, 12), rint(self.rng, 1, 28)
        )
        client["Geboortedatum"] = _iso(born)
        return self._add("GEBOORTEDATUM_INVALID", (*path, "Geboortedatum"))

    def client_geslacht(self, client: dict[str, Any], path: Parts) -> Defect | None:
        geslacht = client.get("Geslachtsaanduiding")
        if not isinstance(geslacht, str):
            return None
        client["Geslachtsaanduiding"] = {"Man": "M", "Vrouw": "V"}.get(geslacht, "X")
        return self._add("GESLACHT_INVALID", (*path, "Geslachtsaanduiding"))

    def client_not_identifiable(self, client: dict[str, Any], path: Parts) -> Defect | None:
        if "Postcode" not in client:
            return None
        client.pop("Burgerservicenummer", None)
        del client["Postcode"]
        return self._add("CLIENT_NOT_IDENTIFIABLE", path)

    def client_no_address(self, client: dict[str, Any], path: Parts) -> Defect | None:
        if "Postcode" not in client:
            return None
        del client["Postcode"]
        return self._add("VS_CLIENT_NO_ADDRESS", path)

    def client_postcode_invalid(self, client: dict[str, Any], path: Parts) -> Defect | None:
        postcode = client.get("Postcode")
        if not isinstance(postcode, str) or len(postcode) != 6:
            return None
        client["Postcode"] = postcode[:4]  # the letters got lost
        return self._add("POSTCODE_INVALID", (*path, "Postcode"))

    def client_postcode_not_normalised(self, client: dict[str, Any], path: Parts) -> Defect | None:
        postcode = client.get("Postcode")
        if not isinstance(postcode, str) or len(postcode) != 6:
            return None
        client["Postcode"] = f"{postcode[:4]} {postcode[4:].lower()}"
        return self._add("POSTCODE_NOT_NORMALISED", (*path, "Postcode"))

    def client_huisnummer(self, client: dict[str, Any], path: Parts) -> Defect | None:
        if "Huisnummer" not in client:
            return None
        client["Huisnummer"] = self.rng.choice(("0", "123456", "12a"))
        return self._add("HUISNUMMER_OUT_OF_RANGE", (*path, "Huisnummer"))

    def client_toevoeging(self, client: dict[str, Any], path: Parts) -> Defect | None:
        client["Huisnummertoevoeging"] = self.rng.choice(("achterhuis", "bovenwoning", "3e etage"))
        return self._add("TOEVOEGING_TOO_LONG", (*path, "Huisnummertoevoeging"))

    # --- SHV trajecten --------------------------------------------------------------------------------------

    def additional_property(self, record: dict[str, Any], path: Parts) -> Defect | None:
        record["opmerking"] = "handmatig gecorrigeerd"
        return self._add("SCHEMA_ADDITIONAL_PROPERTIES", path)

    def traject_required(self, t: dict[str, Any], path: Parts) -> Defect | None:
        if "gemeentecode" not in t:
            return None
        del t["gemeentecode"]
        return self._add("SCHEMA_REQUIRED", path)

    def traject_type(self, t: dict[str, Any], path: Parts) -> Defect | None:
        t["omschrijving"] = rint(self.rng, 1, 99_999)  # a number where the schema wants text
        return self._add("SCHEMA_TYPE", (*path, "omschrijving"))

    def traject_enum(self, t: dict[str, Any], path: Parts) -> Defect | None:
        schulden = t.get("schulden")
        if not schulden:
            return None
        k = rint(self.rng, 0, len(schulden) - 1)
        schulden[k]["schuldsoort"] = self.rng.choice(("Belastingen", "Huur", "zorg"))
        return self._add("SCHEMA_ENUM", (*path, "schulden", k, "schuldsoort"))

    def traject_format(self, t: dict[str, Any], path: Parts) -> Defect | None:
        schulden = t.get("schulden")
        if not schulden:
            return None
        k = rint(self.rng, 0, len(schulden) - 1)
        peildatum = _date(schulden[k].get("peildatum"))
        if peildatum is None:
            return None
        schulden[k]["peildatum"] = f"{peildatum.year:04d}-02-30"  # no such day
        return self._add("SCHEMA_FORMAT", (*path, "schulden", k, "peildatum"))

    def traject_no_clients(self, t: dict[str, Any], path: Parts) -> Defect | None:
        t["client"] = []
        return self._add("SCHEMA_MIN_ITEMS", (*path, "client"))

    def traject_three_clients(self, t: dict[str, Any], path: Parts) -> Defect | None:
        clients = t.get("client")
        if not isinstance(clients, list) or not clients:
            return None
        while len(clients) < 3:  # a child registered as a third client, with a BSN of its own
            child = dict(clients[0])
            child["Burgerservicenummer"] = self._fresh_bsn()
            born = dt.date(
                self.pe.year - rint(self.rng, 18, 25), rint(self.rng, 1, 12), rint(self.rng, 1, 28)
            )
            child["Geboortedatum"] = _iso(born)
            clients.append(child)
        return self._add("SCHEMA_MAX_ITEMS", (*path, "client"))

    def traject_gemeentecode_invalid(self, t: dict[str, Any], path: Parts) -> Defect | None:
        code = t.get("gemeentecode")
        if not isinstance(code, str) or len(code) != 4 or not code.isdigit():
            return None
        # Lower-case `gm`: not a valid form, yet it names the same gemeente: the levering does not turn mixed.
        t["gemeentecode"] = "gm" + code
        return self._add("GEMEENTECODE_INVALID", (*path, "gemeentecode"))

    def traject_gemeentecode_onbekend(self, t: dict[str, Any], path: Parts) -> Defect | None:
        if "gemeentecode" not in t:
            return None
        t["gemeentecode"] = "Onbekend"
        return self._add("GEMEENTECODE_ONBEKEND", (*path, "gemeentecode"))

    def traject_bsn_duplicate(self, t: dict[str, Any], path: Parts) -> Defect | None:
        clients = t.get("client") or []
        if len(clients) != 2 or not all("Burgerservicenummer" in c for c in clients):
            return None
        clients[1]["Burgerservicenummer"] = clients[0]["Burgerservicenummer"]
        return self._add("BSN_DUPLICATE_IN_TRAJECT", (*path, "client", 1, "Burgerservicenummer"))

    def traject_no_startdatum(self, t: dict[str, Any], path: Parts) -> Defect | None:
        aanmelding = t.get("aanmelding")
        if not isinstance(aanmelding, dict):
            return None
        t.pop("startdatum", None)
        aanmelding.pop("startdatum", None)
        return self._add("TRAJECT_NO_STARTDATUM", (*path, "startdatum"))

    def traject_end_before_start(self, t: dict[str, Any], path: Parts) -> Defect | None:
        spans: list[tuple[dict[str, Any], Parts]] = []
        for name in ("aanmelding", "intake", "stabilisatie", "oplossing", "nazorg"):
            obj = t.get(name)
            if isinstance(obj, dict):
                spans.append((obj, (*path, name)))
        for name in ("begeleiding", "crisisinterventies", "moratoria"):
            for k, item in enumerate(t.get(name) or ()):
                spans.append((item, (*path, name, k)))
        spans = [(o, p) for o, p in spans if _date(o.get("startdatum")) and _date(o.get("einddatum"))]
        if not spans:
            return None
        obj, where = self.rng.choice(spans)
        start = _date(obj["startdatum"])
        assert start is not None
        obj["einddatum"] = _iso(start - dt.timedelta(days=rint(self.rng, 1, 30)))
        return self._add("END_BEFORE_START", (*where, "einddatum"))

    def traject_outside_period(self, t: dict[str, Any], path: Parts) -> Defect | None:
        """Replace the traject by one that ended long before the period: delivered although it did not run."""
        if "client" not in t or "gemeentecode" not in t:
            return None
        start = self.ps - dt.timedelta(days=rint(self.rng, 300, 500))
        end = start + dt.timedelta(days=rint(self.rng, 20, 90))
        old = {"gemeentecode": t["gemeentecode"], "startdatum": _iso(start), "einddatum": _iso(end)}
        old["client"] = t["client"]
        old["aanmelding"] = {
            "startdatum": _iso(start),
            "einddatum": _iso(start),
            "crisisinterventie": False,
        }
        old["uitstroom"] = {
            "datum": _iso(end),
            "datumBeeindigingsbeschikking": _iso(end),
            "reden": "Nietverschenen",
        }
        t.clear()
        t.update(old)
        return self._add("TRAJECT_OUTSIDE_PERIOD", (*path, "einddatum"))

    def traject_date_after_delivery(self, t: dict[str, Any], path: Parts) -> Defect | None:
        aanmelding = t.get("aanmelding")
        if not isinstance(aanmelding, dict) or not _date(aanmelding.get("startdatum")):
            return None
        aanmelding["einddatum"] = _iso(self.delivered + dt.timedelta(days=rint(self.rng, 1, 60)))
        return self._add("DATE_AFTER_DELIVERY", (*path, "aanmelding", "einddatum"))

    def traject_phases_out_of_order(self, t: dict[str, Any], path: Parts) -> Defect | None:
        aanmelding, intake = t.get("aanmelding"), t.get("intake")
        if not isinstance(aanmelding, dict) or not isinstance(intake, dict):
            return None
        start = _date(aanmelding.get("startdatum"))
        if start is None or not _date(intake.get("startdatum")):
            return None
        intake["startdatum"] = _iso(start - dt.timedelta(days=rint(self.rng, 1, 20)))
        return self._add("PHASES_OUT_OF_ORDER", (*path, "intake", "startdatum"))

    def traject_uitstroom_without_einddatum(self, t: dict[str, Any], path: Parts) -> Defect | None:
        if "einddatum" in t or "uitstroom" in t:
            return None
        t["uitstroom"] = {"reden": self.rng.choice(("Zelf", "Nietverschenen"))}
        return self._add("UITSTROOM_WITHOUT_EINDDATUM", (*path, "einddatum"))

    def traject_ended_without_reden(self, t: dict[str, Any], path: Parts) -> Defect | None:
        uitstroom = t.get("uitstroom")
        if "einddatum" not in t or not isinstance(uitstroom, dict) or "reden" not in uitstroom:
            return None
        del uitstroom["reden"]
        return self._add("ENDED_WITHOUT_REDEN", (*path, "uitstroom", "reden"))

    def traject_einddatum_mismatch(self, t: dict[str, Any], path: Parts) -> Defect | None:
        end = _date(t.get("einddatum"))
        uitstroom = t.get("uitstroom")
        if end is None or not isinstance(uitstroom, dict) or uitstroom.get("datum") != t["einddatum"]:
            return None
        uitstroom["datumBeeindigingsbeschikking"] = _iso(end - dt.timedelta(days=rint(self.rng, 1, 14)))
        return self._add("EINDDATUM_UITSTROOM_MISMATCH", (*path, "uitstroom", "datumBeeindigingsbeschikking"))

    def traject_toekenningsdatum(self, t: dict[str, Any], path: Parts) -> Defect | None:
        day = _date(t.get("toekenningsdatum"))
        if day is None:
            return None
        t["toekenningsdatum"] = _iso(day - dt.timedelta(days=rint(self.rng, 1, 10)))
        return self._add("TOEKENNINGSDATUM_MISMATCH", (*path, "toekenningsdatum"))

    def traject_dwangakkoord(self, t: dict[str, Any], path: Parts) -> Defect | None:
        regeling = t.get("schuldregeling")
        if (
            not isinstance(regeling, dict)
            or "toegekend" in regeling
            or "datumVerzoekDwangakkoord" in regeling
        ):
            return None
        regeling["dwangakkoord"] = True
        return self._add("DWANGAKKOORD_WITHOUT_TOEGEKEND", (*path, "schuldregeling", "dwangakkoord"))

    def traject_verzoek_dwangakkoord(self, t: dict[str, Any], path: Parts) -> Defect | None:
        regeling = t.get("schuldregeling")
        if not isinstance(regeling, dict) or regeling.get("dwangakkoord") is True:
            return None
        if "datumVerzoekDwangakkoord" in regeling or not _date(regeling.get("datum")):
            return None
        regeling["datumVerzoekDwangakkoord"] = regeling["datum"]
        return self._add(
            "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD", (*path, "schuldregeling", "datumVerzoekDwangakkoord")
        )

    def _single_outcome(self, t: dict[str, Any]) -> tuple[dict[str, Any], str, dt.date] | None:
        regeling = t.get("schuldregeling")
        if not isinstance(regeling, dict) or not _date(regeling.get("datum")):
            return None
        outcomes = [o for o in ("toegekend", "afgewezen", "ingetrokken") if o in regeling]
        if len(outcomes) != 1:
            return None
        datum = _date(regeling["datum"])
        assert datum is not None
        return regeling, outcomes[0], datum

    def traject_outcome_before_datum(self, t: dict[str, Any], path: Parts) -> Defect | None:
        found = self._single_outcome(t)
        if found is None:
            return None
        regeling, outcome, datum = found
        regeling[outcome] = _iso(datum - dt.timedelta(days=rint(self.rng, 1, 20)))
        if outcome == "toegekend":  # the traject's toekenningsdatum follows, or it would mismatch as well
            t["toekenningsdatum"] = regeling[outcome]
        return self._add("SCHULDREGELING_OUTCOME_BEFORE_DATUM", (*path, "schuldregeling", outcome))

    def traject_multiple_outcomes(self, t: dict[str, Any], path: Parts) -> Defect | None:
        found = self._single_outcome(t)
        if found is None:
            return None
        regeling, outcome, _ = found
        extra = "afgewezen" if outcome == "ingetrokken" else "ingetrokken"
        regeling[extra] = regeling[outcome]
        # Reported at the second outcome in the order toegekend, afgewezen, ingetrokken: always ingetrokken.
        return self._add("SCHULDREGELING_MULTIPLE_OUTCOMES", (*path, "schuldregeling", "ingetrokken"))

    def traject_amount_negative(self, t: dict[str, Any], path: Parts) -> Defect | None:
        oplossing = t.get("oplossing")
        if isinstance(oplossing, dict) and isinstance(oplossing.get("vtlb"), int) and oplossing["vtlb"] > 0:
            oplossing["vtlb"] = -oplossing["vtlb"]
            return self._add("AMOUNT_NEGATIVE", (*path, "oplossing", "vtlb"))
        schulden = t.get("schulden") or []
        total = t.get("totaalSchuldbedragBijAanvangSchuld")
        if len(schulden) < 2 or not isinstance(total, int):
            return None
        # A credit booked as a debt: the smallest schuld turns negative and the total follows, so that only
        # the sign is wrong (the smallest of two or more is at most half the total: the total stays ≥ 0).
        k = min(range(len(schulden)), key=lambda n: schulden[n]["bedrag"])
        bedrag = schulden[k]["bedrag"]
        if bedrag <= 0:
            return None
        schulden[k]["bedrag"] = -bedrag
        t["totaalSchuldbedragBijAanvangSchuld"] = total - 2 * bedrag
        return self._add("AMOUNT_NEGATIVE", (*path, "schulden", k, "bedrag"))

    def traject_vtlb(self, t: dict[str, Any], path: Parts) -> Defect | None:
        oplossing = t.get("oplossing")
        if not isinstance(oplossing, dict) or "vtlb" not in oplossing:
            return None
        oplossing["vtlb"] = oplossing["vtlb"] * 12  # entered per year instead of per month
        if oplossing["vtlb"] <= 5000:
            oplossing["vtlb"] = 5001 + rint(self.rng, 0, 20_000)
        return self._add("VTLB_OUT_OF_RANGE", (*path, "oplossing", "vtlb"))

    def traject_sum_mismatch(self, t: dict[str, Any], path: Parts) -> Defect | None:
        if not isinstance(t.get("totaalSchuldbedragBijAanvangSchuld"), int) or not t.get("schulden"):
            return None
        t["totaalSchuldbedragBijAanvangSchuld"] += rint(self.rng, 1, 2500)
        return self._add("SCHULDBEDRAG_SUM_MISMATCH", (*path, "totaalSchuldbedragBijAanvangSchuld"))

    def _company_schuld(self, t: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        options = [
            (k, s["schuldeiser"])
            for k, s in enumerate(t.get("schulden") or ())
            if isinstance(s.get("schuldeiser"), dict) and s["schuldeiser"].get("kvknummer")
        ]
        return self.rng.choice(options) if options else None

    def traject_naam_mismatch(self, t: dict[str, Any], path: Parts) -> Defect | None:
        options = [k for k, s in enumerate(t.get("schulden") or ()) if s.get("schuldeiser", {}).get("naam")]
        if not options:
            return None
        k = self.rng.choice(options)
        eiser = t["schulden"][k]["schuldeiser"]
        eiser["Naam"] = eiser["naam"] + " (incasso)"
        return self._add("SCHULDEISER_NAAM_MISMATCH", (*path, "schulden", k, "schuldeiser", "Naam"))

    def traject_schuldeiser_kvk(self, t: dict[str, Any], path: Parts) -> Defect | None:
        found = self._company_schuld(t)
        if found is None:
            return None
        k, eiser = found
        eiser["kvknummer"] = eiser["kvknummer"] + "0000"  # a 12-digit vestigingsnummer instead
        return self._add("SCHULDEISER_KVK_INVALID", (*path, "schulden", k, "schuldeiser", "kvknummer"))

    def traject_privepersoon(self, t: dict[str, Any], path: Parts) -> Defect | None:
        found = self._company_schuld(t)
        if found is None:
            return None
        k, eiser = found
        eiser["privepersoon"] = True
        return self._add("PRIVEPERSOON_WITH_KVK", (*path, "schulden", k, "schuldeiser", "privepersoon"))

    def traject_overlap(self, t: dict[str, Any], path: Parts) -> Defect | None:
        """Give this traject the client of another traject that runs at the same time."""
        span = _span(t)
        if span is None or not t.get("client"):
            return None
        records = self._record_list
        for _ in range(200):
            _, other, other_path = records[rint(self.rng, 0, len(records) - 1)]
            if other is t or id(other) in self.used or not other.get("client"):
                continue
            other_span = _span(other)
            if other_span is None or not _overlap(span, other_span):
                continue
            t["client"][0] = dict(other["client"][0])
            self.used.add(id(other))
            later = max(path, other_path, key=_document_order)
            return self._add("CLIENT_OVERLAPPING_TRAJECTEN", (*later, "client", 0))
        return None

    def traject_moratorium(self, t: dict[str, Any], path: Parts) -> Defect | None:
        start = min(self.pe, self.delivered) - dt.timedelta(days=rint(self.rng, 210, 260))
        end = start + dt.timedelta(days=rint(self.rng, 195, 205))  # longer than any six months
        moratoria = t.setdefault("moratoria", [])
        moratoria.append(
            {
                "datumAanvraag": _iso(start - dt.timedelta(days=14)),
                "datumGoedkeuring": _iso(start - dt.timedelta(days=3)),
                "startdatum": _iso(start),
                "einddatum": _iso(end),
            }
        )
        return self._add("MORATORIUM_TOO_LONG", (*path, "moratoria", len(moratoria) - 1, "einddatum"))

    def traject_crisis(self, t: dict[str, Any], path: Parts) -> Defect | None:
        aanmelding = t.get("aanmelding")
        if not isinstance(aanmelding, dict) or not isinstance(aanmelding.get("crisisinterventie"), bool):
            return None
        aanmelding["crisisinterventie"] = not aanmelding["crisisinterventie"]
        return self._add("CRISISINTERVENTIE_INCONSISTENT", (*path, "aanmelding", "crisisinterventie"))

    def traject_afwijzing(self, t: dict[str, Any], path: Parts) -> Defect | None:
        intake, oplossing = t.get("intake"), t.get("oplossing")
        if not isinstance(intake, dict) or not isinstance(oplossing, dict) or "startdatum" not in oplossing:
            return None
        if intake.get("beschikkingssoort") != "Toelatingsbeschikking":
            return None
        intake["beschikkingssoort"] = "Afwijzingsbeschikking"
        return self._add("AFWIJZING_WITH_OPLOSSING", (*path, "oplossing", "startdatum"))

    # --- VS vroegsignalen -----------------------------------------------------------------------------------

    def _levering_of(self, path: Parts) -> dict[str, Any]:
        lev: dict[str, Any] = self._leveringen()[int(path[1])]
        return lev

    def _index(self, path: Parts) -> _LeveringIndex:
        """The signal and reference index of the levering at `path`, built once and kept up to date."""
        i = int(path[1])
        index = self._indexes.get(i)
        if index is None:
            index = self._indexes[i] = _LeveringIndex(self._leveringen()[i])
        return index

    def signal_required(self, s: dict[str, Any], path: Parts) -> Defect | None:
        if "signaalpartner" not in s:
            return None
        del s["signaalpartner"]
        return self._add("SCHEMA_REQUIRED", path)

    def signal_type(self, s: dict[str, Any], path: Parts) -> Defect | None:
        s["warmeOverdracht"] = self.rng.choice(("ja", "nee"))
        return self._add("SCHEMA_TYPE", (*path, "warmeOverdracht"))

    def signal_enum(self, s: dict[str, Any], path: Parts) -> Defect | None:
        partner = s.get("signaalpartner")
        if not isinstance(partner, dict):
            return None
        partner["type"] = self.rng.choice(("Telecom", "Zorgverzekeraar", "energie"))
        return self._add("SCHEMA_ENUM", (*path, "signaalpartner", "type"))

    def signal_format(self, s: dict[str, Any], path: Parts) -> Defect | None:
        ontstaan = _date(s.get("ontstaansdatum"))
        if ontstaan is None:
            return None
        s["ontstaansdatum"] = f"{ontstaan.year:04d}-02-30"
        return self._add("SCHEMA_FORMAT", (*path, "ontstaansdatum"))

    def signal_amount_negative(self, s: dict[str, Any], path: Parts) -> Defect | None:
        if not isinstance(s.get("bedrag"), int):
            return None
        s["bedrag"] = -max(1, s["bedrag"])
        return self._add("AMOUNT_NEGATIVE", (*path, "bedrag"))

    def signal_before_ontstaan(self, s: dict[str, Any], path: Parts) -> Defect | None:
        day = _date(s.get("signaaldatum"))
        if day is None or "ontstaansdatum" not in s:
            return None
        s["ontstaansdatum"] = _iso(day + dt.timedelta(days=rint(self.rng, 1, 2)))
        return self._add("SIGNAALDATUM_BEFORE_ONTSTAANSDATUM", (*path, "signaaldatum"))

    def signal_outside_period(self, s: dict[str, Any], path: Parts) -> Defect | None:
        if not _date(s.get("signaaldatum")):
            return None
        day = self.ps - dt.timedelta(days=rint(self.rng, 10, 40))
        s["signaaldatum"] = _iso(day)
        s["ontstaansdatum"] = _iso(day - dt.timedelta(days=rint(self.rng, 14, 60)))
        return self._add("SIGNAALDATUM_OUTSIDE_PERIOD", (*path, "signaaldatum"))

    def signal_id_duplicate(self, s: dict[str, Any], path: Parts) -> Defect | None:
        """A later signal that repeats an earlier signal's ID; only for a signal that no zaak refers to, so
        that its own ID is not missed by any reference."""
        lev, j, index = self._levering_of(path), int(path[3]), self._index(path)
        if j == 0 or index.refs.get(s.get("ID")):
            return None
        for _ in range(20):
            other = lev["vroegsignalen"][rint(self.rng, 0, j - 1)]
            if id(other) not in self.used and isinstance(other.get("ID"), str):
                break
        else:
            return None
        index.rename(s, other["ID"])
        self.used.add(id(other))
        return self._add("VROEGSIGNAAL_ID_DUPLICATE", (*path, "ID"))

    def signal_without_zaak(self, s: dict[str, Any], path: Parts) -> Defect | None:
        if self._index(path).refs.get(s.get("ID")):
            return None
        s["status"] = self.rng.choice(
            ("Inwoner is overleden", "Persoon is geen inwoner (meer) in de gemeente")
        )
        return self._add("SIGNAL_WITHOUT_ZAAK", (*path, "status"))

    # --- VS vroegsignaalzaken -------------------------------------------------------------------------------

    def _zaak_signals(self, path: Parts, zaak: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The signals a zaak refers to; None when a reference does not resolve to exactly one signal."""
        by_id = self._index(path).by_id
        out = []
        for ref in zaak.get("vroegsignalen") or ():
            found = by_id.get(ref.get("ID"), [])
            if len(found) != 1:
                return None
            out.append(found[0])
        return out

    def _may_lose_zaak(self, signals: list[dict[str, Any]]) -> bool:
        """Signals can leave their zaak without a warning of their own when their status allows no zaak."""
        return all(id(s) not in self.used and not _status_needs_zaak(s.get("status")) for s in signals)

    def zaak_no_signals(self, z: dict[str, Any], path: Parts) -> Defect | None:
        signals = self._zaak_signals(path, z)
        if not signals or not self._may_lose_zaak(signals):
            return None
        for ref in z["vroegsignalen"]:
            self._index(path).unrefer(ref["ID"], int(path[3]))
        z["vroegsignalen"] = []
        self.used.update(id(s) for s in signals)
        return self._add("SCHEMA_MIN_ITEMS", (*path, "vroegsignalen"))

    def zaak_duplicate_reference(self, z: dict[str, Any], path: Parts) -> Defect | None:
        refs = z.get("vroegsignalen")
        if not refs:
            return None
        refs.append(dict(self.rng.choice(refs)))
        self._index(path).refer(refs[-1].get("ID"), int(path[3]))
        return self._add("SCHEMA_UNIQUE_ITEMS", (*path, "vroegsignalen"))

    def zaak_unknown_signal(self, z: dict[str, Any], path: Parts) -> Defect | None:
        signals = self._zaak_signals(path, z)
        if not signals:
            return None
        k = rint(self.rng, 0, len(signals) - 1)
        if not self._may_lose_zaak([signals[k]]):
            return None
        self.used.add(id(signals[k]))
        ref, index = z["vroegsignalen"][k], self._index(path)
        index.unrefer(ref["ID"], int(path[3]))
        ref["ID"] = f"{signals[k]['ID']}-X"  # a typo in the reference
        index.refer(ref["ID"], int(path[3]))
        return self._add("ZAAK_UNKNOWN_SIGNAL", (*path, "vroegsignalen", k, "ID"))

    def zaak_shared_signal(self, z: dict[str, Any], path: Parts) -> Defect | None:
        """Refer also to a signal that another zaak already handles."""
        lev, j = self._levering_of(path), int(path[3])
        mine = self._zaak_signals(path, z)
        if mine is None:
            return None
        zaken = lev["vroegsignaalzaken"]
        for _ in range(50):
            o = rint(self.rng, 0, len(zaken) - 1)
            if o == j or id(zaken[o]) in self.used:
                continue
            theirs = self._zaak_signals(path, zaken[o])
            if not theirs:
                continue
            k = rint(self.rng, 0, len(theirs) - 1)
            signal = theirs[k]
            if any(signal is m for m in mine) or id(signal) in self.used:
                continue
            z["vroegsignalen"].append({"ID": signal["ID"]})
            self._index(path).refer(signal["ID"], j)
            self.used.update((id(zaken[o]), id(signal)))
            # Reported at the reference that comes second in document order.
            if j > o:
                where: Parts = (*path, "vroegsignalen", len(z["vroegsignalen"]) - 1, "ID")
            else:
                where = ("leveringen", path[1], "vroegsignaalzaken", o, "vroegsignalen", k, "ID")
            return self._add("SIGNAL_IN_MULTIPLE_ZAKEN", where)
        return None

    def zaak_matching_period(self, z: dict[str, Any], path: Parts) -> Defect | None:
        end = _date(z.get("einddatum_matchingperiode"))
        if end is None:
            return None
        z["startdatum_matchtingperiode"] = _iso(end + dt.timedelta(days=rint(self.rng, 1, 30)))
        return self._add("MATCHING_PERIOD_START_AFTER_END", (*path, "startdatum_matchtingperiode"))

    def zaak_opgepakt_early(self, z: dict[str, Any], path: Parts) -> Defect | None:
        signals = self._zaak_signals(path, z)
        if not signals or not _date(z.get("datum_opgepakt")):
            return None
        days = [_date(s.get("signaaldatum")) for s in signals]
        if any(d is None for d in days) or any(id(s) in self.used for s in signals):
            return None
        first = min(d for d in days if d is not None)
        z["datum_opgepakt"] = _iso(first - dt.timedelta(days=rint(self.rng, 1, 10)))
        self.used.update(id(s) for s in signals)  # their dates now decide this finding
        return self._add("OPGEPAKT_BEFORE_SIGNAL", (*path, "datum_opgepakt"))

    def zaak_contact_early(self, z: dict[str, Any], path: Parts) -> Defect | None:
        opgepakt = _date(z.get("datum_opgepakt"))
        pogingen = z.get("contactpogingen")
        if opgepakt is None or not pogingen:
            return None
        pogingen[0]["datum"] = _iso(opgepakt - dt.timedelta(days=rint(self.rng, 1, 7)))
        return self._add("CONTACT_BEFORE_OPGEPAKT", (*path, "contactpogingen", 0, "datum"))

    def zaak_resultaat(self, z: dict[str, Any], path: Parts) -> Defect | None:
        pogingen = z.get("contactpogingen")
        if not pogingen:
            return None
        if any(p.get("bereikt") is True for p in pogingen):
            z["resultaat"] = "Definitief geen contact kunnen krijgen"
        else:
            z["resultaat"] = self.rng.choice(
                ("(Budget)advies en/of quick fix", "Vervolghulp en/of verwijzing financieel")
            )
        return self._add("RESULTAAT_CONTRADICTS_CONTACT", (*path, "resultaat"))

    # --- document and levering defects ----------------------------------------------------------------------

    def _document_options(self) -> list[tuple[str, str, DocFn]]:
        """(group, code, defect) of the document and levering defects; one defect per group, except "org"."""
        options: list[tuple[str, str, DocFn]] = [
            ("period", "PERIOD_START_AFTER_END", self.doc_period_reversed),
            ("period", "DELIVERED_BEFORE_PERIOD_END", self.doc_delivered_early),
            ("supplier", "SUPPLIER_CODE_NO_VERSION", self.doc_supplier_code),
            ("teller", "TELLER_DUPLICATE", self.doc_teller_duplicate),
            ("teller", "TELLER_NOT_SEQUENTIAL", self.doc_teller_order),
            ("org", "KVK_INVALID", self.org_kvk_invalid),
            ("org", "CONTACT_NO_VALID_EMAIL", self.org_no_email),
            ("org", "UNKNOWN_FIELD", self.org_unknown_field),
        ]
        if self.kind is Kind.SHV:
            return [
                *options,
                ("org", "ORG_NO_IDENTIFIER", self.org_no_identifier),
                ("gemeente", "LEVERING_MIXED_GEMEENTEN", self.levering_mixed),
                ("gemeente", "TRAJECT_OTHER_GEMEENTE", self.levering_other_gemeente),
            ]
        return [
            *options,
            ("org", "SCHEMA_UNIQUE_ITEMS", self.org_duplicate_contact),
            ("gemeente", "GEMEENTECODE_INVALID", self.levering_gemeentecode_invalid),
            ("gemeente", "GEMEENTECODE_ONBEKEND", self.levering_gemeentecode_onbekend),
        ]

    def codes(self) -> frozenset[str]:
        """Every code this injector can produce for its kind."""
        record = {code for types in self._record_defects().values() for code, _ in types}
        return frozenset(record | {code for _, code, _ in self._document_options()})

    def _document_defects(self, wanted: int) -> None:
        """Up to `wanted` defects in the document header, tellers and organisations."""
        options = self._document_options()
        self.rng.shuffle(options)
        chosen: list[DocFn] = []
        groups: set[str] = set()
        for group, _, fn in options:
            if len(chosen) < wanted and (group not in groups or group == "org"):
                groups.add(group)
                chosen.append(fn)
        # Structural changes (a levering added) first, so that the teller and record defects see the result.
        chosen.sort(key=lambda fn: fn != self.levering_other_gemeente)
        for fn in chosen:
            fn()

    def doc_period_reversed(self) -> Defect | None:
        self.doc["startdatumLevering"] = _iso(self.pe + dt.timedelta(days=1))
        self.period_broken = True
        return self._add("PERIOD_START_AFTER_END", ("startdatumLevering",))

    def doc_delivered_early(self) -> Defect | None:
        """The period is said to end after the delivery: the records stay inside it, the dates before it."""
        self.pe = self.delivered + dt.timedelta(days=rint(self.rng, 1, 10))
        self.doc["einddatumLevering"] = _iso(self.pe)
        return self._add("DELIVERED_BEFORE_PERIOD_END", ("aanleverdatumEnTijd",))

    def doc_supplier_code(self) -> Defect | None:
        self.doc["codeGegevensleverancier"] = self.rng.choice(("ddas-synth", "Leverancier X"))
        return self._add("SUPPLIER_CODE_NO_VERSION", ("codeGegevensleverancier",))

    def doc_teller_duplicate(self) -> Defect | None:
        leveringen = self._leveringen()
        if len(leveringen) < 2:
            return None
        leveringen[1]["teller"] = leveringen[0]["teller"]
        return self._add("TELLER_DUPLICATE", ("leveringen", 1, "teller"))

    def doc_teller_order(self) -> Defect | None:
        leveringen = self._leveringen()
        if len(leveringen) == 1:
            leveringen[0]["teller"] = 2
        else:
            leveringen[0]["teller"], leveringen[1]["teller"] = (
                leveringen[1]["teller"],
                leveringen[0]["teller"],
            )
        return self._add("TELLER_NOT_SEQUENTIAL", ("leveringen",))

    def _org(self) -> tuple[int, dict[str, Any]] | None:
        """A levering whose organisation no levering defect has changed yet."""
        choices = [
            (i, lev["aanleverende_organisatie"])
            for i, lev in enumerate(self._leveringen())
            if id(lev) not in self.touched and isinstance(lev.get("aanleverende_organisatie"), dict)
        ]
        if not choices:
            return None
        i, org = self.rng.choice(choices)
        self.touched.add(id(self._leveringen()[i]))
        return i, org

    def _org_path(self, i: int, *rest: str) -> Parts:
        return ("leveringen", i, "aanleverende_organisatie", *rest)

    def org_kvk_invalid(self) -> Defect | None:
        found = self._org()
        if found is None:
            return None
        i, org = found
        key = "KvK-nummer" if self.kind is Kind.SHV else "kvk-nummer"
        org[key] = str(rint(self.rng, 1_000_000, 9_999_999))  # a digit short
        return self._add("KVK_INVALID", self._org_path(i, key))

    def org_no_email(self) -> Defect | None:
        found = self._org()
        if found is None:
            return None
        i, org = found
        key = "contactpersonen" if self.kind is Kind.SHV else "contactpersoonen"
        contacts = org.get(key)
        if not contacts:
            return None
        for contact in contacts:
            contact.pop("email", None)
        return self._add("CONTACT_NO_VALID_EMAIL", self._org_path(i, key))

    def org_unknown_field(self) -> Defect | None:
        found = self._org()
        if found is None:
            return None
        i, org = found
        if self.kind is Kind.SHV:
            org["website"] = "https://www.example.nl"
            return self._add("UNKNOWN_FIELD", self._org_path(i, "website"))
        # The SHV spelling in a VS delivery: a field the VS model does not know.
        org["contactpersonen"] = copy.deepcopy(org.get("contactpersoonen", []))
        return self._add("UNKNOWN_FIELD", self._org_path(i, "contactpersonen"))

    def org_duplicate_contact(self) -> Defect | None:
        found = self._org()
        if found is None:
            return None
        i, org = found
        contacts = org.get("contactpersoonen")
        if not contacts:
            return None
        contacts.append(dict(contacts[0]))
        return self._add("SCHEMA_UNIQUE_ITEMS", self._org_path(i, "contactpersoonen"))

    def org_no_identifier(self) -> Defect | None:
        found = self._org()
        if found is None:
            return None
        i, org = found
        org["KvK-nummer"] = ""
        org["gemeentecode"] = ""
        return self._add("ORG_NO_IDENTIFIER", self._org_path(i))

    def levering_mixed(self) -> Defect | None:
        """In a levering of a party (no gemeentecode of its own), one traject of another gemeente."""
        for i, lev in enumerate(self._leveringen()):
            org = lev.get("aanleverende_organisatie") or {}
            trajecten = lev.get("schuldhulptrajecten") or []
            if org.get("gemeentecode") or len(trajecten) < 2 or id(trajecten[0]) in self.used:
                continue
            free = [j for j in range(1, len(trajecten)) if id(trajecten[j]) not in self.used]
            if not free:
                continue
            j = self.rng.choice(free)
            trajecten[j]["gemeentecode"] = self._other_code(trajecten[0].get("gemeentecode"))
            # The first traject fixes the levering's gemeente; both stay as they are from now on.
            self.used.update((id(trajecten[0]), id(trajecten[j])))
            self.touched.add(id(lev))
            return self._add(
                "LEVERING_MIXED_GEMEENTEN", ("leveringen", i, "schuldhulptrajecten", j, "gemeentecode")
            )
        return None

    def levering_other_gemeente(self) -> Defect | None:
        """A gemeente delivers, in a levering of its own, a traject of another gemeente.

        A separate levering, because within the gemeente's own levering the traject would also make the
        levering mixed: two findings for one defect.
        """
        leveringen = self._leveringen()
        for lev in leveringen:
            org = lev.get("aanleverende_organisatie") or {}
            trajecten = lev.get("schuldhulptrajecten") or []
            free = [j for j, t in enumerate(trajecten) if id(t) not in self.used]
            if not org.get("gemeentecode") or len(trajecten) < 2 or not free:
                continue
            traject = trajecten.pop(self.rng.choice(free))
            traject["gemeentecode"] = self._other_code(org["gemeentecode"])
            extra = {
                "teller": len(leveringen) + 1,
                "aanleverende_organisatie": copy.deepcopy(org),
                "schuldhulptrajecten": [traject],
            }
            leveringen.append(extra)
            self.used.add(id(traject))
            self.touched.add(id(extra))
            i = len(leveringen) - 1
            return self._add(
                "TRAJECT_OTHER_GEMEENTE", ("leveringen", i, "schuldhulptrajecten", 0, "gemeentecode")
            )
        return None

    def _vs_levering(self) -> tuple[int, dict[str, Any]] | None:
        choices = [(i, lev) for i, lev in enumerate(self._leveringen()) if id(lev) not in self.touched]
        if not choices:
            return None
        i, lev = self.rng.choice(choices)
        self.touched.add(id(lev))
        return i, lev

    def levering_gemeentecode_invalid(self) -> Defect | None:
        found = self._vs_levering()
        if found is None:
            return None
        i, lev = found
        lev["gemeentecode"] = "GM" + str(lev.get("gemeentecode", ""))[:3]  # a digit lost
        return self._add("GEMEENTECODE_INVALID", ("leveringen", i, "gemeentecode"))

    def levering_gemeentecode_onbekend(self) -> Defect | None:
        found = self._vs_levering()
        if found is None:
            return None
        i, lev = found
        lev["gemeentecode"] = "Onbekend"
        return self._add("GEMEENTECODE_ONBEKEND", ("leveringen", i, "gemeentecode"))


class _LeveringIndex:
    """Signals by ID and zaken by the IDs they refer to in one VS levering, kept up to date by defects."""

    def __init__(self, lev: dict[str, Any]) -> None:
        self.by_id: dict[Any, list[dict[str, Any]]] = {}
        self.refs: dict[Any, list[int]] = {}
        for s in lev.get("vroegsignalen") or ():
            self.by_id.setdefault(s.get("ID"), []).append(s)
        for z, zaak in enumerate(lev.get("vroegsignaalzaken") or ()):
            for ref in zaak.get("vroegsignalen") or ():
                self.refer(ref.get("ID"), z)

    def rename(self, signal: dict[str, Any], new_id: str) -> None:
        same = self.by_id[signal.get("ID")]
        del same[next(n for n, other in enumerate(same) if other is signal)]
        signal["ID"] = new_id
        self.by_id.setdefault(new_id, []).append(signal)

    def refer(self, sid: Any, zaak: int) -> None:
        self.refs.setdefault(sid, []).append(zaak)

    def unrefer(self, sid: Any, zaak: int) -> None:
        self.refs[sid].remove(zaak)


def _client_key(client: dict[str, Any]) -> Any:
    bsn = client.get("Burgerservicenummer")
    if bsn:
        return bsn
    return tuple(client.get(k) for k in ("Geboortedatum", "Geslachtsaanduiding", "Postcode", "Huisnummer"))


def _span(t: dict[str, Any]) -> tuple[int, int] | None:
    start = _date(t.get("startdatum"))
    if start is None:
        return None
    end = _date(t.get("einddatum"))
    return start.toordinal(), end.toordinal() if end is not None else _OPEN


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """As §4.15 judges it: sharing more than a hand-over day, or starting on the same day."""
    return (a[0] < b[1] and b[0] < a[1]) or a[0] == b[0]


def _document_order(path: Parts) -> tuple[int, int]:
    return int(path[1]), int(path[3])


def inject(doc: dict[str, Any], kind: Kind | str, rate: float, seed: int) -> list[Defect]:
    """Break about `rate` of the records of `doc` (in place), one defect each, and return what was broken.

    Records are trajecten (SHV) or vroegsignalen and vroegsignaalzaken (VS); with `rate` > 0 at least one
    record is broken, and up to three document or levering defects are added. Deterministic per seed.
    """
    if not 0.0 <= rate <= 1.0:
        raise ValueError("het aandeel moet tussen 0 en 1 liggen")
    kind = Kind(kind)
    if rate == 0.0:
        return []
    injector = _Injector(doc, kind, random.Random(f"ddas-synth inject {kind.value} {seed}"))
    return injector.run(rate)


#: Per kind, every code `inject` can produce (which ones a given document gets depends on its records).
INJECTABLE: dict[Kind, frozenset[str]] = {
    kind: _Injector({"leveringen": []}, kind, random.Random(0)).codes() for kind in Kind
}
