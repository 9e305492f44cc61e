"""Every check's severity, pinned: an error makes a record unusable (quarantine in the warehouse, "niet geschikt"
in the op-orde-rapport), a warning does not. Changing one changes what a supplier must fix, so it is made here too,
on purpose — flipping a severity in the catalogue alone fails this test, and so does a new code without one here.

The table is written out literally; it is not derived from the catalogue, the README or the injector's copy. It
covers the whole catalogue as `ddas validate` uses it: the rules of `ddas.rules` and the json and schema layers
of `ddas.validation` (which also defines UNKNOWN_FIELD), so the catalogue is complete whatever else a test
session happened to import first.
"""

from __future__ import annotations

import ddas.rules
import ddas.validation.engine  # registers the json and schema layers' codes
from ddas.validation.findings import CATALOGUE

SEVERITIES = {
    # json layer (ddas.validation): the file itself
    "JSON_BOM": "warning",
    "JSON_DUPLICATE_KEY": "error",
    "JSON_ENCODING": "error",
    "JSON_SYNTAX": "error",
    "JSON_TOO_DEEP": "error",
    # schema layer (ddas.validation): the exchange model's JSON Schema
    "KIND_UNKNOWN": "error",
    "SCHEMA_ADDITIONAL_PROPERTIES": "error",
    "SCHEMA_ENUM": "error",
    "SCHEMA_FORMAT": "error",
    "SCHEMA_MAX_ITEMS": "error",
    "SCHEMA_MIN_ITEMS": "error",
    "SCHEMA_OTHER": "error",
    "SCHEMA_REQUIRED": "error",
    "SCHEMA_TYPE": "error",
    "SCHEMA_UNIQUE_ITEMS": "error",
    # rule layer: the catalogue of SPEC §4 (ddas.rules, and UNKNOWN_FIELD of the schema layer)
    "AFWIJZING_WITH_OPLOSSING": "warning",
    "AGE_IMPLAUSIBLE": "warning",
    "AMOUNT_NEGATIVE": "error",
    "BSN_DUPLICATE_IN_TRAJECT": "error",
    "BSN_INVALID": "error",
    "CLIENT_NOT_IDENTIFIABLE": "error",
    "CLIENT_OVERLAPPING_TRAJECTEN": "error",
    "CONTACT_BEFORE_OPGEPAKT": "warning",
    "CONTACT_NO_VALID_EMAIL": "warning",
    "CRISISINTERVENTIE_INCONSISTENT": "warning",
    "DATE_AFTER_DELIVERY": "warning",
    "DELIVERED_BEFORE_PERIOD_END": "warning",
    "DWANGAKKOORD_WITHOUT_TOEGEKEND": "error",
    "EINDDATUM_UITSTROOM_MISMATCH": "warning",
    "ENDED_WITHOUT_REDEN": "warning",
    "END_BEFORE_START": "error",
    "GEBOORTEDATUM_INVALID": "error",
    "GEMEENTECODE_INVALID": "error",
    "GEMEENTECODE_NOT_IN_PERIOD": "warning",
    "GEMEENTECODE_ONBEKEND": "warning",
    "GESLACHT_INVALID": "error",
    "HUISNUMMER_OUT_OF_RANGE": "warning",
    "KVK_INVALID": "error",
    "LEVERING_MIXED_GEMEENTEN": "warning",
    "MATCHING_PERIOD_START_AFTER_END": "error",
    "MORATORIUM_TOO_LONG": "warning",
    "OPGEPAKT_BEFORE_SIGNAL": "warning",
    "ORG_NO_IDENTIFIER": "error",
    "PERIOD_START_AFTER_END": "error",
    "PHASES_OUT_OF_ORDER": "warning",
    "POSTCODE_INVALID": "error",
    "POSTCODE_NOT_NORMALISED": "warning",
    "PRIVEPERSOON_WITH_KVK": "warning",
    "RESULTAAT_CONTRADICTS_CONTACT": "warning",
    "SCHULDBEDRAG_SUM_MISMATCH": "warning",
    "SCHULDEISER_KVK_INVALID": "error",
    "SCHULDEISER_NAAM_MISMATCH": "warning",
    "SCHULDREGELING_MULTIPLE_OUTCOMES": "warning",
    "SCHULDREGELING_OUTCOME_BEFORE_DATUM": "error",
    "SIGNAALDATUM_BEFORE_ONTSTAANSDATUM": "error",
    "SIGNAALDATUM_OUTSIDE_PERIOD": "warning",
    "SIGNAL_IN_MULTIPLE_ZAKEN": "error",
    "SIGNAL_WITHOUT_ZAAK": "warning",
    "SUPPLIER_CODE_NO_VERSION": "warning",
    "TELLER_DUPLICATE": "error",
    "TELLER_NOT_SEQUENTIAL": "warning",
    "TOEKENNINGSDATUM_MISMATCH": "warning",
    "TOEVOEGING_TOO_LONG": "warning",
    "TRAJECT_NO_STARTDATUM": "error",
    "TRAJECT_OTHER_GEMEENTE": "warning",
    "TRAJECT_OUTSIDE_PERIOD": "warning",
    "UITSTROOM_WITHOUT_EINDDATUM": "error",
    "UNKNOWN_FIELD": "warning",
    "VERZOEK_DWANGAKKOORD_WITHOUT_DWANGAKKOORD": "warning",
    "VROEGSIGNAAL_ID_DUPLICATE": "error",
    "VS_CLIENT_NO_ADDRESS": "error",
    "VTLB_OUT_OF_RANGE": "warning",
    "ZAAK_UNKNOWN_SIGNAL": "error",
}


def _catalogue() -> dict[str, str]:
    ddas.rules.load()
    return {code: rule.severity.value for code, rule in CATALOGUE.items()}


def test_every_check_has_its_pinned_severity() -> None:
    catalogue = _catalogue()
    added = sorted(set(catalogue) - set(SEVERITIES))
    removed = sorted(set(SEVERITIES) - set(catalogue))
    assert not added, f"codes without a pinned severity (add them to SEVERITIES): {added}"
    assert not removed, f"pinned codes that no longer exist: {removed}"
    changed = {
        code: (pinned, catalogue[code]) for code, pinned in SEVERITIES.items() if catalogue[code] != pinned
    }
    assert not changed, f"severity changed (pinned, now): {changed}"


def test_the_rule_modules_define_rules_of_both_severities() -> None:
    """`ddas.rules` alone registers its rules (the table is not just the validation layers)."""
    ddas.rules.load()
    rules = {code for code, rule in CATALOGUE.items() if rule.layer == "rule"}
    assert len(rules) > 50
    assert {SEVERITIES[code] for code in rules} == {"error", "warning"}
