"""The op-orde-rapport: the HTML report a supplier receives about each delivery.

Its reader is a gemeente employee or a supplier's application manager, not a developer: it says first whether
the delivery can be used, then what was delivered, how complete it is, and per rule what is wrong and what to
change in the source registration. It is one self-contained file (inline CSS, no scripts, no external assets)
so it can be mailed, archived and printed on A4, one delivery per page run.

The Python side prepares plain view objects; the template only lays them out. Every value printed by the
template passes the environment's `finalize`, which masks nine-digit runs, so no template edit can leak a
BSN.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import jinja2
import markupsafe

from ddas import __version__
from ddas.privacy import mask_text
from ddas.reports.common import (
    describe_path,
    display_value,
    format_int,
    format_size,
    kind_label,
    message_differs,
    more_phrase,
    safe_text,
)
from ddas.reports.completeness import FieldInfo, field_infos
from ddas.reports.text import spec_ref
from ddas.spec.kinds import Kind
from ddas.validation.findings import Finding, Lang, Severity
from ddas.validation.result import LeveringSummary, ValidationResult

__all__ = ["CORE_FAIR", "CORE_GOOD", "render_html"]

#: A core field filled in at least this share of cases is fine…
CORE_GOOD = 0.95
#: …at least this share is flagged as "matig", below it as "slecht".
CORE_FAIR = 0.50

_MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Op-orde-rapport",
        "subtitle": "Controle van een DDAS-levering aan CBS",
        "overview": "Overzicht van de bestanden",
        "file": "Bestand",
        "model": "Uitwisselmodel",
        "verdict": "Oordeel",
        "errors": "Fouten",
        "warnings": "Waarschuwingen",
        "ok_title": "In orde: geschikt voor CBS",
        "ok_text": "Er zijn geen fouten en geen waarschuwingen gevonden. Dank voor de zorgvuldige levering.",
        "warn_title": "Geschikt voor CBS, met {n}",
        "warn_text": (
            "Er zijn geen fouten gevonden; CBS kan de levering gebruiken. De waarschuwingen wijzen op "
            "gegevens die waarschijnlijk niet kloppen of onvolledig zijn: controleer ze in de "
            "bronregistratie."
        ),
        "bad_title": "Niet geschikt voor CBS: {n}",
        "bad_text": (
            "CBS kan deze levering zo niet gebruiken. Herstel de fouten in de bronregistratie (of in de "
            "export) en lever het bestand opnieuw aan. Hieronder staat per fout wat er mis is en wat u kunt "
            "doen."
        ),
        "schema_ok": "Voldoet aan het uitwisselmodel (schema)",
        "schema_bad": "Voldoet niet aan het uitwisselmodel (schema)",
        "fit_ok": "Geschikt voor CBS (geen fouten)",
        "fit_bad": "Niet geschikt voor CBS (er zijn fouten)",
        "delivered": "Wat is er geleverd",
        "period": "Verslagperiode",
        "until": "t/m",
        "delivered_at": "Aanleverdatum en -tijd",
        "supplier": "Gegevensleverancier (software)",
        "size": "Bestandsgrootte",
        "unknown": "onbekend",
        "teller": "Teller",
        "organisation": "Aanleverende organisatie",
        "kvk": "KvK-nummer",
        "gemeentecodes": "Gemeentecode(s)",
        "org_code": "organisatie",
        "trajecten": "Trajecten",
        "vroegsignalen": "Vroegsignalen",
        "zaken": "Zaken",
        "total": "Totaal",
        "contacts": "Dit rapport is bedoeld voor de contactpersonen van de levering:",
        "no_contacts": (
            "De levering noemt geen contactpersoon met een e-mailadres; daardoor kan dit rapport niet "
            "automatisch worden bezorgd."
        ),
        "no_leveringen": "Er zijn geen leveringen gevonden in het bestand.",
        "completeness": "Volledigheid",
        "completeness_intro": (
            "Hoe vaak elk veld is ingevuld. Velden binnen een onderdeel (bijvoorbeeld intake of cliënt) "
            "tellen mee voor de keren dat dat onderdeel is geleverd; de kolom ‘van’ zegt waartegen geteld is."
            " Kernvelden (●) horen altijd ingevuld te zijn; een kernveld dat minder dan {good}% gevuld is, is"
            " gemarkeerd. Andere velden zijn vaak terecht leeg, bijvoorbeeld de einddatum van een lopend "
            "traject. Onderdelen die nergens voorkomen, zijn weggelaten."
        ),
        "completeness_none": "De volledigheid is voor dit bestand niet bepaald.",
        "attention": "Aandachtspunten: kernvelden die vaak leeg zijn",
        "attention_none": "Alle kernvelden zijn goed gevuld.",
        "field": "Veld",
        "filled": "Gevuld",
        "number": "Aantal",
        "of": "van",
        "core": "kernveld",
        "poor": "slecht gevuld",
        "fair": "matig gevuld",
        "findings": "Bevindingen",
        "findings_intro": (
            "Per controle: hoe vaak de bevinding voorkomt, de eerste voorbeelden en wat u in de "
            "bronregistratie kunt verbeteren. Een fout moet worden hersteld; een waarschuwing vraagt om "
            "controle. Burgerservicenummers zijn gemaskeerd (alleen de laatste vier cijfers staan er)."
        ),
        "no_findings": "Er zijn geen bevindingen.",
        "severity": "Ernst",
        "code": "Code",
        "rule": "Regel",
        "count": "Aantal",
        "description": "Omschrijving",
        "error": "Fout",
        "warning": "Waarschuwing",
        "times": "{n}×",
        "what_to_do": "Wat kunt u doen?",
        "where": "Waar",
        "path": "Pad in het bestand",
        "value": "Gevonden waarde",
        "examples": "Eerste voorbeelden",
        "footer": "Gemaakt op {at} met ddas {version}.",
        "footer_privacy": "Dit rapport bevat geen burgerservicenummers in leesbare vorm.",
    },
    "en": {
        "title": "Delivery report",
        "subtitle": "Check of a DDAS delivery to CBS",
        "overview": "Files in this report",
        "file": "File",
        "model": "Exchange model",
        "verdict": "Verdict",
        "errors": "Errors",
        "warnings": "Warnings",
        "ok_title": "In order: fit for CBS",
        "ok_text": "No errors and no warnings were found. Thank you for the careful delivery.",
        "warn_title": "Fit for CBS, with {n}",
        "warn_text": (
            "No errors were found; CBS can use the delivery. The warnings point at data that is probably "
            "wrong or incomplete: please check them in the source registration."
        ),
        "bad_title": "Not fit for CBS: {n}",
        "bad_text": (
            "CBS cannot use this delivery as it is. Correct the errors in the source registration (or the "
            "export) and deliver the file again. Below, each error says what is wrong and what to do."
        ),
        "schema_ok": "Conforms to the exchange model (schema)",
        "schema_bad": "Does not conform to the exchange model (schema)",
        "fit_ok": "Fit for CBS (no errors)",
        "fit_bad": "Not fit for CBS (there are errors)",
        "delivered": "What was delivered",
        "period": "Reporting period",
        "until": "to",
        "delivered_at": "Delivered at",
        "supplier": "Data supplier (software)",
        "size": "File size",
        "unknown": "unknown",
        "teller": "Counter",
        "organisation": "Delivering organisation",
        "kvk": "KvK number",
        "gemeentecodes": "Municipality code(s)",
        "org_code": "organisation",
        "trajecten": "Trajects",
        "vroegsignalen": "Signals",
        "zaken": "Cases",
        "total": "Total",
        "contacts": "This report is meant for the delivery's contact persons:",
        "no_contacts": (
            "The delivery names no contact person with an e-mail address, so this report cannot be delivered "
            "automatically."
        ),
        "no_leveringen": "No deliveries (leveringen) were found in the file.",
        "completeness": "Completeness",
        "completeness_intro": (
            "How often each field is filled. Fields inside a part (for example intake or client) are counted "
            "against the number of times that part was delivered; the column ‘of’ says what was counted. Core"
            " fields (●) should always be filled; a core field filled in less than {good}% of cases is "
            "highlighted. Other fields are often legitimately empty, such as the end date of a running "
            "traject. Parts that never occur are left out."
        ),
        "completeness_none": "Completeness was not determined for this file.",
        "attention": "Points of attention: core fields that are often empty",
        "attention_none": "All core fields are well filled.",
        "field": "Field",
        "filled": "Filled",
        "number": "Count",
        "of": "of",
        "core": "core field",
        "poor": "poorly filled",
        "fair": "fairly filled",
        "findings": "Findings",
        "findings_intro": (
            "Per check: how often the finding occurs, the first examples and what to improve in the source "
            "registration. An error must be corrected; a warning asks for a check. Citizen service numbers "
            "are masked (only the last four digits are shown)."
        ),
        "no_findings": "There are no findings.",
        "severity": "Severity",
        "code": "Code",
        "rule": "Rule",
        "count": "Count",
        "description": "Description",
        "error": "Error",
        "warning": "Warning",
        "times": "{n}×",
        "what_to_do": "What can you do?",
        "where": "Where",
        "path": "Path in the file",
        "value": "Value found",
        "examples": "First examples",
        "footer": "Generated on {at} by ddas {version}.",
        "footer_privacy": "This report contains no citizen service numbers in readable form.",
    },
}

#: One record of each object type (nl, en), for "1 traject" next to "9 trajecten".
_SINGULAR: dict[str, tuple[str, str]] = {
    "document": ("bestand", "file"),
    "levering": ("levering", "delivery"),
    "traject": ("traject", "traject"),
    "vroegsignaal": ("vroegsignaal", "early signal"),
    "zaak": ("zaak", "case"),
}

_SECTION_TITLES: dict[str, tuple[str, str]] = {
    "document": ("Bestand (kopgegevens)", "File (header)"),
    "levering": ("Leveringen en aanleverende organisatie", "Deliveries and delivering organisation"),
    "traject": ("Schuldhulptrajecten", "Debt assistance trajects"),
    "vroegsignaal": ("Vroegsignalen", "Early signals"),
    "zaak": ("Vroegsignaalzaken", "Early-warning cases"),
}


# --- view objects ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class _FieldRow:
    label: str
    #: The label split for display: the parent part ("intake.") is printed dimmed before the field's name.
    prefix: str
    name: str
    depth: int
    core: bool
    filled: str
    total: str
    of: str
    pct: float
    pct_text: str
    #: good / fair / poor for core fields, neutral otherwise.
    level: str


@dataclass(slots=True)
class _Section:
    title: str
    records: str
    rows: list[_FieldRow]


@dataclass(slots=True)
class _Example:
    where: str
    path: str
    value: str | None
    message: str | None


@dataclass(slots=True)
class _RuleGroup:
    anchor: str
    code: str
    severity: str
    severity_label: str
    spec: str
    count: int
    message: str
    fix: str
    examples: list[_Example]
    more: str | None


@dataclass(slots=True)
class _LeveringRow:
    teller: str
    organisatie: str
    kvk: str
    gemeentecodes: str
    org_code: str
    counts: list[str]


@dataclass(slots=True)
class _Delivery:
    anchor: str
    file: str
    model: str
    state: str
    verdict_title: str
    verdict_text: str
    schema_valid: bool
    valid: bool
    errors: int
    warnings: int
    facts: list[tuple[str, str]]
    count_headers: list[str]
    leveringen: list[_LeveringRow]
    totals: list[str] | None
    contacts: list[str]
    sections: list[_Section] | None
    attention: list[_FieldRow] = field(default_factory=list)
    rules: list[_RuleGroup] = field(default_factory=list)


def _pct_text(share: float, lang: Lang) -> str:
    pct = share * 100
    # No rounding up to 100% or down to 0% when that would hide a single missing or filled value.
    if 99.5 <= pct < 100:
        text = f"{pct:.1f}"
    elif 0 < pct < 0.5:
        text = "<1"
    else:
        text = f"{pct:.0f}"
    return (text.replace(".", ",") if lang == "nl" else text) + "%"


def _sections(result: ValidationResult, lang: Lang) -> tuple[list[_Section] | None, list[_FieldRow]]:
    """Completeness tables per object type, and the poorly filled core fields across them."""
    if result.completeness is None:
        return None, []
    infos = field_infos(result.kind) if result.kind else {}
    sections: list[_Section] = []
    attention: list[tuple[float, _FieldRow]] = []
    for obj_type, fields in result.completeness.items():
        type_infos = infos.get(obj_type, {})
        rows: list[_FieldRow] = []
        records = 0
        noun = ""
        for name, counts in fields.items():
            if len(counts) != 2:
                continue
            filled, total = counts
            info = type_infos.get(name) or FieldInfo(name, name.count("."), False, "", "")
            if info.depth == 0 and total >= records:
                records = total
                noun = info.of_nl if lang == "nl" else info.of_en
                if total == 1 and obj_type in _SINGULAR:
                    noun = _SINGULAR[obj_type][0 if lang == "nl" else 1]
            if total <= 0:
                continue
            share = filled / total
            if not info.core:
                level = "neutral"
            elif share >= CORE_GOOD:
                level = "good"
            elif share >= CORE_FAIR:
                level = "fair"
            else:
                level = "poor"
            parents = name.split(".")
            row = _FieldRow(
                label=name,
                # The nesting shows in the indentation; the nearest parent is enough to read the row alone.
                prefix=parents[-2] + "." if len(parents) > 1 else "",
                name=parents[-1],
                depth=info.depth,
                core=info.core,
                filled=format_int(filled, lang),
                total=format_int(total, lang),
                of=info.of_nl if lang == "nl" else info.of_en,
                pct=round(share * 100, 1),
                pct_text=_pct_text(share, lang),
                level=level,
            )
            rows.append(row)
            if level in ("fair", "poor"):
                attention.append((share, row))
        if not rows:
            continue
        titles = _SECTION_TITLES.get(obj_type, (obj_type, obj_type))
        sections.append(
            _Section(
                titles[0] if lang == "nl" else titles[1], f"{format_int(records, lang)} {noun}".strip(), rows
            )
        )
    attention.sort(key=lambda sr: (sr[0], sr[1].label))
    return sections, [row for _, row in attention]


def _rule_groups(result: ValidationResult, index: int, lang: Lang, max_examples: int) -> list[_RuleGroup]:
    t = _TEXT[lang]
    groups: list[_RuleGroup] = []
    for code, findings in result.by_code().items():
        first: Finding = findings[0]
        rule = first.rule
        message = first.message(lang)
        examples = []
        for f in findings[:max_examples]:
            examples.append(
                _Example(
                    where=describe_path(f.path, lang),
                    path=f.path or "/",
                    value=display_value(f.value) if f.has_value else None,
                    message=f.message(lang) if message_differs(first, f, lang) else None,
                )
            )
        rest = len(findings) - len(examples)
        is_error = rule.severity is Severity.ERROR
        groups.append(
            _RuleGroup(
                anchor=f"d{index}-{code}",
                code=code,
                severity=rule.severity.value,
                severity_label=t["error"] if is_error else t["warning"],
                spec=spec_ref(rule.spec),
                count=len(findings),
                message=message,
                fix=rule.fix,
                examples=examples,
                more=more_phrase(rest, lang) + "." if rest > 0 else None,
            )
        )
    return groups


def _gemeentecodes(lev: LeveringSummary) -> str:
    codes = lev.gemeentecodes.most_common()
    if len(codes) == 1:
        return str(codes[0][0])
    return ", ".join(f"{code} ({n})" for code, n in codes)


def _leveringen(
    result: ValidationResult, lang: Lang
) -> tuple[list[str], list[_LeveringRow], list[str] | None, list[str]]:
    t = _TEXT[lang]
    if result.kind is Kind.VS:
        headers = [t["vroegsignalen"], t["zaken"]]

        def counts(lev: LeveringSummary) -> list[int]:
            return [lev.vroegsignalen, lev.zaken]
    else:
        headers = [t["trajecten"]]

        def counts(lev: LeveringSummary) -> list[int]:
            return [lev.trajecten]

    rows: list[_LeveringRow] = []
    sums = [0] * len(headers)
    contacts: list[str] = []
    for lev in result.leveringen:
        numbers = counts(lev)
        sums = [a + b for a, b in zip(sums, numbers, strict=True)]
        rows.append(
            _LeveringRow(
                teller="–" if lev.teller is None else safe_text(lev.teller),
                organisatie=lev.organisatie or "–",
                kvk=lev.kvk or "–",
                gemeentecodes=_gemeentecodes(lev) or "–",
                org_code=lev.org_gemeentecode or "",
                counts=[format_int(n, lang) for n in numbers],
            )
        )
        contacts.extend(e for e in lev.contact_emails if e not in contacts)
    totals = [format_int(n, lang) for n in sums] if len(rows) > 1 else None
    return headers, rows, totals, contacts


def _delivery(result: ValidationResult, index: int, lang: Lang, max_examples: int) -> _Delivery:
    t = _TEXT[lang]
    errors_phrase = f"{format_int(result.errors, lang)} {t['errors'].lower()}"
    if result.errors == 1:
        errors_phrase = f"1 {t['error'].lower()}"
    warnings_phrase = f"{format_int(result.warnings, lang)} {t['warnings'].lower()}"
    if result.warnings == 1:
        warnings_phrase = f"1 {t['warning'].lower()}"
    if not result.valid:
        state, title, text = "bad", t["bad_title"].format(n=errors_phrase), t["bad_text"]
    elif result.warnings:
        state, title, text = "warn", t["warn_title"].format(n=warnings_phrase), t["warn_text"]
    else:
        state, title, text = "ok", t["ok_title"], t["ok_text"]
    unknown = t["unknown"]
    if result.period_start or result.period_end:
        period = f"{result.period_start or unknown} {t['until']} {result.period_end or unknown}"
    else:
        period = unknown
    facts = [
        (t["period"], period),
        (t["delivered_at"], result.delivered_at or unknown),
        (t["supplier"], result.supplier_code or unknown),
        (t["size"], format_size(result.size_bytes, lang)),
    ]
    headers, rows, totals, contacts = _leveringen(result, lang)
    sections, attention = _sections(result, lang)
    return _Delivery(
        anchor=f"d{index}",
        file=result.file,
        model=kind_label(result.kind, result.version, lang, long=True),
        state=state,
        verdict_title=title,
        verdict_text=text,
        schema_valid=result.schema_valid,
        valid=result.valid,
        errors=result.errors,
        warnings=result.warnings,
        facts=facts,
        count_headers=headers,
        leveringen=rows,
        totals=totals,
        contacts=contacts,
        sections=sections,
        attention=attention,
        rules=_rule_groups(result, index, lang, max_examples),
    )


# --- rendering ------------------------------------------------------------------------------------------


def _finalize(value: Any) -> Any:
    """Applied by Jinja to every printed expression: the last guard against a BSN in clear."""
    if value is None:
        return ""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(mask_text(str(value), remember=False))
    if isinstance(value, bool):
        return value
    if isinstance(value, str | int):
        return safe_text(value)
    return value


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ddas.reports", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )


def _timestamp(at: dt.datetime, lang: Lang) -> str:
    if lang == "nl":
        return f"{at.day} {_MONTHS_NL[at.month - 1]} {at.year} om {at:%H:%M}"
    return f"{at:%d %B %Y at %H:%M}"


def render_html(
    results: list[ValidationResult],
    *,
    lang: Lang = "nl",
    max_examples: int = 10,
    generated_at: dt.datetime | None = None,
) -> str:
    """The op-orde-rapport for one or more files, as one HTML document (one page run per file on paper)."""
    at = generated_at or dt.datetime.now().astimezone()
    deliveries = [_delivery(r, i, lang, max(0, max_examples)) for i, r in enumerate(results)]
    t = _TEXT[lang]
    html = (
        _environment()
        .get_template("op_orde_rapport.html.j2")
        .render(
            lang=lang,
            t=t,
            deliveries=deliveries,
            good_pct=f"{CORE_GOOD * 100:.0f}",
            footer=t["footer"].format(at=_timestamp(at, lang), version=__version__),
            generated_iso=at.isoformat(timespec="seconds"),
        )
    )
    # Belt and braces: the template's own text and markup never hold nine-digit runs, so this changes nothing
    # unless a value slipped past `finalize` (a value formatted by a filter, for instance).
    return mask_text(html, remember=False)
