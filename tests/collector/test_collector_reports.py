"""The op-orde-rapport per aanleverende organisatie: each organisation's contactpersonen get one mail, about their
own leveringen only, over a real SMTP server on loopback.

The scenario: a supplier delivering for three organisations on two pages (SHV and VS). Alfa has leveringen on
both pages (two on the first, around Beta's), Beta only on the first, Gamma (no usable e-mail address) only on
the second. Alfa and Gamma each have an error with a recognisable value, Beta only a warning; the header of both
pages has a warning that concerns everyone.

The independent oracle for what a part should say: validating a document that holds only that organisation's
leveringen (the costly alternative to splitting) finds the same things, so the split can be checked against it.
"""

from __future__ import annotations

import copy
import datetime as dt
import gc
import re
import tracemalloc
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from ddas.collector.mail import SmtpSettings, contact_addresses, levering_organisations
from ddas.collector.outbox import ReportSender
from ddas.collector.reports import (
    FOREIGN_RECORD,
    OrganisationReports,
    levering_of,
    render_reports,
    report_note,
    split_by_organisation,
)
from ddas.spec.kinds import Kind
from ddas.synth import generate
from ddas.validation.engine import validate_document
from ddas.validation.result import ValidationResult
from ddas.warehouse.store import Warehouse
from ddas.warehouse.store import reports as reports_table

PROVIDER = "leverancier-x"
GEMEENTEN = ["0344", "0363", "0599", "0518", "0193"]

ALFA, BETA, GAMMA = "Gemeente Alfa", "Gemeente Beta", "Gemeente Gamma"
CONTACTS = {
    ALFA: ["alfa.een@alfa.example", "alfa.twee@alfa.example"],
    BETA: ["beta@beta.example"],
    GAMMA: [],
}
KVK = {ALFA: "10000001", BETA: "20000002", GAMMA: "30000003"}
#: Which organisation delivers the generated leveringen 0..4, and how they are spread over two pages.
OWNERS = [ALFA, BETA, ALFA, GAMMA, ALFA]
PAGES = [[0, 1, 2], [3, 4]]

ALFA_ERROR = "FOUTWAARDE-ALFA"
GAMMA_ERROR = "FOUTWAARDE-GAMMA"
BETA_WARNING = "9876 zy"
BAD_BSN = "123456789"
HEADER_WARNING = "SUPPLIER_CODE_NO_VERSION"

_NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")


# --- the scenario ---------------------------------------------------------------------------------------------


def _records(kind: Kind) -> str:
    return "schuldhulptrajecten" if kind is Kind.SHV else "vroegsignalen"


def _set_organisation(kind: Kind, levering: dict[str, Any], name: str) -> None:
    organisatie = levering["aanleverende_organisatie"]
    contacts = [{"naam": f"Contact {i}", "email": e} for i, e in enumerate(CONTACTS[name])]
    if not contacts:
        contacts = [{"naam": "Zonder e-mailadres"}]
    if kind is Kind.SHV:
        organisatie["(Statutaire) Naam"] = name
        organisatie["KvK-nummer"] = KVK[name]
        organisatie["contactpersonen"] = contacts
    else:
        organisatie["naam"] = name
        organisatie["kvk-nummer"] = KVK[name]
        organisatie["contactpersoonen"] = contacts


def _enum_error(kind: Kind, levering: dict[str, Any], value: str) -> None:
    record = levering[_records(kind)][0]
    if kind is Kind.SHV:
        record["schulden"][0]["schuldsoort"] = value
    else:
        record["signaalpartner"]["type"] = value


def _client(kind: Kind, levering: dict[str, Any], n: int = 0) -> dict[str, Any]:
    record = levering[_records(kind)][n]
    client = record["client"]
    return client[0] if kind is Kind.SHV else client  # type: ignore[no-any-return]


