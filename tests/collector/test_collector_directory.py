"""The provider directory: a good file, a table of bad ones (each a DirectoryError in Dutch, with the place),
and a fuzz test that nothing but DirectoryError ever comes out."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ddas.collector.directory import MAX_PAGE_SIZE, Directory, load_directory
from ddas.collector.errors import CollectorError, DirectoryError

SECRET = "s3cr3t-w44rde"
ENV = {"DDAS_UTRECHT_SECRET": SECRET}
PKI_FILES = ("root-ca.pem", "consumer-sign.pem", "consumer-sign.key", "consumer-tls.pem", "consumer-tls.key")

GOOD: dict[str, Any] = {
    "consumer": {
        "signing_certificate": "pki/consumer-sign.pem",
        "signing_key": "pki/consumer-sign.key",
        "tls_certificate": "pki/consumer-tls.pem",
        "tls_key": "pki/consumer-tls.key",
    },
    "providers": [
        {
            "name": "gemeente-utrecht",
            "kind": "shv",
            "base_url": "https://127.0.0.1:8443/ddas-schuldhulpverlening/v1/",
            "tls_ca": "pki/root-ca.pem",
            "signature_roots": ["pki/root-ca.pem"],
            "auth": {
                "mode": "oauth2",
                "token_url": "https://127.0.0.1:8443/oauth2/token",
                "client_id": "cbs",
                "client_secret_env": "DDAS_UTRECHT_SECRET",
                "scope": "read",
            },
            "contact": {"naam": "Functioneel beheer", "email": "beheer@utrecht.example"},
            "timeout_seconds": 60,
        },
        {
            "name": "gemeente_utrecht_vs",
            "kind": "vs",
            "base_url": "http://localhost:8080/ddas-vroegsignalering/v1",
            "signature_roots": ["pki/root-ca.pem"],
            "auth": {"mode": "none"},
            "page_size": 1000,
            "enabled": False,
        },
    ],
}


def _make_pki(folder: Path) -> None:
    (folder / "pki").mkdir(parents=True, exist_ok=True)
    for name in PKI_FILES:
        (folder / "pki" / name).write_text("-----BEGIN PLACEHOLDER-----\n", encoding="utf-8")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _make_pki(tmp_path)
    return tmp_path


def _write(folder: Path, data: Any) -> Path:
    path = folder / "providers.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_good_directory(folder: Path) -> None:
    directory = load_directory(_write(folder, GOOD), environ=ENV)

    assert directory.consumer.signing_certificate == folder / "pki" / "consumer-sign.pem"
    assert directory.consumer.tls_key == folder / "pki" / "consumer-tls.key"
    assert directory.names == ("gemeente-utrecht", "gemeente_utrecht_vs")

    shv = directory.provider("gemeente-utrecht")
    assert shv.kind == "shv"
    assert shv.base_url == "https://127.0.0.1:8443/ddas-schuldhulpverlening/v1"
    assert shv.endpoint == "https://127.0.0.1:8443/ddas-schuldhulpverlening/v1/gegevens"
    assert shv.tls_ca == folder / "pki" / "root-ca.pem"
    assert shv.signature_roots == (folder / "pki" / "root-ca.pem",)
    assert shv.page_size == MAX_PAGE_SIZE["shv"] == 25_000
    assert shv.timeout_seconds == 60
    assert shv.enabled
    assert shv.auth.mode == "oauth2"
    assert shv.auth.client_secret is not None
    assert shv.auth.client_secret.get_secret_value() == SECRET
    assert SECRET not in repr(directory)
    assert shv.contact is not None and shv.contact.email == "beheer@utrecht.example"

    vs = directory.provider("gemeente_utrecht_vs")
    assert (vs.kind, vs.page_size, vs.enabled, vs.auth.mode, vs.auth.client_secret) == (
        "vs",
        1000,
        False,
        "none",
        None,
    )
    assert vs.timeout_seconds == 120
    assert directory.enabled() == (shv,)
    assert directory.enabled("vs") == ()


def test_defaults_and_absolute_paths(folder: Path) -> None:
    data: dict[str, Any] = {
        "consumer": {
            "signing_certificate": str(folder / "pki" / "consumer-sign.pem"),
            "signing_key": "pki/consumer-sign.key",
        },
        "providers": [
            {
                "name": "a",
                "kind": "vs",
                "base_url": "https://a.example/v1",
                "signature_roots": ["pki/root-ca.pem"],
            }
        ],
    }
    directory = Directory.from_mapping(data, folder)
    provider = directory.provider("a")
    assert provider.page_size == 50_000
    assert provider.auth.mode == "none"
    assert provider.tls_ca is None and provider.contact is None
    assert directory.consumer.tls_certificate is None


def test_directory_is_frozen(folder: Path) -> None:
    directory = Directory.from_mapping(GOOD, folder, environ=ENV)
    with pytest.raises(ValueError):
        directory.providers[0].name = "anders"


def test_unknown_provider_lists_the_known_ones(folder: Path) -> None:
    directory = Directory.from_mapping(GOOD, folder, environ=ENV)
    with pytest.raises(DirectoryError, match="onbekende provider 'rotterdam'") as caught:
        directory.provider("rotterdam")
    assert "gemeente-utrecht, gemeente_utrecht_vs" in str(caught.value)


Edit = Callable[[dict[str, Any]], Any]


def _set(path: str, value: Any) -> Edit:
    """An edit of GOOD: `providers.0.kind` = value (value `...` deletes the key)."""

    def edit(data: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key: Any = int(last) if isinstance(target, list) else last
        if value is ...:
            del target[key]
        else:
            target[key] = value
        return data

    return edit


def _rename(data: dict[str, Any]) -> Any:
    data["providers"][1]["name"] = "gemeente-utrecht"
    return data


def _typo(data: dict[str, Any]) -> Any:
    data["providers"][0]["bas_url"] = data["providers"][0].pop("base_url")
    return data


BAD_MAPPINGS: list[tuple[str, Edit, list[str]]] = [
    ("unknown key", _typo, ["providers[0].bas_url: onbekende sleutel", "providers[0].base_url: ontbreekt"]),
    ("unknown top key", _set("provider", []), ["provider: onbekende sleutel"]),
    (
        "duplicate provider name",
        _rename,
        ["providers:", "'gemeente-utrecht' komt dubbel voor", "providers[1]"],
    ),
    (
        "bad kind",
        _set("providers.0.kind", "wsnp"),
        ["providers[0].kind: moet 'shv' of 'vs' zijn, niet 'wsnp'"],
    ),
    (
        "bad URL scheme",
        _set("providers.1.base_url", "ftp://x.example/v1"),
        ["providers[1].base_url", "https://"],
    ),
    ("URL without host", _set("providers.1.base_url", "https:///v1"), ["providers[1].base_url", "host"]),
    (
        "URL with query",
        _set("providers.1.base_url", "https://x.example/v1?a=1"),
        ["providers[1].base_url", "query"],
    ),
    ("URL bad port", _set("providers.1.base_url", "https://x.example:99999/v1"), ["geen geldige URL"]),
    ("URL not text", _set("providers.1.base_url", 12), ["providers[1].base_url: moet tekst zijn, niet 12"]),
    (
        "missing file",
        _set("providers.0.signature_roots", ["pki/root-ca.pem", "pki/ander-root.pem"]),
        ["providers[0].signature_roots[1]: bestand", "pki/ander-root.pem bestaat niet"],
    ),
    (
        "missing consumer key",
        _set("consumer.signing_key", "geheim.key"),
        ["consumer.signing_key: bestand", "bestaat niet"],
    ),
    (
        "file name too long",
        _set("consumer.signing_key", "x" * 5000),
        ["consumer.signing_key:", "bruikbaar bestandspad"],
    ),
    (
        "NUL in file name",
        _set("consumer.signing_key", "a\0b"),
        ["consumer.signing_key:", "bruikbaar bestandspad"],
    ),
    ("file is a folder", _set("consumer.signing_key", "pki"), ["consumer.signing_key:", "is geen bestand"]),
    (
        "no signature roots",
        _set("providers.1.signature_roots", []),
        ["providers[1].signature_roots: moet minstens 1"],
    ),
    (
        "signature roots absent",
        _set("providers.1.signature_roots", ...),
        ["providers[1].signature_roots: ontbreekt"],
    ),
    (
        "page_size too large",
        _set("providers.0.page_size", 25_001),
        ["providers[0]:", "maximum 25000 voor shv"],
    ),
    (
        "page_size too large vs",
        _set("providers.1.page_size", 50_001),
        ["providers[1]:", "maximum 50000 voor vs"],
    ),
    ("page_size zero", _set("providers.1.page_size", 0), ["providers[1].page_size: moet minstens 1 zijn"]),
    (
        "page_size text",
        _set("providers.1.page_size", "veel"),
        ["providers[1].page_size: moet een geheel getal"],
    ),
    (
        "timeout negative",
        _set("providers.0.timeout_seconds", -1),
        ["providers[0].timeout_seconds: moet groter dan 0"],
    ),
    ("timeout infinite", _set("providers.0.timeout_seconds", float("inf")), ["providers[0].timeout_seconds"]),
    (
        "enabled not a bool",
        _set("providers.1.enabled", "misschien"),
        ["providers[1].enabled: moet true of false"],
    ),
    (
        "oauth2 without token_url",
        _set("providers.0.auth.token_url", ...),
        ["providers[0].auth:", "ook nodig: token_url"],
    ),
    (
        "oauth2 fields with none",
        _set("providers.1.auth.client_id", "cbs"),
        ["providers[1].auth:", "client_id hoort alleen"],
    ),
    (
        "bad auth mode",
        _set("providers.1.auth.mode", "basic"),
        ["providers[1].auth.mode: moet 'none' of 'oauth2'"],
    ),
    (
        "secret in the file",
        _set("providers.0.auth.client_secret", "x"),
        ["providers[0].auth.client_secret: onbekende"],
    ),
    (
        "bad env name",
        _set("providers.0.auth.client_secret_env", "MIJN-GEHEIM"),
        ["client_secret_env", "geen geldige naam"],
    ),
    ("tls_ca with http", _set("providers.1.tls_ca", "pki/root-ca.pem"), ["providers[1]:", "https"]),
    ("bad name", _set("providers.1.name", "gemeente utrecht"), ["providers[1].name:", "letters, cijfers"]),
    ("name not text", _set("providers.1.name", 7), ["providers[1].name: moet tekst zijn"]),
    (
        "tls cert without key",
        _set("consumer.tls_key", ...),
        ["consumer:", "tls_certificate en tls_key samen"],
    ),
    (
        "bad contact email",
        _set("providers.0.contact.email", "beheer"),
        ["providers[0].contact.email", "geen e-mailadres"],
    ),
    ("no consumer", _set("consumer", ...), ["consumer: ontbreekt"]),
    ("consumer a list", _set("consumer", ["a"]), ["consumer: moet een mapping", "niet een lijst"]),
    ("providers a mapping", _set("providers", {"a": 1}), ["providers: moet een lijst zijn"]),
    ("no providers", _set("providers", []), ["providers: moet minstens 1"]),
    ("provider a string", _set("providers.1", "gemeente"), ["providers[1]: moet een mapping", "'gemeente'"]),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [c[1:] for c in BAD_MAPPINGS], ids=[c[0] for c in BAD_MAPPINGS]
)
def test_bad_directory(folder: Path, edit: Edit, expected: list[str]) -> None:
    path = _write(folder, edit(copy.deepcopy(GOOD)))
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, environ=ENV)
    message = str(caught.value)
    assert message.startswith(f"providerregister {path}")
    for part in expected:
        assert part in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_many_problems_are_listed_one_per_line(folder: Path) -> None:
    data = copy.deepcopy(GOOD)
    data["providers"][0]["kind"] = "x"
    data["providers"][1]["base_url"] = "ftp://x"
    with pytest.raises(DirectoryError) as caught:
        Directory.from_mapping(data, folder, environ=ENV)
    lines = str(caught.value).splitlines()
    assert lines[0] == "providerregister bevat 2 fouten:"
    assert lines[1].startswith("  - providers[0].kind:")
    assert lines[2].startswith("  - providers[1].base_url:")


def test_secret_env_var_missing_names_the_variable(folder: Path) -> None:
    path = _write(folder, GOOD)
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, environ={"DDAS_UTRECHT_SECRETS": SECRET})
    message = str(caught.value)
    assert "providers[0].auth: omgevingsvariabele DDAS_UTRECHT_SECRET" in message
    assert "niet gezet" in message
    assert SECRET not in message
    with pytest.raises(DirectoryError, match="DDAS_UTRECHT_SECRET"):
        load_directory(path, environ={"DDAS_UTRECHT_SECRET": ""})


def test_secret_comes_from_the_process_environment_by_default(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DDAS_UTRECHT_SECRET", "uit-de-omgeving")
    directory = load_directory(_write(folder, GOOD))
    secret = directory.provider("gemeente-utrecht").auth.client_secret
    assert secret is not None and secret.get_secret_value() == "uit-de-omgeving"


BAD_TEXTS: list[tuple[str, str | bytes, list[str]]] = [
    ("not YAML at all", "consumer: [niet afgesloten\nproviders: {", ["geen geldige YAML (regel"]),
    ("tabs", "consumer:\n\t- a\n", ["geen geldige YAML"]),
    ("empty file", "", ["is leeg"]),
    ("only a comment", "# niets\n", ["is leeg"]),
    ("a list", "- consumer: {}\n- providers: []\n", ["moet een mapping zijn", "geen lijst"]),
    ("a scalar", "providers\n", ["moet een mapping zijn", "geen tekst"]),
    (
        "duplicate YAML key",
        "consumer: {}\nproviders: []\nproviders: []\n",
        ["'providers' komt twee keer voor", "regel 3"],
    ),
    ("python object", "consumer: !!python/object:os.system {}\n", ["geen geldige YAML"]),
    ("not UTF-8", b"consumer: \xff\xfe\n", ["geen UTF-8"]),
    ("nested too deep", "a: " + "[" * 5000 + "]" * 5000 + "\n", ["te diep genest"]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BAD_TEXTS], ids=[c[0] for c in BAD_TEXTS])
def test_bad_directory_text(folder: Path, text: str | bytes, expected: list[str]) -> None:
    path = folder / "providers.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(DirectoryError) as caught:
        load_directory(path, environ=ENV)
    for part in expected:
        assert part in str(caught.value)


def test_missing_directory_file(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="niet te lezen"):
        load_directory(tmp_path / "bestaat-niet.yaml")
    with pytest.raises(DirectoryError, match="niet te lezen"):
        load_directory(tmp_path)


def test_yaml_merge_keys_may_be_overridden(folder: Path) -> None:
    """Anchors and `<<` merges work; a key after a merge overrides it without counting as a duplicate."""
    text = """
