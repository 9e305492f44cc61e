"""§4.2–4.5: the document and its leveringen — period, delivery date, teller, supplier code, organisation.

These rules look at the few fields around the records, for both exchange models. The two models spell the
organisation differently (SHV `KvK-nummer` / `contactpersonen` and a gemeentecode on the organisation;
VS `kvk-nummer` / `contactpersoonen` and the gemeentecode on the levering), so each rule reads the spelling of
the kind being validated and nothing else: a VS levering using the SHV spelling is an unknown field (§4.6),
which the schema layer reports.
"""

from __future__ import annotations

import re
from typing import Any

from ddas.rules.base import Context, Emitter, Target, as_dict, as_int, as_list, as_str, check, filled
from ddas.spec.kinds import Kind
from ddas.validation.findings import PathParts, Severity, define

__all__ = [
    "CONTACT_NO_VALID_EMAIL",
    "DELIVERED_BEFORE_PERIOD_END",
    "KVK_INVALID",
    "ORG_NO_IDENTIFIER",
    "PERIOD_START_AFTER_END",
    "SUPPLIER_CODE_NO_VERSION",
    "TELLER_DUPLICATE",
    "TELLER_NOT_SEQUENTIAL",
    "has_version",
    "is_deliverable_email",
]

PERIOD_START_AFTER_END = define(
    "PERIOD_START_AFTER_END",
    Severity.ERROR,
    "4.2",
    nl="De leveringsperiode begint ({start}) na haar einde ({eind}).",
    en="The reporting period starts ({start}) after it ends ({eind}).",
    fix="Vul bij startdatumLevering de eerste en bij einddatumLevering de laatste dag van de "
    "rapportageperiode in; de twee zijn waarschijnlijk verwisseld.",
)

DELIVERED_BEFORE_PERIOD_END = define(
    "DELIVERED_BEFORE_PERIOD_END",
    Severity.WARNING,
    "4.2",
    nl="Aangeleverd op {aanleverdatum}, vóór het einde van de leveringsperiode ({eind}).",
    en="Delivered on {aanleverdatum}, before the end of the reporting period ({eind}).",
    fix="Lever pas na afloop van de rapportageperiode, of controleer aanleverdatumEnTijd en "
    "einddatumLevering: gegevens over dagen die nog moeten komen zijn onvolledig.",
)

TELLER_DUPLICATE = define(
    "TELLER_DUPLICATE",
    Severity.ERROR,
    "4.3",
    nl="Teller {teller} komt al eerder in het bestand voor.",
    en="Teller {teller} already occurs earlier in the file.",
    fix="Nummer de leveringen in het bestand 1, 2, 3 … zodat elke levering een eigen teller heeft.",
)

TELLER_NOT_SEQUENTIAL = define(
    "TELLER_NOT_SEQUENTIAL",
    Severity.WARNING,
    "4.3",
    nl="De tellers van de leveringen ({tellers}) lopen niet van 1 tot en met {aantal} op volgorde.",
    en="The leveringen's tellers ({tellers}) do not run from 1 to {aantal} in order.",
    fix="Nummer de leveringen in de volgorde waarin ze in het bestand staan: 1, 2, 3 …",
)

SUPPLIER_CODE_NO_VERSION = define(
    "SUPPLIER_CODE_NO_VERSION",
    Severity.WARNING,
    "4.4",
    nl="codeGegevensleverancier '{code}' bevat geen herkenbaar versienummer van de software.",
    en="codeGegevensleverancier '{code}' contains no recognisable software version number.",
    fix="Neem naam én versie van de software op in codeGegevensleverancier, bijvoorbeeld 'Leverancier X 4.2' "
    "of 'Pakket Y v3'; zo zijn fouten in een bepaalde versie te herleiden.",
)

ORG_NO_IDENTIFIER = define(
    "ORG_NO_IDENTIFIER",
    Severity.ERROR,
    "4.5",
    nl="De aanleverende organisatie heeft geen gemeentecode en geen KvK-nummer.",
    en="The supplying organisation has neither a gemeentecode nor a KvK-nummer.",
    fix="Vul de gemeentecode in als een gemeente zelf levert, anders het KvK-nummer van de aanleverende "
    "organisatie.",
)

KVK_INVALID = define(
    "KVK_INVALID",
    Severity.ERROR,
    "4.5",
    nl="KvK-nummer '{kvk}' bestaat niet uit precies 8 cijfers.",
    en="KvK-nummer '{kvk}' does not consist of exactly 8 digits.",
    fix="Vul het KvK-nummer in als 8 cijfers zonder spaties of punten (een vestigingsnummer heeft 12 cijfers "
    "en is iets anders), of laat het leeg als een gemeente zelf levert.",
)

CONTACT_NO_VALID_EMAIL = define(
    "CONTACT_NO_VALID_EMAIL",
    Severity.WARNING,
    "4.5",
    nl="Geen contactpersoon met een bruikbaar e-mailadres: het op-orde-rapport kan niet worden bezorgd.",
    en="No contactpersoon with a usable e-mail address: the op-orde-rapport cannot be delivered.",
    fix="Neem ten minste één contactpersoon op met een volledig e-mailadres (naam@domein.nl) waarop het "
    "verwerkingsrapport ontvangen kan worden.",
)

