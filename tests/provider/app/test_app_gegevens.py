"""`POST <base>/gegevens` on a live server: selection, leveringen, paging, snapshots and the page cache."""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter
from typing import Any

import orjson
import pytest
import zstandard
from _app_helpers import BASE_SHV, BASE_VS, IMPORTED, NOW, ServerFactory, fill, post

from ddas.provider.app import ProviderSettings
from ddas.provider.store import Store
from ddas.synth import generate
from ddas.validation.engine import validate_bytes


def _records(document: dict[str, Any], key: str) -> list[bytes]:
    return [orjson.dumps(item) for levering in document["leveringen"] for item in levering.get(key, [])]


def _valid(gegevens: dict[str, Any], kind: str) -> None:
    """The page passes `ddas validate` with no schema errors and no error findings at all."""
    from ddas.spec.kinds import Kind

    result = validate_bytes(orjson.dumps(gegevens), kind=Kind(kind), today=NOW.date())
    assert result.schema_valid, [f.rule.code for f in result.findings]
    assert result.errors == 0, [f.rule.code for f in result.findings if f.rule.severity.value == "error"]


def _fetch_all(url: str, body: dict[str, Any], key: str) -> tuple[list[dict[str, Any]], list[bytes]]:
    """Every page of a series; returns the responses and the records in page order."""
    first = post(url, {**body, "page": 1})
    assert first.status_code == 200, first.text
    pages = [first.json()]
    for number in range(2, pages[0]["paginering"]["totalPages"] + 1):
        response = post(url, {**body, "page": number})
        assert response.status_code == 200
        pages.append(response.json())
    records = [orjson.dumps(item) for page in pages for item in _page_records(page, key)]
    return pages, records


def _page_records(page: dict[str, Any], key: str) -> list[Any]:
    return [item for levering in page["gegevens"]["leveringen"] for item in levering.get(key, [])]


def test_shv_default_period_and_leveringen(
    server: Any, shv_document: dict[str, Any], own_gemeente_document: dict[str, Any]
) -> None:
    response = post(server.url + BASE_SHV + "/gegevens", {})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    gegevens = data["gegevens"]
    # Asked on 10 July with half-year reporting: the first half of 2025.
    assert (gegevens["startdatumLevering"], gegevens["einddatumLevering"]) == ("2025-01-01", "2025-06-30")
    assert gegevens["aanleverdatumEnTijd"] == "2025-07-10T08:00:00Z"
    assert gegevens["codeGegevensleverancier"].startswith("ddas ")
    expected = _records(shv_document, "schuldhulptrajecten") + _records(
        own_gemeente_document, "schuldhulptrajecten"
    )
    assert data["paginering"] == {
        "pageSize": 25_000,
        "currentPage": 1,
        "totalPages": 1,
        "totalRecords": len(expected),
    }
    # The records are served exactly as they were delivered.
    served = [orjson.dumps(t) for t in _page_records(data, "schuldhulptrajecten")]
    assert Counter(served) == Counter(expected)
    # One levering per (organisation, gemeente), teller 1..n, one gemeentecode per levering.
    leveringen = gegevens["leveringen"]
    assert [lev["teller"] for lev in leveringen] == list(range(1, len(leveringen) + 1))
    keys = []
    for levering in leveringen:
        codes = {t["gemeentecode"] for t in levering["schuldhulptrajecten"]}
        assert len(codes) == 1
        keys.append((levering["aanleverende_organisatie"]["(Statutaire) Naam"], codes.pop()))
    assert (
        len(keys) == len(set(keys)) == 4
    )  # a kredietbank for three gemeenten + a gemeente delivering itself
    own = [lev for lev in leveringen if lev["aanleverende_organisatie"].get("gemeentecode") == "0518"]
    assert (
        own
        and own[0]["aanleverende_organisatie"]
        == own_gemeente_document["leveringen"][0]["aanleverende_organisatie"]
    )
    _valid(gegevens, "shv")