consumer: {signing_certificate: pki/consumer-sign.pem, signing_key: pki/consumer-sign.key}
providers:
  - &shv
    name: a
    kind: shv
    base_url: https://a.example/v1
    signature_roots: [pki/root-ca.pem]
  - <<: *shv
    name: b
    kind: vs
"""
    directory = Directory.from_yaml(text, folder)
    b = directory.provider("b")
    assert (b.kind, b.base_url, b.page_size) == ("vs", "https://a.example/v1", 50_000)


# Fuzzing: whatever the text or the structure, a DirectoryError or a Directory, never anything else.

_KEYS = st.sampled_from(
    [
        "consumer",
        "providers",
        "name",
        "kind",
        "base_url",
        "tls_ca",
        "signature_roots",
        "auth",
        "mode",
        "token_url",
        "client_id",
        "client_secret_env",
        "page_size",
        "timeout_seconds",
        "enabled",
        "contact",
        "signing_certificate",
        "signing_key",
    ]
)
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(
        ["shv", "vs", "none", "oauth2", "pki/root-ca.pem", "https://x.example/v1", "DDAS_UTRECHT_SECRET"]
    ),
)
_TREES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_KEYS | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def _mutations() -> st.SearchStrategy[dict[str, Any]]:
    """GOOD with some of its values replaced by random trees (or removed)."""

    def provider(index: int) -> st.SearchStrategy[dict[str, Any]]:
        good = GOOD["providers"][index]
        return st.fixed_dictionaries(
            {},
            optional={key: st.one_of(st.just(value), _TREES) for key, value in good.items()},
        )

    consumer = st.fixed_dictionaries(
        {}, optional={key: st.one_of(st.just(value), _TREES) for key, value in GOOD["consumer"].items()}
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "consumer": st.one_of(consumer, _TREES),
            "providers": st.one_of(st.lists(provider(0) | provider(1), max_size=3), _TREES),
        },
    )


def _paths(value: Any, prefix: str = "") -> list[str]:
    """Every key path in GOOD, in the `_set` notation."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    paths: list[str] = []
    for key, child in items:
        path = f"{prefix}{key}"
        paths += [path, *_paths(child, path + ".")]
    return paths


