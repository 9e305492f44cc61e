"""`ddas.collector.fetch` against real servers on loopback: the provider app, and small ASGI apps around it.

Nothing of httpx is mocked. Faults are made by ASGI middleware around the real provider app (failing the first
requests, dropping a connection, changing a byte after signing) or by a small provider imitation that signs its
answers with the provider key but lies about paging. `sleep` is injected, so retries cost no time and the waits
asked for can be checked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn
from _collect_scenario import imitation
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ddas.collector.fetch import (
    Endpoint,
    FetchedPage,
    OAuth2Client,
    PageFetcher,
    ProviderError,
    ProviderUnreachable,
    VerificationFailed,
)
from ddas.provider.app import TOKEN_PATH, ProviderSettings, create_app, load_settings
from ddas.provider.store import Store, import_delivery
from ddas.signing.digest import digest_header
from ddas.signing.keys import SigningIdentity
from ddas.signing.testing import DevPki, make_test_pki
from ddas.synth import generate

#: The provider's fixed clock: asked on 10 July 2025 (data imported on 5 July is visible).
NOW = dt.datetime(2025, 7, 10, 8, 0, tzinfo=dt.UTC)
IMPORTED = dt.datetime(2025, 7, 5, 12, 0)
START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
GEMEENTEN = ["0363", "0599", "0344"]
SHV = "/ddas-schuldhulpverlening/v1"
VS = "/ddas-vroegsignalering/v1"
SECRET = "correct horse battery staple"


# -- a live server on loopback (as tests/provider/app does it) ------------------------------------------------


class LiveServer:
    """A running server: its URL, and the app it serves (the outermost middleware, to ask what it saw)."""

    def __init__(self, app: Any, sock: socket.socket, scheme: str) -> None:
        self.app = app
        self.url = f"{scheme}://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def live_server(app: Any, **ssl_options: Any) -> Iterator[LiveServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(app, log_level="critical", lifespan="off", **ssl_options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(app, sock, "https" if "ssl_certfile" in ssl_options else "http")
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


# -- fixtures: PKI, store, provider settings, servers --------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return make_test_pki(tmp_path_factory.mktemp("fetch-pki"))


@pytest.fixture(scope="module")
def foreign_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A second PKI: its keys are not trusted by the collector."""
    return make_test_pki(tmp_path_factory.mktemp("foreign-pki"))


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {
        "shv": generate("shv", 130, 21, gemeenten=GEMEENTEN),
        "vs": generate("vs", 90, 22, gemeenten=GEMEENTEN),
    }


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory, documents: dict[str, dict[str, Any]]) -> Path:
    path = tmp_path_factory.mktemp("fetch-store") / "ddas.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        for document in documents.values():
            summary = import_delivery(store, orjson.dumps(document), now=IMPORTED)
            assert not summary.rejected and not summary.held_back
    return path


@pytest.fixture
def store(store_file: Path, tmp_path: Path) -> Iterator[Store]:
    copy = tmp_path / "store.sqlite"
    copy.write_bytes(store_file.read_bytes())
    with Store.open(f"sqlite:///{copy}") as opened:
        yield opened


@pytest.fixture(scope="module")
def issuer_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("oauth") / "issuer.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def provider_settings(signer: DevPki, trusted: DevPki, **overrides: Any) -> ProviderSettings:
    """Responses signed by `signer`'s provider key; request signatures required and checked against `trusted`."""
    return load_settings(
        environ={},
        overrides={
            "signing": {
                "certificate": str(signer.path("provider-sign.pem")),
                "key": str(signer.path("provider-sign.key")),
                "trust_anchors": [str(trusted.path("root-ca.pem"))],
                "require_request_signature": True,
            },
            "rate_limit_per_minute": 0,
            **overrides,
        },
    )


def oauth_overrides(issuer_key: Path) -> dict[str, Any]:
    return {
        "auth": {
            "mode": "oauth2",
            "issuer": "https://auth.test.example/ddas",
            "audience": "ddas-provider",
            "token_endpoint": True,
            "token_signing_key_file": str(issuer_key),
            "groups": ["cbs-ddas"],
            "clients": [
                {"client_id": "cbs", "client_secret": SECRET, "groups": ["cbs-ddas"]},
                {"client_id": "outsider", "client_secret": SECRET, "groups": ["iemand-anders"]},
            ],
        }
    }