def test_vs_leveringen_signals_and_zaken(server: Any, vs_document: dict[str, Any]) -> None:
    response = post(server.url + BASE_VS + "/gegevens", {"aanleverperiodeStartdatum": "2025-01-01"})
    assert response.status_code == 200
    data = response.json()
    gegevens = data["gegevens"]
    assert (gegevens["startdatumLevering"], gegevens["einddatumLevering"]) == ("2025-01-01", "2025-06-30")
    expected = _records(vs_document, "vroegsignalen")
    assert data["paginering"]["totalRecords"] == len(expected)
    assert Counter(orjson.dumps(s) for s in _page_records(data, "vroegsignalen")) == Counter(expected)
    assert Counter(orjson.dumps(z) for z in _page_records(data, "vroegsignaalzaken")) == Counter(
        _records(vs_document, "vroegsignaalzaken")
    )
    codes = [lev["gemeentecode"] for lev in gegevens["leveringen"]]
    assert sorted(codes) == sorted(lev["gemeentecode"] for lev in vs_document["leveringen"])
    for levering in gegevens["leveringen"]:
        ids = {s["ID"] for s in levering["vroegsignalen"]}
        for zaak in levering["vroegsignaalzaken"]:
            assert {ref["ID"] for ref in zaak["vroegsignalen"]} <= ids
    _valid(gegevens, "vs")


def test_shv_paging_is_complete_unique_and_stable(
    server: Any, shv_document: dict[str, Any], own_gemeente_document: dict[str, Any]
) -> None:
    url = server.url + BASE_SHV + "/gegevens"
    pages, records = _fetch_all(url, {"pageSize": 40}, "schuldhulptrajecten")
    total = len(_records(shv_document, "schuldhulptrajecten")) + len(
        _records(own_gemeente_document, "schuldhulptrajecten")
    )
    assert len(pages) == math.ceil(total / 40) >= 3
    for number, page in enumerate(pages, start=1):
        assert page["paginering"] == {
            "pageSize": 40,
            "currentPage": number,
            "totalPages": len(pages),
            "totalRecords": total,
        }
        assert len(_page_records(page, "schuldhulptrajecten")) == (
            40 if number < len(pages) else total - 40 * (number - 1)
        )
        _valid(page["gegevens"], "shv")
    assert len(records) == len(set(records)) == total
    again = post(url, {"pageSize": 40, "page": 2}).json()
    assert _page_records(again, "schuldhulptrajecten") == _page_records(pages[1], "schuldhulptrajecten")


def test_vs_paging_keeps_zaken_with_their_signals(server: Any, vs_document: dict[str, Any]) -> None:
    url = server.url + BASE_VS + "/gegevens"
    pages, _ = _fetch_all(url, {"pageSize": 25}, "vroegsignalen")
    assert len(pages) >= 7
    seen: list[tuple[str, str]] = []
    for page in pages:
        assert page["paginering"]["pageSize"] == 25
        signals = _page_records(page, "vroegsignalen")
        assert 0 < len(signals) <= 25
        for levering in page["gegevens"]["leveringen"]:
            ids = {s["ID"] for s in levering["vroegsignalen"]}
            seen.extend((levering["gemeentecode"], i) for i in ids)
            for zaak in levering["vroegsignaalzaken"]:
                assert {ref["ID"] for ref in zaak["vroegsignalen"]} <= ids, "a zaak left its signals behind"
        _valid(page["gegevens"], "vs")
    expected = [
        (lev["gemeentecode"], s["ID"]) for lev in vs_document["leveringen"] for s in lev["vroegsignalen"]
    ]
    assert len(seen) == len(set(seen))
    assert set(seen) == set(expected)


def test_page_that_does_not_exist_gives_the_first_page(server: Any) -> None:
    url = server.url + BASE_SHV + "/gegevens"
    first = post(url, {"pageSize": 40, "page": 1}).json()
    beyond = post(url, {"pageSize": 40, "page": 999}).json()
    assert beyond["paginering"]["currentPage"] == 1
    assert beyond["paginering"]["totalPages"] == first["paginering"]["totalPages"]
    assert _page_records(beyond, "schuldhulptrajecten") == _page_records(first, "schuldhulptrajecten")


