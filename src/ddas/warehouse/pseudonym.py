"""Keyed pseudonyms for persons, so the warehouse can link deliveries without holding a BSN or an address.

A pseudonym is HMAC-SHA-256 under a secret key that only the collector holds: without the key nobody can test a
guessed BSN against the warehouse (a plain hash of a 9-digit number is reversed in seconds). The input carries a
domain label (`ddas/bsn/1`, `ddas/adres/1`) so a BSN and an address can never give the same pseudonym, and the
version in the label lets a later normal form live next to this one.

SHV and VS name the person's fields almost alike; both are normalised to one form here, so the same person gets
the same pseudonym in both models — that is what lets a vroegsignaal be followed into a schuldhulptraject.
The address pseudonym uses geboortedatum, postcode, huisnummer and toevoeging only: SPEC §2 adds the geslacht
for SHV, but VS has no geslacht, and a pseudonym that differs between the models would link nothing.

Nothing here logs, and no exception message carries a BSN: the only errors concern the key, and they never
show it either.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from stdnum.nl import bsn as stdnum_bsn

__all__ = [
    "MIN_KEY_BYTES",
    "Pseudonym",
    "PseudonymKey",
    "PseudonymSoort",
    "pseudonymise_person",
    "pseudonymise_shv_client",
    "pseudonymise_vs_client",
]

#: 256 bits: the full strength of HMAC-SHA-256; a shorter key would be the weakest link.
MIN_KEY_BYTES = 32

#: Which identity a pseudonym was made from: the BSN, or (weaker) geboortedatum + address.
PseudonymSoort = Literal["bsn", "adres"]

_BSN_LABEL = b"ddas/bsn/1\x00"
_ADRES_LABEL = b"ddas/adres/1\x00"

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_NINE_DIGITS = re.compile(r"[0-9]{9}")
_POSTCODE = re.compile(r"[0-9]{4}[A-Z]{2}")
_DIGITS = re.compile(r"[0-9]+")
_TOEVOEGING_NOISE = re.compile(r"[\s-]+")


class PseudonymKey:
    """The collector's secret HMAC key; its repr and str never show the key itself."""

    __slots__ = ("_mac", "_secret")

    _secret: bytes
    _mac: hmac.HMAC

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes | bytearray | memoryview):
            raise TypeError("De pseudonimiseringssleutel moet uit bytes bestaan.")
        secret = bytes(secret)
        if len(secret) < MIN_KEY_BYTES:
            raise ValueError(
                f"De pseudonimiseringssleutel is te kort: {len(secret)} bytes, minimaal {MIN_KEY_BYTES} "
                "bytes (256 bits) nodig."
            )
        self._secret = secret
        # Keyed once; every pseudonym copies this state instead of hashing the key again.
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)

    @classmethod
    def from_config(cls, value: str) -> PseudonymKey:
        """The key from configuration text: hex, or base64 (standard or URL-safe, padding optional).

        Text that is valid hex is read as hex, so a 64-character hex key is never mistaken for base64.
        Whitespace is ignored (a key wrapped over lines in a file still reads).
        """
        text = "".join(value.split()) if isinstance(value, str) else ""
        if not text:
            raise ValueError("De pseudonimiseringssleutel ontbreekt in de configuratie.")
        if _HEX.fullmatch(text):
            return cls(bytes.fromhex(text))
        mixed = re.search(r"[+/]", text) and re.search(r"[-_]", text)
        if _BASE64.fullmatch(text) and not mixed:
            standard = text.rstrip("=").replace("-", "+").replace("_", "/")
            try:
                secret = base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
            except binascii.Error:
                pass
            else:
                return cls(secret)
        raise ValueError(
            "De pseudonimiseringssleutel in de configuratie is geen geldige hex- of base64-tekst."
        )

    def _hexdigest(self, message: bytes) -> str:
        mac = self._mac.copy()
        mac.update(message)
        return mac.hexdigest()

    def __repr__(self) -> str:
        return "PseudonymKey(<verborgen>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[type[PseudonymKey], tuple[bytes]]:
        # HMAC state cannot be pickled; rebuilding from the secret lets a key reach worker processes.
        return (PseudonymKey, (self._secret,))


@dataclass(frozen=True, slots=True)
class Pseudonym:
    """A person's pseudonym: lowercase hex HMAC-SHA-256, and which identity it was made from."""

    value: str
    kind: PseudonymSoort


def _bsn(value: object) -> str | None:
    """The BSN as 9 digits when it passes the elfproef; anything else is unusable for linking."""
    if not isinstance(value, str):
        return None
    compact = value.replace(" ", "")
    if _NINE_DIGITS.fullmatch(compact) is None or not stdnum_bsn.is_valid(compact):
        return None
    return compact


def _geboortedatum(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _postcode(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = "".join(value.split()).upper()
    return text if _POSTCODE.fullmatch(text) else None


def _huisnummer(value: object) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(text := value.strip()):
        number = int(text)
    else:
        return None
    return str(number) if number > 0 else None


def _toevoeging(value: object) -> str:
    """The toevoeging without case, spaces or hyphens; absent, empty and wrong types are all ''."""
    if not isinstance(value, str):
        return ""
    return _TOEVOEGING_NOISE.sub("", value).upper()


def pseudonymise_person(
    key: PseudonymKey,
    *,
    bsn: str | None = None,
    geboortedatum: str | dt.date | None = None,
    postcode: str | None = None,
    huisnummer: int | str | None = None,
    toevoeging: str | None = None,
) -> Pseudonym | None:
    """The person's pseudonym: from a valid BSN, else from geboortedatum + address, else None.

    An invalid BSN is not used: a mistyped number would link the person to a stranger or to nobody, while the
    address still identifies them. Values of the wrong type count as absent; this never raises on input.
    """
    number = _bsn(bsn)
    if number is not None:
        return Pseudonym(key._hexdigest(_BSN_LABEL + number.encode("ascii")), "bsn")
    day = _geboortedatum(geboortedatum)
    code = _postcode(postcode)
    huis = _huisnummer(huisnummer)
    if day is None or code is None or huis is None:
        return None
    message = "|".join((day, code, huis, _toevoeging(toevoeging))).encode("utf-8")
    return Pseudonym(key._hexdigest(_ADRES_LABEL + message), "adres")


def _client_pseudonym(key: PseudonymKey, client: object) -> Pseudonym | None:
    """Both models name the fields alike (`Burgerservicenummer` in SHV v1.0 and VS v0.9; SPEC §3 abbreviates
    it to "BSN", which is no field)."""
    if not isinstance(client, Mapping):
        return None
    return pseudonymise_person(
        key,
        bsn=client.get("Burgerservicenummer"),
        geboortedatum=client.get("Geboortedatum"),
        postcode=client.get("Postcode"),
        huisnummer=client.get("Huisnummer"),
        toevoeging=client.get("Huisnummertoevoeging"),
    )


def pseudonymise_shv_client(key: PseudonymKey, client: Mapping[str, Any]) -> Pseudonym | None:
    """The pseudonym of an SHV `client[]` item (`Burgerservicenummer`, `Geboortedatum`, `Postcode`, …)."""
    return _client_pseudonym(key, client)


def pseudonymise_vs_client(key: PseudonymKey, client: Mapping[str, Any]) -> Pseudonym | None:
    """The pseudonym of a VS vroegsignaal's `client` (`Burgerservicenummer`, `Geboortedatum`, `Postcode`, …)."""
    return _client_pseudonym(key, client)
