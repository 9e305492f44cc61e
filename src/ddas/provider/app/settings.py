"""Configuration of the provider service: one settings object, from defaults, a YAML file and `DDAS_*` variables.

Later sources win: built-in defaults < the YAML file (`--config`) < environment variables < command-line
options. Environment variables are `DDAS_<FIELD>`, nested sections joined by a double underscore
(`DDAS_AUTH__MODE=oauth2`, `DDAS_SIGNING__REQUIRE_REQUEST_SIGNATURE=true`); their values are read as YAML
scalars or flow collections, so `60`, `true` and `[a, b]` mean what they say. OIN lists are the exception:
`DDAS_SIGNING__ALLOWED_OINS=00000001003214345000,00000001234567890000` is split on commas and kept as text, because
YAML would read an unquoted OIN as a (possibly octal) number. Unknown keys in the file are an error (a typo must
not silently switch security off); unknown `DDAS_*` variables are ignored because other ddas commands read their
own.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from ddas import __version__

__all__ = [
    "ENV_PREFIX",
    "MAX_PAGE_SIZE_SHV",
    "MAX_PAGE_SIZE_VS",
    "AuthSettings",
    "ClientSettings",
    "OrganisatieSettings",
    "ProviderSettings",
    "SettingsError",
    "SigningSettings",
    "TlsSettings",
    "load_settings",
]

ENV_PREFIX = "DDAS_"

#: The koppelvlak's ceilings (SPEC.md §6): a deployment may set lower maxima, never higher ones.
MAX_PAGE_SIZE_SHV = 25_000
MAX_PAGE_SIZE_VS = 50_000


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which setting and why (Dutch, for the operator)."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClientSettings(_Section):
    """A client of the built-in token endpoint (test and demo set-ups only)."""

    client_id: str
    #: The secret itself (demo set-ups) or, better, its SHA-256 in hex so the file holds no usable secret.
    client_secret: SecretStr | None = None
    client_secret_sha256: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["read"])
    groups: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_secret(self) -> ClientSettings:
        if (self.client_secret is None) == (self.client_secret_sha256 is None):
            raise ValueError(
                f"client {self.client_id!r}: geef precies één van client_secret / client_secret_sha256"
            )
        return self


class AuthSettings(_Section):
    """Who may call: `none` behind an FSC inway that already authorised the call, or OAuth 2.0 bearer tokens."""

    mode: Literal["none", "oauth2"] = "none"
    issuer: str = "urn:ddas:provider"
    #: Checked when set: the token's `aud` must contain it.
    audience: str | None = None
    #: The issuer's keys: a JWKS file or one PEM public key (or certificate).
    jwks_file: Path | None = None
    public_key_file: Path | None = None
    required_scope: str = "read"
    #: When not empty, the token's group claim must name one of these (FSC group id); else 403.
    groups: list[str] = Field(default_factory=list)
    group_claim: str = "group_id"
    algorithms: list[str] = Field(default_factory=lambda: ["PS256", "RS256", "ES256"])
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    #: The small client-credentials endpoint `POST /oauth2/token` (test and demo set-ups).
    token_endpoint: bool = False
    #: Private key (PEM) the token endpoint signs with; its public half then also verifies tokens.
    token_signing_key_file: Path | None = None
    token_lifetime_seconds: int = Field(default=300, ge=10, le=86_400)
    #: Token URL the served OpenAPI document names (default: the built-in endpoint, `/oauth2/token`).
    token_url: str | None = None
    clients: list[ClientSettings] = Field(default_factory=list)


_OIN = re.compile(r"\d{20}")


class SigningSettings(_Section):
    """Payload signing (SPEC.md §6): the identity responses are signed with and the anchors requests chain to.

    Secure by default: as soon as request signatures can be checked (trust anchors or pinned certificates are
    configured), a request without one is refused. Only `require_request_signature: false` relaxes that, and the
    service then warns at start-up.
    """

    #: Signing certificate chain (PEM, leaf first) and its private key: separate from the TLS certificate.
    certificate: Path | None = None
    key: Path | None = None
    kid: str | None = None
    trust_anchors: list[Path] = Field(default_factory=list)
    intermediates: list[Path] = Field(default_factory=list)
    #: Request signing certificates trusted exactly as they are, without chain or CA-flag checks (validity dates
    #: still apply): for test set-ups whose client signs with a self-signed certificate. Never set by default.
    pinned_certificates: list[Path] = Field(default_factory=list)
    #: When not empty, only requests signed with a certificate whose subject serialNumber (the OIN) is listed
    #: are served; a valid signature by anyone else under the same root is refused with 403.
    allowed_oins: list[str] = Field(default_factory=list)
    #: Refuse requests without a signature. Not set: required whenever trust anchors or pinned certificates are
    #: configured. A signature that is present is always verified.
    require_request_signature: bool | None = None

    @field_validator("allowed_oins", mode="before")
    @classmethod
    def _oins(cls, value: Any) -> Any:
        """OINs as text of 20 digits; YAML reads an unquoted OIN as a number (octal, even), hence the hint."""
        if not isinstance(value, list):
            return value
        wrong = [item for item in value if not isinstance(item, str) or not _OIN.fullmatch(item.strip())]
        if wrong:
            raise ValueError(
                f"{', '.join(repr(w) for w in wrong)} is geen OIN: verwacht 20 cijfers als tekst (zet OIN's in "
                "een YAML-bestand tussen aanhalingstekens)"
            )
        return [item.strip() for item in value]

    @model_validator(mode="after")
    def _pair(self) -> SigningSettings:
        if (self.certificate is None) != (self.key is None):
            raise ValueError("signing: geef certificate en key samen op")
        checkable = bool(self.trust_anchors or self.pinned_certificates)
        if self.require_request_signature and not checkable:
            raise ValueError("signing.require_request_signature vraagt trust_anchors of pinned_certificates")
        if self.allowed_oins and not checkable:
            raise ValueError("signing.allowed_oins vraagt trust_anchors of pinned_certificates")
        if self.allowed_oins and self.require_request_signature is False:
            raise ValueError(
                "signing.allowed_oins gaat niet samen met optionele ondertekening: zonder handtekening is de "
                "OIN van de aanroeper onbekend"
            )
        return self

    @property
    def signatures_checked(self) -> bool:
        """Request signatures can be verified: trust anchors or pinned certificates are configured."""
        return bool(self.trust_anchors or self.pinned_certificates)

    @property
    def signatures_required(self) -> bool:
        """Requests without a signature are refused (the default whenever signatures can be checked)."""
        if self.require_request_signature is None:
            return self.signatures_checked
        return self.require_request_signature


class TlsSettings(_Section):
    """HTTPS for `ddas serve`; a client CA makes the server demand a client certificate (mutual TLS)."""

    certificate: Path | None = None
    key: Path | None = None
    client_ca: Path | None = None

    @model_validator(mode="after")
    def _pair(self) -> TlsSettings:
        if (self.certificate is None) != (self.key is None):
            raise ValueError("tls: geef certificate en key samen op")
        if self.client_ca is not None and self.certificate is None:
            raise ValueError("tls: client_ca vraagt ook certificate en key")
        return self


class OrganisatieSettings(_Section):
    """The organisation an empty answer names: the schema demands one levering even when nothing matched."""

    naam: str = "Onbekende aanleverende organisatie"
    kvk_nummer: str = ""
    gemeentecode: str = ""
    postcode: str = ""


class ProviderSettings(_Section):
    """Everything `ddas serve` and `create_app` need; the one place configuration lives."""

    store: str = "sqlite:///ddas-store.sqlite"
    host: str = "127.0.0.1"
    port: int = Field(default=8443, ge=0, le=65_535)
    shv_base_path: str = "/ddas-schuldhulpverlening/v1"
    vs_base_path: str = "/ddas-vroegsignalering/v1"
    #: How often the supplier reports: decides the default period (SPEC.md §6).
    reporting_period: Literal["half-year", "quarter"] = "half-year"
    max_page_size_shv: int = Field(default=MAX_PAGE_SIZE_SHV, ge=1, le=MAX_PAGE_SIZE_SHV)
    max_page_size_vs: int = Field(default=MAX_PAGE_SIZE_VS, ge=1, le=MAX_PAGE_SIZE_VS)
    #: Requests per minute per client; 0 switches rate limiting off.
    rate_limit_per_minute: int = Field(default=600, ge=0)
    max_body_bytes: int = Field(default=16_384, ge=64)
    #: A connection must complete its TLS handshake, and then each request line and headers, within this time.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    #: The whole request body must arrive within this time after the headers (else 408, connection closed).
    body_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    #: An idle keep-alive connection is closed after this time: well above what clients keep a connection idle
    #: (httpx 5 s, the collector likewise), so the client always closes first and never reuses one just closed.
    keep_alive_seconds: int = Field(default=75, ge=1, le=3_600)
    #: Open connections at most; a connection beyond it is closed at once (nothing is read or answered).
    max_connections: int = Field(default=100, ge=1, le=100_000)
    #: How long a paging series reads one frozen selection; new imports show in answers after this at the latest.
    snapshot_ttl_seconds: int = Field(default=3_600, ge=60, le=86_400)
    #: Finished pages are kept this long (0: no page cache); the koppelvlak asks for at least a daily refresh.
    cache_ttl_seconds: int = Field(default=3_600, ge=0, le=86_400)
    supplier_code: str = f"ddas {__version__}"
    empty_organisatie: OrganisatieSettings = Field(default_factory=OrganisatieSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    signing: SigningSettings = Field(default_factory=SigningSettings)
    tls: TlsSettings = Field(default_factory=TlsSettings)

    @field_validator("shv_base_path", "vs_base_path")
    @classmethod
    def _path(cls, value: str) -> str:
        value = value.rstrip("/")
        if not value.startswith("/") or "//" in value or any(c.isspace() for c in value):
            raise ValueError(f"base path {value!r} moet met '/' beginnen en mag geen spaties bevatten")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ProviderSettings:
        if self.shv_base_path == self.vs_base_path:
            raise ValueError("shv_base_path en vs_base_path moeten verschillen")
        auth = self.auth
        if auth.mode == "oauth2" and not (
            auth.jwks_file or auth.public_key_file or auth.token_signing_key_file
        ):
            raise ValueError("auth.mode oauth2 vraagt jwks_file, public_key_file of token_signing_key_file")
        if auth.token_endpoint and auth.token_signing_key_file is None:
            raise ValueError("auth.token_endpoint vraagt token_signing_key_file")
        return self

    def max_page_size(self, kind: str) -> int:
        """The largest page for a kind (`shv` or `vs`)."""
        return self.max_page_size_shv if kind == "shv" else self.max_page_size_vs


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """`DDAS_A__B=value` → {"a": {"b": value}}, only for fields the settings know."""
    known = ProviderSettings.model_fields
    result: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        parts = name[len(ENV_PREFIX) :].lower().split("__")
        if parts[0] not in known:
            continue
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        last = parts[-1]
        if last in _STRING_LIST_KEYS:
            target[last] = _string_list(raw)
        else:
            target[last] = raw if last in _STRING_KEYS else _scalar(raw)
    return result


#: Keys whose environment value is a comma-separated list of texts (`a,b` or `[a, b]`), never numbers.
_STRING_LIST_KEYS = frozenset({"allowed_oins"})


def _string_list(raw: str) -> list[str]:
    """`a, b`, `[a, b]` or `["a", "b"]` → ["a", "b"], each item kept as text."""
    inner = raw.strip().removeprefix("[").removesuffix("]")
    return [item.strip().strip("'\"") for item in inner.split(",") if item.strip()]


#: Keys whose values stay strings even when YAML would read them as something else (`0363`, `off`, ...).
_STRING_KEYS = frozenset(
    {
        "store",
        "host",
        "issuer",
        "audience",
        "kid",
        "naam",
        "kvk_nummer",
        "gemeentecode",
        "postcode",
        "supplier_code",
    }
)


def _scalar(raw: str) -> Any:
    """An environment value as YAML reads it (`60`, `true`, `[a, b]`); the raw text when YAML cannot."""
    try:
        return yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        return raw


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    config: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ProviderSettings:
    """Read the settings: defaults, then `config` (YAML), then `DDAS_*` variables, then `overrides`.

    Relative paths in the file are taken relative to the file, so a configuration directory can be moved.
    Raises SettingsError with a Dutch message naming the setting that is wrong.
    """
    data: dict[str, Any] = {}
    if config is not None:
        try:
            loaded = yaml.safe_load(config.read_text(encoding="utf-8"))
        except OSError as exc:
            raise SettingsError(f"configuratiebestand {config} niet te lezen: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise SettingsError(f"configuratiebestand {config} is geen geldige YAML: {exc}") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise SettingsError(f"configuratiebestand {config} moet een YAML-mapping zijn")
        data = _relative_to(loaded or {}, config.parent)
    data = _merge(data, _env_overrides(os.environ if environ is None else environ))
    if overrides:
        data = _merge(data, overrides)
    try:
        return ProviderSettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'instellingen'}: {err['msg']}" for err in exc.errors()
        )
        raise SettingsError(f"ongeldige instellingen: {problems}") from exc


_PATH_KEYS = frozenset(
    {
        "jwks_file",
        "public_key_file",
        "token_signing_key_file",
        "certificate",
        "key",
        "client_ca",
        "trust_anchors",
        "intermediates",
        "pinned_certificates",
    }
)


def _relative_to(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Resolve relative file paths of a configuration file against the file's directory."""

    def fix(value: Any) -> Any:
        if isinstance(value, str) and value and not Path(value).is_absolute():
            return str(base / value)
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    result: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            result[key] = _relative_to(value, base)
        elif key in _PATH_KEYS:
            result[key] = fix(value)
        else:
            result[key] = value
    return result