def test_more_records_than_the_maximum_without_page_size_pages_at_the_maximum(
    serve: ServerFactory, signed_settings: ProviderSettings, settings_with: Any
) -> None:
    live = serve(settings_with(signed_settings, max_page_size_shv=50, max_page_size_vs=30))
    shv = post(live.url + BASE_SHV + "/gegevens", {}).json()
    assert shv["paginering"]["pageSize"] == 50
    assert shv["paginering"]["totalPages"] == math.ceil(shv["paginering"]["totalRecords"] / 50)
    assert len(_page_records(shv, "schuldhulptrajecten")) == 50
    vs = post(live.url + BASE_VS + "/gegevens", {}).json()
    assert vs["paginering"]["pageSize"] == 30
    assert 0 < len(_page_records(vs, "vroegsignalen")) <= 30
    too_big = post(live.url + BASE_SHV + "/gegevens", {"pageSize": 51})
    assert too_big.status_code == 400 and too_big.json()["code"] == "page-size-too-large"


def test_pages_of_one_series_come_from_one_snapshot(
    serve: ServerFactory, store: Store, shv_document: dict[str, Any], own_gemeente_document: dict[str, Any]
) -> None:
    """Data imported between two pages neither duplicates nor drops a record; a later series sees it."""
    live = serve()
    url = live.url + BASE_SHV + "/gegevens"
    body = {"pageSize": 40}
    first = post(url, {**body, "page": 1}).json()
    total = first["paginering"]["totalRecords"]
    # The store's import opens a deferred transaction that reads before it writes: on SQLite it fails when
    # the page-cache write commits in between, so let that write finish first.
    _wait_for_cache(store, page_size=40, page=2)
    # In between: a changed traject (new version), a new delivery with new trajecten.
    changed = orjson.loads(orjson.dumps(shv_document))
    traject = changed["leveringen"][0]["schuldhulptrajecten"][0]
    traject["totaalSchuldbedragBijAanvangSchuld"] += 1
    traject["schulden"][0]["bedrag"] += 1
    extra = generate("shv", 15, 99, gemeenten=["0014"])
    import_at = IMPORTED + dt.timedelta(days=2)
    from ddas.provider.store import import_delivery

    for document in (changed, extra):
        summary = import_delivery(store, orjson.dumps(document), now=import_at)
        assert not summary.rejected
    records = [orjson.dumps(t) for t in _page_records(first, "schuldhulptrajecten")]
    for number in range(2, first["paginering"]["totalPages"] + 1):
        page = post(url, {**body, "page": number}).json()
        assert page["paginering"]["totalRecords"] == total
        records += [orjson.dumps(t) for t in _page_records(page, "schuldhulptrajecten")]
    original = _records(shv_document, "schuldhulptrajecten") + _records(
        own_gemeente_document, "schuldhulptrajecten"
    )
    assert Counter(records) == Counter(original)
    # Once the snapshot's lifetime has passed, a new series sees the new data (and the new version only).
    later = serve(clock=lambda: NOW + dt.timedelta(hours=2))
    fresh = post(later.url + BASE_SHV + "/gegevens", {"pageSize": 25_000}).json()
    assert fresh["paginering"]["totalRecords"] == total + 15
    served = {orjson.dumps(t) for t in _page_records(fresh, "schuldhulptrajecten")}
    assert orjson.dumps(traject) in served
    assert orjson.dumps(shv_document["leveringen"][0]["schuldhulptrajecten"][0]) not in served


def test_organisation_filter(server: Any, own_gemeente_document: dict[str, Any]) -> None:
    url = server.url + BASE_SHV + "/gegevens"
    naam = own_gemeente_document["leveringen"][0]["aanleverende_organisatie"]["(Statutaire) Naam"]
    for asked in (naam, naam.upper()):
        data = post(url, {"aanleverende_organisatie": asked}).json()
        assert data["paginering"]["totalRecords"] == 20
        assert [
            lev["aanleverende_organisatie"]["(Statutaire) Naam"] for lev in data["gegevens"]["leveringen"]
        ] == [naam]
    unknown = post(url, {"aanleverende_organisatie": "Gemeente Nergenshuizen"})
    assert unknown.status_code == 422
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["code"] == "unknown-organisation"


