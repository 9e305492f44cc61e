"""Detached JWS for the `nlgov-adr-payload-sig` header: PS256 sign and verify, in the three forms met in the field.

The value is a JWS compact serialisation with the payload left out: `BASE64URL(header)..BASE64URL(signature)`.
The protected header carries `alg` (always PS256), `typ` "JOSE", `kid`, `x5c` (the chain leaf first, standard
base64 DER) and `x5t#S256`, and nothing else in the `bytes` and `canonical` forms, because strict JOSE libraries
(joserfc by default, for one) refuse header parameters they do not know. What the signature covers depends on the
form, and is exactly this (signing input = the bytes PS256 is computed over):

`bytes` — the exact HTTP body (SPEC §6, JAdES payload signing):
    ASCII(BASE64URL(header)) || "." || ASCII(BASE64URL(body)).
    A received header with `"b64": false` (RFC 7797) is honoured: the body bytes then follow the "." unencoded.

`sigD` — the Geonovum ADR signing-jades module (from the ISA² IPS REST profile): the header also has
    `"sigD": {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]}`, `"b64": false`,
    `"crit": ["b64", "sigD"]` and `sigT` (claimed signing time, JAdES baseline B), and the signed content is the
    Digest header as ETSI TS 119 182-1 §5.2.8.2 builds it for the HttpHeaders mechanism (lower-cased field name,
    ": ", the trimmed field value; draft-cavage style):
    ASCII(BASE64URL(header)) || "." || "digest: SHA-256=<base64>".
    ETSI requires b64=false with this mechanism (as the EU DSS library implements it). Field clients also sign the
    bare Digest value, or base64url-encode it while omitting b64; the verifier accepts these variants too, always
    following the received header's `b64`, and reports which one matched. The Digest must match the body, so the
    signature still binds the exact body bytes.

`canonical` — the body parsed as JSON and re-serialised by `canonical_json` (sorted keys, no whitespace, UTF-8),
    signed like `bytes`: what some clients sign while sending differently formatted bytes. Only tried when the
    header has no sigD and the exact bytes did not verify; a match is reported, so an operator can tell the
    client to sign what it sends.

Built directly on `cryptography`, not joserfc: the signing input has to be controlled byte for byte (b64=false,
sigD, canonical variants), large bodies are hashed in chunks instead of being copied into one base64 string, every
failure needs its own stable code, and the algorithm is fixed to PS256 before any key is touched, so there is no
code path in which a header could select HMAC or "none". PSS uses MGF1-SHA-256 with a 32-byte salt when signing
(RFC 7518); verification accepts any salt length, because some client libraries sign with the maximum length and
the salt length does not affect the security of verification.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import pybase64
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from ddas.signing.chain import validate_chain
from ddas.signing.digest import DIGEST_HEADER, check_digest, digest_header, digest_matches
from ddas.signing.errors import SignatureError
from ddas.signing.keys import (
    SigningIdentity,
    TrustStore,
    certificate_thumbprint,
    subject_name,
    subject_serial_number,
)

__all__ = [
    "ALGORITHM",
    "HTTP_HEADERS_MECHANISM",
    "SIGNATURE_HEADER",
    "Form",
    "Verified",
    "canonical_json",
    "sign",
    "signed_headers",
    "verify",
]

logger = logging.getLogger("ddas.signing")

SIGNATURE_HEADER = "nlgov-adr-payload-sig"
ALGORITHM = "PS256"
HTTP_HEADERS_MECHANISM = "http://uri.etsi.org/19182/HttpHeaders"
MIN_RSA_BITS = 2048
MAX_SIGNATURE_HEADER = 64 * 1024
"""A header value longer than this is refused before decoding (a real one with a 3-certificate chain is ~7 kB)."""
MAX_CHAIN = 10

Form = Literal["bytes", "sigD", "canonical"]
_FORMS: tuple[str, ...] = get_args(Form)
_UNDERSTOOD_CRIT = frozenset({"b64", "sigD", "sigT"})
_CHUNK = 3 * 1024 * 1024  # a multiple of 3, so every chunk but the last base64-encodes without padding
_PSS_SIGN = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
_PSS_VERIFY = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
_PREHASHED = utils.Prehashed(hashes.SHA256())


@dataclass(frozen=True, slots=True)
class Verified:
    """A signature that verified: which form matched and who signed.

    `detail` names the exact variant (English, for logs and problem details); `oin` is the signing
    certificate's subject serialNumber, which carries the (sub)OIN in PKIoverheid certificates. `pinned` says
    the certificate was accepted because it is pinned (no chain checked), which a log must be able to show.
    """

    form: Form
    detail: str
    subject: str
    oin: str | None
    kid: str | None
    certificate: x509.Certificate
    path: tuple[x509.Certificate, ...]
    pinned: bool = False


def canonical_json(body: bytes) -> bytes:
    """The canonical serialisation: parse `body` as JSON, re-serialise with keys sorted, no whitespace, UTF-8.

    Python's `json` with `sort_keys=True`, separators `(",", ":")` and `ensure_ascii=False`: non-ASCII characters
    are written as UTF-8, numbers as Python writes them. This equals RFC 8785 (JCS) for documents of strings,
    integers, booleans and nulls with keys in the Basic Multilingual Plane, which is what DDAS documents hold.
    Raises ValueError when `body` is not JSON.
    """
    return _canonical(json.loads(body), ascii_only=False)


def sign(
    body: bytes,
    identity: SigningIdentity,
    *,
    form: Form = "bytes",
    digest: str | None = None,
    now: datetime | None = None,
) -> str:
    """The `nlgov-adr-payload-sig` value for `body`, signed by `identity` in `form`.

    `digest` is the Digest header value sent with the body; only the `sigD` form signs it (computed from `body`
    when not given; a digest that does not match `body` is a programming error and raises ValueError). `now` sets
    the sigD form's `sigT` (for reproducible tests). `canonical` raises ValueError when `body` is not JSON.
    """
    if form not in _FORMS:
        raise ValueError(f"unknown signature form {form!r}; expected one of {', '.join(_FORMS)}")
    header: dict[str, Any] = {
        "alg": ALGORITHM,
        "typ": "JOSE",
        "kid": identity.kid,
        "x5c": [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii")
            for c in identity.chain
        ],
        "x5t#S256": certificate_thumbprint(identity.certificate),
    }
    encode = True
    if form == "bytes":
        payload = body
    elif form == "canonical":
        payload = canonical_json(body)
    else:
        value = digest_header(body) if digest is None else digest.strip()
        if not digest_matches(body, value):
            raise ValueError("the Digest value given to sign() does not match the body")
        header |= {
            "sigT": _utc(now).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "b64": False,
            "sigD": {"mId": HTTP_HEADERS_MECHANISM, "pars": ["digest"]},
            "crit": ["b64", "sigD"],
        }
        payload, encode = _http_headers_payload(value), False
    header_b64 = _b64url(json.dumps(header, separators=(",", ":")).encode("ascii"))
    signature = identity.private_key.sign(
        _signing_input_hash(header_b64, payload, encode), _PSS_SIGN, _PREHASHED
    )
    return f"{header_b64}..{_b64url(signature)}"


def signed_headers(
    body: bytes, identity: SigningIdentity, *, form: Form = "bytes", now: datetime | None = None
) -> dict[str, str]:
    """The two headers that accompany every body ddas sends: `Digest` and `nlgov-adr-payload-sig`."""
    digest = digest_header(body)
    return {DIGEST_HEADER: digest, SIGNATURE_HEADER: sign(body, identity, form=form, digest=digest, now=now)}


def verify(
    body: bytes,
    signatures: Sequence[str],
    *,
    digest: str | None,
    trust: TrustStore,
    now: datetime | None = None,
) -> Verified:
    """Verify the `nlgov-adr-payload-sig` values received with `body`; raise `SignatureError` saying what failed.

    `signatures` are all values of the header as received (so more than one is detected), `digest` the Digest
    header or None. Checks, in order: exactly one value; compact detached JWS; alg PS256 and nothing else; only
    understood `crit` entries; x5c present and matching x5t#S256; an RSA key; chain, validity and key usage
    (`validate_chain`); the Digest against the body (mandatory for sigD); then the signature, trying the sigD form
    when the header declares sigD, otherwise the exact bytes and then the canonical serialisation.
    """
    value = _single_value(signatures)
    header_b64, signature_b64 = _split(value)
    header = _decode_header(header_b64)
    _check_algorithm(header)
    signature = _decode_signature(signature_b64)
    _check_crit(header)
    sig_d = _sig_d(header)
    encode = _b64_flag(header)
    chain = _x5c(header)
    leaf = chain[0]
    _check_thumbprint(header, leaf)
    public_key = _rsa_key(leaf)
    path = validate_chain(chain, trust, now)
    if digest is not None:
        check_digest(body, digest)
    elif sig_d:
        raise SignatureError(
            "SIG_DIGEST_REQUIRED",
            "de handtekening heeft de sigD-vorm (ondertekent de Digest-header), maar het bericht heeft geen "
            "Digest-header",
            "the signature uses the sigD form (it signs the Digest header), but the message has no Digest header",
        )

    tried: list[str] = []
    for form, detail, payload in _candidates(body, digest, sig_d, encode, tried):
        tried.append(f"{form}: {detail}")
        if _verifies(public_key, signature, header_b64, payload, encode):
            kid = header.get("kid")
            verified = Verified(
                form=form,
                detail=detail,
                subject=subject_name(leaf),
                oin=subject_serial_number(leaf),
                kid=kid if isinstance(kid, str) else None,
                certificate=leaf,
                path=path,
                pinned=trust.is_pinned(leaf),
            )
            logger.info(
                "nlgov-adr-payload-sig geldig: vorm %s (%s), ondertekenaar %s, OIN %s, kid %s%s",
                form,
                detail,
                verified.subject,
                verified.oin,
                verified.kid,
                ", certificaat vastgepind (geen ketencontrole)" if verified.pinned else "",
            )
            return verified
        logger.debug("nlgov-adr-payload-sig: vorm %s (%s) klopt niet", form, detail)
    listing = "; ".join(tried)
    raise SignatureError(
        "SIG_INVALID",
        f"de handtekening klopt niet bij dit bericht in geen enkele ondersteunde vorm (geprobeerd: {listing})",
        f"the signature does not match this message in any supported form (tried: {listing})",
    )


def _candidates(
    body: bytes, digest: str | None, sig_d: bool, encode: bool, tried: list[str]
) -> Iterator[tuple[Form, str, bytes]]:
    """The payloads to try, most likely first; expensive ones (canonical) only computed when reached."""
    how = "base64url payload" if encode else "unencoded payload, b64=false"
    if sig_d:
        assert digest is not None  # verify() raised SIG_DIGEST_REQUIRED otherwise
        value = digest.strip()
        yield "sigD", f"ETSI HttpHeaders 'digest: <Digest>', {how}", _http_headers_payload(value)
        yield "sigD", f"bare Digest header value, {how}", value.encode("utf-8")
        return
    yield "bytes", f"exact body bytes, {how}", body
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        tried.append("canonical: not tried, the body is not JSON")
        return
    utf8 = _canonical(document, ascii_only=False)
    yield "canonical", f"sorted keys, no whitespace, UTF-8, {how}", utf8
    escaped = _canonical(document, ascii_only=True)
    if escaped != utf8:
        yield "canonical", f"sorted keys, no whitespace, non-ASCII as \\u escapes, {how}", escaped


def _verifies(key: rsa.RSAPublicKey, signature: bytes, header_b64: str, payload: bytes, encode: bool) -> bool:
    try:
        key.verify(signature, _signing_input_hash(header_b64, payload, encode), _PSS_VERIFY, _PREHASHED)
    except InvalidSignature:
        return False
    return True


def _signing_input_hash(header_b64: str, payload: bytes, encode: bool) -> bytes:
    """SHA-256 of `header_b64 "." payload` (payload base64url-encoded when `encode`), without one big copy."""
    digest = hashes.Hash(hashes.SHA256())
    digest.update(header_b64.encode("ascii"))
    digest.update(b".")
    if not encode:
        digest.update(payload)
    else:
        view = memoryview(payload)
        for start in range(0, len(view), _CHUNK):
            # pybase64 (SIMD) writes the URL-safe alphabet directly: four times faster than the standard
            # library's encode-then-translate, which dominated signing a 60 MB page.
            digest.update(pybase64.urlsafe_b64encode(view[start : start + _CHUNK]).rstrip(b"="))
    return digest.finalize()


def _http_headers_payload(digest_value: str) -> bytes:
    """ETSI TS 119 182-1 §5.2.8.2 for pars ["digest"]: lower-cased name, colon, space, trimmed value."""
    return f"{DIGEST_HEADER.lower()}: {digest_value.strip()}".encode()


def _single_value(signatures: Sequence[str]) -> str:
    if isinstance(signatures, str):
        signatures = [signatures]
    if not signatures:
        raise SignatureError(
            "SIG_MISSING",
            f"het bericht heeft geen {SIGNATURE_HEADER}-header",
            f"the message has no {SIGNATURE_HEADER} header",
        )
    if len(signatures) > 1 or "," in signatures[0]:
        count = len(signatures) if len(signatures) > 1 else signatures[0].count(",") + 1
        raise SignatureError(
            "SIG_MULTIPLE",
            f"het bericht heeft {count} waarden voor {SIGNATURE_HEADER}; precies één is toegestaan (ADR: meer dan "
            "één maakt de handtekening ongeldig)",
            f"the message has {count} values for {SIGNATURE_HEADER}; exactly one is allowed (ADR: more than one "
            "invalidates the signature)",
        )
    value = signatures[0].strip()
    if len(value) > MAX_SIGNATURE_HEADER:
        raise _malformed(
            f"de {SIGNATURE_HEADER}-header is langer dan {MAX_SIGNATURE_HEADER} tekens",
            f"the {SIGNATURE_HEADER} header is longer than {MAX_SIGNATURE_HEADER} characters",
        )
    return value


def _split(value: str) -> tuple[str, str]:
    """Header and signature parts of a compact detached JWS; the signature is decoded only after the alg check."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[0]:
        raise _malformed(
            "de handtekening is geen JWS in compacte vorm (verwacht 'header..handtekening')",
            "the signature is not a compact JWS (expected 'header..signature')",
        )
    if parts[1]:
        raise _malformed(
            "de JWS bevat zelf een payload; verwacht een losse (detached) JWS 'header..handtekening'",
            "the JWS carries its own payload; expected a detached JWS 'header..signature'",
        )
    return parts[0], parts[2]


