"""Helpers for the provider app tests: a real uvicorn server on loopback, and a third party's signing code.

`independent_verify` and `third_party_sign` are written the way a collector or client outside ddas would write
them — a few lines on `cryptography` and base64url, nothing from `ddas.signing` — so that the tests show ddas
interoperates with code that only knows the published description (SPEC.md §6).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ddas.signing.testing import DevPki

#: The in-process servers' fixed clock: asked on 10 July 2025, the default period is the first half of 2025.
NOW = dt.datetime(2025, 7, 10, 8, 0, tzinfo=dt.UTC)
#: When the test data was imported (naive UTC, the store's convention): before NOW, so it is visible.
IMPORTED = dt.datetime(2025, 7, 5, 12, 0)
GEMEENTEN = ["0363", "0599", "0344"]

#: `serve(settings=None, store_=None, clock=None, **uvicorn_ssl_options)` → LiveServer (a conftest fixture).
ServerFactory = Callable[..., Any]

BASE_SHV = "/ddas-schuldhulpverlening/v1"
BASE_VS = "/ddas-vroegsignalering/v1"
PERIOD = {"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-06-30"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def independent_verify(body: bytes, headers: Any, root_pem: bytes) -> dict[str, Any]:
    """Verify a ddas response as an outsider would; returns the protected header, raises AssertionError."""
    digest = headers["digest"]
    assert digest == "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(), "Digest mismatch"
    value = headers["nlgov-adr-payload-sig"]
    protected_b64, payload, signature_b64 = value.split(".")
    assert payload == "", "payload must be detached"
    header = json.loads(b64url_decode(protected_b64))
    assert header["alg"] == "PS256" and header["typ"] == "JOSE" and header["kid"]
    chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in header["x5c"]]
    leaf_der = chain[0].public_bytes(serialization.Encoding.DER)
    assert header["x5t#S256"] == b64url(hashlib.sha256(leaf_der).digest())
    root = x509.load_pem_x509_certificate(root_pem)
    issuers = [*chain[1:], root]
    for certificate, issuer in zip(chain, issuers, strict=False):
        issuer.public_key().verify(  # type: ignore[union-attr]
            certificate.signature,
            certificate.tbs_certificate_bytes,
            padding.PKCS1v15(),
            certificate.signature_hash_algorithm,  # type: ignore[arg-type]
        )
    public = chain[0].public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    signing_input = protected_b64.encode() + b"." + b64url(body).encode()
    public.verify(
        b64url_decode(signature_b64),
        signing_input,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
        hashes.SHA256(),
    )
    return header


def third_party_sign(body: bytes, cert_pem: bytes, key_pem: bytes, *, alg: str = "PS256") -> dict[str, str]:
    """Sign a request body the way a client outside ddas would: Digest + detached PS256 JWS over the bytes."""
    chain = x509.load_pem_x509_certificates(cert_pem)
    key = serialization.load_pem_private_key(key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    leaf_der = chain[0].public_bytes(serialization.Encoding.DER)
    header = {
        "alg": alg,
        "typ": "JOSE",
        "kid": "client-sign-1",
        "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain],
        "x5t#S256": b64url(hashlib.sha256(leaf_der).digest()),
    }
    protected = b64url(json.dumps(header).encode())
    signing_input = protected.encode() + b"." + b64url(body).encode()
    if alg == "PS256":
        signature = key.sign(
            signing_input,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
            hashes.SHA256(),
        )
    else:
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode(),
        "nlgov-adr-payload-sig": f"{protected}..{b64url(signature)}",
    }


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class LiveServer:
    """A uvicorn server in a thread on a free loopback port (plain HTTP or TLS)."""

    def __init__(
        self, server: uvicorn.Server, sock: socket.socket, thread: threading.Thread, scheme: str
    ) -> None:
        self.server = server
        self.sock = sock
        self.thread = thread
        self.port = sock.getsockname()[1]
        self.url = f"{scheme}://127.0.0.1:{self.port}"


@contextmanager
def live_server(app: Any, **ssl_options: Any) -> Iterator[LiveServer]:
    """Run `app` on loopback for the duration of the block; `ssl_options` go to uvicorn (ssl_certfile, ...)."""
    config = uvicorn.Config(app, log_level="warning", lifespan="off", **ssl_options)
    with run_config(config, "https" if "ssl_certfile" in ssl_options else "http") as server:
        yield server


@contextmanager
def served_as_ddas_serve(settings: Any, app: Any) -> Iterator[LiveServer]:
    """Run `app` under exactly the uvicorn configuration `ddas serve` uses for `settings` (guards, TLS)."""
    from ddas.provider.app.app import signing_identity
    from ddas.provider.app.server import uvicorn_config

    config = uvicorn_config(settings, app, identity=signing_identity(settings), log_level="warning")
    with run_config(config, "https" if settings.tls.certificate is not None else "http") as server:
        yield server


@contextmanager
def run_config(config: uvicorn.Config, scheme: str) -> Iterator[LiveServer]:
    """Run a uvicorn configuration in a thread on a free loopback port for the duration of the block."""
    sock = _free_socket()
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(server, sock, thread, scheme)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


SERVE_LAUNCH = "import typer; from ddas.provider.app.commands import serve_command; typer.run(serve_command)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Served:
    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log


def start_serve(args: list[str], log: Path, scheme: str, port: int, ssl_context: Any = None) -> Served:
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE_LAUNCH, *args], stdout=handle, stderr=subprocess.STDOUT
    )
    url = f"{scheme}://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve stopped: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Served(process, url, log)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("serve did not start")


def stop_serve(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


def client_ssl_context(ca_pem: str, cert: str | None = None, key: str | None = None) -> ssl.SSLContext:
    """A client TLS context trusting the dev root; with a client certificate when given."""
    context = ssl.create_default_context(cafile=ca_pem)
    if cert is not None:
        context.load_cert_chain(cert, key)
    return context


def post(url: str, body: Any = None, *, content: bytes | None = None, **kwargs: Any) -> Any:
    """POST a JSON body (or raw `content`) with a fresh httpx client; returns the httpx response."""
    data = content if content is not None else json.dumps({} if body is None else body).encode()
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    with httpx.Client(timeout=60, **kwargs) as client:
        return client.post(url, content=data, headers=headers)


def fill(store: Any, *documents: dict[str, Any]) -> None:
    """Import deliveries "on 5 July 2025"; every record must enter (else the tests' counts are off)."""
    import orjson

    from ddas.provider.store import import_delivery

    for document in documents:
        summary = import_delivery(store, orjson.dumps(document), now=IMPORTED)
        assert not summary.rejected, summary.rejected
        assert not summary.held_back, summary.held_back


def bsns_in(*documents: dict[str, Any]) -> set[str]:
    """Every BSN in the documents."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Burgerservicenummer" and isinstance(value, str) and value:
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for document in documents:
        walk(document)
    return found


def consumer_headers(pki: DevPki, body: bytes) -> dict[str, str]:
    """Content-Type, Digest and signature for `body`, signed as the dev consumer (outsider's code)."""
    signed = third_party_sign(
        body, pki.path("consumer-sign.pem").read_bytes(), pki.path("consumer-sign.key").read_bytes()
    )
    return {"Content-Type": "application/json", **signed}


def request_series(url: str, pki: DevPki, bsn: str) -> None:
    """Every kind of request, each signed as the consumer (as a service with trust anchors requires): all pages
    of both kinds, errors carrying a BSN in the body, and an unknown path with a BSN in it."""

    def send(client: httpx.Client, path: str, body: bytes) -> int:
        response = client.post(url + path, content=body, headers=consumer_headers(pki, body))
        return int(response.status_code)

    with httpx.Client(timeout=60) as client:
        for base, size in ((BASE_SHV, 40), (BASE_VS, 50)):
            first = client.post(
                url + base + "/gegevens",
                content=(body := json.dumps({**PERIOD, "pageSize": size}).encode()),
                headers=consumer_headers(pki, body),
            )
            assert first.status_code == 200, first.text
            for page in range(2, first.json()["paginering"]["totalPages"] + 1):
                paged = json.dumps({**PERIOD, "pageSize": size, "page": page}).encode()
                assert send(client, base + "/gegevens", paged) == 200
        assert send(client, BASE_SHV + "/gegevens", b'{"pageSize": 2}') == 200
        leaky = [
            {"aanleverende_organisatie": bsn},
            {bsn: 1},
            {"page": int(bsn)},
        ]
        statuses = [send(client, BASE_SHV + "/gegevens", json.dumps(b).encode()) for b in leaky]
        assert statuses == [422, 400, 200]
        assert send(client, BASE_SHV + "/gegevens", f'{{"x": {bsn}'.encode()) == 400
        assert send(client, f"/{bsn}/gegevens", b"{}") == 404