@pytest.mark.parametrize("base,kind", [(BASE_SHV, "shv"), (BASE_VS, "vs")])
def test_empty_selection_is_a_valid_document(server: Any, base: str, kind: str) -> None:
    data = post(
        server.url + base + "/gegevens",
        {"aanleverperiodeStartdatum": "2019-01-01", "aanleverperiodeEinddatum": "2019-06-30"},
    ).json()
    assert data["paginering"] == {
        "pageSize": 25_000 if kind == "shv" else 50_000,
        "currentPage": 1,
        "totalPages": 1,
        "totalRecords": 0,
    }
    assert len(data["gegevens"]["leveringen"]) == 1
    result = validate_bytes(orjson.dumps(data["gegevens"]))
    assert result.schema_valid


def test_quarterly_reporting_default_period(
    serve: ServerFactory, signed_settings: ProviderSettings, settings_with: Any
) -> None:
    live = serve(settings_with(signed_settings, reporting_period="quarter"))
    gegevens = post(live.url + BASE_SHV + "/gegevens", {}).json()["gegevens"]
    assert (gegevens["startdatumLevering"], gegevens["einddatumLevering"]) == ("2025-04-01", "2025-06-30")
    only_end = post(live.url + BASE_SHV + "/gegevens", {"aanleverperiodeEinddatum": "2025-02-15"}).json()
    assert only_end["gegevens"]["startdatumLevering"] == "2025-01-01"
    assert only_end["gegevens"]["einddatumLevering"] == "2025-02-15"


