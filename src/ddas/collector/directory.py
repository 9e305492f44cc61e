"""The provider directory: which providers the collector calls, where, and with what trust (SPEC.md §6, §7).

A stand-in for the FSC directory that RINIS runs: one YAML file the operator maintains. It is read strictly —
an unknown key is an error, not a silently ignored typo — because a wrong entry means fetching from the wrong
place or trusting the wrong roots. Every problem becomes a `DirectoryError` with a Dutch message that names the
place (`providers[2].base_url: ...`), never a traceback.

Relative file paths are resolved against the YAML file's folder, so a configuration folder can be moved as a
whole. Secrets are never in the file: an OAuth2 client secret comes from the environment variable the file names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from ddas.collector.errors import DirectoryError

__all__ = [
    "DEFAULT_TIMEOUT_SECONDS",
    "MAX_PAGE_SIZE",
    "Auth",
    "Consumer",
    "Contact",
    "Directory",
    "ProviderEntry",
    "dev_consumer",
    "load_directory",
]

#: The koppelvlak's ceilings per kind (SPEC.md §6: at most 25,000 trajecten or 50,000 vroegsignalen per
#: response); also the default page size, so that a full period takes as few calls as possible.
MAX_PAGE_SIZE: Mapping[str, int] = {"shv": 25_000, "vs": 50_000}

DEFAULT_TIMEOUT_SECONDS = 120.0

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MAX_PROBLEMS = 20


def _existing_file(value: Path, info: ValidationInfo) -> Path:
    """Resolve against the directory file's folder and insist the file is there: better now than mid-fetch."""
    base = _context(info).get("base_dir")
    path = value if value.is_absolute() else Path(base if base is not None else Path.cwd()) / value
    try:
        exists, is_file, readable = path.exists(), path.is_file(), os.access(path, os.R_OK)
    except (OSError, ValueError):  # a name too long, a NUL byte: not a path this system can open
        raise ValueError(f"{str(path)[:80]!r} is geen bruikbaar bestandspad") from None
    if not exists:
        raise ValueError(f"bestand {path} bestaat niet")
    if not is_file:
        raise ValueError(f"{path} is geen bestand")
    if not readable:
        raise ValueError(f"bestand {path} is niet leesbaar")
    return path


def _context(info: ValidationInfo) -> Mapping[str, Any]:
    context = info.context
    return context if isinstance(context, Mapping) else {}


#: A file the directory refers to: resolved and checked to exist while the directory is read.
ExistingFile = Annotated[Path, AfterValidator(_existing_file)]


def _http_url(value: str) -> str:
    """An absolute http(s) URL without query, fragment or credentials; a trailing slash is dropped."""
    text = value.strip()
    if any(c.isspace() or ord(c) < 32 for c in text):
        raise ValueError(f"{value!r} mag geen spaties of stuurtekens bevatten")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{value!r} is geen geldige URL") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"{value!r} moet met http:// of https:// beginnen")
    if not parts.hostname:
        raise ValueError(f"{value!r} noemt geen host")
    if port == 0:
        raise ValueError(f"{value!r} heeft poort 0")
    if parts.username is not None or parts.password is not None:
        raise ValueError("een URL mag geen gebruikersnaam of wachtwoord bevatten")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValueError(f"{value!r} mag geen query (?…) of fragment (#…) bevatten")
    return text.rstrip("/")


