"""From a checked query to the signed bytes of one response page: snapshot, page cache, assembly. No HTTP here.

A request series is held together by the store's snapshots (an identical request within the snapshot's
lifetime reads the same frozen selection), so paging stays consistent while data is imported in between. A
page's `aanleverdatumEnTijd` is the moment its selection was frozen: the data of every page of a series is as of
that moment, so a page is fully determined by (snapshot, page size, page) and can be kept — signed — and served
again byte for byte.

Finished pages are kept, compressed (Zstandard) and with their `Digest` and `nlgov-adr-payload-sig`, in the store's
page cache under (kind, snapshot, page size, page). Every read is checked against the stored SHA-256 by the
store, by Zstandard's checksum, and here against the kept Digest (recomputed over the page) and the signing
certificate now in use; a page that fails any check is rebuilt, never served.

A client that pages through a series asks for page n + 1 after page n, so after answering page n the service
builds page n + 1 in the background (one page at a time) and keeps it: the next request finds it ready, or
waits for the build already under way instead of starting another.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson
import zstandard
from sqlalchemy.exc import SQLAlchemyError

from ddas.provider.app.assemble import LeveringLike, LeveringRows, Paginering, assemble_page
from ddas.provider.app.memory import release_free_memory
from ddas.provider.app.problems import Problem
from ddas.provider.app.request import GegevensQuery
from ddas.provider.app.settings import ProviderSettings
from ddas.provider.store import SnapshotExpired, Store, StoreError
from ddas.provider.store.selection import Snapshot
from ddas.signing.digest import digest_header
from ddas.signing.jws import signed_headers
from ddas.signing.keys import SigningIdentity, certificate_thumbprint
from ddas.spec.kinds import Kind

__all__ = ["GegevensService", "PageResult"]

log = logging.getLogger(__name__)

#: Zstandard level 1 with a content checksum: a 60 MB page of JSON shrinks about fifteenfold in 60 ms and
#: comes back in 40 ms (zlib took 210 ms and 150 ms, which held back building the next page).
_CACHE_COMPRESSION = 1
#: A kept page: this line, the headers as JSON on one line, then the page itself.
_CACHE_MAGIC = b"ddas-pagina/1\n"
#: The identity a kept page was signed with (not a header; removed before serving).
_SIGNER = "x-ddas-signer"


@dataclass(frozen=True, slots=True)
class PageResult:
    """One response page, the headers that go with it, and what the log line says about it."""

    body: bytes
    #: `Digest` and `nlgov-adr-payload-sig` when the service signs; empty otherwise.
    headers: dict[str, str]
    page: int
    total_pages: int
    total_records: int
    #: Records on this page (None for a cache hit: the page is not opened again to count).
    records: int | None
    #: "miss" (built for this request), "hit" (from the page cache) or "prefetch" (built ahead of the request).
    cache: str
    snapshot_id: int


@dataclass(slots=True)
class _Built:
    """A page as built: body, headers and its paging numbers."""

    body: bytes
    headers: dict[str, str]
    page: int
    total_pages: int
    total_records: int
    records: int


class GegevensService:
    """Answers `GegevensQuery`s for both kinds from one store, signing with `identity` (when given).

    Store calls that may write (making a snapshot, reading a cache entry that may be deleted, keeping a page)
    are serialised within the process: on SQLite a transaction that has read and then wants to write fails at
    once when another connection of the same service committed in between, and pages are kept (and the next
    page built) in the background while the next request is already being answered.
    """

    def __init__(
        self,
        settings: ProviderSettings,
        store: Store,
        *,
        clock: Callable[[], dt.datetime],
        identity: SigningIdentity | None = None,
    ) -> None:
        self._settings = settings
        self._store = store
        self._clock = clock
        self._identity = identity
        self._signer = certificate_thumbprint(identity.certificate) if identity is not None else ""
        self._writes = threading.Lock()
        self._lock = threading.Lock()
        #: Pages being built ahead, by cache key; the future resolves as soon as the page is built.
        self._ahead: dict[str, Future[_Built | None]] = {}
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ddas-pagina")

    @property
    def caching(self) -> bool:
        return self._settings.cache_ttl_seconds > 0

    def close(self) -> None:
        """Stop the background work (pages not yet kept are simply built again when asked for)."""
        self._background.shutdown(wait=True, cancel_futures=True)

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

    @staticmethod
    def _cache_key(kind: Kind, snapshot: Snapshot, page: int, page_size: int) -> str:
        return f"gegevens:{kind.value}:{snapshot.id}:{page_size}:{page}"

    def _page(self, kind: Kind, snapshot: Snapshot, query: GegevensQuery, now: dt.datetime) -> PageResult:
        page_size = query.page_size
        key = self._cache_key(kind, snapshot, query.page, page_size)
        with self._lock:
            ahead = self._ahead.get(key)
        built: _Built | None = None
        how = "prefetch"
        if ahead is not None:
            try:
                built = ahead.result()
            except Exception:  # logged where the build failed; built here instead
                built = None
        if built is None and self.caching:
            cached = self._from_cache(key, now)
            if cached is not None:
                body, headers, paginering = cached
                self._ahead_of(
                    kind, snapshot, paginering.current_page, paginering.total_pages, page_size, now
                )
                return PageResult(
                    body,
                    headers,
                    paginering.current_page,
                    paginering.total_pages,
                    paginering.total_records,
                    None,
                    "hit",
                    snapshot.id,
                )
        if built is None:
            how = "miss"
            built = self._build(kind, snapshot, query.page, page_size)
            if self.caching:
                keep_key = self._cache_key(kind, snapshot, built.page, page_size)
                self._background.submit(self._keep_quietly, keep_key, built, now)
        self._ahead_of(kind, snapshot, built.page, built.total_pages, page_size, now)
        return PageResult(
            built.body,
            built.headers,
            built.page,
            built.total_pages,
            built.total_records,
            built.records,
            how,
            snapshot.id,
        )

    def _build(self, kind: Kind, snapshot: Snapshot, page_number: int, page_size: int) -> _Built:
        """Select, assemble and sign one page."""
        page = self._store.page(snapshot, page_number, page_size)
        leveringen: Sequence[LeveringLike] = page.rows or [self._empty_levering(kind, snapshot.organisatie)]
        body = assemble_page(
            kind,
            start=snapshot.start,
            end=snapshot.end,
            delivered_at=snapshot.created_at,
            supplier_code=self._settings.supplier_code,
            leveringen=leveringen,
            paginering=Paginering(page.page_size, page.page, page.total_pages, page.total_records),
        )
        built = _Built(body, {}, page.page, page.total_pages, page.total_records, page.record_count)
        del page, leveringen  # the record bytes: only the assembled page is needed from here on
        if self._identity is not None:
            built.headers = signed_headers(body, self._identity)
        return built

    # --- building ahead and keeping -------------------------------------------------------------------------

    def _ahead_of(
        self, kind: Kind, snapshot: Snapshot, page: int, total_pages: int, page_size: int, now: dt.datetime
    ) -> None:
        """Build the page after `page` in the background, unless it is the last, kept already or under way."""
        if not self.caching or page >= total_pages:
            return
        key = self._cache_key(kind, snapshot, page + 1, page_size)
        with self._lock:
            if key in self._ahead:
                return
            future: Future[_Built | None] = Future()
            self._ahead[key] = future
        try:
            self._background.submit(self._build_ahead, key, future, kind, snapshot, page + 1, page_size, now)
        except RuntimeError:  # shutting down
            with self._lock:
                self._ahead.pop(key, None)

    def _build_ahead(
        self,
        key: str,
        future: Future[_Built | None],
        kind: Kind,
        snapshot: Snapshot,
        page: int,
        page_size: int,
        now: dt.datetime,
    ) -> None:
        """Build and keep one page ahead of its request; the future resolves as soon as it is built (None when
        it was kept already), so a request waiting for it need not wait for the keeping as well."""
        built: _Built | None = None
        try:
            if not self._store.has_cached_page(key, now=now):
                built = self._build(kind, snapshot, page, page_size)
        except Exception as exc:
            expected = isinstance(exc, StoreError | SQLAlchemyError | SnapshotExpired)
            log.log(
                logging.INFO if expected else logging.ERROR,
                "volgende pagina niet vooraf gemaakt: %s",
                type(exc).__name__,
                exc_info=not expected,
            )
            with self._lock:
                self._ahead.pop(key, None)
            future.set_exception(exc)
            return
        future.set_result(built)
        try:
            if built is not None:
                self._keep(key, built, now)
        finally:
            with self._lock:
                self._ahead.pop(key, None)
            del built
            release_free_memory()

    def _keep_quietly(self, key: str, built: _Built, now: dt.datetime) -> None:
        try:
            self._keep(key, built, now)
        finally:
            release_free_memory()

    def _keep(self, key: str, built: _Built, now: dt.datetime) -> None:
        """Keep a page in the cache (compressed, with its headers); a failure only costs a rebuild later."""
        head = _CACHE_MAGIC + orjson.dumps({**built.headers, _SIGNER: self._signer}) + b"\n"
        compressor = zstandard.ZstdCompressor(level=_CACHE_COMPRESSION, write_checksum=True)
        chunks = compressor.compressobj(size=len(head) + len(built.body))
        compressed = chunks.compress(head) + chunks.compress(built.body) + chunks.flush()
        try:
            with self._writes:
                self._store.cache_page(key, compressed, now=now)
        except (StoreError, SQLAlchemyError) as exc:
            # The answer has gone out already; without a cache entry the next request rebuilds it.
            log.warning("pagina niet in de cache gezet: %s", type(exc).__name__)

    def _from_cache(self, key: str, now: dt.datetime) -> tuple[bytes, dict[str, str], Paginering] | None:
        """A kept page with its headers; None when there is none or it cannot be used (then it is rebuilt).

        The store checks the stored SHA-256 on every read; here Zstandard's checksum, the framing, the page's
        opening, the kept Digest against the page and the signing certificate are checked as well.
        """
        with self._writes:
            stored = self._store.cached_page(key, now=now)
        if stored is None:
            return None
        unpacked = self._unpack(stored)
        if unpacked is None:
            log.warning("gecachte pagina is onbruikbaar en wordt opnieuw opgebouwd")
        return unpacked

    def _unpack(self, stored: bytes) -> tuple[bytes, dict[str, str], Paginering] | None:
        try:
            data = zstandard.ZstdDecompressor().decompress(stored)
        except zstandard.ZstdError:
            return None
        if not data.startswith(_CACHE_MAGIC):
            return None
        end = data.find(b"\n", len(_CACHE_MAGIC))
        try:
            head = orjson.loads(data[len(_CACHE_MAGIC) : end]) if end > 0 else None
        except orjson.JSONDecodeError:
            head = None
        body = data[end + 1 :] if end > 0 else b""
        del data
        if not isinstance(head, dict) or head.pop(_SIGNER, None) != self._signer:
            return None
        if not body.startswith(b'{"gegevens":{'):
            return None
        if self._identity is not None and head.get("Digest") != digest_header(body):
            return None
        try:
            paginering = Paginering.from_body(body)
        except (ValueError, KeyError, orjson.JSONDecodeError):
            return None
        return body, {str(k): str(v) for k, v in head.items()}, paginering

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