def _decode_signature(signature_b64: str) -> bytes:
    try:
        return _b64url_decode(signature_b64)
    except ValueError:
        raise _malformed(
            "het handtekeningdeel van de JWS ontbreekt of is geen geldige base64url",
            "the JWS signature part is missing or not valid base64url",
        ) from None


def _decode_header(header_b64: str) -> dict[str, Any]:
    try:
        header = json.loads(_b64url_decode(header_b64), object_pairs_hook=_no_duplicates)
    except (ValueError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict):
        raise _malformed(
            "de beschermde JWS-header is geen geldige base64url-gecodeerde JSON-object (of bevat dubbele namen)",
            "the JWS protected header is not a valid base64url-encoded JSON object (or has duplicate names)",
        )
    return header


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise ValueError(f"duplicate header parameter {name!r}")
        result[name] = value
    return result


def _check_algorithm(header: dict[str, Any]) -> None:
    alg = header.get("alg")
    if alg != ALGORITHM:
        shown = "geen" if alg is None else repr(alg)
        shown_en = "none given" if alg is None else repr(alg)
        raise SignatureError(
            "SIG_ALG_NOT_ALLOWED",
            f"algoritme {shown} is niet toegestaan; alleen {ALGORITHM} (RSASSA-PSS met SHA-256)",
            f"algorithm {shown_en} is not allowed; only {ALGORITHM} (RSASSA-PSS with SHA-256)",
        )