HttpUrl = Annotated[str, AfterValidator(_http_url)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Consumer(_Section):
    """The collector's own identity: the certificate it signs requests with and, for mTLS, its TLS client pair."""

    #: Certificate chain (PEM, leaf first) and private key for `nlgov-adr-payload-sig` on requests.
    signing_certificate: ExistingFile
    signing_key: ExistingFile
    #: Client certificate and key for mutual TLS; a different certificate from the signing one (SPEC.md §6).
    tls_certificate: ExistingFile | None = None
    tls_key: ExistingFile | None = None

    @model_validator(mode="after")
    def _pair(self) -> Self:
        if (self.tls_certificate is None) != (self.tls_key is None):
            raise ValueError("geef tls_certificate en tls_key samen op, of geen van beide")
        return self


class Auth(_Section):
    """How the collector obtains access: `none` (the FSC contract suffices) or OAuth2 client credentials."""

    mode: Literal["none", "oauth2"] = "none"
    token_url: HttpUrl | None = None
    client_id: str | None = None
    #: Name of the environment variable holding the client secret; the secret itself never sits in the file.
    client_secret_env: str | None = None
    scope: str = "read"
    _client_secret: SecretStr | None = PrivateAttr(default=None)

    @field_validator("client_secret_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.fullmatch(value):
            raise ValueError(f"{value!r} is geen geldige naam van een omgevingsvariabele")
        return value

    @model_validator(mode="after")
    def _complete(self, info: ValidationInfo) -> Self:
        oauth_fields = {
            "token_url": self.token_url,
            "client_id": self.client_id,
            "client_secret_env": self.client_secret_env,
        }
        if self.mode == "none":
            stray = [name for name, value in oauth_fields.items() if value is not None]
            if stray:
                raise ValueError(f"{', '.join(stray)} hoort alleen bij mode oauth2 (nu: mode none)")
            return self
        missing = [name for name, value in oauth_fields.items() if not value]
        if missing:
            raise ValueError(f"bij mode oauth2 is ook nodig: {', '.join(missing)}")
        environ = _context(info).get("environ")
        variables: Mapping[str, str] = environ if isinstance(environ, Mapping) else os.environ
        assert self.client_secret_env is not None
        secret = variables.get(self.client_secret_env)
        if not secret:
            raise ValueError(
                f"omgevingsvariabele {self.client_secret_env} (het client secret) is niet gezet of leeg"
            )
        self._client_secret = SecretStr(secret)
        return self

    @property
    def client_secret(self) -> SecretStr | None:
        """The OAuth2 client secret read from the environment when the directory was loaded (None for `none`)."""
        return self._client_secret


class Contact(_Section):
    """Whom to call when fetching from this provider keeps failing."""

    naam: str
    email: str
    telefoonnummer: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        local, at, domain = value.rpartition("@")
        if not at or not local or not domain or any(c.isspace() for c in value):
            raise ValueError(f"{value!r} is geen e-mailadres")
        return value


class ProviderEntry(_Section):
    """One provider endpoint (one kind): where to POST `/gegevens`, which roots to trust, how to authenticate."""

    name: str
    kind: Literal["shv", "vs"]
    base_url: HttpUrl
    #: Trust anchors for the server's TLS certificate; absent: the system's trust store.
    tls_ca: ExistingFile | None = None
    #: Trust anchors for response signatures: mandatory, because an unverifiable page is never accepted.
    signature_roots: tuple[ExistingFile, ...] = Field(min_length=1)
    auth: Auth = Field(default_factory=Auth)
    contact: Contact | None = None
    page_size: int = Field(default=MAX_PAGE_SIZE["shv"], ge=1)
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=3_600, allow_inf_nan=False)
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _default_page_size(cls, data: Any) -> Any:
        """The default page size is the maximum of the kind, which the field default alone cannot express."""
        if isinstance(data, Mapping) and data.get("page_size") is None:
            kind = data.get("kind")
            if isinstance(kind, str) and kind in MAX_PAGE_SIZE:
                return {**data, "page_size": MAX_PAGE_SIZE[kind]}
        return data

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} mag alleen letters, cijfers, - en _ bevatten (1 tot 64 tekens, geen spaties)"
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        maximum = MAX_PAGE_SIZE[self.kind]
        if self.page_size > maximum:
            raise ValueError(
                f"page_size {self.page_size} is groter dan het maximum {maximum} voor {self.kind}"
            )
        if self.tls_ca is not None and not self.base_url.lower().startswith("https:"):
            raise ValueError("tls_ca heeft alleen zin bij een https-base_url")
        return self

    @property
    def endpoint(self) -> str:
        """The URL the collector POSTs its `GegevensRequest` to."""
        return f"{self.base_url}/gegevens"


class Directory(_Section):
    """The whole directory: the collector's identity and the providers it fetches from."""

    consumer: Consumer
    providers: tuple[ProviderEntry, ...] = Field(min_length=1)

    @field_validator("providers")
    @classmethod
    def _unique(cls, providers: tuple[ProviderEntry, ...]) -> tuple[ProviderEntry, ...]:
        first: dict[str, int] = {}
        for index, provider in enumerate(providers):
            if provider.name in first:
                raise ValueError(
                    f"naam {provider.name!r} komt dubbel voor "
                    f"(providers[{first[provider.name]}] en providers[{index}])"
                )
            first[provider.name] = index
        return providers

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.providers)

    def provider(self, name: str) -> ProviderEntry:
        """The provider with this name; DirectoryError naming the known ones when there is none."""
        for provider in self.providers:
            if provider.name == name:
                return provider
        known = ", ".join(self.names)
        raise DirectoryError(f"onbekende provider {name!r}; het providerregister kent: {known}")

    def enabled(self, kind: str | None = None) -> tuple[ProviderEntry, ...]:
        """The providers to fetch from (`enabled: true`), optionally of one kind."""
        return tuple(p for p in self.providers if p.enabled and (kind is None or p.kind == kind))

    @classmethod
    def from_mapping(
        cls,
        data: object,
        base_dir: Path,
        *,
        environ: Mapping[str, str] | None = None,
        source: str = "providerregister",
    ) -> Directory:
        """Validate parsed YAML; relative paths are taken against `base_dir`, secrets from `environ`.

        `environ` defaults to the process environment; tests pass their own.
        """
        if data is None:
            raise DirectoryError(f"{source} is leeg")
        if not isinstance(data, Mapping):
            raise DirectoryError(
                f"{source} moet een mapping zijn (consumer: …, providers: …), geen {_type_name(data)}"
            )
        context = {"base_dir": Path(base_dir).absolute(), "environ": environ}
        try:
            return cls.model_validate(data, context=context)
        except ValidationError as exc:
            raise DirectoryError(_describe(source, exc.errors(include_url=False))) from None
        except RecursionError:
            raise DirectoryError(f"{source} is te diep genest") from None

    @classmethod
    def from_yaml(
        cls,
        text: str,
        base_dir: Path,
        *,
        environ: Mapping[str, str] | None = None,
        source: str = "providerregister",
    ) -> Directory:
        """Parse YAML text and validate it (what `load_directory` does once it has read the file)."""
        try:
            data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader: plain data only, no objects
        except yaml.MarkedYAMLError as exc:
            raise DirectoryError(f"{source} is geen geldige YAML{_where(exc)}: {exc.problem}") from None
        except yaml.YAMLError as exc:
            raise DirectoryError(f"{source} is geen geldige YAML: {exc}") from None
        except RecursionError:
            raise DirectoryError(f"{source} is te diep genest") from None
        return cls.from_mapping(data, base_dir, environ=environ, source=source)


