"""RFC 3230 `Digest` header: build `SHA-256=<base64>` for a body and check a received one against the body.

RFC 3230 allows a list of instance digests (`SHA-256=…, SHA-512=…`) with case-insensitive algorithm names. A
received header is accepted when it carries at least one algorithm we can compute and every one of those matches;
algorithms we do not know (MD5, SHA) are ignored rather than trusted. Values are compared after base64 decoding, so
padding or line-length differences between implementations do not matter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable

from ddas.signing.errors import SignatureError

__all__ = ["DIGEST_HEADER", "check_digest", "digest_header", "digest_matches"]

DIGEST_HEADER = "Digest"

_ALGORITHMS: dict[str, Callable[[bytes], bytes]] = {
    "sha-256": lambda data: hashlib.sha256(data).digest(),
    "sha-512": lambda data: hashlib.sha512(data).digest(),
}


def digest_header(body: bytes) -> str:
    """The value of the `Digest` header for `body`: `SHA-256=<standard base64 of SHA-256(body)>`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def check_digest(body: bytes, header: str) -> None:
    """Raise `SignatureError(SIG_DIGEST_MISMATCH)` saying precisely why `header` does not match `body`."""
    known: list[tuple[str, bytes]] = []
    for item in header.split(","):
        name, sep, value = item.strip().partition("=")
        if not sep or not name:
            raise _mismatch(
                f"de Digest-header is onleesbaar (verwacht 'SHA-256=<base64>', kreeg {_show(item)})",
                f"the Digest header is unreadable (expected 'SHA-256=<base64>', got {_show(item)})",
            )
        algorithm = name.strip().lower()
        if algorithm not in _ALGORITHMS:
            continue
        try:
            expected = base64.b64decode(value.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise _mismatch(
                f"de {name.strip()}-waarde in de Digest-header is geen geldige base64",
                f"the {name.strip()} value in the Digest header is not valid base64",
            ) from None
        known.append((algorithm, expected))
    if not known:
        raise _mismatch(
            "de Digest-header bevat geen SHA-256 (of SHA-512) waarde",
            "the Digest header carries no SHA-256 (or SHA-512) value",
        )
    for algorithm, expected in known:
        if not hmac.compare_digest(_ALGORITHMS[algorithm](body), expected):
            raise _mismatch(
                f"de {algorithm.upper()}-digest in de Digest-header hoort niet bij de ontvangen body "
                "(body onderweg gewijzigd of digest over andere bytes berekend)",
                f"the {algorithm.upper()} digest in the Digest header does not match the received body "
                "(body changed in transit or digest computed over other bytes)",
            )


def digest_matches(body: bytes, header: str) -> bool:
    """True when `header` carries a digest we can compute and every such digest matches `body`."""
    try:
        check_digest(body, header)
    except SignatureError:
        return False
    return True


def _mismatch(nl: str, en: str) -> SignatureError:
    return SignatureError("SIG_DIGEST_MISMATCH", nl, en)


def _show(text: str) -> str:
    """A short, printable excerpt of a header value for an error message (headers carry no personal data)."""
    text = text.strip()
    return repr(text if len(text) <= 40 else text[:40] + "…")