def _check_crit(header: dict[str, Any]) -> None:
    if "crit" not in header:
        return
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(name, str) for name in crit):
        raise _malformed(
            "'crit' in de JWS-header moet een niet-lege lijst van namen zijn",
            "'crit' in the JWS header must be a non-empty list of names",
        )
    unknown = [name for name in crit if name not in _UNDERSTOOD_CRIT or name not in header]
    if unknown:
        raise _malformed(
            f"de JWS-header markeert {unknown} als kritiek; die worden niet ondersteund of ontbreken "
            f"(ondersteund: {sorted(_UNDERSTOOD_CRIT)})",
            f"the JWS header marks {unknown} as critical; they are not supported or absent "
            f"(supported: {sorted(_UNDERSTOOD_CRIT)})",
        )


def _sig_d(header: dict[str, Any]) -> bool:
    """True for the sigD form; raises when sigD asks for something other than the Digest header."""
    if "sigD" not in header:
        return False
    sig_d = header["sigD"]
    if not isinstance(sig_d, dict) or sig_d.get("mId") != HTTP_HEADERS_MECHANISM:
        mechanism = sig_d.get("mId") if isinstance(sig_d, dict) else None
        raise _malformed(
            f"sigD-mechanisme {mechanism!r} wordt niet ondersteund; alleen {HTTP_HEADERS_MECHANISM}",
            f"sigD mechanism {mechanism!r} is not supported; only {HTTP_HEADERS_MECHANISM}",
        )
    pars = sig_d.get("pars")
    if not isinstance(pars, list) or [str(p).lower() for p in pars] != ["digest"]:
        raise _malformed(
            f"sigD.pars is {pars!r}; voor payload-ondertekening (ADR) moet dat precies ['digest'] zijn",
            f"sigD.pars is {pars!r}; payload signing (ADR) requires exactly ['digest']",
        )
    return True


