"""Fixtures for the provider app tests: one dev PKI, synthetic deliveries imported into SQLite stores, servers.

The clock of every in-process server is fixed at 10 July 2025 (so the default period is the first half of
2025, which the synthetic data covers) and data is imported "on 5 July", before that moment. Everything is
handed out as fixtures; helpers that are not fixtures live in `_app_helpers.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _app_helpers import GEMEENTEN, NOW, LiveServer, ServerFactory, fill, live_server

from ddas.provider.app import ProviderSettings, create_app, load_settings
from ddas.provider.store import Store
from ddas.signing.testing import DevPki, make_test_pki
from ddas.synth import generate


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return make_test_pki(tmp_path_factory.mktemp("app-pki"))


@pytest.fixture(scope="session")
def shv_document() -> dict[str, Any]:
    return generate("shv", 130, 11, gemeenten=GEMEENTEN)


@pytest.fixture(scope="session")
def vs_document() -> dict[str, Any]:
    return generate("vs", 160, 12, gemeenten=GEMEENTEN)


@pytest.fixture(scope="session")
def own_gemeente_document() -> dict[str, Any]:
    """A gemeente delivering its own trajecten: a second organisation in the store."""
    return generate("shv", 20, 13, gemeenten=["0518"])


@pytest.fixture(scope="session")
def store_file(
    tmp_path_factory: pytest.TempPathFactory,
    shv_document: dict[str, Any],
    vs_document: dict[str, Any],
    own_gemeente_document: dict[str, Any],
) -> Path:
    """A SQLite store with the SHV, VS and own-gemeente deliveries; tests copy it when they change data."""
    path = tmp_path_factory.mktemp("store") / "ddas.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        fill(store, shv_document, vs_document, own_gemeente_document)
    return path


@pytest.fixture
def store(store_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the filled store (tests may import, tamper and cache without affecting others)."""
    copy = tmp_path / "store.sqlite"
    copy.write_bytes(store_file.read_bytes())
    hour = dt.timedelta(hours=1)  # as `ddas serve` opens it with the default settings
    with Store.open(f"sqlite:///{copy}", snapshot_ttl=hour, cache_ttl=hour) as opened:
        yield opened


@pytest.fixture
def signed_settings(pki: DevPki) -> ProviderSettings:
    """Responses signed with the provider key, request signatures checked against the dev root.

    Request signatures are made optional here (the service's default with trust anchors is to require them),
    so that tests about bodies, paging and errors can send plain requests; a signature that is sent is still
    verified. The default itself is tested in test_app_hardening.py.
    """
    return load_settings(
        environ={},
        overrides={
            "signing": {
                "certificate": str(pki.path("provider-sign.pem")),
                "key": str(pki.path("provider-sign.key")),
                "trust_anchors": [str(pki.path("root-ca.pem"))],
                "require_request_signature": False,
            },
            "rate_limit_per_minute": 0,
        },
    )


@pytest.fixture
def serve(store: Store, signed_settings: ProviderSettings) -> Iterator[ServerFactory]:
    """Start a live server: `serve(settings=None, store=None, clock=NOW, **uvicorn_ssl)` → LiveServer."""
    stack: list[Any] = []

    def start(
        settings: ProviderSettings | None = None,
        store_: Store | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        **ssl_options: Any,
    ) -> LiveServer:
        app = create_app(settings or signed_settings, store_ or store, clock=clock or (lambda: NOW))
        context = live_server(app, **ssl_options)
        server = context.__enter__()
        stack.append(context)
        return server

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture
def server(serve: ServerFactory) -> LiveServer:
    """A live server with the default test settings (signed, no auth, no rate limit)."""
    return serve()  # type: ignore[no-any-return]


def with_settings(base: ProviderSettings, **changes: Any) -> ProviderSettings:
    """A copy of `base` with top-level or nested (`auth={...}`) changes, validated again."""
    data = base.model_dump(mode="python")
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    for section in ("auth",):
        for client in data[section].get("clients", []):
            secret = client.get("client_secret")
            if secret is not None and hasattr(secret, "get_secret_value"):
                client["client_secret"] = secret.get_secret_value()
    return ProviderSettings.model_validate(data)


@pytest.fixture
def settings_with() -> Callable[..., ProviderSettings]:
    return with_settings