Wrap = Callable[[ASGIApp], ASGIApp]


@pytest.fixture
def serve(store: Store, pki: DevPki) -> Iterator[Callable[..., LiveServer]]:
    """`serve(settings=None, wrap=None, **uvicorn_ssl)`: the provider app (wrapped in middleware) on loopback."""
    with ExitStack() as stack:

        def start(
            settings: ProviderSettings | None = None, wrap: Wrap | None = None, **ssl_options: Any
        ) -> LiveServer:
            app: ASGIApp = create_app(settings or provider_settings(pki, pki), store, clock=lambda: NOW)
            if wrap is not None:
                app = wrap(app)
            return stack.enter_context(live_server(app, **ssl_options))

        yield start


def endpoint(url: str, pki: DevPki, kind: str = "shv", **changes: Any) -> Endpoint:
    base = Endpoint(
        name=f"test-{kind}",
        kind="shv" if kind == "shv" else "vs",
        base_url=url + (SHV if kind == "shv" else VS),
        signature_trust=pki.trust,
        tls_ca=None,
        client_cert=None,
        client_key=None,
        oauth2=None,
        page_size=40,
    )
    return dataclasses.replace(base, **changes)


class Waits(list[float]):
    """The injected `sleep`: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fetcher(
    target: Endpoint, identity: SigningIdentity, waits: Waits | None = None, **kwargs: Any
) -> PageFetcher:
    """A fetcher that never really sleeps; jitter 0 makes each backoff exactly half its nominal delay."""
    return PageFetcher(
        target, identity, sleep=waits if waits is not None else Waits(), jitter=lambda: 0.0, **kwargs
    )


def fetch_all(target: Endpoint, identity: SigningIdentity, **kwargs: Any) -> list[FetchedPage]:
    with fetcher(target, identity, **kwargs) as pages:
        return list(pages.fetch_pages(START, END))


def records(pages: list[FetchedPage], key: str) -> list[bytes]:
    return [
        orjson.dumps(item)
        for page in pages
        for levering in orjson.loads(page.body)["gegevens"]["leveringen"]
        for item in levering[key]
    ]


# -- ASGI middleware and a provider imitation -----------------------------------------------------------------


class Recorder:
    """Remembers every request: path and whether it carried a bearer token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.calls: list[tuple[str, str | None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            self.calls.append((scope["path"], headers.get(b"authorization", b"").decode() or None))
        await self.app(scope, receive, send)

    def paths(self, suffix: str) -> int:
        return sum(1 for path, _ in self.calls if path.endswith(suffix))


class FailFirst:
    """Answers the first requests to `/gegevens` with the given responses, then lets the real app answer."""

    def __init__(self, app: ASGIApp, failures: list[Response]) -> None:
        self.app = app
        self.failures = list(failures)
        self.seen = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/gegevens"):
            self.seen += 1
            if self.failures:
                await self.failures.pop(0)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class DropFirst:
    """Breaks off the first answer halfway through its body: the client sees the connection close."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.dropped = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.dropped:
            self.dropped = True
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"100000")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"gegevens":', "more_body": True})
            raise RuntimeError("connection dropped on purpose")
        await self.app(scope, receive, send)


class Tamper:
    """Changes a signed answer on the way out: `flip` one body byte, `flip+digest` (Digest recomputed),
    `no-digest`, `no-signature`, or `text` (content type text/plain)."""

    def __init__(self, app: ASGIApp, mode: str) -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/gegevens"):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = bytearray(b"".join(chunks))
            headers = [(k, v) for k, v in start["headers"]]
            if self.mode.startswith("flip"):
                at = body.index(b'"startdatum":"2025-') + len(b'"startdatum":"2025-')
                body[at] = ord("1") if body[at] != ord("1") else ord("0")
            if self.mode == "flip+digest":
                headers = [(k, v) for k, v in headers if k != b"digest"]
                headers.append((b"digest", digest_header(bytes(body)).encode()))
            elif self.mode == "no-digest":
                headers = [(k, v) for k, v in headers if k != b"digest"]
            elif self.mode == "no-signature":
                headers = [(k, v) for k, v in headers if k != b"nlgov-adr-payload-sig"]
            elif self.mode == "text":
                headers = [(k, v) for k, v in headers if k != b"content-type"]
                headers.append((b"content-type", b"text/plain"))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": bytes(body)})

        await self.app(scope, receive, capture)


class ExpireFirst:
    """Refuses the first `times` `/gegevens` requests as an FSC inway does for an expired token."""

    def __init__(self, app: ASGIApp, times: int) -> None:
        self.app = app
        self.times = times

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/gegevens") and self.times > 0:
            self.times -= 1
            refusal = JSONResponse(
                {
                    "code": "ERROR_CODE_ACCESS_TOKEN_EXPIRED",
                    "domain": "ERROR_DOMAIN_INWAY",
                    "title": "Access token verlopen",
                    "detail": "De access token is verlopen; vraag een nieuwe aan.",
                    "status": 401,
                },
                status_code=401,
                headers={"Fsc-Error-Code": "ERROR_CODE_ACCESS_TOKEN_EXPIRED"},
                media_type="application/problem+json",
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


def page_body(
    page: int, *, pages: int = 3, total: int = 7, paginering: str = "last", trajecten: int = 2
) -> bytes:
    document = {
        "startdatumLevering": "2025-01-01",
        "einddatumLevering": "2025-06-30",
        "aanleverdatumEnTijd": "2025-07-10T08:00:00Z",
        "codeGegevensleverancier": "imitatie",
        "leveringen": [
            {
                "teller": 1,
                "aanleverende_organisatie": {"(Statutaire) Naam": "Imitatie"},
                "schuldhulptrajecten": [
                    {"gemeentecode": "0363", "n": page * 10 + i} for i in range(trajecten)
                ],
            }
        ],
    }
    block = {"pageSize": 3, "currentPage": page, "totalPages": pages, "totalRecords": total}
    if paginering == "last":
        return orjson.dumps({"gegevens": document, "paginering": block})
    if paginering == "first":
        return orjson.dumps({"paginering": block, "gegevens": document}, option=orjson.OPT_INDENT_2)
    return orjson.dumps({"gegevens": document})


# -- a full fetch against the real provider --------------------------------------------------------------------


@pytest.mark.parametrize("kind,key,size", [("shv", "schuldhulptrajecten", 40), ("vs", "vroegsignalen", 25)])
def test_full_fetch_is_verified_complete_and_unique(
    serve: Callable[..., LiveServer],
    pki: DevPki,
    documents: dict[str, dict[str, Any]],
    kind: str,
    key: str,
    size: int,
) -> None:
    server = serve(wrap=Recorder)
    seen: list[FetchedPage] = []
    target = endpoint(server.url, pki, kind, page_size=size, signer_oin=pki.provider_oin)
    with fetcher(target, pki.consumer) as pages:
        fetched = list(pages.fetch_pages(START, END, on_page=seen.append))

    expected = [orjson.dumps(item) for lev in documents[kind]["leveringen"] for item in lev[key]]
    assert len(fetched) == -(-len(expected) // size) >= 3
    assert seen == fetched
    assert [p.page for p in fetched] == list(range(1, len(fetched) + 1))
    got = records(fetched, key)
    assert len(got) == len(set(got)) == len(expected)
    assert Counter(got) == Counter(expected)
    for page in fetched:
        assert (page.total_pages, page.total_records, page.attempts) == (len(fetched), len(expected), 1)
        assert page.headers["content-type"] == "application/json"
        assert page.headers["digest"] == digest_header(page.body)
        assert page.headers["nlgov-adr-payload-sig"].count(".") == 2
        assert page.verified.form == "bytes" and page.verified.oin == pki.provider_oin
        assert page.verified.certificate_sha256 == pki.provider.kid
        assert "serialNumber=" + pki.provider_oin in page.verified.subject
        assert page.fetched_at.tzinfo is not None and page.elapsed >= 0
    # Every request was signed (the server requires it) and asked for its own page, once.
    assert server.app.paths("/gegevens") == len(fetched)


def test_everything_on_one_page_and_an_empty_period(serve: Callable[..., LiveServer], pki: DevPki) -> None:
    server = serve()
    [single] = fetch_all(endpoint(server.url, pki, page_size=25_000), pki.consumer)
    assert (single.page, single.total_pages, single.total_records) == (1, 1, 130)
    with fetcher(endpoint(server.url, pki), pki.consumer) as pages:
        [empty] = list(pages.fetch_pages(dt.date(2019, 1, 1), dt.date(2019, 6, 30)))
    assert (empty.total_pages, empty.total_records) == (1, 0)


def test_arguments_are_checked_before_any_request(pki: DevPki) -> None:
    with fetcher(endpoint("http://127.0.0.1:9", pki), pki.consumer) as pages, pytest.raises(ValueError):
        pages.fetch_pages(END, START)
    with pytest.raises(ValueError, match="page_size"):
        endpoint("http://127.0.0.1:9", pki, page_size=0)
    with pytest.raises(ValueError, match="base_url"):
        dataclasses.replace(endpoint("http://127.0.0.1:9", pki), base_url="ftp://x")


# -- retries ---------------------------------------------------------------------------------------------------


def _problem(status: int, **headers: str) -> Response:
    return JSONResponse(
        {"type": "about:blank", "title": "Even niet", "status": status},
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


def test_429_and_5xx_are_retried_with_retry_after_and_backoff(
    serve: Callable[..., LiveServer], pki: DevPki
) -> None:
    failures = [_problem(429, **{"Retry-After": "7"}), _problem(502), _problem(503), _problem(504)]
    server = serve(wrap=lambda app: FailFirst(app, failures))
    waits = Waits()
    pages = fetch_all(endpoint(server.url, pki), pki.consumer, waits=waits)
    assert pages[0].attempts == 5 and all(p.attempts == 1 for p in pages[1:])
    # Retry-After honoured; then min(10, 0.5 * 2**(n-1)) with jitter factor 0.5.
    assert waits == [7.0, 0.5, 1.0, 2.0]
    assert server.app.seen == 4 + len(pages)
    assert len(records(pages, "schuldhulptrajecten")) == 130


def test_retry_after_is_capped_and_backoff_is_bounded(serve: Callable[..., LiveServer], pki: DevPki) -> None:
    server = serve(
        wrap=lambda app: FailFirst(app, [_problem(429, **{"Retry-After": "3600"})] + [_problem(503)] * 5)
    )
    waits = Waits()
    pages = fetch_all(
        endpoint(server.url, pki),
        pki.consumer,
        waits=waits,
        max_attempts=7,
        max_delay=3.0,
        max_retry_after=20.0,
    )
    assert pages[0].attempts == 7
    assert waits == [20.0, 0.5, 1.0, 1.5, 1.5, 1.5]


def test_gives_up_after_the_last_attempt(serve: Callable[..., LiveServer], pki: DevPki) -> None:
    server = serve(wrap=lambda app: FailFirst(app, [_problem(503)] * 10))
    waits = Waits()
    with pytest.raises(ProviderUnreachable) as raised:
        fetch_all(endpoint(server.url, pki), pki.consumer, waits=waits)
    assert raised.value.attempts == 5 and raised.value.page == 1
    assert "HTTP 503" in str(raised.value) and "5 pogingen" in str(raised.value)
    assert waits == [0.25, 0.5, 1.0, 2.0]


def test_network_errors_are_retried(serve: Callable[..., LiveServer], pki: DevPki) -> None:
    server = serve(wrap=DropFirst)
    waits = Waits()
    pages = fetch_all(endpoint(server.url, pki), pki.consumer, waits=waits)
    assert pages[0].attempts == 2 and waits == [0.25]
    assert len(records(pages, "schuldhulptrajecten")) == 130

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    waits = Waits()
    with pytest.raises(ProviderUnreachable, match="netwerkfout") as raised:
        fetch_all(endpoint(f"http://127.0.0.1:{port}", pki), pki.consumer, waits=waits, max_attempts=3)
    assert raised.value.attempts == 3 and len(waits) == 2


# -- refusals are not retried ----------------------------------------------------------------------------------


def test_refusals_raise_provider_error_at_once(serve: Callable[..., LiveServer], pki: DevPki) -> None:
    server = serve(wrap=Recorder)
    waits = Waits()
    wrong_path = dataclasses.replace(endpoint(server.url, pki), base_url=server.url + "/bestaat-niet/v1")
    with pytest.raises(ProviderError) as raised:
        fetch_all(wrong_path, pki.consumer, waits=waits)
    assert (raised.value.status, raised.value.code) == (404, "ERROR_CODE_SERVICE_NOT_FOUND")
    assert "Service niet gevonden" in str(raised.value)

    # A request the provider finds invalid: its problem details are quoted (title, detail), nothing more.
    with (
        fetcher(endpoint(server.url, pki), pki.consumer, waits=waits) as pages,
        pytest.raises(ProviderError) as raised,
    ):
        list(pages.fetch_pages(START, END, organisatie="Gemeente Nergenshuizen"))
    assert (raised.value.status, raised.value.code) == (422, "unknown-organisation")
    assert "HTTP 422 (unknown-organisation): Organisatie onbekend — " in str(raised.value)
    assert waits == [] and server.app.paths("/gegevens") == 2  # one request each, no retry


def test_an_error_body_is_quoted_only_by_code_title_and_detail(pki: DevPki) -> None:
    problem = orjson.dumps(
        {
            "type": "urn:x",
            "title": "Ongeldige periode",
            "status": 422,
            "detail": "De periode is te lang.",
            "code": "period-too-long",
            "invalid": "123456782",
        }
    )
    app = imitation(pki.provider, lambda request: (422, problem))
    with live_server(app) as server:
        with pytest.raises(ProviderError) as raised:
            fetch_all(endpoint(server.url, pki), pki.consumer)
        assert (raised.value.status, raised.value.code) == (422, "period-too-long")
        assert "Ongeldige periode — De periode is te lang." in str(raised.value)
        assert "123456782" not in str(raised.value)
    boom = imitation(pki.provider, lambda request: (500, b"Internal Server Error: 123456782"))
    waits = Waits()
    with live_server(boom) as server, pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki), pki.consumer, waits=waits)
    assert (raised.value.status, raised.value.code) == (500, "HTTP_500") and waits == []
    assert "123456782" not in str(raised.value)


# -- verification ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode,code",
    [
        ("flip", "SIG_DIGEST_MISMATCH"),
        ("flip+digest", "SIG_INVALID"),
        ("no-digest", "DIGEST_MISSING"),
        ("no-signature", "SIG_MISSING"),
        ("text", "CONTENT_TYPE"),
    ],
)
def test_a_response_changed_after_signing_is_refused_and_not_retried(
    serve: Callable[..., LiveServer], pki: DevPki, mode: str, code: str
) -> None:
    server = serve(wrap=lambda app: Recorder(Tamper(app, mode)))
    seen: list[FetchedPage] = []
    waits = Waits()
    with (
        fetcher(endpoint(server.url, pki), pki.consumer, waits=waits) as pages,
        pytest.raises(VerificationFailed) as raised,
    ):
        list(pages.fetch_pages(START, END, on_page=seen.append))
    assert raised.value.code == code and raised.value.page == 1
    assert f"antwoord niet vertrouwd ({code})" in str(raised.value)
    assert seen == [] and waits == [] and server.app.paths("/gegevens") == 1


def test_a_signature_from_outside_the_trust_store_is_refused(
    serve: Callable[..., LiveServer], pki: DevPki, foreign_pki: DevPki
) -> None:
    server = serve(provider_settings(foreign_pki, pki))
    with pytest.raises(VerificationFailed) as raised:
        fetch_all(endpoint(server.url, pki), pki.consumer)
    assert raised.value.code.startswith("SIG_") and raised.value.code not in ("SIG_INVALID", "SIG_MISSING")
    # Trusting the foreign root instead makes the same answers acceptable, but not for the wrong OIN.
    trusting = endpoint(server.url, pki, signature_trust=foreign_pki.trust)
    assert len(fetch_all(trusting, pki.consumer)) == 4
    with pytest.raises(VerificationFailed) as raised:
        fetch_all(dataclasses.replace(trusting, signer_oin="00000001999999999000"), pki.consumer)
    assert raised.value.code == "SIGNER_OIN"


# -- paging consistency (a provider imitation that lies) -------------------------------------------------------


def test_a_provider_returning_page_one_for_every_page_is_detected(pki: DevPki) -> None:
    app = imitation(pki.provider, lambda request: (200, page_body(1)))
    seen: list[FetchedPage] = []
    with (
        live_server(app) as server,
        fetcher(endpoint(server.url, pki), pki.consumer) as pages,
        pytest.raises(ProviderError) as raised,
    ):
        list(pages.fetch_pages(START, END, on_page=seen.append))
    assert (raised.value.code, raised.value.page) == ("PAGE_MISMATCH", 2)
    assert [p.page for p in seen] == [1]


def test_changing_totals_between_pages_are_detected(pki: DevPki) -> None:
    app = imitation(
        pki.provider, lambda request: (200, page_body(request["page"], total=7 + request["page"]))
    )
    with live_server(app) as server, pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki), pki.consumer)
    assert (raised.value.code, raised.value.page) == ("PAGINERING_INCONSISTENT", 2)


def test_paginering_anywhere_or_absent(pki: DevPki) -> None:
    first = imitation(pki.provider, lambda request: (200, page_body(request["page"], paginering="first")))
    with live_server(first) as server:
        pages = fetch_all(endpoint(server.url, pki), pki.consumer)
    assert [(p.page, p.total_pages, p.total_records) for p in pages] == [(1, 3, 7), (2, 3, 7), (3, 3, 7)]
    absent = imitation(pki.provider, lambda request: (200, page_body(1, paginering="none", trajecten=5)))
    with live_server(absent) as server:
        [single] = fetch_all(endpoint(server.url, pki), pki.consumer)
    assert (single.page, single.total_pages, single.total_records) == (1, 1, 5)


@pytest.mark.parametrize(
    "body,code",
    [
        (b'{"gegevens": {}, "paginering": {"pageSize": 3, "currentPage": 1}}', "PAGINERING_INVALID"),
        (
            b'{"gegevens": {}, "paginering": {"pageSize": 3, "currentPage": 4, "totalPages": 2, "totalRecords": 5}}',
            "PAGINERING_INVALID",
        ),
        (b'{"gegevens": {}, "paginering": {"pageSize": "3", "currentPage": 1}', "INVALID_JSON"),
        (b"[1, 2]", "INVALID_JSON"),
    ],
)
def test_unusable_paginering_or_json(pki: DevPki, body: bytes, code: str) -> None:
    app = imitation(pki.provider, lambda request: (200, body))
    with live_server(app) as server, pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki), pki.consumer)
    assert raised.value.code == code


# -- mutual TLS -------------------------------------------------------------------------------------------------


def _tls(pki: DevPki) -> dict[str, Any]:
    return {
        "ssl_certfile": str(pki.path("provider-tls.pem")),
        "ssl_keyfile": str(pki.path("provider-tls.key")),
        "ssl_ca_certs": str(pki.path("root-ca.pem")),
        "ssl_cert_reqs": ssl.CERT_REQUIRED,
    }


def test_mutual_tls(serve: Callable[..., LiveServer], pki: DevPki, foreign_pki: DevPki) -> None:
    server = serve(**_tls(pki))
    assert server.url.startswith("https://")
    target = endpoint(
        server.url,
        pki,
        tls_ca=pki.path("root-ca.pem"),
        client_cert=pki.path("consumer-tls.pem"),
        client_key=pki.path("consumer-tls.key"),
    )
    pages = fetch_all(target, pki.consumer)
    assert len(records(pages, "schuldhulptrajecten")) == 130

    # A server certificate from another CA: not trusted, and not retried.
    waits = Waits()
    with pytest.raises(VerificationFailed) as raised:
        fetch_all(
            dataclasses.replace(target, tls_ca=foreign_pki.path("root-ca.pem")), pki.consumer, waits=waits
        )
    assert raised.value.code == "TLS_CERTIFICATE" and waits == []

    # Without a client certificate the server drops the connection; under TLS 1.3 the client only notices
    # when it reads the answer, which looks like any other broken connection, so it counts as unreachable.
    waits = Waits()
    with pytest.raises(ProviderUnreachable) as refused:
        fetch_all(
            dataclasses.replace(target, client_cert=None, client_key=None),
            pki.consumer,
            waits=waits,
            max_attempts=2,
        )
    assert "netwerkfout" in str(refused.value) and len(waits) == 1


# -- OAuth 2.0 client credentials ------------------------------------------------------------------------------


def _oauth_server(
    serve: Callable[..., LiveServer], pki: DevPki, issuer_key: Path, expire_first: int = 0
) -> tuple[LiveServer, Recorder]:
    """The provider with OAuth 2.0 and its token endpoint; every request is recorded."""
    settings = provider_settings(pki, pki, **oauth_overrides(issuer_key))
    server = serve(settings, wrap=lambda app: Recorder(ExpireFirst(app, expire_first)))
    return server, server.app


def _oauth(server: LiveServer, client_id: str = "cbs", secret: str = SECRET) -> OAuth2Client:
    return OAuth2Client(token_url=server.url + TOKEN_PATH, client_id=client_id, client_secret=secret)


def test_oauth2_token_is_fetched_once_and_sent_with_every_page(
    serve: Callable[..., LiveServer], pki: DevPki, issuer_key: Path
) -> None:
    server, recorder = _oauth_server(serve, pki, issuer_key)
    pages = fetch_all(endpoint(server.url, pki, oauth2=_oauth(server)), pki.consumer)
    assert len(pages) == 4
    assert recorder.paths(TOKEN_PATH) == 1
    assert [auth is not None and auth.startswith("Bearer ") for _, auth in recorder.calls[1:]] == [True] * 4
    assert SECRET not in repr(_oauth(server))


def test_oauth2_token_is_renewed_shortly_before_it_expires(
    serve: Callable[..., LiveServer], pki: DevPki, issuer_key: Path
) -> None:
    server, recorder = _oauth_server(serve, pki, issuer_key)
    now = [1000.0]
    target = endpoint(server.url, pki, oauth2=_oauth(server))
    with fetcher(target, pki.consumer, monotonic=lambda: now[0]) as pages:
        # 300 s tokens are renewed 30 s early: at 100 s per page the first token serves pages 1-3 (t = 0, 100,
        # 200), the second one page 4 (t = 300) and, after a pause, page 1 of the next series (t = 400).
        list(pages.fetch_pages(START, END, on_page=lambda page: now.__setitem__(0, now[0] + 100)))
        assert recorder.paths(TOKEN_PATH) == 2
        # 271 s per page: every further page needs a new token.
        list(pages.fetch_pages(START, END, on_page=lambda page: now.__setitem__(0, now[0] + 271)))
    assert recorder.paths(TOKEN_PATH) == 2 + 3


def test_oauth2_expired_token_is_renewed_once(
    serve: Callable[..., LiveServer], pki: DevPki, issuer_key: Path
) -> None:
    server, recorder = _oauth_server(serve, pki, issuer_key, expire_first=1)
    pages = fetch_all(endpoint(server.url, pki, oauth2=_oauth(server)), pki.consumer)
    assert pages[0].attempts == 2 and len(pages) == 4
    assert recorder.paths(TOKEN_PATH) == 2

    server, recorder = _oauth_server(serve, pki, issuer_key, expire_first=5)
    with pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki, oauth2=_oauth(server)), pki.consumer)
    assert (raised.value.status, raised.value.code) == (401, "ERROR_CODE_ACCESS_TOKEN_EXPIRED")
    assert recorder.paths(TOKEN_PATH) == 2 and recorder.paths("/gegevens") == 2


def test_oauth2_refusals(serve: Callable[..., LiveServer], pki: DevPki, issuer_key: Path) -> None:
    server, recorder = _oauth_server(serve, pki, issuer_key)
    with pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki, oauth2=_oauth(server, secret="wrong")), pki.consumer)
    assert (raised.value.status, raised.value.code) == (401, "invalid_client")
    assert "token aanvragen mislukt" in str(raised.value) and raised.value.page is None
    with pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki, oauth2=_oauth(server, "outsider")), pki.consumer)
    assert (raised.value.status, raised.value.code) == (403, "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN")
    # Without a token the provider refuses as well: the fetcher does not invent one.
    with pytest.raises(ProviderError) as raised:
        fetch_all(endpoint(server.url, pki), pki.consumer)
    assert raised.value.code == "ERROR_CODE_ACCESS_TOKEN_MISSING"
    assert recorder.paths("/gegevens") == 2
