"""A whole DDAS delivery from converted records, so that ``ddas validate`` can check an export before import.

Leveringen follow the uitwisselvarianten (SPEC.md §2): one levering per (organisation, gemeente), numbered
``teller`` 1..n in the order the records came; a party delivering for several gemeenten thus gets one levering
per gemeente. Records are taken as they are — a traject outside the period is not dropped here, because
pointing it out is the validator's job.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from ddas.sources.result import SourceRecord, SourceResult
from ddas.spec.kinds import Kind

__all__ = ["leveringen", "to_document"]

Period = tuple[dt.date | str, dt.date | str]


def _iso(day: dt.date | str) -> str:
    return day.isoformat() if isinstance(day, dt.date) else day


def leveringen(kind: Kind, records: Iterable[SourceRecord]) -> list[dict[str, Any]]:
    """Records grouped into leveringen per (organisation, gemeentecode), teller 1..n."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        org_key = json.dumps(record["organisatie"], sort_keys=True, ensure_ascii=False)
        key = (org_key, record["gemeentecode"])
        levering = groups.get(key)
        if levering is None:
            levering = {"teller": len(groups) + 1}
            if kind is Kind.VS:
                levering["gemeentecode"] = record["gemeentecode"]
            levering["aanleverende_organisatie"] = record["organisatie"]
            groups[key] = levering
        if record["type"] == "schuldhulptraject":
            levering.setdefault("schuldhulptrajecten", []).append(record["record"])
        elif record["type"] == "vroegsignaal":
            levering.setdefault("vroegsignalen", []).append(record["record"])
        else:
            levering.setdefault("vroegsignaalzaken", []).append(record["record"])
    return list(groups.values())


def to_document(
    result: SourceResult,
    period: Period,
    supplier_code: str,
    *,
    delivered_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The DDAS document (SHV v1.0 or VS v0.9) holding every record of ``result``.

    ``period`` is (startdatumLevering, einddatumLevering); ``supplier_code`` the codeGegevensleverancier
    (software name and version); ``delivered_at`` defaults to now, in UTC, whole seconds.
    """
    moment = delivered_at or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    stamp = moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "startdatumLevering": _iso(period[0]),
        "einddatumLevering": _iso(period[1]),
        "aanleverdatumEnTijd": stamp,
        "codeGegevensleverancier": supplier_code,
        "leveringen": leveringen(result.kind, result.records),
    }