def _pages(kind: Kind) -> list[dict[str, Any]]:
    """The delivery as the provider serves it: pages that are whole documents, tellers 1..n per page."""
    document = generate(kind, 60, 41, gemeenten=GEMEENTEN)
    leveringen = document.pop("leveringen")
    assert len(leveringen) == len(OWNERS)
    for levering, owner in zip(leveringen, OWNERS, strict=True):
        _set_organisation(kind, levering, owner)
    _enum_error(kind, leveringen[4], ALFA_ERROR)
    _client(kind, leveringen[0])["Burgerservicenummer"] = BAD_BSN
    _client(kind, leveringen[1])["Postcode"] = BETA_WARNING
    _enum_error(kind, leveringen[3], GAMMA_ERROR)
    document["codeGegevensleverancier"] = "Pakket zonder versie"
    pages = []
    for indices in PAGES:
        page = dict(document)
        page["leveringen"] = [dict(leveringen[i], teller=n) for n, i in enumerate(indices, start=1)]
        pages.append(page)
    return pages


def _validate(kind: Kind, document: dict[str, Any], name: str) -> ValidationResult:
    """As the collector validates a page."""
    result = ValidationResult(file=name, size_bytes=len(orjson.dumps(document)))
    validate_document(document, result, kind=kind)
    return result


def _gather(kind: Kind, pages: list[dict[str, Any]]) -> OrganisationReports:
    reports = OrganisationReports()
    for n, page in enumerate(pages, start=1):
        reports.add_page(page, _validate(kind, page, f"{PROVIDER} pagina {n}"))
    return reports


def _settings(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender="ddas@cbs.example", timeout_seconds=5)


def _readable(content: bytes) -> str:
    """Everything a person can read in a received message: subject and every part, decoded."""
    message = message_from_bytes(content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    texts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            texts.append(part.get_content())
    return "\n".join(texts)


def _nine_digit_strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_nine_digit_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_nine_digit_strings(v) for v in value)) if value else set()
    if isinstance(value, str):
        return set(_NINE_DIGITS.findall(value))
    return set()


def _by_recipient(messages: list[Any]) -> dict[tuple[str, ...], list[str]]:
    received: dict[tuple[str, ...], list[str]] = {}
    for message in messages:
        received.setdefault(tuple(sorted(message.rcpt_tos)), []).append(_readable(message.content))
    return received


# --- splitting a page -----------------------------------------------------------------------------------------


def test_levering_organisations_follow_the_leveringen_and_name_them_as_contact_addresses_does() -> None:
    document = {
        "leveringen": [
            {"aanleverende_organisatie": {"(Statutaire) Naam": " Org A ", "contactpersonen": []}},
            {"aanleverende_organisatie": {"naam": "Org B"}},
            {"teller": 3},
            "geen levering",
            {"aanleverende_organisatie": {"naam": ""}},
        ]
    }
    names = levering_organisations(document)
    assert names == ["Org A", "Org B", None, None, "onbekende aanleverende organisatie"]
    assert set(contact_addresses(document)) == {n for n in names if n is not None}
    assert levering_organisations({"gegevens": document}) == names
    assert levering_organisations({"leveringen": "x"}) == []


