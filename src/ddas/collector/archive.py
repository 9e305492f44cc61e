"""The immutable raw archive: every page exactly as received, before anything reads it (SPEC.md §7).

The raw pages are the only place on the collecting side where BSNs exist, so they live in a folder with tight
permissions, not in the warehouse database that analysts query. Layout under `root`:

    objects/<sha256[:2]>/<sha256>.json.zst   the body, Zstandard (level 3, with checksum), read-only
    index.jsonl                              one line per received page: which provider, period, page, when,
                                             how it verified, the integrity headers, and the object's hash

Objects are content-addressed, so the same body fetched twice is stored once (and listed twice in the index).
Every write is atomic (temporary file, fsync, rename) so a crash leaves either the old state or the new one;
an intact object is never rewritten. The index is append-only; a line torn by a crash is the only damage it can
take: it is skipped on reading and cut off before the next append (or, when it is whole but for its newline,
kept and completed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import zstandard

from ddas.collector.errors import ArchiveError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one writer per archive
    fcntl = None  # type: ignore[assignment]

__all__ = ["INDEX_HEADERS", "ArchivedPage", "RawArchive"]

#: The response headers the index keeps (lower case): what is needed to re-verify a page later, nothing more.
INDEX_HEADERS = ("digest", "nlgov-adr-payload-sig", "content-type")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_LEVEL = 3
_CHUNK = 1 << 20
_READ_ONLY = 0o444


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One index entry: a received page and where its body is stored (`object_path` is relative to the root)."""

    sha256: str
    size: int
    provider: str
    kind: str
    period: str
    page: int
    fetched_at: datetime
    verification: Mapping[str, Any]
    headers: Mapping[str, str]
    object_path: str

    def to_json(self) -> dict[str, Any]:
        """The index line's fields (stable English keys)."""
        return {
            "sha256": self.sha256,
            "size": self.size,
            "provider": self.provider,
            "kind": self.kind,
            "period": self.period,
            "page": self.page,
            "fetched_at": self.fetched_at.isoformat(),
            "verification": dict(self.verification),
            "headers": dict(self.headers),
            "object": self.object_path,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArchivedPage:
        """An index line back into an entry; KeyError/TypeError/ValueError when it is not one."""
        sha256 = data["sha256"]
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise ValueError("sha256")
        verification = data["verification"]
        headers = data["headers"]
        if not isinstance(verification, dict) or not isinstance(headers, dict):
            raise TypeError("verification/headers")
        return cls(
            sha256=sha256,
            size=int(data["size"]),
            provider=str(data["provider"]),
            kind=str(data["kind"]),
            period=str(data["period"]),
            page=int(data["page"]),
            fetched_at=datetime.fromisoformat(data["fetched_at"]),
            verification=verification,
            headers={str(k): str(v) for k, v in headers.items()},
            object_path=str(data["object"]),
        )


class RawArchive:
    """The raw archive in a folder; safe to use from several processes on one machine (the index is locked)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.objects = self.root / "objects"
        self.index = self.root / "index.jsonl"

    def __repr__(self) -> str:
        return f"RawArchive({str(self.root)!r})"

    def object_path(self, sha256: str) -> Path:
        """Where the body with this hash is (or would be) stored."""
        return self.objects / sha256[:2] / f"{sha256}.json.zst"

    def put(
        self,
        body: bytes,
        *,
        provider: str,
        kind: str,
        period: str,
        page: int,
        fetched_at: datetime,
        verification: Mapping[str, Any],
        headers: Mapping[str, str],
    ) -> ArchivedPage:
        """Store a body (once per content) and record this receipt of it in the index.

        The object is durable before the index line is written, so an index line never points at nothing.
        """
        if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
            raise ArchiveError("fetched_at moet een tijdzone hebben (bijvoorbeeld UTC)")
        try:
            # Through JSON and back: the entry returned equals the one `entries()` reads later.
            kept = orjson.loads(orjson.dumps(dict(verification), option=orjson.OPT_NON_STR_KEYS))
        except orjson.JSONEncodeError as exc:
            raise ArchiveError(f"verificatiegegevens zijn niet als JSON op te slaan: {exc}") from None
        sha256 = hashlib.sha256(body).hexdigest()
        target = self.object_path(sha256)
        entry = ArchivedPage(
            sha256=sha256,
            size=len(body),
            provider=provider,
            kind=kind,
            period=period,
            page=page,
            fetched_at=fetched_at,
            verification=kept,
            headers=_kept_headers(headers),
            object_path=target.relative_to(self.root).as_posix(),
        )
        line = orjson.dumps(entry.to_json()) + b"\n"
        try:
            if not self._intact(target, sha256):
                self._write_object(target, body)
            self._append(line)
        except OSError as exc:
            raise ArchiveError(f"archief {self.root}: schrijven mislukt: {exc.strerror or exc}") from None
        return entry

    def has(self, sha256: str) -> bool:
        """Whether an object with this hash is stored (not whether it is intact: `get` checks that)."""
        return bool(_SHA256.fullmatch(sha256)) and self.object_path(sha256).is_file()

    def get(self, sha256: str) -> bytes:
        """The body with this hash, checked against the hash; ArchiveError when missing or damaged."""
        if not _SHA256.fullmatch(sha256):
            raise ArchiveError(f"{sha256!r} is geen SHA-256 (64 kleine hexadecimale tekens)")
        path = self.object_path(sha256)
        try:
            with path.open("rb") as handle:
                body = _decompress(handle)
        except FileNotFoundError:
            raise ArchiveError(f"archiefobject {sha256} ontbreekt ({path})") from None
        except OSError as exc:
            raise ArchiveError(f"archiefobject {sha256} is niet te lezen: {exc.strerror or exc}") from None
        except zstandard.ZstdError:
            raise ArchiveError(
                f"archiefobject {sha256} is beschadigd (geen geldige Zstandard-data)"
            ) from None
        if hashlib.sha256(body).hexdigest() != sha256:
            raise ArchiveError(f"archiefobject {sha256} is beschadigd (de inhoud past niet bij de hash)")
        return body

    def entries(
        self, provider: str | None = None, kind: str | None = None, period: str | None = None
    ) -> list[ArchivedPage]:
        """Index entries in the order they were written, optionally filtered; [] for an empty archive."""
        return [
            entry
            for entry in self._read_index()
            if (provider is None or entry.provider == provider)
            and (kind is None or entry.kind == kind)
            and (period is None or entry.period == period)
        ]

    def _read_index(self) -> Iterator[ArchivedPage]:
        try:
            data = self.index.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ArchiveError(f"index {self.index} is niet te lezen: {exc.strerror or exc}") from None
        lines = data.split(b"\n")
        # After the last newline: empty when the file is whole, a fragment when a crash tore the last append.
        complete, tail = lines[:-1], lines[-1]
        for number, line in enumerate(complete, start=1):
            if not line.strip():
                continue
            entry = _parse_line(line)
            if entry is None:
                raise ArchiveError(f"index {self.index} is beschadigd op regel {number}")
            yield entry
        if tail.strip():
            entry = _parse_line(tail)
            if entry is not None:  # whole but for its newline; a torn fragment is skipped
                yield entry

    def _intact(self, target: Path, sha256: str) -> bool:
        """Whether the object is already stored whole; a damaged one is then replaced by the good bytes."""
        if not target.is_file():
            return False
        try:
            self.get(sha256)
        except ArchiveError:
            return False
        return True

    def _write_object(self, target: Path, body: bytes) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        compressed = zstandard.ZstdCompressor(level=_LEVEL, write_checksum=True).compress(body)
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".zst", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(compressed)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, _READ_ONLY)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        _fsync_directory(target.parent)

    def _append(self, line: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        created = not self.index.exists()
        fd = os.open(self.index, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            _repair_tail(fd)
            view = memoryview(line)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        if created:
            _fsync_directory(self.root)


def _kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Only the integrity headers, under lower-case names (HTTP header names are case-insensitive)."""
    kept: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in INDEX_HEADERS:
            kept[key] = value
    return kept


def _decompress(handle: BinaryIO) -> bytes:
    """Stream-decompress, so a damaged frame header claiming a huge size cannot make us allocate it up front."""
    parts: list[bytes] = []
    with zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True) as reader:
        while chunk := reader.read(_CHUNK):
            parts.append(chunk)
    return b"".join(parts)


def _parse_line(line: bytes) -> ArchivedPage | None:
    """An index line as an entry; None when it is not one (damaged, or torn by a crash)."""
    try:
        return ArchivedPage.from_json(orjson.loads(line))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None


def _repair_tail(fd: int) -> None:
    """Make the file end in a newline before appending, so a new line never glues onto a torn one.

    An unterminated last line that is still a whole entry gets its newline; a torn fragment is cut off (it
    was skipped on reading anyway, and its object, if any, is still stored).
    """
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    end = size
    step = 64 * 1024
    start = 0
    while end > 0:
        start = max(0, end - step)
        newline = os.pread(fd, end - start, start).rfind(b"\n")
        if newline >= 0:
            start += newline + 1
            break
        end = start
    tail = os.pread(fd, size - start, start)
    if _parse_line(tail) is not None:
        os.write(fd, b"\n")
    else:
        os.ftruncate(fd, start)


def _fsync_directory(path: Path) -> None:
    """Make a rename or a new file in `path` durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
