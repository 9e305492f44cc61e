"""§4.2–4.5: PERIOD_START_AFTER_END, DELIVERED_BEFORE_PERIOD_END, TELLER_*, SUPPLIER_CODE_NO_VERSION, ORG_*,
KVK_INVALID, CONTACT_NO_VALID_EMAIL — for both exchange models."""

from __future__ import annotations

from typing import Any

import pytest
from _doc_driver import clone, codes, run, shv_document, vs_document

from ddas.rules.document import has_version, is_deliverable_email
from ddas.spec.kinds import Kind

CODES = (
    "PERIOD_START_AFTER_END",
    "DELIVERED_BEFORE_PERIOD_END",
    "TELLER_DUPLICATE",
    "TELLER_NOT_SEQUENTIAL",
    "SUPPLIER_CODE_NO_VERSION",
    "ORG_NO_IDENTIFIER",
    "KVK_INVALID",
    "CONTACT_NO_VALID_EMAIL",
)

BOTH = pytest.mark.parametrize(("make", "kind"), [(shv_document, Kind.SHV), (vs_document, Kind.VS)])


def found(doc: Any, kind: Kind, *wanted: str) -> list[tuple[str, str]]:
    return codes(run(doc, kind), *(wanted or CODES))


@BOTH
def test_clean_documents_have_no_document_findings(make: Any, kind: Kind) -> None:
    assert found(make(), kind) == []


# --- §4.2 period and delivery date -------------------------------------------------------------------


@BOTH
def test_period_start_after_end(make: Any, kind: Kind) -> None:
    doc = make(startdatumLevering="2025-07-01", einddatumLevering="2025-06-30")
    assert found(doc, kind, "PERIOD_START_AFTER_END") == [("PERIOD_START_AFTER_END", "/startdatumLevering")]
    [f] = [f for f in run(doc, kind) if f.code == "PERIOD_START_AFTER_END"]
    assert f.value == "2025-07-01"
    assert "2025-06-30" in f.message("nl") and "2025-06-30" in f.message("en")


@BOTH
def test_one_day_period_is_fine(make: Any, kind: Kind) -> None:
    doc = make(startdatumLevering="2025-01-31", einddatumLevering="2025-01-31")
    assert found(doc, kind, "PERIOD_START_AFTER_END") == []


@BOTH
def test_delivered_before_period_end(make: Any, kind: Kind) -> None:
    doc = make(einddatumLevering="2025-06-30", aanleverdatumEnTijd="2025-06-29T23:59:59Z")
    assert found(doc, kind, "DELIVERED_BEFORE_PERIOD_END") == [
        ("DELIVERED_BEFORE_PERIOD_END", "/aanleverdatumEnTijd")
    ]


@BOTH
def test_delivered_on_the_last_day_of_the_period_is_fine(make: Any, kind: Kind) -> None:
    doc = make(einddatumLevering="2025-06-30", aanleverdatumEnTijd="2025-06-30T08:00:00+02:00")
    assert found(doc, kind, "DELIVERED_BEFORE_PERIOD_END") == []


def test_malformed_dates_are_left_to_the_schema() -> None:
    doc = shv_document(startdatumLevering="2025-13-01", aanleverdatumEnTijd="gisteren")
    assert found(doc, Kind.SHV, "PERIOD_START_AFTER_END", "DELIVERED_BEFORE_PERIOD_END") == []


# --- §4.3 teller ---------------------------------------------------------------------------------------


def _with_tellers(make: Any, *tellers: Any) -> dict[str, Any]:
    doc = make()
    first = doc["leveringen"][0]
    doc["leveringen"] = []
    for t in tellers:
        lev = clone(first)
        lev["teller"] = t
        doc["leveringen"].append(lev)
    return doc


@BOTH
def test_teller_duplicate_points_at_the_second(make: Any, kind: Kind) -> None:
    doc = _with_tellers(make, 1, 2, 2)
    assert found(doc, kind, "TELLER_DUPLICATE") == [("TELLER_DUPLICATE", "/leveringen/2/teller")]


