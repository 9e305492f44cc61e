"""OAuth 2.0 for the koppelvlak: bearer JWTs from a configured issuer, and a small client-credentials endpoint.

The OpenAPI files name OAuth 2.0 client credentials with scope `read` (SPEC.md §6). A deployment behind an FSC
inway that already authorised the call runs with `auth.mode: none`; otherwise every call needs a bearer token
the configured issuer signed. Refusals are FSC errors (`Fsc-Error-Code`), so a collector that speaks FSC reads
them the same way as an inway's. The token endpoint exists for test and demo set-ups where no separate
authorisation server runs; production points `jwks_file` or `public_key_file` at the real issuer's keys.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import errors as jose_errors
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from ddas.provider.app.problems import (
    FSC_ACCESS_TOKEN_EXPIRED,
    FSC_ACCESS_TOKEN_INVALID,
    FSC_ACCESS_TOKEN_MISSING,
    FSC_WRONG_GROUP,
    FscError,
)
from ddas.provider.app.settings import AuthSettings, ClientSettings

__all__ = ["AuthError", "Principal", "TokenIssuer", "TokenResult", "TokenVerifier"]

log = logging.getLogger(__name__)

_ALLOWED_ALGORITHMS = frozenset(
    {"PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"}
)

Key = RSAKey | ECKey


class AuthError(ValueError):
    """Key material for OAuth could not be loaded (a configuration problem, reported at start-up)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, as far as the service needs to know (the rate limit keys on it)."""

    client_id: str
    scopes: frozenset[str]
    groups: tuple[str, ...]


def _import_public(data: bytes, source: Path) -> Key:
    """A PEM public key, certificate or private key (its public half) as a JOSE key."""
    try:
        if b"CERTIFICATE" in data:
            public: Any = x509.load_pem_x509_certificate(data).public_key()
        elif b"PRIVATE KEY" in data:
            public = serialization.load_pem_private_key(data, password=None).public_key()
        else:
            public = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise AuthError(f"{source}: geen bruikbare PEM-sleutel of -certificaat ({exc})") from exc
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key: Key
    if isinstance(public, rsa.RSAPublicKey):
        key = RSAKey.import_key(pem)
    elif isinstance(public, ec.EllipticCurvePublicKey):
        key = ECKey.import_key(pem)
    else:
        raise AuthError(f"{source}: alleen RSA- en EC-sleutels worden ondersteund")
    key.ensure_kid()
    return key


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise AuthError(f"{path}: niet te lezen ({exc.strerror})") from exc


def _missing(detail: str) -> FscError:
    return FscError(
        401,
        FSC_ACCESS_TOKEN_MISSING,
        "Access token ontbreekt",
        detail,
        {"WWW-Authenticate": 'Bearer realm="ddas"'},
    )


def _invalid(detail: str) -> FscError:
    return FscError(
        401,
        FSC_ACCESS_TOKEN_INVALID,
        "Ongeldige access token",
        detail,
        {"WWW-Authenticate": 'Bearer realm="ddas", error="invalid_token"'},
    )


class TokenVerifier:
    """Checks bearer tokens: signature by the configured issuer's keys, `iss`, `aud`, times, scope, group."""

    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        keys: list[Key] = []
        if settings.jwks_file is not None:
            try:
                keyset = KeySet.import_key_set(orjson.loads(_read(settings.jwks_file)))
            except (orjson.JSONDecodeError, jose_errors.JoseError, TypeError, ValueError) as exc:
                raise AuthError(f"{settings.jwks_file}: geen bruikbare JWKS ({exc})") from exc
            keys.extend(k for k in keyset.keys if isinstance(k, RSAKey | ECKey))
        for path in (settings.public_key_file, settings.token_signing_key_file):
            if path is not None:
                keys.append(_import_public(_read(path), path))
        if not keys:
            raise AuthError("auth: geen sleutels om tokens mee te controleren")
        self._keys = keys
        self._algorithms = [a for a in settings.algorithms if a in _ALLOWED_ALGORITHMS]

    def _key_for(self, header: Mapping[str, Any]) -> Key:
        kid = header.get("kid")
        if kid is not None:
            for key in self._keys:
                if key.kid == kid:
                    return key
        if len(self._keys) == 1 or kid is None:
            return self._keys[0]
        raise _invalid("De access token is ondertekend met een onbekende sleutel (kid).")

    def verify(self, authorization: str | None) -> Principal:
        """The caller behind an `Authorization` header; raises FscError (401 or 403)."""
        if not authorization:
            raise _missing("Het verzoek heeft geen Authorization-header met een bearer token.")
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _missing("De Authorization-header bevat geen bearer token.")
        try:
            decoded = jwt.decode(token, self._choose, algorithms=self._algorithms)
        except FscError:
            raise
        except jose_errors.UnsupportedAlgorithmError:
            raise _invalid("De access token gebruikt een niet-toegestaan algoritme.") from None
        except jose_errors.BadSignatureError:
            raise _invalid("De handtekening van de access token klopt niet.") from None
        except (jose_errors.JoseError, ValueError, TypeError, KeyError):
            raise _invalid("De access token is geen geldige JWT.") from None
        claims = decoded.claims
        options: dict[str, Any] = {
            "iss": {"essential": True, "value": self._settings.issuer},
            "exp": {"essential": True},
        }
        if self._settings.audience:
            options["aud"] = {"essential": True, "value": self._settings.audience}
        registry = jwt.JWTClaimsRegistry(leeway=self._settings.leeway_seconds, **options)
        try:
            registry.validate(claims)
        except jose_errors.ExpiredTokenError:
            raise FscError(
                401,
                FSC_ACCESS_TOKEN_EXPIRED,
                "Access token verlopen",
                "De access token is verlopen; vraag een nieuwe aan.",
                {"WWW-Authenticate": 'Bearer realm="ddas", error="invalid_token"'},
            ) from None
        except jose_errors.MissingClaimError as exc:
            raise _invalid(f"De access token mist de claim '{exc.claim}'.") from None
        except jose_errors.InvalidClaimError as exc:
            raise _invalid(f"De claim '{exc.claim}' van de access token klopt niet.") from None
        except jose_errors.JoseError:
            raise _invalid("De access token is (nog) niet geldig.") from None
        return self._authorise(claims)

    def _choose(self, guest: Any) -> Key:
        return self._key_for(guest.headers())

    def _authorise(self, claims: Mapping[str, Any]) -> Principal:
        scope_claim = claims.get("scope", claims.get("scp", ""))
        scopes = frozenset(
            scope_claim.split() if isinstance(scope_claim, str) else map(str, scope_claim or [])
        )
        group_claim = claims.get(self._settings.group_claim)
        groups = (
            (group_claim,)
            if isinstance(group_claim, str)
            else tuple(str(g) for g in group_claim)
            if isinstance(group_claim, list)
            else ()
        )
        if self._settings.required_scope not in scopes:
            raise FscError(
                403,
                FSC_WRONG_GROUP,
                "Toegang geweigerd",
                f"De access token geeft niet de vereiste scope '{self._settings.required_scope}'.",
            )
        if self._settings.groups and not set(groups) & set(self._settings.groups):
            raise FscError(
                403,
                FSC_WRONG_GROUP,
                "Toegang geweigerd",
                "De access token hoort niet bij een groep die deze dienst mag gebruiken.",
            )
        client = claims.get("client_id", claims.get("sub", ""))
        return Principal(client_id=str(client), scopes=scopes, groups=groups)


