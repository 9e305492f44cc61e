"""Error bodies the service sends: RFC 9457 problem details and FSC errors (SPEC.md §6).

Titles and details are Dutch (people read them); `code` is a stable English value for machines. Building the
bytes here keeps every error the same shape whichever layer raised it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = [
    "FSC_ACCESS_TOKEN_EXPIRED",
    "FSC_ACCESS_TOKEN_INVALID",
    "FSC_ACCESS_TOKEN_MISSING",
    "FSC_DOMAIN_INWAY",
    "FSC_METHOD_UNSUPPORTED",
    "FSC_SERVICE_NOT_FOUND",
    "FSC_WRONG_GROUP",
    "PROBLEM_JSON",
    "FscError",
    "Problem",
]

PROBLEM_JSON = "application/problem+json"

FSC_ACCESS_TOKEN_MISSING = "ERROR_CODE_ACCESS_TOKEN_MISSING"
FSC_ACCESS_TOKEN_INVALID = "ERROR_CODE_ACCESS_TOKEN_INVALID"
FSC_ACCESS_TOKEN_EXPIRED = "ERROR_CODE_ACCESS_TOKEN_EXPIRED"
FSC_WRONG_GROUP = "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN"
FSC_SERVICE_NOT_FOUND = "ERROR_CODE_SERVICE_NOT_FOUND"
FSC_METHOD_UNSUPPORTED = "ERROR_CODE_METHOD_UNSUPPORTED"
FSC_DOMAIN_INWAY = "ERROR_DOMAIN_INWAY"

_PROBLEM_TYPE = "urn:ddas:problem:"


@dataclass
class Problem(Exception):
    """A request the service refuses with problem+json: 400, 401 (signature), 403 (signer not allowed), 408,
    413, 415, 422, 429, 500, 503."""

    status: int
    code: str
    title: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)
    #: Per-field problems for 400s: [{"pointer", "code", "detail"}].
    errors: list[dict[str, str]] = field(default_factory=list)
    #: Further members (RFC 9457 extensions), e.g. `detail_en`.
    extra: dict[str, Any] = field(default_factory=dict)

    def body(self, instance: str | None) -> bytes:
        """The problem details document; `instance` is the request path (a URI reference), None when the
        request was too broken to have one."""
        doc: dict[str, Any] = {
            "type": _PROBLEM_TYPE + self.code,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance is not None:
            doc["instance"] = instance
        doc["code"] = self.code
        if self.status in (401, 403):
            # A refused signature (or signer) shares 401/403 with FSC's token errors; with `domain` the body
            # satisfies both the problem-details and the FscError schema the OpenAPI document names for them.
            doc["domain"] = FSC_DOMAIN_INWAY
        if self.errors:
            doc["errors"] = self.errors
        doc.update(self.extra)
        return orjson.dumps(doc)


@dataclass
class FscError(Exception):
    """A refusal in FSC terms (401/403/404/405): header `Fsc-Error-Code` and the FSC error body."""

    status: int
    code: str
    title: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "code": self.code,
                "domain": FSC_DOMAIN_INWAY,
                "title": self.title,
                "detail": self.detail,
                "status": self.status,
            }
        )

    def all_headers(self) -> dict[str, str]:
        return {"Fsc-Error-Code": self.code, **self.headers}