@BOTH
def test_duplicate_tellers_are_not_also_reported_as_out_of_order(make: Any, kind: Kind) -> None:
    assert found(_with_tellers(make, 1, 1), kind, "TELLER_NOT_SEQUENTIAL") == []


@BOTH
def test_teller_not_sequential(make: Any, kind: Kind) -> None:
    for tellers in ((2, 1, 3), (1, 3), (0, 1), (2,)):
        doc = _with_tellers(make, *tellers)
        assert found(doc, kind) == [("TELLER_NOT_SEQUENTIAL", "/leveringen")], tellers


@BOTH
def test_tellers_one_to_n_are_fine(make: Any, kind: Kind) -> None:
    assert found(_with_tellers(make, 1, 2, 3), kind) == []


def test_teller_order_is_not_judged_when_a_teller_is_unreadable() -> None:
    assert found(_with_tellers(shv_document, 2, "1"), Kind.SHV, "TELLER_NOT_SEQUENTIAL") == []


def test_teller_not_sequential_message_lists_the_tellers() -> None:
    [f] = [f for f in run(_with_tellers(shv_document, 3, 1), Kind.SHV) if f.code == "TELLER_NOT_SEQUENTIAL"]
    assert "3, 1" in f.message("nl")


# --- §4.4 supplier code --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code", ["Schuldsoft 1.2", "Pakket v3", "Pakket V3", "Pakket versie 4", "Leverancier 2024.1", "ABC-v.5"]
)
def test_supplier_code_with_version(code: str) -> None:
    assert has_version(code)
    assert found(shv_document(codeGegevensleverancier=code), Kind.SHV, "SUPPLIER_CODE_NO_VERSION") == []


@pytest.mark.parametrize("code", ["GL987654", "SOFT-123", "Schuldsoft", "", "DEV3"])
def test_supplier_code_without_version(code: str) -> None:
    assert not has_version(code)
    assert found(shv_document(codeGegevensleverancier=code), Kind.SHV, "SUPPLIER_CODE_NO_VERSION") == [
        ("SUPPLIER_CODE_NO_VERSION", "/codeGegevensleverancier")
    ]


def test_missing_supplier_code_is_left_to_the_schema() -> None:
    doc = shv_document()
    del doc["codeGegevensleverancier"]
    assert found(doc, Kind.SHV, "SUPPLIER_CODE_NO_VERSION") == []


# --- §4.5 organisation ---------------------------------------------------------------------------------


def test_shv_org_without_gemeentecode_or_kvk() -> None:
    doc = shv_document()
    doc["leveringen"][0]["aanleverende_organisatie"].update({"gemeentecode": "", "KvK-nummer": ""})
    assert found(doc, Kind.SHV, "ORG_NO_IDENTIFIER") == [
        ("ORG_NO_IDENTIFIER", "/leveringen/0/aanleverende_organisatie")
    ]


def test_shv_third_party_with_kvk_only_is_identified() -> None:
    doc = shv_document()
    doc["leveringen"][0]["aanleverende_organisatie"].update({"gemeentecode": "", "KvK-nummer": "12345678"})
    assert found(doc, Kind.SHV) == []


def test_vs_org_identified_by_levering_gemeentecode() -> None:
    doc = vs_document()
    assert doc["leveringen"][0]["aanleverende_organisatie"]["kvk-nummer"] == ""
    assert found(doc, Kind.VS, "ORG_NO_IDENTIFIER") == []
    doc["leveringen"][0]["gemeentecode"] = ""
    assert found(doc, Kind.VS, "ORG_NO_IDENTIFIER") == [
        ("ORG_NO_IDENTIFIER", "/leveringen/0/aanleverende_organisatie")
    ]


def test_vs_reads_its_own_spelling_only() -> None:
    """A VS organisation with the SHV key `KvK-nummer` has no VS `kvk-nummer`: an unknown field, not an id."""
    doc = vs_document()
    lev = doc["leveringen"][0]
    lev["gemeentecode"] = ""
    lev["aanleverende_organisatie"]["KvK-nummer"] = "12345678"
    del lev["aanleverende_organisatie"]["kvk-nummer"]
    assert ("ORG_NO_IDENTIFIER", "/leveringen/0/aanleverende_organisatie") in found(doc, Kind.VS)