@pytest.mark.parametrize("kind", [Kind.SHV, Kind.VS])
def test_each_part_says_what_validating_only_that_organisations_leveringen_says(kind: Kind) -> None:
    for page in _pages(kind):
        result = _validate(kind, page, "pagina")
        owners = levering_organisations(page)
        parts = split_by_organisation(result, owners)
        assert list(parts) == list(dict.fromkeys(owners))
        for name, part in parts.items():
            mine = [i for i, owner in enumerate(owners) if owner == name]
            alone = dict(
                page, leveringen=[dict(page["leveringen"][i], teller=n + 1) for n, i in enumerate(mine)]
            )
            oracle = _validate(kind, alone, "alleen")

            def renumbered(path: str, mine: list[int] = mine) -> str:
                index = levering_of(path)
                if index is None:
                    return path
                return re.sub(r"^/leveringen/\d+", f"/leveringen/{mine.index(index)}", path)

            assert Counter((f.code, renumbered(f.path)) for f in part.findings) == Counter(
                (f.code, f.path) for f in oracle.findings
            ), name
            assert (part.errors, part.warnings, part.valid, part.schema_valid) == (
                oracle.errors,
                oracle.warnings,
                oracle.valid,
                oracle.schema_valid,
            ), name
            counts = [
                (lev.organisatie, lev.trajecten, lev.vroegsignalen, lev.zaken) for lev in part.leveringen
            ]
            assert counts == [
                (lev.organisatie, lev.trajecten, lev.vroegsignalen, lev.zaken) for lev in oracle.leveringen
            ]
            assert {lev.organisatie for lev in part.leveringen} == {name}
            assert sum(lev.trajecten + lev.vroegsignalen for lev in part.leveringen) == sum(
                len(page["leveringen"][i][_records(kind)]) for i in mine
            )
        # Nothing lost: every finding of the page is in the part of its organisation, or in all of them.
        for finding in result.findings:
            index = levering_of(finding.path)
            holders = [name for name, part in parts.items() if finding in part.findings]
            assert holders == (list(parts) if index is None else [owners[index]]), finding.path


def test_completeness_is_kept_only_for_a_part_that_is_the_whole_page() -> None:
    page = _pages(Kind.SHV)[0]
    result = ValidationResult(file="pagina")
    validate_document(page, result, kind=Kind.SHV, profile=True)
    assert result.completeness
    parts = split_by_organisation(result, levering_organisations(page))
    assert parts[ALFA].completeness is None and parts[BETA].completeness is None
    whole = dict(page, leveringen=[page["leveringen"][0], page["leveringen"][2]])
    result = ValidationResult(file="pagina")
    validate_document(whole, result, kind=Kind.SHV, profile=True)
    assert (
        split_by_organisation(result, levering_organisations(whole))[ALFA].completeness == result.completeness
    )


def test_a_reference_to_another_organisations_record_is_withheld() -> None:
    """Samenloop across organisations: the finding is Beta's, the other traject Alfa's."""
    page = _pages(Kind.SHV)[0]
    alfa, beta = page["leveringen"][0], page["leveringen"][1]
    theirs = copy.deepcopy(alfa["schuldhulptrajecten"][1])
    theirs["gemeentecode"] = beta["schuldhulptrajecten"][0]["gemeentecode"]
    beta["schuldhulptrajecten"].append(theirs)
    result = _validate(Kind.SHV, page, "pagina")
    overlaps = [f for f in result.findings if f.code == "CLIENT_OVERLAPPING_TRAJECTEN"]
    assert [levering_of(f.path) for f in overlaps] == [1]
    assert overlaps[0].params["ander_traject"].startswith("/leveringen/0/")
    parts = split_by_organisation(result, levering_organisations(page))
    assert not [f for f in parts[ALFA].findings if f.code == "CLIENT_OVERLAPPING_TRAJECTEN"]
    [seen] = [f for f in parts[BETA].findings if f.code == "CLIENT_OVERLAPPING_TRAJECTEN"]
    assert seen.path == overlaps[0].path and seen.rule is overlaps[0].rule
    assert FOREIGN_RECORD in seen.message()
    assert "/leveringen/0" not in seen.message()
    assert {k: v for k, v in seen.params.items() if k.startswith("ander_")} == {
        "ander_traject": FOREIGN_RECORD,
        "ander_start": "…",
        "ander_eind": "…",
    }
    # Beta's own facts stay; the original finding (the page's, for the warehouse) is untouched.
    assert seen.params["startdatum"] == overlaps[0].params["startdatum"]
    assert overlaps[0].params["ander_traject"].startswith("/leveringen/0/")


# --- mailing --------------------------------------------------------------------------------------------------


