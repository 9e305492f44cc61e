"""The store: one object per database, holding the engine and the lifetimes of snapshots and cached pages.

How one request series is recognised: the koppelvlak has no series token, so a snapshot is found again by
the request itself — kind, period and organisation. The first request creates a snapshot; every identical
request within the snapshot's lifetime (default 24 h, the koppelvlak's "refresh at least daily") pages through
the same frozen versions, so data imported in between neither duplicates nor drops a record. Data imported
after a snapshot was made shows in answers once that snapshot has expired (or when the caller asks for a new
one with `reuse=False`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import OrderedDict
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from ddas.provider.store import db, selection
from ddas.provider.store.errors import SnapshotExpired, StoreError, StoreUnavailable
from ddas.provider.store.models import (
    Organisatie,
    OrganisatieGemeente,
    PageCacheEntry,
    SnapshotItem,
    SnapshotRow,
    Traject,
    Vroegsignaal,
    Zaak,
    table_of,
)
from ddas.provider.store.selection import Page, PageGroup, Snapshot
from ddas.spec.kinds import Kind

__all__ = ["DEFAULT_CACHE_TTL", "DEFAULT_SNAPSHOT_TTL", "Store", "utc_naive"]

log = logging.getLogger("ddas.provider.store")

DEFAULT_SNAPSHOT_TTL = dt.timedelta(hours=24)
DEFAULT_CACHE_TTL = dt.timedelta(hours=24)

#: Above this many pages the bounds of a VS snapshot are computed from one query over all group ends.
_BOUNDS_BY_QUERY = 64
_BOUNDS_CACHE = 256


def utc_naive(moment: dt.datetime | None) -> dt.datetime:
    """`moment` (or now) as naive UTC, the store's convention; a naive moment is taken to be UTC already."""
    if moment is None:
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if moment.tzinfo is not None:
        return moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC)