def load_directory(path: Path, *, environ: Mapping[str, str] | None = None) -> Directory:
    """Read and check the provider directory at `path`; every problem is a DirectoryError in Dutch."""
    path = Path(path)
    source = f"providerregister {path}"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise DirectoryError(f"{source} is niet te lezen: {reason}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DirectoryError(f"{source} is geen UTF-8-tekst") from None
    return Directory.from_yaml(text, path.parent, environ=environ, source=source)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key twice in one mapping: PyYAML would silently keep only the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                break  # the base class reports the unhashable key
            try:
                duplicate = key in seen
            except TypeError:
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"sleutel {key!r} komt twee keer voor", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _where(exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    return f" (regel {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""


def _type_name(value: object) -> str:
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "lijst"
    if isinstance(value, bool):
        return "ja/nee-waarde"
    if isinstance(value, int | float):
        return "getal"
    return type(value).__name__


def _describe(source: str, errors: Sequence[ErrorDetails]) -> str:
    """All problems, each with its place: one line for one problem, a list for more."""
    errors = _without_echoes(errors)
    lines = [f"{_location(error['loc'])}: {_message(error)}" for error in errors[:_MAX_PROBLEMS]]
    if len(errors) > _MAX_PROBLEMS:
        lines.append(f"… en nog {len(errors) - _MAX_PROBLEMS} fout(en)")
    if len(lines) == 1:
        return f"{source}: {lines[0]}"
    return f"{source} bevat {len(errors)} fouten:\n" + "\n".join(f"  - {line}" for line in lines)


def _without_echoes(errors: Sequence[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "too short" for a list whose items are themselves wrong: pydantic counts only the valid ones."""
    nested = [tuple(error["loc"]) for error in errors]

    def echo(error: ErrorDetails) -> bool:
        loc = tuple(error["loc"])
        return error["type"] == "too_short" and any(
            len(o) > len(loc) and o[: len(loc)] == loc for o in nested
        )

    return [error for error in errors if not echo(error)]


def _location(loc: Sequence[int | str]) -> str:
    """`('providers', 2, 'base_url')` → `providers[2].base_url`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(hoofdniveau)"


def _shown(value: object) -> str:
    """A scalar input as shown in a message (shortened); structures are not echoed."""
    if isinstance(value, str | int | float | bool) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "…"
    return f"een {_type_name(value)}"


def _message(error: ErrorDetails) -> str:
    """Pydantic's English message in Dutch, for the error types a directory can run into."""
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "missing":
        return "ontbreekt (verplicht)"
    if kind == "extra_forbidden":
        return "onbekende sleutel (tikfout?)"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace(" or ", " of ")
        return f"moet {expected} zijn, niet {_shown(value)}"
    if kind in ("string_type", "string_unicode", "string_sub_type"):
        return f"moet tekst zijn, niet {_shown(value)}"
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"moet een geheel getal zijn, niet {_shown(value)}"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"moet een (eindig) getal zijn, niet {_shown(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"moet true of false zijn, niet {_shown(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        words = {
            "greater_than_equal": ("minstens", "ge"),
            "greater_than": ("groter dan", "gt"),
            "less_than_equal": ("hoogstens", "le"),
            "less_than": ("kleiner dan", "lt"),
        }
        word, key = words[kind]
        return f"moet {word} {ctx.get(key)} zijn, niet {_shown(value)}"
    if kind == "too_short":
        return f"moet minstens {ctx.get('min_length')} element(en) bevatten"
    if kind in ("list_type", "tuple_type"):
        return f"moet een lijst zijn, niet {_shown(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"moet een mapping (sleutel: waarde) zijn, niet {_shown(value)}"
    if kind == "path_type":
        return f"moet een bestandspad zijn, niet {_shown(value)}"
    return str(error["msg"])


def dev_consumer(certs: Path) -> dict[str, str]:
    """The `consumer` block of a directory for a folder made by `ddas certs init` (its consumer signing and TLS
    pairs), as written to a directory file."""
    return {
        "signing_certificate": str(certs / "consumer-sign.pem"),
        "signing_key": str(certs / "consumer-sign.key"),
        "tls_certificate": str(certs / "consumer-tls.pem"),
        "tls_key": str(certs / "consumer-tls.key"),
    }
