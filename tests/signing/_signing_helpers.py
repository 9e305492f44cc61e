"""Hand-made JWS values for the signing tests: headers ddas itself would never produce."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

PSS_32 = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def x5c(chain: Sequence[x509.Certificate]) -> list[str]:
    return [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in chain]


def header_of(value: str) -> dict[str, Any]:
    header = json.loads(b64url_decode(value.split(".")[0]))
    assert isinstance(header, dict)
    return header


def encode_header(header: dict[str, Any]) -> str:
    return b64url(json.dumps(header, separators=(",", ":")).encode())


def craft(header: dict[str, Any], payload: bytes, key: rsa.RSAPrivateKey, *, scheme: str = "PS256") -> str:
    """Sign `b64url(header) . b64url(payload)` with `scheme` (PS256, RS256) and return `header..signature`."""
    header_b64 = encode_header(header)
    signing_input = f"{header_b64}.{b64url(payload)}".encode("ascii")
    if scheme == "PS256":
        signature = key.sign(signing_input, PSS_32, hashes.SHA256())
    elif scheme == "RS256":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ValueError(scheme)
    return f"{header_b64}..{b64url(signature)}"


def craft_hmac(header: dict[str, Any], payload: bytes, secret: bytes) -> str:
    """The classic algorithm-confusion forgery: HS256 keyed with the signer's public key."""
    header_b64 = encode_header(header)
    signing_input = f"{header_b64}.{b64url(payload)}".encode("ascii")
    return f"{header_b64}..{b64url(hmac.new(secret, signing_input, hashlib.sha256).digest())}"


@dataclass(frozen=True)
class CaMaterial:
    """The dev PKI's CA certificates and keys, and the provider signing key, for issuing test certificates
    without generating new keys."""

    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    provider_key: rsa.RSAPrivateKey
    now: datetime

    def window(self, days: int = 30) -> tuple[datetime, datetime]:
        return self.now - timedelta(days=1), self.now + timedelta(days=days)
