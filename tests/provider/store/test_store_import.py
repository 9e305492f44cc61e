"""Importing deliveries: what enters, what is rejected or held back and why, idempotency, versions."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import orjson
import pytest
from _store_helpers import NINE_DIGITS, clone, fingerprint, shv, table_counts, trajecten, vs
from sqlalchemy import select, text

from ddas.provider.store import (
    ImportSummary,
    Reason,
    RecordType,
    Store,
    UnreadableSource,
    import_delivery,
)
from ddas.provider.store.models import Schuld, Traject, TrajectClient
from ddas.synth import inject
from ddas.validation.engine import validate_document
from ddas.validation.result import ValidationResult


def _records(store: Store, table: str) -> list[Any]:
    with store.engine.connect() as connection:
        return list(connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings())


def test_clean_shv_delivery_enters_whole(store: Store) -> None:
    document = shv(120, seed=1)
    summary = import_delivery(store, orjson.dumps(document), source="levering.json")
    counts = summary.counts[RecordType.TRAJECT]
    assert (counts.read, counts.new, counts.rejected, counts.held_back) == (120, 120, 0, 0)
    assert summary.exit_code == 0
    assert summary.organisaties == [
        document["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"]
    ]

    stored = _records(store, "trajecten")
    assert len(stored) == 120
    # The record is kept as delivered: the bytes parse back to exactly the delivered traject.
    delivered = {orjson.dumps(t) for t in trajecten(document)}
    assert {bytes(row["record"]) for row in stored} == delivered
    assert all(row["valid_to"] is None for row in stored)
    assert {type(row["startdatum"]) for row in stored} <= {dt.date, str}

    # Derived rows: one per client and per schuld of every traject.
    with store.engine.connect() as connection:
        n_clients = connection.execute(select(TrajectClient.__table__)).all()
        n_schulden = connection.execute(select(Schuld.__table__)).all()
    assert len(n_clients) == sum(len(t["client"]) for t in trajecten(document))
    assert len(n_schulden) == sum(len(t.get("schulden", [])) for t in trajecten(document))


def test_dates_are_date_columns(store: Store) -> None:
    document = shv(5, seed=2)
    import_delivery(store, document)
    with store.session() as session:
        traject = session.scalars(select(Traject).order_by(Traject.id)).first()
    assert traject is not None
    assert isinstance(traject.startdatum, dt.date)
    first = trajecten(document)[0]
    assert traject.startdatum.isoformat() == (first.get("startdatum") or first["aanmelding"]["startdatum"])


def test_same_delivery_twice_changes_nothing(store: Store) -> None:
    data = orjson.dumps(shv(80, seed=3))
    first = import_delivery(store, data)
    before = fingerprint(store)
    second = import_delivery(store, data)
    assert first.total.new == 80
    assert (second.total.new, second.total.changed, second.total.unchanged) == (0, 0, 80)
    assert fingerprint(store) == before, "a second import of the same source must not change the store"


def test_same_content_in_another_key_order_is_unchanged(store: Store) -> None:
    document = shv(10, seed=4)
    import_delivery(store, document)
    shuffled = clone(document)
    for levering in shuffled["leveringen"]:
        levering["schuldhulptrajecten"] = [
            dict(reversed(list(t.items()))) for t in levering["schuldhulptrajecten"]
        ]
    summary = import_delivery(store, shuffled)
    assert summary.total.unchanged == 10 and summary.total.changed == 0


def test_changed_record_gets_a_new_version(store: Store) -> None:
    document = shv(30, seed=5)
    import_delivery(store, document, now=dt.datetime(2025, 7, 1, 12, 0))
    changed = clone(document)
    target = trajecten(changed)[7]
    target["omschrijving"] = "bijgewerkt na heroverweging"
    summary = import_delivery(store, changed, now=dt.datetime(2025, 7, 2, 12, 0))
    assert (summary.total.new, summary.total.changed, summary.total.unchanged) == (0, 1, 29)

    rows = _records(store, "trajecten")
    assert len(rows) == 31
    versions = [r for r in rows if orjson.loads(r["record"]).get("client") == target["client"]]
    assert len(versions) == 2
    old, new = sorted(versions, key=lambda r: r["id"])
    assert old["natural_key"] == new["natural_key"]
    assert old["valid_to"] is not None and new["valid_to"] is None
    assert orjson.loads(new["record"])["omschrijving"] == "bijgewerkt na heroverweging"
    assert str(old["valid_to"]).startswith("2025-07-02") and str(new["valid_from"]).startswith("2025-07-02")
    assert store.counts()["trajecten"] == 30

    # Importing the old delivery again brings the old content back as a third version, not a duplicate.
    again = import_delivery(store, document, now=dt.datetime(2025, 7, 3, 12, 0))
    assert again.total.changed == 1
    assert store.counts()["trajecten"] == 30 and store.counts()["trajecten_versies"] == 32


def test_corrected_start_date_supersedes_the_stored_traject(store: Store) -> None:
    document = shv(20, seed=6)
    import_delivery(store, document)
    corrected = clone(document)
    target = trajecten(corrected)[3]
    old_start = dt.date.fromisoformat(target.get("startdatum") or target["aanmelding"]["startdatum"])
    target["startdatum"] = (old_start + dt.timedelta(days=2)).isoformat()
    summary = import_delivery(store, corrected, accept_warnings=True)
    counts = summary.counts[RecordType.TRAJECT]
    assert (counts.new, counts.replaced) == (1, 1), summary.to_dict()["counts"]
    # Still one current traject per client: the koppelvlak must not serve both.
    assert store.counts()["trajecten"] == 20
    current = [orjson.loads(r["record"]) for r in _records(store, "trajecten") if r["valid_to"] is None]
    assert target in current


def test_official_examples_reject_records_with_errors(store: Store, official_examples: list[Path]) -> None:
    for path in official_examples:
        summary = import_delivery(store, path.read_bytes(), source=path.name, accept_warnings=True)
        assert summary.exit_code == 1, path.name
        assert summary.total.rejected > 0, path.name
        text_out = json.dumps(summary.to_dict(), ensure_ascii=False)
        assert not NINE_DIGITS.search(text_out), f"{path.name}: a BSN in clear in the summary"
    # The SHV examples name organisations with gemeentecode 'GM001' etc.: levering-level errors, so whole
    # leveringen are rejected, and nothing of them enters.
    assert store.counts()["trajecten"] == 0


def test_levering_error_rejects_the_levering_and_says_so(store: Store, spec_dir: Path) -> None:
    data = (spec_dir / "shv-v1.0" / "enkelvoudigVoorbeeld.json").read_bytes()
    summary = import_delivery(store, data, accept_warnings=True)
    assert len(summary.rejected_leveringen) == 1
    rejected = summary.rejected_leveringen[0]
    assert rejected.reason is Reason.LEVERING_ERRORS and rejected.records == 1
    assert [p.code for p in rejected.problems] == ["GEMEENTECODE_INVALID"]
    assert rejected.problems[0].value == "GM001"
    assert "gemeentecode" in rejected.problems[0].message.lower()


def test_record_errors_listed_with_code_masked_value_and_dutch_message(store: Store, spec_dir: Path) -> None:
    data = (spec_dir / "vs-v0.9" / "enkelvoudigVoorbeeld.json").read_bytes()
    summary = import_delivery(store, data, accept_warnings=True)
    errors = [i for i in summary.rejected if i.reason is Reason.RECORD_ERRORS]
    assert errors
    problem = errors[0].problems[0]
    assert problem.code == "BSN_INVALID"
    assert problem.value.startswith("*****") and len(problem.value) == 9
    assert "burgerservicenummer" in problem.message.lower() or "bsn" in problem.message.lower()


def test_vs_zaak_travels_with_its_signals(store: Store, spec_dir: Path) -> None:
    """In the official VS example the signals of levering 1 have invalid BSNs: the zaken that refer to them
    stay out too (linked), while nothing else of that levering is rejected without a reason."""
    data = (spec_dir / "vs-v0.9" / "meervoudigVoorbeeld.json").read_bytes()
    summary = import_delivery(store, data, accept_warnings=True)
    reasons = {(i.record_type, i.reason) for i in summary.rejected}
    assert (RecordType.VROEGSIGNAAL, Reason.RECORD_ERRORS) in reasons
    assert (RecordType.ZAAK, Reason.LINKED) in reasons
    with store.engine.connect() as connection:
        stored_signals = {r[0] for r in connection.execute(text("SELECT signaal_id FROM vroegsignalen"))}
        links = {r[0] for r in connection.execute(text("SELECT signaal_id FROM zaak_signalen"))}
    assert links <= stored_signals, "a stored zaak refers to a signal that is not stored"


def test_one_bad_signal_keeps_its_whole_zaak_out(store: Store) -> None:
    document = vs(200, seed=7, gemeenten=["0363"])
    levering = document["leveringen"][0]
    zaak = next(z for z in levering["vroegsignaalzaken"] if len(z["vroegsignalen"]) >= 2)
    ids = [ref["ID"] for ref in zaak["vroegsignalen"]]
    bad = next(s for s in levering["vroegsignalen"] if s["ID"] == ids[0])
    bad["bedrag"] = -5
    summary = import_delivery(store, document)
    out = {(i.record_type, i.label.split("(ID ")[-1].rstrip(")"), i.reason) for i in summary.rejected}
    assert (RecordType.VROEGSIGNAAL, ids[0], Reason.RECORD_ERRORS) in out
    assert (RecordType.VROEGSIGNAAL, ids[1], Reason.LINKED) in out
    assert any(i.record_type is RecordType.ZAAK and i.reason is Reason.LINKED for i in summary.rejected)
    with store.engine.connect() as connection:
        stored = {r[0] for r in connection.execute(text("SELECT signaal_id FROM vroegsignalen"))}
    assert not set(ids) & stored
    assert len(stored) == len(levering["vroegsignalen"]) - len(ids)


def test_warnings_are_held_back_unless_accepted(store: Store) -> None:
    document = shv(40, seed=8)
    target = trajecten(document)[5]
    target["client"][0]["Postcode"] = (
        target["client"][0]["Postcode"][:4] + " " + target["client"][0]["Postcode"][4:].lower()
    )
    held = import_delivery(store, document)
    assert held.total.held_back == 1 and held.total.new == 39 and held.exit_code == 1
    assert held.held_back[0].reason is Reason.RECORD_WARNINGS
    assert held.held_back[0].problems[0].code == "POSTCODE_NOT_NORMALISED"
    assert held.held_back[0].path == "/leveringen/0/schuldhulptrajecten/5" or held.held_back[0].path.endswith(
        "/5"
    )

    accepted = import_delivery(store, document, accept_warnings=True)
    assert accepted.total.held_back == 0 and accepted.total.new == 1 and accepted.total.unchanged == 39
    assert accepted.exit_code == 0
    assert store.counts()["trajecten"] == 40


def test_injected_defects_decide_exactly_what_enters(store: Store) -> None:
    """The injector's manifest is an independent account of what is wrong: every traject with an injected
    error stays out, every traject with only warnings is held back, and everything else enters."""
    document = shv(300, seed=9, gemeenten=["0363", "0599", "0014"])
    defects = inject(document, "shv", 0.05, seed=3)
    result = validate_document(document, ValidationResult(file="x"))
    levering_errors = {
        int(f.path.split("/")[2])
        for f in result.findings
        if f.severity.value == "error" and f.path.count("/") >= 2 and "/schuldhulptrajecten/" not in f.path
    }
    assert not any(f.severity.value == "error" and f.path.count("/") < 2 for f in result.findings)

    def record(path: str) -> tuple[int, int] | None:
        parts = path.split("/")
        if len(parts) >= 5 and parts[3] == "schuldhulptrajecten":
            return int(parts[2]), int(parts[4])
        return None

    erroneous = {record(d.path) for d in defects if d.severity == "error"} - {None}
    suspect = {record(d.path) for d in defects if d.severity == "warning"} - {None} - erroneous
    summary = import_delivery(store, document)
    rejected = {record(i.path) for i in summary.rejected}
    held = {record(i.path) for i in summary.held_back}
    assert rejected == {r for r in erroneous if r is not None and r[0] not in levering_errors}
    assert held == {r for r in suspect if r is not None and r[0] not in levering_errors}
    total = sum(len(lev["schuldhulptrajecten"]) for lev in document["leveringen"])
    in_rejected_leveringen = sum(
        len(document["leveringen"][i]["schuldhulptrajecten"]) for i in levering_errors
    )
    assert store.counts()["trajecten"] == total - len(rejected) - len(held) - in_rejected_leveringen


def test_organisatie_option_imports_only_that_organisation(store: Store) -> None:
    one = shv(10, seed=10, gemeenten=["0363"])
    other = shv(10, seed=11, gemeenten=["0599"])
    other["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"] = "Kredietbank Andere Stad"
    one["leveringen"].append(other["leveringen"][0] | {"teller": 2})
    naam = one["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"]
    summary = import_delivery(store, one, organisatie=naam, accept_warnings=True)
    assert summary.total.new == 10 and summary.total.skipped == 10
    assert store.organisaties() == [naam]
    assert any(n.code == "IMPORT_OTHER_ORGANISATIE" for n in summary.notes)


def test_unnamed_organisation_is_rejected_unless_named_on_import(store: Store) -> None:
    document = shv(5, seed=12, gemeenten=["0363"])
    del document["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"]
    summary = import_delivery(store, clone(document), accept_warnings=True)
    assert summary.rejected_leveringen and summary.rejected_leveringen[0].reason is Reason.NO_ORGANISATIE
    assert store.counts()["trajecten"] == 0
    named = import_delivery(store, document, organisatie="Gemeente Amsterdam", accept_warnings=True)
    assert named.total.new == 5 and store.organisaties() == ["Gemeente Amsterdam"]


def test_unreadable_input_is_refused_before_anything_is_written(store: Store) -> None:
    before = table_counts(store)
    with pytest.raises(UnreadableSource, match="geen leesbare JSON"):
        import_delivery(store, b'{"leveringen": [', source="kapot.json")
    with pytest.raises(UnreadableSource, match="geen DDAS-levering"):
        import_delivery(store, b'{"hallo": "wereld"}', source="anders.json")
    assert table_counts(store) == before


def test_document_error_rejects_everything(store: Store) -> None:
    document = shv(10, seed=13)
    document["startdatumLevering"], document["einddatumLevering"] = "2025-12-31", "2025-01-01"
    summary = import_delivery(store, document, accept_warnings=True)
    assert summary.rejected_leveringen[0].index is None
    assert summary.rejected_leveringen[0].reason is Reason.DOCUMENT_ERRORS
    assert summary.total.rejected == 10 and store.counts()["trajecten"] == 0


def test_vs_import_is_idempotent_and_keeps_links(store: Store) -> None:
    document = vs(300, seed=14)
    first = import_delivery(store, document)
    assert first.exit_code == 0 and first.counts[RecordType.VROEGSIGNAAL].new == 300
    before = fingerprint(store)
    second = import_delivery(store, document)
    assert second.total.new == 0 and second.total.changed == 0
    assert fingerprint(store) == before
    zaken = sum(len(lev["vroegsignaalzaken"]) for lev in document["leveringen"])
    links = sum(len(z["vroegsignalen"]) for lev in document["leveringen"] for z in lev["vroegsignaalzaken"])
    counts = table_counts(store)
    assert counts["zaken"] == zaken and counts["zaak_signalen"] == links
    assert counts["contactpogingen"] == sum(
        len(z.get("contactpogingen", [])) for lev in document["leveringen"] for z in lev["vroegsignaalzaken"]
    )


def test_zaak_that_gains_a_signal_replaces_the_stored_zaak(store: Store) -> None:
    document = vs(100, seed=15, gemeenten=["0363"])
    import_delivery(store, document)
    levering = document["leveringen"][0]
    lone = next(
        s
        for s in levering["vroegsignalen"]
        if not any(s["ID"] == r["ID"] for z in levering["vroegsignaalzaken"] for r in z["vroegsignalen"])
    )
    zaak = levering["vroegsignaalzaken"][0]
    zaak["vroegsignalen"].append({"ID": lone["ID"]})
    summary = import_delivery(store, document, accept_warnings=True)
    zaak_counts = summary.counts[RecordType.ZAAK]
    assert (zaak_counts.new, zaak_counts.replaced) == (1, 1)
    with store.engine.connect() as connection:
        owners = connection.execute(
            text(
                "SELECT zs.signaal_id, count(*) FROM zaak_signalen zs JOIN zaken z ON z.id = zs.zaak_id "
                "WHERE z.valid_to IS NULL GROUP BY zs.signaal_id HAVING count(*) > 1"
            )
        ).all()
    assert owners == [], "a signal belongs to more than one current zaak"


def test_summary_json_is_stable_and_free_of_bsns(store: Store) -> None:
    document = shv(50, seed=16)
    inject(document, "shv", 0.1, seed=5)
    summary = import_delivery(store, document)
    data = summary.to_dict()
    assert set(data) >= {"source", "kind", "exit_code", "totals", "counts", "rejected", "held_back", "notes"}
    assert data["kind"] == "shv" and data["exit_code"] == 1
    assert not NINE_DIGITS.search(json.dumps(data, ensure_ascii=False))
    assert isinstance(summary, ImportSummary)


def test_no_bsn_in_any_log_line_even_at_debug(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    """Import, select and page with every logger at DEBUG: no BSN of the delivery appears in the logs."""
    document = shv(40, seed=17)
    trajecten(document)[3]["client"][0]["Burgerservicenummer"] = "123456789"  # rejected, and reported
    bsns = {
        c["Burgerservicenummer"]
        for t in trajecten(document)
        for c in t["client"]
        if "Burgerservicenummer" in c
    }
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # SQL logging on, as when debugging a store
    import_delivery(store, document)
    snapshot = store.snapshot("shv", dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    store.page(snapshot, 1, 10)
    logged = caplog.text
    assert "import:" in logged  # the store did log, at DEBUG and INFO
    assert "SELECT" in logged and "parameters hidden" in logged  # and so did SQLAlchemy
    assert not any(bsn in logged for bsn in bsns)
    assert not NINE_DIGITS.search(logged)


def test_large_import_refreshes_postgresql_statistics(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a large import PostgreSQL gets VACUUM (ANALYZE) — outside the import's transaction, where it is
    allowed; SQLite needs nothing. The threshold is lowered so that a small delivery counts as large."""
    from ddas.provider.store import importer

    monkeypatch.setattr(importer, "_ANALYZE_AFTER", 1)
    summary = import_delivery(store, shv(20, seed=18))
    assert summary.total.new == 20
    if store.dialect == "postgresql":
        with store.engine.connect() as connection:
            analysed = connection.execute(
                text("SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'trajecten'")
            ).scalar_one()
        assert analysed
