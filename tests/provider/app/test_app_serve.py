"""`serve_command` in a real subprocess: mutual TLS with the dev PKI, start-up errors, and a BSN-free log."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _app_helpers import (
    BASE_SHV,
    PERIOD,
    SERVE_LAUNCH,
    Served,
    bsns_in,
    client_ssl_context,
    consumer_headers,
    free_port,
    independent_verify,
    request_series,
    start_serve,
    stop_serve,
)
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ddas.signing.pki import CLIENT_TLS, issue_certificate
from ddas.signing.testing import DevPki


@pytest.fixture(scope="module")
def store_copy(store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("serve") / "store.sqlite"
    copy.write_bytes(store_file.read_bytes())
    return copy


@pytest.fixture(scope="module")
def tls_server(store_copy: Path, pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    port = free_port()
    log = tmp_path_factory.mktemp("tls-log") / "serve.log"
    args = ["--store", f"sqlite:///{store_copy}", "--port", str(port), "--certs", str(pki.directory), "--tls"]
    served = start_serve(args, log, "https", port)
    yield served
    stop_serve(served)


def _tls_client(pki: DevPki, cert: str | None = None, key: str | None = None) -> httpx.Client:
    context = client_ssl_context(str(pki.path("root-ca.pem")), cert, key)
    return httpx.Client(verify=context, timeout=30)


def test_mutual_tls_with_a_dev_client_certificate(tls_server: Served, pki: DevPki) -> None:
    body = json.dumps({**PERIOD, "pageSize": 3}).encode()
    with _tls_client(pki, str(pki.path("consumer-tls.pem")), str(pki.path("consumer-tls.key"))) as client:
        response = client.post(
            tls_server.url + BASE_SHV + "/gegevens", content=body, headers=consumer_headers(pki, body)
        )
    assert response.status_code == 200
    assert response.json()["paginering"]["pageSize"] == 3
    independent_verify(response.content, response.headers, pki.path("root-ca.pem").read_bytes())


def test_no_client_certificate_is_refused_in_the_handshake(tls_server: Served, pki: DevPki) -> None:
    with _tls_client(pki) as client, pytest.raises(httpx.TransportError):
        client.post(tls_server.url + BASE_SHV + "/gegevens", json=PERIOD)


def test_a_client_certificate_from_another_ca_is_refused(
    tls_server: Served, pki: DevPki, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vreemde client")])
    certificate = issue_certificate(
        name, key, CLIENT_TLS, not_before=now - timedelta(days=1), not_after=now + timedelta(days=1)
    )
    cert_path, key_path = tmp_path / "client.pem", tmp_path / "client.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with _tls_client(pki, str(cert_path), str(key_path)) as client, pytest.raises(httpx.TransportError):
        client.post(tls_server.url + BASE_SHV + "/gegevens", json=PERIOD)


def test_plain_http_to_the_tls_port_gets_no_answer(tls_server: Served) -> None:
    with httpx.Client(timeout=10) as client, pytest.raises(httpx.TransportError):
        client.post(tls_server.url.replace("https", "http") + BASE_SHV + "/gegevens", json=PERIOD)


@pytest.mark.parametrize(
    "args,message",
    [
        (["--tls"], "--tls vraagt"),
        (["--certs", "/nonexistent/pki"], "ontbreekt"),
        (["--store", "mysql://x/y"], "wordt niet ondersteund"),
        (["--auth", "oauth2"], "oauth2 vraagt"),
        (["--log-level", "luid"], "logniveau"),
    ],
)
def test_bad_start_up_options_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    store = ["--store", f"sqlite:///{tmp_path / 's.sqlite'}"] if "--store" not in args else []
    result = subprocess.run(
        [sys.executable, "-c", SERVE_LAUNCH, *store, "--port", str(free_port()), *args],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr.decode()
    assert message in result.stderr.decode()


def test_debug_log_of_a_full_request_series_holds_no_bsn(
    store_copy: Path,
    pki: DevPki,
    tmp_path: Path,
    shv_document: dict[str, Any],
    vs_document: dict[str, Any],
    own_gemeente_document: dict[str, Any],
) -> None:
    bsns = bsns_in(shv_document, vs_document, own_gemeente_document)
    assert len(bsns) > 100
    port = free_port()
    log = tmp_path / "serve.log"
    served = start_serve(
        [
            "--store",
            f"sqlite:///{store_copy}",
            "--port",
            str(port),
            "--certs",
            str(pki.directory),
            "--log-level",
            "debug",
        ],
        log,
        "http",
        port,
    )
    bsn = sorted(bsns)[0]
    try:
        request_series(served.url, pki, bsn)
    finally:
        stop_serve(served)
    text = log.read_text()
    assert "gegevens shv" in text and "gegevens vs" in text and "DEBUG" in text
    assert "ondertekening verzoek geldig: vorm bytes" in text
    runs = set(re.findall(r"(?<!\d)\d{9}(?!\d)", text))
    assert not runs & bsns, "a BSN from the data appears in the log"
    # The access log did see the path with the BSN in it, and wrote it masked.
    assert f"/*****{bsn[-4:]}/gegevens" in text


def test_unusable_key_material_stops_the_service_at_start_up(tmp_path: Path, pki: DevPki) -> None:
    config = tmp_path / "provider.yaml"
    config.write_text(
        "signing:\n"
        f"  certificate: {pki.path('provider-sign.pem')}\n"
        f"  key: {pki.path('consumer-sign.key')}\n"  # not the certificate's key
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVE_LAUNCH,
            "--store",
            f"sqlite:///{tmp_path / 's.sqlite'}",
            "--config",
            str(config),
        ],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr.decode()
    assert "hoort niet bij" in result.stderr.decode()