@pytest.mark.parametrize("kvk", ["1234567", "123456789", "1234 5678", "KVK12345", "123456789012", " "])
def test_kvk_invalid(kvk: str) -> None:
    doc = shv_document()
    doc["leveringen"][0]["aanleverende_organisatie"]["KvK-nummer"] = kvk
    assert found(doc, Kind.SHV, "KVK_INVALID") == [
        ("KVK_INVALID", "/leveringen/0/aanleverende_organisatie/KvK-nummer")
    ]
    vs = vs_document()
    vs["leveringen"][0]["aanleverende_organisatie"]["kvk-nummer"] = kvk
    assert found(vs, Kind.VS, "KVK_INVALID") == [
        ("KVK_INVALID", "/leveringen/0/aanleverende_organisatie/kvk-nummer")
    ]


@pytest.mark.parametrize("kvk", ["12345678", "01234567", ""])
def test_kvk_valid_or_empty(kvk: str) -> None:
    doc = shv_document()
    doc["leveringen"][0]["aanleverende_organisatie"]["KvK-nummer"] = kvk
    assert found(doc, Kind.SHV, "KVK_INVALID") == []


@pytest.mark.parametrize(
    "email",
    [
        "a.jansen@amsterdam.nl",
        "info+ddas@schuld-hulp.example.org",
        "X_Y@sub.domein.amsterdam",
        "jan@xn--bcher-kva.example",
    ],
)
def test_deliverable_email(email: str) -> None:
    assert is_deliverable_email(email)
    doc = shv_document()
    doc["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"][0]["email"] = email
    assert found(doc, Kind.SHV, "CONTACT_NO_VALID_EMAIL") == []


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "jan@localhost",
        "jan jansen@gemeente.nl",
        "jan@gemeente .nl",
        "jan@@gemeente.nl",
        ".jan@gemeente.nl",
        "jan..jansen@gemeente.nl",
        "jan@-gemeente.nl",
        "jan@gemeente.n",
        "jan@gemeente.nl.",
        "",
        None,
        42,
    ],
)
def test_undeliverable_email(email: Any) -> None:
    assert not is_deliverable_email(email)
    for make, kind, key in (
        (shv_document, Kind.SHV, "contactpersonen"),
        (vs_document, Kind.VS, "contactpersoonen"),
    ):
        doc = make()
        doc["leveringen"][0]["aanleverende_organisatie"][key][0]["email"] = email
        assert found(doc, kind, "CONTACT_NO_VALID_EMAIL") == [
            ("CONTACT_NO_VALID_EMAIL", f"/leveringen/0/aanleverende_organisatie/{key}")
        ]


def test_one_good_contact_is_enough() -> None:
    doc = shv_document()
    org = doc["leveringen"][0]["aanleverende_organisatie"]
    org["contactpersonen"].insert(0, {"naam": "Zonder mail", "email": "n.v.t."})
    assert found(doc, Kind.SHV, "CONTACT_NO_VALID_EMAIL") == []


def test_no_contactpersonen_at_all() -> None:
    doc = shv_document()
    del doc["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"]
    assert found(doc, Kind.SHV, "CONTACT_NO_VALID_EMAIL") == [
        ("CONTACT_NO_VALID_EMAIL", "/leveringen/0/aanleverende_organisatie/contactpersonen")
    ]


def test_mistyped_contactpersonen_is_left_to_the_schema() -> None:
    doc = shv_document()
    doc["leveringen"][0]["aanleverende_organisatie"]["contactpersonen"] = "a.jansen@amsterdam.nl"
    assert found(doc, Kind.SHV, "CONTACT_NO_VALID_EMAIL") == []


def test_levering_rules_do_not_need_the_items() -> None:
    """In streaming mode the levering check sees no item lists; the findings must not change."""
    doc = _with_tellers(shv_document, 1, 1)
    doc["leveringen"][0]["aanleverende_organisatie"]["KvK-nummer"] = "123"
    batch = found(doc, Kind.SHV)
    assert {code for code, _ in batch} == {"TELLER_DUPLICATE", "KVK_INVALID"}
    assert codes(run(doc, Kind.SHV, streaming=True), *CODES) == batch