def _b64_flag(header: dict[str, Any]) -> bool:
    """Whether the payload is base64url-encoded in the signing input (RFC 7797 `b64`, default true)."""
    flag = header.get("b64", True)
    if not isinstance(flag, bool):
        raise _malformed(
            "'b64' in de JWS-header moet true of false zijn", "'b64' in the JWS header must be a boolean"
        )
    return flag


def _x5c(header: dict[str, Any]) -> list[x509.Certificate]:
    entries = header.get("x5c")
    if entries is None or entries == []:
        raise SignatureError(
            "SIG_NO_CHAIN",
            "de JWS-header bevat geen x5c-certificaatketen; zonder keten is de ondertekenaar niet vast te stellen",
            "the JWS header carries no x5c certificate chain; without it the signer cannot be established",
        )
    if (
        not isinstance(entries, list)
        or len(entries) > MAX_CHAIN
        or not all(isinstance(e, str) for e in entries)
    ):
        raise _malformed(
            f"x5c moet een lijst van hoogstens {MAX_CHAIN} base64-gecodeerde certificaten zijn",
            f"x5c must be a list of at most {MAX_CHAIN} base64-encoded certificates",
        )
    chain = []
    for position, entry in enumerate(entries):
        try:
            chain.append(x509.load_der_x509_certificate(_b64_any(entry)))
        except ValueError:
            raise _malformed(
                f"x5c[{position}] is geen base64-gecodeerd DER-certificaat",
                f"x5c[{position}] is not a base64-encoded DER certificate",
            ) from None
    return chain