def _queued(tmp_path: Path, kind: Kind, reports: OrganisationReports) -> Warehouse:
    """A warehouse (SQLite) with one complete delivery of PROVIDER whose reports are queued, as a run leaves it
    before sending."""
    warehouse = Warehouse.open(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    delivery = warehouse.begin_delivery(PROVIDER, kind.value, dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    state = warehouse.complete_delivery(delivery, reports=lambda: render_reports(reports, provider=PROVIDER))
    assert state == "nieuw"
    return warehouse


def _sent_log(warehouse: Warehouse) -> list[tuple[str, int]]:
    """What the warehouse recorded as sent: organisation and number of recipients reached."""
    with warehouse.engine.connect() as connection:
        rows = connection.execute(select(reports_table.c.organisatie, reports_table.c.recipients))
        return sorted((str(o), int(n)) for o, n in rows)


@pytest.mark.parametrize("kind", [Kind.SHV, Kind.VS])
def test_each_organisation_gets_one_report_about_its_own_leveringen(
    kind: Kind, smtp_server: Any, tmp_path: Path
) -> None:
    pages = _pages(kind)
    reports = _gather(kind, pages)
    with _queued(tmp_path, kind, reports) as warehouse:
        sent = ReportSender(warehouse, _settings(smtp_server.port)).send()
        recorded = _sent_log(warehouse)
        assert warehouse.reports_waiting() == 0
    assert sent.failures == {}

    # One message per organisation with an address, to exactly its contactpersonen.
    with_address = sorted(name for name in set(OWNERS) if CONTACTS[name])
    received = _by_recipient(smtp_server.messages)
    assert sorted(received) == sorted(tuple(sorted(CONTACTS[name])) for name in with_address)
    assert all(len(texts) == 1 for texts in received.values())
    assert sent.mailed == {PROVIDER: len(with_address)}
    assert len(smtp_server.messages) == len(with_address)
    assert recorded == [(name, len(CONTACTS[name])) for name in with_address]
    alfa = received[tuple(sorted(CONTACTS[ALFA]))][0]
    beta = received[tuple(sorted(CONTACTS[BETA]))][0]

    # The subject names the provider and the organisation.
    for text, name in ((alfa, ALFA), (beta, BETA)):
        subject = text.splitlines()[0]
        assert PROVIDER in subject and name in subject

    # Alfa reads its own error, never Beta's or Gamma's records and findings.
    assert ALFA_ERROR in alfa and "SCHEMA_ENUM" in alfa and "BSN_INVALID" in alfa
    for foreign in (BETA, GAMMA, KVK[BETA], KVK[GAMMA], BETA_WARNING, GAMMA_ERROR, *CONTACTS[BETA]):
        assert foreign not in alfa, foreign
    # Beta has no error of its own: its report says so, and holds nothing of Alfa or Gamma.
    assert BETA_WARNING in beta
    for foreign in (
        ALFA,
        GAMMA,
        KVK[ALFA],
        KVK[GAMMA],
        ALFA_ERROR,
        GAMMA_ERROR,
        "BSN_INVALID",
        *CONTACTS[ALFA],
    ):
        assert foreign not in beta, foreign
    assert [part.errors for part in reports.parts[BETA]] == [0]
    assert "Niet geschikt" not in beta and "Geschikt voor CBS" in beta
    assert "0 fouten" in beta
    # The header warning concerns everyone.
    assert HEADER_WARNING in alfa and HEADER_WARNING in beta
    # Alfa's report covers both pages it has leveringen on, Beta's only the first.
    assert f"{PROVIDER} pagina 2" in alfa and f"{PROVIDER} pagina 2" not in beta

    # No BSN of the delivery (nor the invalid one) is in any message, read or raw.
    bsns = set().union(*(_nine_digit_strings(page) for page in pages))
    assert BAD_BSN in bsns and len(bsns) > 20
    for message in smtp_server.messages:
        readable = _readable(message.content)
        assert not [b for b in bsns if b in readable or b.encode() in message.content]

    # Gamma has no address: named in the note, and nobody received its error.
    assert report_note(reports) == f"geen contactadres: {GAMMA}"


def test_the_queued_reports_hold_no_bsn(tmp_path: Path) -> None:
    """What waits in the outbox (subject, text, HTML, recipients) is masked before it is stored: no BSN of the
    delivery is anywhere in the warehouse file, while the masked form of the invalid one is."""
    pages = _pages(Kind.SHV)
    reports = _gather(Kind.SHV, pages)
    with _queued(tmp_path, Kind.SHV, reports) as warehouse:
        assert warehouse.reports_waiting() == 2
    raw = (tmp_path / "warehouse.sqlite").read_bytes()
    bsns = set().union(*(_nine_digit_strings(page) for page in pages))
    assert BAD_BSN in bsns and len(bsns) > 20
    assert not [b for b in bsns if b.encode() in raw]
    assert ("*" * 5 + BAD_BSN[-4:]).encode() in raw  # the report does speak of it, masked


def test_one_refused_organisation_does_not_stop_the_others(start_smtp: Any, tmp_path: Path) -> None:
    """Alfa's addresses are refused: its report stays queued (one failed attempt, the reason kept); Beta's goes
    out. A refusal of one message does not stop the run from sending the others."""
    server = start_smtp(refuse=set(CONTACTS[ALFA]))
    reports = _gather(Kind.SHV, _pages(Kind.SHV))
    with _queued(tmp_path, Kind.SHV, reports) as warehouse:
        sender = ReportSender(warehouse, _settings(server.port))
        sent = sender.send()
        (waiting,) = warehouse.queued_reports()
        recorded = _sent_log(warehouse)
    assert sender.server_problem is None
    assert [tuple(m.rcpt_tos) for m in server.messages] == [tuple(CONTACTS[BETA])]
    assert sent.mailed == {PROVIDER: 1} and recorded == [(BETA, 1)]
    (failure,) = sent.failures[PROVIDER]
    assert failure.startswith(f"{ALFA}: ") and BETA not in failure
    assert (waiting.organisatie, waiting.attempts) == (ALFA, 1)
    assert waiting.last_error is not None and "weigert alle ontvangers" in waiting.last_error


def test_a_delivery_without_any_address_queues_nothing(smtp_server: Any, tmp_path: Path) -> None:
    pages = _pages(Kind.SHV)
    for page in pages:
        for levering in page["leveringen"]:
            levering["aanleverende_organisatie"]["contactpersonen"] = [{"naam": "Zonder e-mailadres"}]
    pages[1]["leveringen"].append({"teller": 3})  # names no organisation at all
    reports = _gather(Kind.SHV, pages)
    assert render_reports(reports, provider=PROVIDER) == []
    with _queued(tmp_path, Kind.SHV, reports) as warehouse:
        assert warehouse.reports_waiting() == 0
        assert ReportSender(warehouse, _settings(smtp_server.port)).send().mailed == {}
    assert smtp_server.messages == []
    assert (
        report_note(reports) == "geen contactadres in de levering; 1 levering zonder aanleverende organisatie"
    )


def test_across_pages_only_findings_and_summaries_are_kept() -> None:
    """A page document is dropped after its page: what the reports keep is a small fraction of one page."""
    body = orjson.dumps(generate(Kind.SHV, 800, 5, gemeenten=["0344", "0363"]))
    _validate(Kind.SHV, orjson.loads(body), "opwarmen")  # rule and schema caches are not the reports' memory
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        document = orjson.loads(body)
        one_page = tracemalloc.get_traced_memory()[0] - start
        del document
        reports = OrganisationReports()
        start = tracemalloc.get_traced_memory()[0]
        for n in range(4):
            document = orjson.loads(body)
            reports.add_page(document, _validate(Kind.SHV, document, f"pagina {n + 1}"))
            del document
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert sum(len(parts) for parts in reports.parts.values()) == 4
    assert kept < one_page / 20, (kept, one_page)