def test_cached_pages_are_reused_and_a_corrupt_entry_is_rebuilt(
    serve: ServerFactory, store: Store, pki: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from ddas.signing import TrustStore, verify

    caplog.set_level(logging.INFO, logger="ddas")
    live = serve()
    url = live.url + BASE_SHV + "/gegevens"
    body = {"pageSize": 40, "page": 2}
    first = post(url, body)
    key = _wait_for_cache(store, page_size=40, page=2)
    later = serve(clock=lambda: NOW + dt.timedelta(minutes=5))
    caplog.clear()
    hit = post(later.url + BASE_SHV + "/gegevens", body)
    assert "cache hit" in caplog.text
    # The same page byte for byte with the same signature: a page is stamped with the moment its selection
    # was frozen (the snapshot of the request series), not with the moment it was served.
    assert hit.content == first.content
    assert hit.headers["digest"] == first.headers["digest"]
    assert hit.headers["nlgov-adr-payload-sig"] == first.headers["nlgov-adr-payload-sig"]
    assert hit.json()["gegevens"]["aanleverdatumEnTijd"] == "2025-07-10T08:00:00Z"
    verify(
        hit.content,
        [hit.headers["nlgov-adr-payload-sig"]],
        digest=hit.headers["digest"],
        trust=TrustStore.from_pem([pki.path("root-ca.pem")]),
    )
    # Damage the cached entry in several ways; each time it is detected, rebuilt and kept again, never served.
    with store.engine.connect() as connection:
        original = bytes(
            connection.exec_driver_sql("SELECT body FROM page_cache WHERE key = ?", (key,)).scalar_one()
        )
    magic, head, page = (
        zstandard.ZstdDecompressor().decompress(original).split(b"\n", 2)
    )  # kept compressed, headers first
    assert page == first.content
    flipped = bytearray(original)
    flipped[len(flipped) // 2] ^= 0xFF
    other_signer = orjson.dumps({**orjson.loads(head), "x-ddas-signer": "een ander certificaat"})
    changed_page = page.replace(b'"codeGegevensleverancier":"', b'"codeGegevensleverancier":"X', 1)
    damages = {
        "bytes changed under the stored SHA-256": lambda: _overwrite(store, key, bytes(flipped)),
        "not Zstandard (with a matching SHA-256)": lambda: store.cache_page(key, b"geen zstd", now=NOW),
        "another document (with a matching SHA-256)": lambda: store.cache_page(
            key, _zstd(b'{"gegevens":{"anders":true}}'), now=NOW
        ),
        "a page that no longer matches its kept Digest": lambda: store.cache_page(
            key, _zstd(b"\n".join((magic, head, changed_page))), now=NOW
        ),
        "signed with another certificate than the one in use": lambda: store.cache_page(
            key, _zstd(b"\n".join((magic, other_signer, page))), now=NOW
        ),
    }
    for damage, apply in damages.items():
        apply()
        caplog.clear()
        rebuilt = post(later.url + BASE_SHV + "/gegevens", body)
        assert "cache miss" in caplog.text, damage
        assert "onbruikbaar" in caplog.text or "SHA-256" in caplog.text, damage
        assert rebuilt.content == first.content, damage
        _validate_cached_entry_soon(store, key, rebuilt.content)


def test_the_next_page_is_built_ahead_and_kept(
    serve: ServerFactory,
    store: Store,
    signed_settings: ProviderSettings,
    settings_with: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ddas")
    live = serve()
    url = live.url + BASE_SHV + "/gegevens"
    first = post(url, {"pageSize": 40, "page": 1})
    # Page 2 is kept without anyone asking for it yet.
    _wait_for_cache(store, page_size=40, page=2)
    caplog.clear()
    second = post(url, {"pageSize": 40, "page": 2})
    assert "pagina 2/4" in caplog.text
    assert "cache hit" in caplog.text or "cache prefetch" in caplog.text
    # What was built ahead is what a server without a page cache builds for the same request series.
    plain = serve(settings_with(signed_settings, cache_ttl_seconds=0))
    for page, served in ((1, first), (2, second)):
        fresh = post(plain.url + BASE_SHV + "/gegevens", {"pageSize": 40, "page": page})
        assert _page_records(fresh.json(), "schuldhulptrajecten") == _page_records(
            served.json(), "schuldhulptrajecten"
        )
    # The last page has nothing after it to build.
    post(url, {"pageSize": 40, "page": 4})
    with store.engine.connect() as connection:
        keys = [row[0] for row in connection.exec_driver_sql("SELECT key FROM page_cache")]
    assert not [k for k in keys if k.endswith(":40:5")]


def _zstd(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(write_checksum=True).compress(data)


def _overwrite(store: Store, key: str, body: bytes) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE page_cache SET body = ? WHERE key = ?", (body, key))


def _unframed(cached: bytes) -> bytes:
    """The page inside a kept cache entry (compressed: a framing line, the headers, the page)."""
    return zstandard.ZstdDecompressor().decompress(cached).split(b"\n", 2)[2]


def _validate_cached_entry_soon(store: Store, key: str, served: bytes, timeout: float = 10.0) -> None:
    """After a rebuild the page is kept again (in the background): the same page, compressed."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        cached = store.cached_page(key, now=NOW)
        if cached is not None:
            try:
                if _unframed(cached) == served:
                    return
            except (zstandard.ZstdError, IndexError):
                pass  # still the damaged entry: the rebuilt page replaces it in the background
        assert time.monotonic() < deadline, "the rebuilt page was not kept"
        time.sleep(0.05)


def _wait_for_cache(store: Store, *, page_size: int, page: int, timeout: float = 10.0) -> str:
    """Pages are kept in the background: wait until page `page` of size `page_size` is; its cache key."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.engine.connect() as connection:
            keys = [row[0] for row in connection.exec_driver_sql("SELECT key FROM page_cache")]
        found = [k for k in keys if k.endswith(f":{page_size}:{page}")]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("page was not cached")


def test_fill_helper_rejects_nothing(tmp_path: Any) -> None:
    """The synthetic deliveries the tests rely on import completely (else every count above is off)."""
    with Store.open(f"sqlite:///{tmp_path / 'x.sqlite'}") as store:
        fill(store, generate("vs", 30, 3, gemeenten=["0363"]))
        assert store.counts()["vroegsignalen"] == 30
