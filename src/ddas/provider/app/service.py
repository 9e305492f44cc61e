"""From a checked query to the bytes of one response page: snapshot, page cache, assembly. No HTTP here.

A request series is held together by the store's snapshots (an identical request within the snapshot's
lifetime reads the same frozen selection), so paging stays consistent while data is imported in between.
Finished pages are kept, zlib-compressed, in the store's page cache under (kind, snapshot, page size, page),
written after the response has gone out; every read is checked against the stored SHA-256 by the store (and
by zlib's checksum), and a page that fails is rebuilt, never served. A cached page is re-stamped with the
current `aanleverdatumEnTijd`, so a cache hit differs from a rebuild only in speed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.exc import SQLAlchemyError

from ddas.provider.app.assemble import LeveringLike, LeveringRows, Paginering, assemble_page, restamp
from ddas.provider.app.problems import Problem
from ddas.provider.app.request import GegevensQuery
from ddas.provider.app.settings import ProviderSettings
from ddas.provider.store import SnapshotExpired, Store, StoreError
from ddas.provider.store.selection import Page, Snapshot
from ddas.spec.kinds import Kind

__all__ = ["GegevensService", "PageResult"]

log = logging.getLogger(__name__)

#: zlib level 1: a page of JSON shrinks about tenfold in a quarter of a second (in the background, outside
#: the GIL), so keeping it costs a tenth of the disk and of the write, and reading it back is as fast.
_CACHE_COMPRESSION = 1


@dataclass(frozen=True, slots=True)
class PageResult:
    """One response page and what the log line says about it."""

    body: bytes
    page: int
    total_pages: int
    total_records: int
    #: Records on this page (None for a cache hit: the page is not opened again to count).
    records: int | None
    cache: str
    snapshot_id: int
    #: Keeps the page in the cache; run after the response has gone out, so the caller does not wait for it.
    keep: Callable[[], None] | None = None


class GegevensService:
    """Answers `GegevensQuery`s for both kinds from one store.

    Store calls that may write (making a snapshot, reading a cache entry that may be deleted, keeping a page)
    are serialised within the process: on SQLite a transaction that has read and then wants to write fails at
    once when another connection of the same service committed in between, and the page cache is written in
    the background while the next request is already being answered.
    """

    def __init__(self, settings: ProviderSettings, store: Store, *, clock: Callable[[], dt.datetime]) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._writes = threading.Lock()

    def page(self, kind: Kind, query: GegevensQuery) -> PageResult:
        """The response page for `query`; Problem(422) for an organisation the store does not know."""
        now = self._clock()
        organisatie = self._organisatie(kind, query.organisatie) if query.organisatie else None
        with self._writes:
            snapshot = self._store.snapshot(kind, query.start, query.end, organisatie, now=now)
        try:
            return self._page(kind, snapshot, query, now)
        except SnapshotExpired:
            # Purged between finding and reading it (its lifetime ended just now): start a fresh one.
            with self._writes:
                snapshot = self._store.snapshot(
                    kind, query.start, query.end, organisatie, now=now, reuse=False
                )
            return self._page(kind, snapshot, query, now)

    def _organisatie(self, kind: Kind, wanted: str) -> str:
        """The stored name for `wanted` (exact, else the one match ignoring case); else a 422."""
        names = self._store.organisaties(kind)
        if wanted in names:
            return wanted
        folded = [name for name in names if name.casefold() == wanted.casefold()]
        if len(folded) == 1:
            return folded[0]
        what = "schuldhulpverlening" if kind is Kind.SHV else "vroegsignalering"
        raise Problem(
            422,
            "unknown-organisation",
            "Organisatie onbekend",
            f"Deze aanbieder levert geen gegevens over {what} van de gevraagde aanleverende_organisatie; "
            "controleer de naam (zoals in de levering).",
        )

    def _cache_key(self, kind: Kind, snapshot: Snapshot, page: int, page_size: int) -> str:
        return f"gegevens:{kind.value}:{snapshot.id}:{page_size}:{page}"

    def _page(self, kind: Kind, snapshot: Snapshot, query: GegevensQuery, now: dt.datetime) -> PageResult:
        page_size = query.page_size
        key = self._cache_key(kind, snapshot, query.page, page_size)
        cached = self._from_cache(key, now) if self._settings.cache_ttl_seconds else None
        if cached is not None:
            paginering = Paginering.from_body(cached)
            return PageResult(
                cached,
                paginering.current_page,
                paginering.total_pages,
                paginering.total_records,
                None,
                "hit",
                snapshot.id,
            )
        page = self._store.page(snapshot, query.page, page_size)
        body = self._assemble(kind, snapshot, page, now)
        keep = None
        if self._settings.cache_ttl_seconds:
            cache_key = self._cache_key(kind, snapshot, page.page, page_size)

            def keep() -> None:
                compressed = zlib.compress(body, _CACHE_COMPRESSION)
                try:
                    with self._writes:
                        self._store.cache_page(cache_key, compressed, now=now)
                except (StoreError, SQLAlchemyError) as exc:
                    # The answer has gone out already; without a cache entry the next request rebuilds it.
                    log.warning("pagina niet in de cache gezet: %s", type(exc).__name__)

        return PageResult(
            body,
            page.page,
            page.total_pages,
            page.total_records,
            page.record_count,
            "miss",
            snapshot.id,
            keep,
        )

    def _from_cache(self, key: str, now: dt.datetime) -> bytes | None:
        """A cached page re-stamped for `now`; None when there is none or it cannot be used (then rebuilt).

        The store checks the stored SHA-256 on every read; zlib's own checksum and the page's fixed opening
        are checked here as well, so a damaged entry is rebuilt and never served.
        """
        with self._writes:
            stored = self._store.cached_page(key, now=now)
        if stored is None:
            return None
        try:
            body = restamp(zlib.decompress(stored), now)
        except zlib.error:
            body = None
        if body is None:
            log.warning("gecachte pagina is onbruikbaar en wordt opnieuw opgebouwd")
        return body

    def _assemble(self, kind: Kind, snapshot: Snapshot, page: Page, now: dt.datetime) -> bytes:
        leveringen: Sequence[LeveringLike] = page.rows or [self._empty_levering(kind, snapshot.organisatie)]
        return assemble_page(
            kind,
            start=snapshot.start,
            end=snapshot.end,
            delivered_at=now,
            supplier_code=self._settings.supplier_code,
            leveringen=leveringen,
            paginering=Paginering(page.page_size, page.page, page.total_pages, page.total_records),
        )

    def _empty_levering(self, kind: Kind, organisatie: str | None) -> LeveringRows:
        """The one levering of an empty answer (both schemas ask for at least one).

        It names the requested organisation as stored; without one, the only organisation in the store, or
        the configured `empty_organisatie` when there are several or none.
        """
        fallback = self._settings.empty_organisatie
        names = [organisatie] if organisatie else self._store.organisaties(kind)
        stored = self._store.organisatie_json(names[0], kind) if len(names) == 1 else None
        if stored is not None:
            return LeveringRows(stored, fallback.gemeentecode)
        org: dict[str, Any]
        if kind is Kind.SHV:
            org = {"(Statutaire) Naam": fallback.naam, "KvK-nummer": fallback.kvk_nummer}
            if fallback.postcode:
                org["postcode"] = fallback.postcode
            org["gemeentecode"] = fallback.gemeentecode
        else:
            org = {"naam": fallback.naam, "kvk-nummer": fallback.kvk_nummer}
        return LeveringRows(orjson.dumps(org), fallback.gemeentecode)