def _check_thumbprint(header: dict[str, Any], leaf: x509.Certificate) -> None:
    thumbprint = header.get("x5t#S256")
    if thumbprint is not None and thumbprint != certificate_thumbprint(leaf):
        raise _malformed(
            "x5t#S256 in de JWS-header hoort niet bij het eerste certificaat in x5c",
            "x5t#S256 in the JWS header does not match the first certificate in x5c",
        )


def _rsa_key(leaf: x509.Certificate) -> rsa.RSAPublicKey:
    key = leaf.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        what = f"RSA {key.key_size} bits" if isinstance(key, rsa.RSAPublicKey) else type(key).__name__
        raise SignatureError(
            "SIG_ALG_NOT_ALLOWED",
            f"{ALGORITHM} vraagt een RSA-sleutel van minstens {MIN_RSA_BITS} bits; het certificaat heeft {what}",
            f"{ALGORITHM} needs an RSA key of at least {MIN_RSA_BITS} bits; the certificate holds {what}",
        )
    return key


def _canonical(document: Any, *, ascii_only: bool) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=ascii_only).encode(
        "utf-8"
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL_ALPHABET for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from None


def _b64_any(text: str) -> bytes:
    """x5c is standard base64 (RFC 7515 §4.1.6); some clients send base64url, which is accepted as well."""
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return _b64url_decode(text.rstrip("="))


_B64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _malformed(nl: str, en: str) -> SignatureError:
    return SignatureError("SIG_MALFORMED", nl, en)


def _utc(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
