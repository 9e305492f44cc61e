"""The service on a PostgreSQL store (skipped with a message when no server is reachable): the same answers."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from _app_helpers import BASE_SHV, BASE_VS, ServerFactory, fill, independent_verify, post

from ddas.provider.store import Store
from ddas.signing.testing import DevPki
from ddas.spec.kinds import Kind
from ddas.validation.engine import validate_bytes


@pytest.fixture
def pg_store(
    postgres_databases: Any,
    shv_document: dict[str, Any],
    vs_document: dict[str, Any],
    own_gemeente_document: dict[str, Any],
) -> Iterator[Store]:
    hour = dt.timedelta(hours=1)
    with Store.open(postgres_databases.create(), snapshot_ttl=hour, cache_ttl=hour) as store:
        fill(store, shv_document, vs_document, own_gemeente_document)
        yield store


def _all_pages(url: str, size: int) -> list[dict[str, Any]]:
    pages = [post(url, {"pageSize": size}).json()]
    for number in range(2, pages[0]["paginering"]["totalPages"] + 1):
        pages.append(post(url, {"pageSize": size, "page": number}).json())
    return pages


def _items(pages: list[dict[str, Any]], key: str) -> list[bytes]:
    return [orjson.dumps(i) for p in pages for lev in p["gegevens"]["leveringen"] for i in lev.get(key, [])]


def test_paging_both_kinds_on_postgresql(
    serve: ServerFactory,
    pg_store: Store,
    pki: DevPki,
    shv_document: dict[str, Any],
    vs_document: dict[str, Any],
    own_gemeente_document: dict[str, Any],
) -> None:
    assert pg_store.dialect == "postgresql"
    live = serve(store_=pg_store)
    shv_pages = _all_pages(live.url + BASE_SHV + "/gegevens", 40)
    expected = [
        orjson.dumps(t)
        for document in (shv_document, own_gemeente_document)
        for lev in document["leveringen"]
        for t in lev["schuldhulptrajecten"]
    ]
    assert Counter(_items(shv_pages, "schuldhulptrajecten")) == Counter(expected)
    vs_pages = _all_pages(live.url + BASE_VS + "/gegevens", 30)
    signals = [orjson.dumps(s) for lev in vs_document["leveringen"] for s in lev["vroegsignalen"]]
    assert Counter(_items(vs_pages, "vroegsignalen")) == Counter(signals)
    for page, kind in [*((p, Kind.SHV) for p in shv_pages), *((p, Kind.VS) for p in vs_pages)]:
        result = validate_bytes(orjson.dumps(page["gegevens"]), kind=kind, today=dt.date(2025, 7, 10))
        assert result.schema_valid and result.errors == 0
    response = post(live.url + BASE_VS + "/gegevens", {"pageSize": 30, "page": 2})
    independent_verify(response.content, response.headers, pki.path("root-ca.pem").read_bytes())


def test_page_cache_on_postgresql_rebuilds_a_corrupt_entry(serve: ServerFactory, pg_store: Store) -> None:
    live = serve(store_=pg_store)
    url = live.url + BASE_SHV + "/gegevens"
    first = post(url, {"pageSize": 40, "page": 3})
    deadline = time.monotonic() + 10
    while True:
        with pg_store.engine.connect() as connection:
            if connection.exec_driver_sql("SELECT count(*) FROM page_cache").scalar():
                break
        assert time.monotonic() < deadline, "page was not cached"
        time.sleep(0.05)
    with pg_store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE page_cache SET body = body || '\\x20'::bytea")
    again = post(url, {"pageSize": 40, "page": 3})
    assert again.content == first.content
