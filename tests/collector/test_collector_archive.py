"""The raw archive: content-addressed Zstandard objects, an append-only index, damage detected, crashes survived."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import zstandard

from ddas.collector.archive import INDEX_HEADERS, ArchivedPage, RawArchive
from ddas.collector.errors import ArchiveError, CollectorError

FETCHED = datetime(2025, 7, 1, 9, 30, tzinfo=UTC)
BODY = (
    b'{"gegevens": {"leveringen": [{"Burgerservicenummer": "123456782"}]}, "paginering": {"currentPage": 1}}'
)
HEADERS = {
    "Content-Type": "application/json",
    "Digest": "SHA-256=abc=",
    "NLGov-ADR-Payload-Sig": "eyJhbGciOiJQUzI1NiJ9..c2ln",
    "Set-Cookie": "sessie=geheim",
    "Date": "Tue, 01 Jul 2025 09:30:00 GMT",
}


def _put(archive: RawArchive, body: bytes = BODY, **changes: Any) -> ArchivedPage:
    arguments: dict[str, Any] = {
        "provider": "gemeente-utrecht",
        "kind": "shv",
        "period": "2025-H1",
        "page": 1,
        "fetched_at": FETCHED,
        "verification": {"form": "exact-bytes", "oin": "00000001234567890000", "ok": True},
        "headers": HEADERS,
    }
    arguments.update(changes)
    return archive.put(body, **arguments)


def _make_writable(path: Path) -> None:
    path.chmod(0o644)


def test_round_trip(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "archief")
    entry = _put(archive)

    sha = hashlib.sha256(BODY).hexdigest()
    assert entry.sha256 == sha
    assert entry.size == len(BODY)
    assert entry.object_path == f"objects/{sha[:2]}/{sha}.json.zst"
    assert entry.headers == {
        "content-type": "application/json",
        "digest": "SHA-256=abc=",
        "nlgov-adr-payload-sig": "eyJhbGciOiJQUzI1NiJ9..c2ln",
    }
    assert set(entry.headers) <= set(INDEX_HEADERS)
    assert archive.has(sha)
    assert archive.get(sha) == BODY
    assert archive.entries() == [entry]

    stored = (tmp_path / "archief" / entry.object_path).read_bytes()
    assert zstandard.get_frame_parameters(stored).has_checksum
    assert BODY not in stored  # compressed, not plain

    lines = (tmp_path / "archief" / "index.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line == {
        "sha256": sha,
        "size": len(BODY),
        "provider": "gemeente-utrecht",
        "kind": "shv",
        "period": "2025-H1",
        "page": 1,
        "fetched_at": "2025-07-01T09:30:00+00:00",
        "verification": {"form": "exact-bytes", "oin": "00000001234567890000", "ok": True},
        "headers": entry.headers,
        "object": entry.object_path,
    }
    assert "geheim" not in lines[0]
    assert list(tmp_path.rglob(".tmp-*")) == []


def test_verification_values_come_back_as_json(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    when = datetime(2025, 7, 1, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    entry = _put(archive, fetched_at=when, verification={"checked_at": when, "chain": ["a", "b"], "n": 3})
    assert entry.verification == {"checked_at": "2025-07-01T11:00:00+02:00", "chain": ["a", "b"], "n": 3}
    assert archive.entries() == [entry]
    assert archive.entries()[0].fetched_at == when


def test_same_body_twice_is_one_object_and_two_index_lines(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    first = _put(archive)
    object_path = tmp_path / first.object_path
    before = object_path.stat()
    second = _put(archive, period="2025-H2", fetched_at=FETCHED + timedelta(days=1))

    assert first.sha256 == second.sha256
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == [object_path]
    after = object_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # never rewritten
    assert archive.entries() == [first, second]
    assert len((tmp_path / "index.jsonl").read_bytes().splitlines()) == 2


def test_entries_filter(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    a = _put(archive, b"1", provider="a", kind="shv", period="2025-H1")
    b = _put(archive, b"2", provider="b", kind="vs", period="2025-H1")
    c = _put(archive, b"3", provider="a", kind="shv", period="2025-H2", page=2)
    assert archive.entries(provider="a") == [a, c]
    assert archive.entries(kind="vs") == [b]
    assert archive.entries(period="2025-H1") == [a, b]
    assert archive.entries(provider="a", period="2025-H2") == [c]
    assert archive.entries(provider="z") == []


def test_empty_archive(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path / "nog-niet")
    assert archive.entries() == []
    assert not archive.has("0" * 64)
    assert not (tmp_path / "nog-niet").exists()  # reading creates nothing


def test_objects_are_read_only(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    path = tmp_path / _put(archive).object_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    if os.geteuid() != 0:  # root ignores file modes
        with pytest.raises(PermissionError):
            path.write_bytes(b"anders")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("flip", "beschadigd"),
        ("truncate", "beschadigd"),
        ("other content", "past niet bij de hash"),
        ("garbage", "beschadigd"),
        ("delete", "ontbreekt"),
    ],
)
def test_damaged_object_is_detected(tmp_path: Path, damage: str, expected: str) -> None:
    archive = RawArchive(tmp_path)
    entry = _put(archive)
    path = tmp_path / entry.object_path
    data = path.read_bytes()
    _make_writable(path)
    if damage == "flip":
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :])
    elif damage == "truncate":
        path.write_bytes(data[: len(data) - 6])
    elif damage == "other content":
        path.write_bytes(zstandard.ZstdCompressor(write_checksum=True).compress(BODY.replace(b"1", b"2")))
    elif damage == "garbage":
        path.write_bytes(b"niet gecomprimeerd")
    else:
        path.unlink()

    with pytest.raises(ArchiveError, match=expected) as caught:
        archive.get(entry.sha256)
    assert isinstance(caught.value, CollectorError)
    assert "123456782" not in str(caught.value)

    # Receiving the same body again restores the object; the damaged bytes are not trusted.
    _put(archive)
    assert archive.get(entry.sha256) == BODY
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_bad_hash_is_refused(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    with pytest.raises(ArchiveError, match="geen SHA-256"):
        archive.get("../../etc/passwd")
    assert not archive.has("../../etc/passwd")
    assert not archive.has("A" * 64)


def test_torn_last_index_line_is_skipped_and_cut_before_the_next_append(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    first = _put(archive)
    index = tmp_path / "index.jsonl"
    whole = index.read_bytes()
    with index.open("ab") as handle:
        handle.write(whole[: len(whole) // 2])  # a crash halfway through the second line

    assert archive.entries() == [first]

    third = _put(archive, b"derde", page=3)
    assert archive.entries() == [first, third]
    assert all(json.loads(line) for line in index.read_bytes().splitlines())
    assert index.read_bytes().endswith(b"\n")


def test_whole_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    first = _put(archive)
    index = tmp_path / "index.jsonl"
    index.write_bytes(index.read_bytes().rstrip(b"\n"))
    assert archive.entries() == [first]
    second = _put(archive, b"tweede", page=2)
    assert archive.entries() == [first, second]


def test_torn_only_line(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    (tmp_path / "index.jsonl").write_bytes(b'{"sha256": "ab')
    assert archive.entries() == []
    entry = _put(archive)
    assert archive.entries() == [entry]


def test_damage_in_the_middle_of_the_index_is_an_error(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    _put(archive)
    _put(archive, b"2")
    index = tmp_path / "index.jsonl"
    lines = index.read_bytes().splitlines(keepends=True)
    index.write_bytes(lines[0][:20] + b"\n" + lines[1])
    with pytest.raises(ArchiveError, match="regel 1"):
        archive.entries()


def test_bad_arguments_write_nothing(tmp_path: Path) -> None:
    archive = RawArchive(tmp_path)
    with pytest.raises(ArchiveError, match="tijdzone"):
        _put(archive, fetched_at=datetime(2025, 7, 1, 9, 30))
    with pytest.raises(ArchiveError, match="JSON"):
        _put(archive, verification={"object": object()})
    assert list(tmp_path.iterdir()) == []


def test_unwritable_root_is_an_archive_error(tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map", encoding="utf-8")
    with pytest.raises(ArchiveError, match="schrijven mislukt"):
        _put(RawArchive(blocker / "archief"))