def _one_change() -> st.SearchStrategy[dict[str, Any]]:
    """GOOD with one value replaced by a random tree or removed: near-valid, so the deeper checks run."""
    return st.builds(
        lambda path, value: _set(path, value)(copy.deepcopy(GOOD)),
        st.sampled_from(_paths(GOOD)),
        st.one_of(st.just(...), _TREES),
    )


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    _make_pki(folder)
    return folder


def _only_directory_error(call: Callable[[], Directory]) -> None:
    try:
        call()
    except DirectoryError as exc:
        assert isinstance(exc, CollectorError)
        assert SECRET not in str(exc)
        assert "Traceback" not in str(exc)


_FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_random_text(fuzz_folder: Path, text: str) -> None:
    _only_directory_error(lambda: Directory.from_yaml(text, fuzz_folder, environ=ENV))


@_FUZZ
@given(tree=_TREES | _mutations() | _one_change())
def test_fuzz_yaml_documents(fuzz_folder: Path, tree: Any) -> None:
    text = yaml.safe_dump(tree, allow_unicode=True)
    _only_directory_error(lambda: Directory.from_yaml(text, fuzz_folder, environ=ENV))


@_FUZZ
@given(
    lines=st.lists(
        st.tuples(
            st.integers(0, 3), _KEYS, st.sampled_from(["", " x", " [a, {b: c}]", " &a {", " *a", " - 1", ":"])
        ),
        max_size=12,
    )
)
def test_fuzz_yaml_ish_lines(fuzz_folder: Path, lines: list[tuple[int, str, str]]) -> None:
    text = "\n".join(f"{'  ' * depth}{key}:{rest}" for depth, key, rest in lines)
    _only_directory_error(lambda: Directory.from_yaml(text, fuzz_folder, environ=ENV))
