"""What makes a re-delivered record the same record, and the columns the store derives from a record.

Natural keys (docs/provider-design.md): traject = (organisation, gemeentecode, sorted client keys, start date);
vroegsignaal = (organisation, gemeentecode, ID); zaak = (organisation, gemeentecode, sorted signal IDs).
Keys that contain personal data (client keys hold BSNs) are stored as SHA-256, never in clear; the
organisation is a column of its own, so the hashes here cover the rest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import orjson

from ddas.rules.samenloop import client_key

__all__ = [
    "content_hash",
    "parse_date",
    "sha256_hex",
    "signal_refs",
    "traject_client_keys",
    "traject_end",
    "traject_key",
    "traject_start",
    "zaak_key",
]

_SEP = "\x1f"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def content_hash(record: Any) -> str:
    """SHA-256 of the record with sorted keys: the same content delivered in another key order is unchanged."""
    return sha256_hex(orjson.dumps(record, option=orjson.OPT_SORT_KEYS))


def parse_date(value: Any) -> dt.date | None:
    """A `YYYY-MM-DD` string as a date; None for anything else (the validator has reported it already)."""
    if value.__class__ is not str or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def traject_start(traject: Mapping[str, Any]) -> dt.date | None:
    """The traject's start as the validator reads it: `startdatum`, else `aanmelding.startdatum`."""
    start = parse_date(traject.get("startdatum"))
    if start is None:
        aanmelding = traject.get("aanmelding")
        if isinstance(aanmelding, dict):
            start = parse_date(aanmelding.get("startdatum"))
    return start


def traject_end(traject: Mapping[str, Any]) -> dt.date | None:
    return parse_date(traject.get("einddatum"))


def _client_key_text(client: Any) -> str | None:
    key = client_key(client)
    if key is None:
        return None
    return key if isinstance(key, str) else _SEP.join(key)


def traject_client_keys(traject: Mapping[str, Any]) -> list[str | None]:
    """Per client (in delivered order): the SHA-256 of its identifying key, None when it has none."""
    clients = traject.get("client")
    if not isinstance(clients, list):
        return []
    keys: list[str | None] = []
    for client in clients:
        text = _client_key_text(client)
        keys.append(sha256_hex(text.encode()) if text is not None else None)
    return keys


def traject_key(gemeentecode: str, client_hashes: list[str | None], start: dt.date, record: Any) -> str:
    """The natural key of a traject within its organisation.

    A traject whose clients cannot be identified (only possible with warnings accepted) falls back to the
    content of its clients, so that the same delivery still maps onto the same traject.
    """
    keys = sorted(k for k in client_hashes if k is not None)
    if not keys:
        clients = record.get("client") if isinstance(record, dict) else None
        keys = [content_hash(clients)]
    return sha256_hex(_SEP.join((gemeentecode, *keys, start.isoformat())).encode())


def signal_refs(zaak: Mapping[str, Any]) -> list[str]:
    """The signal IDs a zaak refers to, in delivered order, each once."""
    refs = zaak.get("vroegsignalen")
    ids: list[str] = []
    if isinstance(refs, list):
        for ref in refs:
            if isinstance(ref, dict):
                value = ref.get("ID")
                if isinstance(value, str) and value not in ids:
                    ids.append(value)
    return ids


def zaak_key(signal_ids: list[str]) -> str:
    """The natural key of a zaak within (organisation, gemeentecode): its sorted signal IDs."""
    return sha256_hex(_SEP.join(sorted(signal_ids)).encode())