class Store:
    """A provider store: import into it (`ddas.provider.store.import_delivery`), select and page from it."""

    def __init__(
        self,
        engine: Engine,
        *,
        snapshot_ttl: dt.timedelta = DEFAULT_SNAPSHOT_TTL,
        cache_ttl: dt.timedelta = DEFAULT_CACHE_TTL,
    ) -> None:
        if snapshot_ttl <= dt.timedelta(0) or cache_ttl <= dt.timedelta(0):
            raise ValueError("snapshot_ttl and cache_ttl must be positive")
        self.engine = engine
        self.snapshot_ttl = snapshot_ttl
        self.cache_ttl = cache_ttl
        self._bounds: OrderedDict[tuple[int, int], list[int]] = OrderedDict()

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        snapshot_ttl: dt.timedelta = DEFAULT_SNAPSHOT_TTL,
        cache_ttl: dt.timedelta = DEFAULT_CACHE_TTL,
        migrate: bool = True,
        echo: bool = False,
    ) -> Store:
        """Open the store at `url` (default: `sqlite:///ddas-store.sqlite`; a plain path is a SQLite file) and
        bring its schema to the newest revision.

        Raises StoreUrlError for an unusable address and StoreUnavailable when the database cannot be reached.
        """
        parsed = db.normalise_url(url)
        engine = db.make_engine(parsed, echo=echo)
        try:
            if migrate:
                db.upgrade(engine)
            else:
                with engine.connect():
                    pass
        except (OperationalError, DBAPIError) as exc:
            engine.dispose()
            raise StoreUnavailable(
                f"De opslag {db.display_url(parsed)} is niet bereikbaar of niet te openen "
                f"({type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__})."
            ) from exc
        except Exception as exc:
            engine.dispose()
            if type(exc).__module__.startswith("alembic"):
                raise StoreError(
                    f"Het schema van de opslag {db.display_url(parsed)} is niet bij te werken: {exc}. "
                    "Is de opslag gemaakt met een nieuwere versie van ddas?"
                ) from exc
            raise
        return cls(engine, snapshot_ttl=snapshot_ttl, cache_ttl=cache_ttl)

    @property
    def url(self) -> str:
        """The database address with any password hidden."""
        return db.display_url(self.engine.url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- organisations and counts -------------------------------------------------------------------------

    def organisaties(self, kind: Kind | None = None) -> list[str]:
        """The organisations in the store (with data of `kind`, when given), by name."""
        org = table_of(Organisatie)
        env = table_of(OrganisatieGemeente)
        query = select(org.c.naam).order_by(org.c.naam)
        if kind is not None:
            query = query.where(
                select(env.c.id)
                .where(env.c.organisatie_id == org.c.id, env.c.kind == Kind(kind).value)
                .exists()
            )
        with self.engine.connect() as connection:
            return [row[0] for row in connection.execute(query)]

    def organisatie_json(self, naam: str, kind: Kind, gemeentecode: str | None = None) -> bytes | None:
        """The `aanleverende_organisatie` object an organisation last delivered for a kind (and gemeente)."""
        org = table_of(Organisatie)
        env = table_of(OrganisatieGemeente)
        query = (
            select(env.c.aanleverende_organisatie)
            .join(org, org.c.id == env.c.organisatie_id)
            .where(org.c.naam == naam, env.c.kind == Kind(kind).value)
            .order_by(env.c.updated_at.desc(), env.c.id.desc())
            .limit(1)
        )
        if gemeentecode is not None:
            query = query.where(env.c.gemeentecode == gemeentecode)
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar()
        return bytes(value) if value is not None else None

    def counts(self) -> dict[str, int]:
        """Current records per type, and all versions ever stored: for summaries and tests."""
        out: dict[str, int] = {}
        with self.engine.connect() as connection:
            for name, table in (("trajecten", Traject), ("vroegsignalen", Vroegsignaal), ("zaken", Zaak)):
                t = table_of(table)
                out[name] = connection.execute(
                    select(func.count()).where(t.c.valid_to.is_(None))
                ).scalar_one()
                out[f"{name}_versies"] = connection.execute(select(func.count()).select_from(t)).scalar_one()
            out["organisaties"] = connection.execute(
                select(func.count()).select_from(table_of(Organisatie))
            ).scalar_one()
        return out

    # --- snapshots and pages ------------------------------------------------------------------------------

    def snapshot(
        self,
        kind: Kind | str,
        start: dt.date,
        end: dt.date,
        organisatie: str | None = None,
        *,
        now: dt.datetime | None = None,
        as_of: dt.datetime | None = None,
        reuse: bool = True,
    ) -> Snapshot:
        """The frozen selection for a request: found again for an identical request within its lifetime
        (`reuse`), made otherwise. `organisatie` restricts to one organisation by name (exact, else the one
        name that matches ignoring case; an unknown name selects nothing).

        `now` is the moment of the request (the snapshot's creation, for its lifetime); the selection reads
        the current versions. `as_of` reads the versions valid at an earlier moment instead — slower, for
        looking back rather than serving."""
        kind = Kind(kind)
        if start > end:
            raise ValueError(f"period starts ({start}) after it ends ({end})")
        moment = utc_naive(now)
        wanted = organisatie.strip() if organisatie is not None else None
        with self.engine.connect() as connection:
            org = self._resolve_organisatie(connection, wanted) if wanted else None
        naam = org[1] if org else wanted
        looking_back = utc_naive(as_of) if as_of is not None else None
        key = hashlib.sha256(
            f"{kind.value}|{start}|{end}|{naam or ''}|{looking_back or ''}".encode()
        ).hexdigest()
        if reuse:
            found = self._find_snapshot(key, moment)
            if found is not None:
                return found
        self.purge_expired(now=moment)
        table = table_of(SnapshotRow)
        expires = moment + self.snapshot_ttl
        with self.engine.begin() as connection:
            sid = connection.execute(
                insert(table)
                .values(
                    kind=kind.value,
                    request_key=key,
                    periode_start=start,
                    periode_eind=end,
                    organisatie=naam,
                    created_at=moment,
                    expires_at=expires,
                    total_records=0,
                    total_items=0,
                )
                .returning(table.c.id)
            ).scalar_one()
            org_id = org[0] if org else (-1 if wanted else None)
            total_records, total_items = selection.fill_snapshot(
                connection, sid, kind, start, end, org_id, looking_back
            )
            connection.execute(
                update(table)
                .where(table.c.id == sid)
                .values(total_records=total_records, total_items=total_items)
            )
        log.info("snapshot %s (%s) made: %d records, %d items", sid, kind.value, total_records, total_items)
        return Snapshot(
            sid,
            kind,
            start,
            end,
            naam,
            _aware(moment),
            _aware(expires),
            total_records,
            total_items,
            reused=False,
        )

    def _resolve_organisatie(self, connection: Any, naam: str) -> tuple[int, str] | None:
        org = table_of(Organisatie)
        row = connection.execute(select(org.c.id, org.c.naam).where(org.c.naam == naam)).first()
        if row is None:
            rows = connection.execute(
                select(org.c.id, org.c.naam).where(func.lower(org.c.naam) == naam.lower()).limit(2)
            ).all()
            row = rows[0] if len(rows) == 1 else None
        return (int(row[0]), str(row[1])) if row is not None else None

    def _find_snapshot(self, key: str, moment: dt.datetime) -> Snapshot | None:
        table = table_of(SnapshotRow)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table)
                .where(table.c.request_key == key, table.c.created_at <= moment, table.c.expires_at > moment)
                .order_by(table.c.created_at.desc(), table.c.id.desc())
                .limit(1)
            ).first()
        if row is None:
            return None
        return Snapshot(
            row.id,
            Kind(row.kind),
            row.periode_start,
            row.periode_eind,
            row.organisatie,
            _aware(row.created_at),
            _aware(row.expires_at),
            row.total_records,
            row.total_items,
            reused=True,
        )

    def purge_expired(self, *, now: dt.datetime | None = None) -> int:
        """Delete expired snapshots (with their items) and stale cached pages; returns snapshots deleted."""
        moment = utc_naive(now)
        snapshots = table_of(SnapshotRow)
        items = table_of(SnapshotItem)
        cache = table_of(PageCacheEntry)
        with self.engine.begin() as connection:
            expired = [
                row[0]
                for row in connection.execute(select(snapshots.c.id).where(snapshots.c.expires_at <= moment))
            ]
            if expired:
                connection.execute(delete(items).where(items.c.snapshot_id.in_(expired)))
                connection.execute(delete(snapshots).where(snapshots.c.id.in_(expired)))
            connection.execute(delete(cache).where(cache.c.created_at <= moment - self.cache_ttl))
        for sid in expired:
            for key in [k for k in self._bounds if k[0] == sid]:
                del self._bounds[key]
        return len(expired)

    def page(self, snapshot: Snapshot, page: int, page_size: int) -> Page:
        """Page `page` (1-based) of `page_size` trajecten / vroegsignalen; a page that does not exist gives the
        first page. VS pages hold whole zaken with all their signals, so a page may end a little early.

        Raises SnapshotExpired when the snapshot has been purged.
        """
        if page_size < 1:
            raise ValueError("page_size must be 1 or more")
        snapshots = table_of(SnapshotRow)
        with self.engine.connect() as connection:
            if (
                connection.execute(select(snapshots.c.id).where(snapshots.c.id == snapshot.id)).first()
                is None
            ):
                raise SnapshotExpired(
                    "De selectie voor deze reeks pagina's is verlopen; vraag de eerste pagina opnieuw op."
                )
            bounds = self._page_bounds(connection, snapshot, page_size)
            total_pages = max(1, len(bounds) - 1)
            if page < 1 or page > total_pages:
                page = 1
            low = bounds[page - 1] if page > 1 else -1
            high = bounds[page] if len(bounds) > 1 else 0
            rows = selection.page_rows(connection, snapshot.id, snapshot.kind, low, high)
            groups = self._groups(connection, snapshot.kind, rows)
        return Page(snapshot.kind, snapshot.id, page, page_size, total_pages, snapshot.total_records, groups)

    def _page_bounds(self, connection: Any, snapshot: Snapshot, size: int) -> list[int]:
        total = snapshot.total_records
        if snapshot.kind is Kind.SHV:
            return [*range(0, total, size), total] if total else [0]
        key = (snapshot.id, size)
        cached = self._bounds.get(key)
        if cached is not None:
            self._bounds.move_to_end(key)
            return cached
        if total == 0:
            bounds = [0]
        elif total / size > _BOUNDS_BY_QUERY:
            bounds = selection.greedy_bounds(selection.all_group_ends(connection, snapshot.id), total, size)
        else:
            bounds = [0]
            while bounds[-1] < total:
                bounds.append(selection.page_bounds_query(connection, snapshot.id, bounds[-1], size))
        self._bounds[key] = bounds
        if len(self._bounds) > _BOUNDS_CACHE:
            self._bounds.popitem(last=False)
        return bounds

    def _groups(
        self, connection: Any, kind: Kind, rows: list[tuple[str, int, str, bytes]]
    ) -> list[PageGroup]:
        """Consecutive rows of one (organisation, gemeentecode) become one group, with its envelope."""
        runs: list[tuple[int, str, list[bytes], list[bytes]]] = []
        for record_type, org_id, gemeentecode, record in rows:
            if not runs or runs[-1][0] != org_id or runs[-1][1] != gemeentecode:
                runs.append((org_id, gemeentecode, [], []))
            (runs[-1][3] if record_type == "Z" else runs[-1][2]).append(record)
        if not runs:
            return []
        org = table_of(Organisatie)
        env = table_of(OrganisatieGemeente)
        org_ids = sorted({run[0] for run in runs})
        names: dict[int, str] = {}
        envelopes: dict[tuple[int, str], bytes] = {}
        fallback: dict[int, bytes] = {}
        for row in connection.execute(
            select(org.c.id, org.c.naam, env.c.gemeentecode, env.c.aanleverende_organisatie)
            .join(env, (env.c.organisatie_id == org.c.id) & (env.c.kind == kind.value), isouter=True)
            .where(org.c.id.in_(org_ids))
        ):
            names[row.id] = row.naam
            if row.aanleverende_organisatie is not None:
                envelopes[(row.id, row.gemeentecode)] = bytes(row.aanleverende_organisatie)
                fallback.setdefault(row.id, bytes(row.aanleverende_organisatie))
        groups: list[PageGroup] = []
        for org_id, gemeentecode, records, zaken in runs:
            envelope = envelopes.get((org_id, gemeentecode)) or fallback.get(org_id) or b"{}"
            groups.append(PageGroup(names.get(org_id, ""), gemeentecode, envelope, records, zaken))
        return groups

    # --- page cache ---------------------------------------------------------------------------------------

    @staticmethod
    def _cache_key(key: str) -> str:
        return key if len(key) <= 200 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()

    def cache_page(self, key: str, body: bytes, *, now: dt.datetime | None = None) -> None:
        """Keep a response page under `key`, with its SHA-256 (replacing what was there)."""
        table = table_of(PageCacheEntry)
        stored_key = self._cache_key(key)
        with self.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.key == stored_key))
            connection.execute(
                insert(table).values(
                    key=stored_key,
                    body=body,
                    sha256=hashlib.sha256(body).hexdigest(),
                    created_at=utc_naive(now),
                )
            )

    def has_cached_page(self, key: str, *, now: dt.datetime | None = None) -> bool:
        """Whether a page is kept under `key` within the cache lifetime (its bytes are checked when read)."""
        table = table_of(PageCacheEntry)
        moment = utc_naive(now)
        with self.engine.connect() as connection:
            found = connection.execute(
                select(table.c.key).where(
                    table.c.key == self._cache_key(key), table.c.created_at > moment - self.cache_ttl
                )
            ).first()
        return found is not None

    def cached_page(self, key: str, *, now: dt.datetime | None = None) -> bytes | None:
        """The page kept under `key`, checked against its SHA-256 on every read. A page older than the cache
        lifetime, or one whose bytes no longer match, is deleted and None returned: it is rebuilt, never served.
        """
        table = table_of(PageCacheEntry)
        stored_key = self._cache_key(key)
        moment = utc_naive(now)
        with self.engine.connect() as connection:
            row = connection.execute(
                select(table.c.body, table.c.sha256, table.c.created_at).where(table.c.key == stored_key)
            ).first()
        if row is None:
            return None
        body = bytes(row.body)
        stale = row.created_at + self.cache_ttl <= moment
        corrupt = hashlib.sha256(body).hexdigest() != row.sha256
        if stale or corrupt:
            if corrupt:
                log.warning("cached page failed its SHA-256 check and was removed (%d bytes)", len(body))
            with self.engine.begin() as connection:
                connection.execute(delete(table).where(table.c.key == stored_key))
            return None
        return body