_STATE = "document"

# A version: digits with a dot (1.2, 2024.1, 10.4.3), or v/ver/versie/version/release followed by a number.
# A `v` glued to a preceding letter ("DEV3") is part of a name, not a version marker.
_VERSION = re.compile(
    r"[0-9]+\.[0-9]+|(?<![A-Za-z])v\.?\s*[0-9]+|(?:ver|versie|version|release|rel)\.?\s*[0-9]+",
    re.IGNORECASE,
)

# Strict enough to mean "mail will arrive": an ASCII local part of dot-separated atoms, a domain of valid
# labels and an alphabetic (or punycode) top-level domain. No spaces, no quoted local parts, no IP literals.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})")

_KVK = re.compile(r"[0-9]{8}")

#: Per kind: (gemeentecode on the organisation rather than on the levering?, KvK key, contacts key).
_ORG_KEYS: dict[Kind, tuple[bool, str, str]] = {
    Kind.SHV: (True, "KvK-nummer", "contactpersonen"),
    Kind.VS: (False, "kvk-nummer", "contactpersoonen"),
}


def has_version(code: str) -> bool:
    """Whether a codeGegevensleverancier names a software version."""
    return _VERSION.search(code) is not None


def is_deliverable_email(address: Any) -> bool:
    """Whether an e-mail address is plausibly deliverable (stricter than the schema's `format: email`)."""
    return isinstance(address, str) and len(address) <= 254 and _EMAIL.fullmatch(address) is not None


@check(Target.DOCUMENT)
def document_header(document: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.2 period and delivery date, §4.4 supplier code."""
    doc = as_dict(document)
    if doc is None:
        return
    start, end, delivered = ctx.period_start, ctx.period_end, ctx.delivered_on
    if start is not None and end is not None and start > end:
        out.emit(
            PERIOD_START_AFTER_END,
            (*path, "startdatumLevering"),
            doc.get("startdatumLevering"),
            start=start.isoformat(),
            eind=end.isoformat(),
        )
    if delivered is not None and end is not None and delivered < end:
        out.emit(
            DELIVERED_BEFORE_PERIOD_END,
            (*path, "aanleverdatumEnTijd"),
            doc.get("aanleverdatumEnTijd"),
            aanleverdatum=delivered.isoformat(),
            eind=end.isoformat(),
        )
    code = as_str(doc.get("codeGegevensleverancier"))
    if code is not None and not has_version(code):
        out.emit(SUPPLIER_CODE_NO_VERSION, (*path, "codeGegevensleverancier"), code, code=code)


@check(Target.LEVERING)
def levering_header(levering: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.3 teller uniqueness (order is judged at the end), §4.5 organisation identity and contact."""
    state: dict[str, Any] = ctx.doc_state.setdefault(_STATE, {"seen": set(), "tellers": [], "readable": True})
    lev = as_dict(levering)
    teller = as_int(lev.get("teller")) if lev is not None else None
    if lev is None or teller is None:
        # A missing or mistyped teller is the schema's to report; without it the order cannot be judged.
        state["readable"] = False
    else:
        if teller in state["seen"]:
            out.emit(TELLER_DUPLICATE, (*path, "teller"), teller, teller=teller)
        state["seen"].add(teller)
        state["tellers"].append(teller)
    if lev is None:
        return

    org = as_dict(lev.get("aanleverende_organisatie"))
    if org is None:
        return
    org_path = (*path, "aanleverende_organisatie")
    code_on_org, kvk_key, contacts_key = _ORG_KEYS[ctx.kind]
    gemeentecode = org.get("gemeentecode") if code_on_org else lev.get("gemeentecode")
    kvk = org.get(kvk_key)
    if not filled(gemeentecode) and not filled(kvk):
        out.emit(ORG_NO_IDENTIFIER, org_path)
    if isinstance(kvk, str) and kvk and _KVK.fullmatch(kvk) is None:
        out.emit(KVK_INVALID, (*org_path, kvk_key), kvk, kvk=kvk)

    contacts = as_list(org.get(contacts_key))
    if contacts is None and contacts_key in org:
        return  # not a list: a type error the schema layer reports
    if not any(isinstance(c, dict) and is_deliverable_email(c.get("email")) for c in contacts or ()):
        out.emit(CONTACT_NO_VALID_EMAIL, (*org_path, contacts_key))


@check(Target.END_DOCUMENT)
def teller_order(_: Any, path: PathParts, ctx: Context, out: Emitter) -> None:
    """§4.3: unique integer tellers should be 1..n in document order (duplicates are already an error)."""
    state = ctx.doc_state.get(_STATE)
    if state is None or not state["readable"]:
        return
    tellers: list[int] = state["tellers"]
    if len(state["seen"]) != len(tellers):
        return
    if tellers != list(range(1, len(tellers) + 1)):
        shown = ", ".join(str(t) for t in tellers[:20]) + (", …" if len(tellers) > 20 else "")
        out.emit(TELLER_NOT_SEQUENTIAL, ("leveringen",), tellers=shown, aantal=len(tellers))