@dataclass(frozen=True, slots=True)
class TokenResult:
    """The token endpoint's answer: status and an RFC 6749 JSON body."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def _token_error(status: int, error: str, description: str) -> TokenResult:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="ddas"'
    return TokenResult(status, {"error": error, "error_description": description}, headers)


class TokenIssuer:
    """`POST /oauth2/token` for client credentials, signing with the configured private key."""

    def __init__(self, settings: AuthSettings) -> None:
        if settings.token_signing_key_file is None:
            raise AuthError("auth: token_signing_key_file ontbreekt voor het token-endpoint")
        data = _read(settings.token_signing_key_file)
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except ValueError as exc:
            raise AuthError(
                f"{settings.token_signing_key_file}: geen bruikbare private sleutel ({exc})"
            ) from exc
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if isinstance(private, rsa.RSAPrivateKey):
            self._key: Key = RSAKey.import_key(pem)
            self._alg = "PS256"
        elif isinstance(private, ec.EllipticCurvePrivateKey):
            self._key = ECKey.import_key(pem)
            self._alg = "ES256"
        else:
            raise AuthError(
                f"{settings.token_signing_key_file}: alleen RSA- en EC-sleutels worden ondersteund"
            )
        self._key.ensure_kid()
        self._kid = str(self._key.kid)
        self._settings = settings
        self._clients = {client.client_id: client for client in settings.clients}

    @property
    def kid(self) -> str:
        return self._kid

    def _client(self, client_id: str, secret: str) -> ClientSettings | None:
        client = self._clients.get(client_id)
        if client is None:
            # Spend the same effort as for a known client, so timing does not reveal which ids exist.
            hmac.compare_digest(hashlib.sha256(secret.encode()).hexdigest(), "0" * 64)
            return None
        if client.client_secret is not None:
            ok = hmac.compare_digest(secret.encode(), client.client_secret.get_secret_value().encode())
        else:
            assert client.client_secret_sha256 is not None
            ok = hmac.compare_digest(
                hashlib.sha256(secret.encode()).hexdigest(), client.client_secret_sha256.lower()
            )
        return client if ok else None

    def issue(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> TokenResult:
        """Answer one token request (form fields, and the HTTP Basic credentials when sent)."""
        if form.get("grant_type") != "client_credentials":
            return _token_error(400, "unsupported_grant_type", "Alleen grant_type=client_credentials.")
        if basic is not None:
            client_id, secret = basic
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        client = self._client(client_id, secret) if client_id else None
        if client is None:
            return _token_error(401, "invalid_client", "Onbekende client of verkeerd geheim.")
        asked = form.get("scope", "").split()
        granted = [s for s in asked if s in client.scopes] if asked else list(client.scopes)
        if asked and len(granted) != len(asked):
            return _token_error(400, "invalid_scope", "Deze client mag niet alle gevraagde scopes gebruiken.")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._settings.issuer,
            "sub": client.client_id,
            "client_id": client.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + self._settings.token_lifetime_seconds,
            "jti": str(uuid.UUID(bytes=secrets.token_bytes(16))),
            "scope": " ".join(granted),
        }
        if self._settings.audience:
            claims["aud"] = self._settings.audience
        if client.groups:
            claims[self._settings.group_claim] = (
                client.groups[0] if len(client.groups) == 1 else client.groups
            )
        token = jwt.encode({"alg": self._alg, "kid": self._kid, "typ": "JWT"}, claims, self._key, [self._alg])
        log.info("token uitgegeven aan client %s (scope %s)", client.client_id, claims["scope"] or "-")
        return TokenResult(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self._settings.token_lifetime_seconds,
                "scope": claims["scope"],
            },
            {"Cache-Control": "no-store", "Pragma": "no-cache"},
        )
