"""Hardening of the provider service (issue 9), on real servers on loopback under `ddas serve`'s own uvicorn
configuration: secure defaults, who may call, slow and surplus connections, and errors that are always signed
problem details. Raw sockets play the clients that httpx would never be (silent, slow, malformed, hanging up).
"""

from __future__ import annotations

import json
import logging
import select
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from _app_helpers import (
    BASE_SHV,
    BASE_VS,
    NOW,
    PERIOD,
    LiveServer,
    consumer_headers,
    independent_verify,
    post,
    served_as_ddas_serve,
    third_party_sign,
)
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from fastapi import FastAPI
from typer.testing import CliRunner

from ddas.provider.app import ProviderSettings, create_app, load_settings
from ddas.provider.app.commands import build_settings, serve_command
from ddas.provider.app.period import containing_period
from ddas.provider.app.server import uvicorn_config
from ddas.provider.app.settings import SettingsError
from ddas.provider.store import Store
from ddas.signing.testing import DevPki, SelfSigned, openssl_self_signed, self_signed_like_openssl

GuardedFactory = Callable[..., LiveServer]
URL_SHV = BASE_SHV + "/gegevens"
BODY = json.dumps({**PERIOD, "pageSize": 2}).encode()
#: Long enough for any loopback exchange on a loaded 2-core machine; a connection the server should close is
#: waited for this long at most (the tests assert *that* it closes, never how fast).
PATIENCE = 20.0


# --- fixtures and raw-socket helpers -------------------------------------------------------------------------


@pytest.fixture
def secure(signed_settings: ProviderSettings, settings_with: Any) -> ProviderSettings:
    """Signed responses, trust anchors, and nothing said about request signatures: the service's defaults,
    with short read deadlines so the slow-client tests finish quickly."""
    return settings_with(  # type: ignore[no-any-return]
        signed_settings,
        signing={"require_request_signature": None},
        header_timeout_seconds=1.0,
        body_timeout_seconds=1.0,
    )


@pytest.fixture
def guarded(store: Store) -> Iterator[GuardedFactory]:
    """`guarded(settings, with_app=None)` → a live server under `ddas serve`'s uvicorn configuration."""
    with ExitStack() as stack:

        def start(
            settings: ProviderSettings, with_app: Callable[[FastAPI], None] | None = None
        ) -> LiveServer:
            app = create_app(settings, store, clock=lambda: NOW)
            if with_app is not None:
                with_app(app)
            return stack.enter_context(served_as_ddas_serve(settings, app))

        yield start


def _root(pki: DevPki) -> bytes:
    return pki.path("root-ca.pem").read_bytes()


def _connect(server: LiveServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=PATIENCE)
    sock.settimeout(PATIENCE)
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 response with a Content-Length, read from a raw socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65_536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        name.strip().lower(): value.strip() for name, _, value in (x.partition(":") for x in lines[1:])
    }
    length = int(headers["content-length"])
    while len(rest) < length:
        chunk = sock.recv(65_536)
        assert chunk, "connection closed in the middle of a response body"
        rest += chunk
    return status, headers, rest[:length]


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server closes the connection within PATIENCE (anything still unread is discarded)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        try:
            if not sock.recv(65_536):
                return True
        except TimeoutError:
            return False
        except (ConnectionResetError, BrokenPipeError, ssl.SSLError):
            return True
    return False


def _trickle_until_closed(sock: socket.socket, data: bytes, every: float = 0.2) -> bool:
    """Send `data` one byte at a time; True when the server closes the connection before we are through."""
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            return True
        readable, _, _ = select.select([sock], [], [], every)
        if readable:
            try:
                chunk = sock.recv(65_536)
            except ConnectionResetError:
                return True
            if not chunk:
                return True
    return False


def _signed_problem(
    status: int, headers: Any, body: bytes, pki: DevPki, code: str | None = None
) -> dict[str, Any]:
    """Assert problem details (or the FSC form for 404/405), signed over the exact bytes; return the body."""
    assert headers["content-type"] == "application/problem+json", (status, body)
    document: dict[str, Any] = json.loads(body)
    assert document["status"] == status
    assert document["title"] and document["detail"]
    if code is not None:
        assert document["code"] == code, document
    independent_verify(body, headers, _root(pki))
    return document


def _tool_request(certificate: SelfSigned) -> tuple[bytes, dict[str, str]]:
    """A request as the programme's test client sends it: `requests`' json= serialisation, the canonical JSON
    signed, only the certificate in x5c, no x5t#S256 and no Digest (written without ddas.signing)."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives import hashes

    payload = {"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-06-30"}
    cert = x509.load_pem_x509_certificate(certificate.certificate_pem)
    key = serialization.load_pem_private_key(certificate.key_pem, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    header = {
        "alg": "PS256",
        "typ": "JOSE",
        "kid": "test-key-2026",
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()],
    }

    def b64url(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    protected = b64url(json.dumps(header).encode())
    canonical = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    signature = key.sign(
        f"{protected}.{b64url(canonical)}".encode(),
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )
    assert hashlib.sha256(canonical).digest()  # (the tool sends no Digest header)
    return json.dumps(payload).encode(), {
        "Content-Type": "application/json",
        "nlgov-adr-payload-sig": f"{protected}..{b64url(signature)}",
    }


@pytest.fixture(scope="module")
def tool_certificate(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    """Made by the openssl binary as the programme's test tools describe (`openssl req -new -x509`); where no
    openssl is installed, the identical certificate built with cryptography."""
    directory = tmp_path_factory.mktemp("testtool")
    made = openssl_self_signed(directory, oin="00000009876543210000")
    return made if made is not None else self_signed_like_openssl(directory, oin="00000009876543210000")


# --- 4. secure by default: signatures required, allow-list -------------------------------------------------


def test_with_trust_anchors_an_unsigned_request_is_refused_by_default(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki
) -> None:
    assert secure.signing.require_request_signature is None and secure.signing.signatures_required
    live = guarded(secure)
    refused = post(live.url + URL_SHV, content=BODY)
    _signed_problem(refused.status_code, refused.headers, refused.content, pki, "SIG_MISSING")
    assert refused.status_code == 401
    assert post(live.url + URL_SHV, content=BODY, headers=consumer_headers(pki, BODY)).status_code == 200


def test_optional_signature_must_be_asked_for_and_is_a_warning_at_start(
    guarded: GuardedFactory, secure: ProviderSettings, settings_with: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="ddas.provider.app")
    live = guarded(settings_with(secure, signing={"require_request_signature": False}))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("OPTIONEEL" in message for message in warnings), warnings
    assert post(live.url + URL_SHV, content=BODY).status_code == 200


def test_serve_options_for_signatures(pki: DevPki, tool_certificate: SelfSigned) -> None:
    default = build_settings(certs=pki.directory)
    assert default.signing.signatures_required
    assert not build_settings(certs=pki.directory, require_signature=False).signing.signatures_required
    assert build_settings(certs=pki.directory, require_signature=True).signing.signatures_required
    pinned = build_settings(pinned_certificates=[tool_certificate.certificate])
    assert pinned.signing.pinned_certificates == [tool_certificate.certificate]
    assert pinned.signing.signatures_required  # pinning alone also makes signatures checkable, so required
    assert not load_settings(environ={}).signing.signatures_required  # nothing to check against: not required


def test_serve_help_names_the_new_options_in_dutch() -> None:
    import typer

    app = typer.Typer()
    app.command()(serve_command)
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200", "TERMINAL_WIDTH": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--trust-signing-cert" in text and "testopstellingen" in text
    assert "--optional-signature" in text and "standaard zodra rootcertificaten" in text


def test_only_allowed_oins_are_served_and_others_get_a_signed_403(
    guarded: GuardedFactory, secure: ProviderSettings, settings_with: Any, pki: DevPki
) -> None:
    live = guarded(settings_with(secure, signing={"allowed_oins": [pki.consumer_oin]}))
    assert post(live.url + URL_SHV, content=BODY, headers=consumer_headers(pki, BODY)).status_code == 200
    # The provider's signing certificate chains to the same root, but its OIN is not on the list.
    other = third_party_sign(
        BODY, pki.path("provider-sign.pem").read_bytes(), pki.path("provider-sign.key").read_bytes()
    )
    refused = post(live.url + URL_SHV, content=BODY, headers=other)
    assert refused.status_code == 403
    problem = _signed_problem(403, refused.headers, refused.content, pki, "oin-not-allowed")
    assert pki.provider_oin in problem["detail"] and "niet op de lijst" in problem["detail"]
    assert problem["domain"] == "ERROR_DOMAIN_INWAY"


def test_allowed_oins_from_the_environment_and_the_file_stay_text(tmp_path: Path, pki: DevPki) -> None:
    anchors = {"signing": {"trust_anchors": [str(pki.path("root-ca.pem"))]}}
    environ = {"DDAS_SIGNING__ALLOWED_OINS": "00000001003214345000, 00000001234567890000"}
    settings = load_settings(environ=environ, overrides=anchors)
    assert settings.signing.allowed_oins == ["00000001003214345000", "00000001234567890000"]
    bracketed = load_settings(
        environ={"DDAS_SIGNING__ALLOWED_OINS": '["00000001003214345000"]'}, overrides=anchors
    )
    assert bracketed.signing.allowed_oins == ["00000001003214345000"]
    config = tmp_path / "provider.yaml"
    config.write_text(
        f"signing:\n  trust_anchors: [{pki.path('root-ca.pem')}]\n  allowed_oins: [00000001003214345000]\n"
    )
    with pytest.raises(SettingsError, match="aanhalingstekens"):
        load_settings(config, environ={})
    config.write_text(
        f"signing:\n  trust_anchors: [{pki.path('root-ca.pem')}]\n  allowed_oins: ['00000001003214345000']\n"
    )
    assert load_settings(config, environ={}).signing.allowed_oins == ["00000001003214345000"]


@pytest.mark.parametrize(
    ("signing", "message"),
    [
        ({"allowed_oins": ["00000001003214345000"]}, "allowed_oins vraagt"),
        ({"trust_anchors": ["x.pem"], "allowed_oins": ["1234"]}, "geen OIN"),
        (
            {
                "trust_anchors": ["x.pem"],
                "allowed_oins": ["00000001003214345000"],
                "require_request_signature": False,
            },
            "optionele ondertekening",
        ),
        ({"require_request_signature": True}, "vraagt trust_anchors of pinned_certificates"),
    ],
)
def test_inconsistent_signing_settings_are_refused(signing: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(environ={}, overrides={"signing": signing})


# --- 3. the programme's test client: pinned self-signed certificates ----------------------------------------


def test_the_test_clients_certificate_is_refused_unless_pinned_and_then_logged(
    guarded: GuardedFactory,
    secure: ProviderSettings,
    settings_with: Any,
    pki: DevPki,
    tool_certificate: SelfSigned,
    caplog: pytest.LogCaptureFixture,
) -> None:
    body, headers = _tool_request(tool_certificate)
    plain = guarded(secure)
    refused = post(plain.url + URL_SHV, content=body, headers=headers)
    assert refused.status_code == 401
    _signed_problem(401, refused.headers, refused.content, pki, "SIG_CHAIN_UNTRUSTED")

    caplog.set_level(logging.INFO)
    pinned = guarded(
        settings_with(secure, signing={"pinned_certificates": [str(tool_certificate.certificate)]})
    )
    assert any("vastgepinde ondertekeningscertificaten" in r.getMessage() for r in caplog.records)
    accepted = post(pinned.url + URL_SHV, content=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    independent_verify(accepted.content, accepted.headers, _root(pki))
    lines = [r.getMessage() for r in caplog.records if "ondertekening verzoek geldig" in r.getMessage()]
    assert lines and "vastgepind" in lines[-1] and "canonical" in lines[-1]
    # Anyone else is still held to the chain: another self-signed certificate is refused.
    stranger = self_signed_like_openssl(Path(str(tool_certificate.certificate.parent)) / "stranger")
    other_body, other_headers = _tool_request(stranger)
    assert post(pinned.url + URL_SHV, content=other_body, headers=other_headers).status_code == 401


def test_an_expired_pinned_certificate_is_refused(
    guarded: GuardedFactory, secure: ProviderSettings, settings_with: Any, pki: DevPki, tmp_path: Path
) -> None:
    start = datetime.now(UTC) - timedelta(days=400)
    expired = self_signed_like_openssl(tmp_path, not_before=start, not_after=start + timedelta(days=365))
    live = guarded(settings_with(secure, signing={"pinned_certificates": [str(expired.certificate)]}))
    body, headers = _tool_request(expired)
    refused = post(live.url + URL_SHV, content=body, headers=headers)
    assert refused.status_code == 401
    _signed_problem(401, refused.headers, refused.content, pki, "SIG_CERT_EXPIRED")


# --- 4. what the request may look like: redirects, media types --------------------------------------------


def test_a_trailing_slash_is_not_redirected_to_a_forged_host(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki
) -> None:
    live = guarded(secure)
    with httpx.Client(follow_redirects=False) as client:
        response = client.post(
            live.url + URL_SHV + "/",
            content=BODY,
            headers={**consumer_headers(pki, BODY), "Host": "aanvaller.example"},
        )
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "aanvaller.example" not in response.text
    assert response.headers["fsc-error-code"] == "ERROR_CODE_SERVICE_NOT_FOUND"
    independent_verify(response.content, response.headers, _root(pki))


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=iso-8859-1",
        "application/xml",
    ],
)
def test_a_body_that_is_not_json_is_415(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki, content_type: str
) -> None:
    live = guarded(secure)
    headers = {**consumer_headers(pki, BODY), "Content-Type": content_type}
    response = post(live.url + URL_SHV, content=BODY, headers=headers)
    assert response.status_code == 415
    problem = _signed_problem(415, response.headers, response.content, pki, "unsupported-media-type")
    assert "application/json" in problem["detail"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/json", None])
def test_json_and_an_absent_content_type_are_accepted(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki, content_type: str | None
) -> None:
    live = guarded(secure)
    headers = consumer_headers(pki, BODY)
    if content_type is None:
        del headers["Content-Type"]
    else:
        headers["Content-Type"] = content_type
    with httpx.Client() as client:
        response = client.post(live.url + URL_SHV, content=BODY, headers=headers)
    assert response.status_code == 200


# --- 5. no tracebacks, nothing unsigned --------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_body",
    [
        {"aanleverperiodeStartdatum": "9999-07-01"},
        {"aanleverperiodeEinddatum": "9999-12-31"},
        {"aanleverperiodeStartdatum": "9999-12-31", "aanleverperiodeEinddatum": "9999-12-31"},
    ],
)
def test_a_period_in_the_year_9999_is_answered(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki, request_body: dict[str, str]
) -> None:
    live = guarded(secure)
    body = json.dumps(request_body).encode()
    response = post(live.url + URL_SHV, content=body, headers=consumer_headers(pki, body))
    assert response.status_code == 200, response.text
    assert response.json()["gegevens"]["einddatumLevering"] == "9999-12-31"
    independent_verify(response.content, response.headers, _root(pki))


def test_the_last_period_of_the_calendar_ends_on_31_december_9999() -> None:
    last = __import__("datetime").date(9999, 12, 31)
    assert containing_period(last, "half-year") == (last.replace(month=7, day=1), last)
    assert containing_period(last, "quarter") == (last.replace(month=10, day=1), last)


def _boom(app: FastAPI) -> None:
    """A route that fails the way a bug would, added to the real application for the error walk."""

    async def fail() -> None:
        raise RuntimeError("een waarde die niet in het log hoort: 123456782")

    app.add_api_route(BASE_VS + "/storing", fail, methods=["POST"])


def test_every_error_is_signed_problem_details(
    guarded: GuardedFactory,
    secure: ProviderSettings,
    settings_with: Any,
    pki: DevPki,
    store: Store,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """400 (body and malformed HTTP), 401, 403, 404, 405, 408, 413, 415, 422, 429, 500 and 503, each checked
    for problem details (FSC form for 404/405) and a signature over the exact bytes."""
    caplog.set_level(logging.INFO)
    settings = settings_with(
        secure, max_body_bytes=256, signing={"allowed_oins": [pki.consumer_oin]}, rate_limit_per_minute=0
    )
    live = guarded(settings, _boom)
    url = live.url + URL_SHV
    provider = (pki.path("provider-sign.pem").read_bytes(), pki.path("provider-sign.key").read_bytes())
    reversed_period = b'{"aanleverperiodeStartdatum": "2025-06-30", "aanleverperiodeEinddatum": "2025-01-01"}'
    big = json.dumps({"aanleverende_organisatie": "x" * 400}).encode()
    seen: dict[int, str | None] = {}
    with httpx.Client(timeout=PATIENCE) as client:
        cases = [
            (400, "malformed-json", client.post(url, content=b"{", headers=consumer_headers(pki, b"{"))),
            (401, "SIG_MISSING", client.post(url, content=BODY)),
            (
                403,
                "oin-not-allowed",
                client.post(url, content=BODY, headers=third_party_sign(BODY, *provider)),
            ),
            (404, None, client.post(live.url + "/nergens", content=BODY)),
            (405, None, client.get(url)),
            (413, "body-too-large", client.post(url, content=big, headers=consumer_headers(pki, big))),
            (
                415,
                "unsupported-media-type",
                client.post(url, content=BODY, headers={"Content-Type": "text/csv"}),
            ),
            (
                422,
                "period-reversed",
                client.post(url, content=reversed_period, headers=consumer_headers(pki, reversed_period)),
            ),
            (500, "internal-error", client.post(live.url + BASE_VS + "/storing", content=b"{}")),
        ]
    for status, code, response in cases:
        assert response.status_code == status, (status, response.text)
        _signed_problem(status, response.headers, response.content, pki, code)
        seen[status] = code
    assert cases[3][2].headers["fsc-error-code"] == "ERROR_CODE_SERVICE_NOT_FOUND"
    assert cases[4][2].headers["fsc-error-code"] == "ERROR_CODE_METHOD_UNSUPPORTED"

    # 408: a body that stops arriving.
    with _connect(live) as sock:
        sock.sendall(
            f"POST {URL_SHV} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100\r\n\r\n{".encode()
        )
        status, headers, body = _read_response(sock)
        assert status == 408
        problem = _signed_problem(408, headers, body, pki, "body-timeout")
        assert "1 seconden" in problem["detail"]
        assert headers["connection"] == "close"
        assert _closed_by_server(sock)

    # 400 for something that is not HTTP at all (uvicorn's own answer is unsigned plain text).
    with _connect(live) as sock:
        sock.sendall(b"DIT IS GEEN HTTP\r\n\r\n")
        status, headers, body = _read_response(sock)
        assert status == 400
        _signed_problem(400, headers, body, pki, "malformed-http")

    # 429 on a server with a limit of one request a minute.
    limited = guarded(settings_with(secure, rate_limit_per_minute=1))
    with httpx.Client(timeout=PATIENCE) as client:
        client.post(limited.url + URL_SHV, content=BODY, headers=consumer_headers(pki, BODY))
        too_many = client.post(limited.url + URL_SHV, content=BODY, headers=consumer_headers(pki, BODY))
    assert too_many.status_code == 429
    _signed_problem(429, too_many.headers, too_many.content, pki, "rate-limited")

    # 503 when the store breaks underneath the service.
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE snapshot_items")
    fresh = b'{"pageSize": 7}'  # not asked before: no snapshot or cached page to fall back on
    unavailable = post(url, content=fresh, headers=consumer_headers(pki, fresh))
    assert unavailable.status_code == 503
    _signed_problem(503, unavailable.headers, unavailable.content, pki, "store-unavailable")

    # The unexpected failure: one log line naming type and place, no traceback, no value from the exception.
    text = "\n".join(record.getMessage() for record in caplog.records)
    failures = [r for r in caplog.records if "500 internal-error" in r.getMessage()]
    assert len(failures) == 1 and "RuntimeError" in failures[0].getMessage()
    assert "test_app_hardening.py" in failures[0].getMessage() and failures[0].exc_info is None
    assert "123456782" not in text and "Traceback" not in text and "Exception in ASGI" not in text


def test_a_client_that_hangs_up_mid_body_leaves_one_line_and_no_traceback(
    guarded: GuardedFactory,
    secure: ProviderSettings,
    settings_with: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Other tests' uvicorn servers configure uvicorn's loggers not to propagate; the log must be seen whole here.
    for name in ("uvicorn", "uvicorn.error"):
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    caplog.set_level(logging.INFO)
    live = guarded(settings_with(secure, body_timeout_seconds=PATIENCE))
    for _ in range(3):
        with _connect(live) as sock:
            sock.sendall(
                f"POST {URL_SHV} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                'Content-Length: 100\r\n\r\n{"pageSize": '.encode()
            )
            time.sleep(0.2)  # let the server start reading the body before the client hangs up
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        lines = [r for r in caplog.records if "verbrak de verbinding" in r.getMessage()]
        if len(lines) == 3:
            break
        time.sleep(0.05)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert len(lines) == 3, text
    assert all(r.exc_info is None and r.levelno == logging.INFO for r in lines)
    assert "Exception in ASGI application" not in text and "Traceback" not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- 4. slow and surplus connections ------------------------------------------------------------------------


def test_a_silent_connection_is_closed_after_the_header_timeout(
    guarded: GuardedFactory, secure: ProviderSettings
) -> None:
    live = guarded(secure)
    with _connect(live) as sock:
        assert _closed_by_server(sock)


def test_a_request_head_sent_byte_by_byte_is_cut_off(
    guarded: GuardedFactory, secure: ProviderSettings
) -> None:
    live = guarded(secure)
    head = f"POST {URL_SHV} HTTP/1.1\r\nHost: x\r\n" + "X-Langzaam: " + "a" * 200 + "\r\n\r\n"
    with _connect(live) as sock:
        assert _trickle_until_closed(sock, head.encode())


def test_an_idle_keep_alive_connection_that_starts_a_request_slowly_is_cut_off(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki
) -> None:
    live = guarded(secure)
    request = (
        f"POST {URL_SHV} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(BODY)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in consumer_headers(pki, BODY).items())
        + "\r\n"
    ).encode() + BODY
    with _connect(live) as sock:
        sock.sendall(request)
        status, _, _ = _read_response(sock)
        assert status == 200
        assert _trickle_until_closed(sock, f"POST {URL_SHV} HTTP/1.1\r\n".encode() + b"X: " + b"b" * 200)


def test_a_client_still_sending_a_body_after_its_answer_is_cut_off(
    guarded: GuardedFactory, secure: ProviderSettings
) -> None:
    """An unknown path is answered (404) without reading the body; a client trickling on is not read for ever."""
    live = guarded(secure)
    with _connect(live) as sock:
        sock.sendall(b"POST /nergens HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
        status, _, _ = _read_response(sock)
        assert status == 404
        assert _trickle_until_closed(sock, b"x" * 500)


def test_a_silent_tls_connection_is_closed_after_the_header_timeout(
    guarded: GuardedFactory, secure: ProviderSettings, settings_with: Any, pki: DevPki
) -> None:
    tls = {
        "certificate": str(pki.path("provider-tls.pem")),
        "key": str(pki.path("provider-tls.key")),
        "client_ca": str(pki.path("root-ca.pem")),
    }
    live = guarded(settings_with(secure, tls=tls))
    assert live.url.startswith("https://")
    with _connect(live) as sock:  # TCP only: the TLS handshake never starts
        assert _closed_by_server(sock)
    # A client that does complete the handshake, and then says nothing, is closed as well.
    context = ssl.create_default_context(cafile=str(pki.path("root-ca.pem")))
    context.load_cert_chain(str(pki.path("consumer-tls.pem")), str(pki.path("consumer-tls.key")))
    with context.wrap_socket(_connect(live), server_hostname="localhost") as tls_sock:
        assert _closed_by_server(tls_sock)


def test_connections_beyond_the_limit_are_closed_at_once(
    guarded: GuardedFactory,
    secure: ProviderSettings,
    settings_with: Any,
    pki: DevPki,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ddas.provider.app")
    live = guarded(settings_with(secure, max_connections=2, header_timeout_seconds=PATIENCE * 3))
    first, second = _connect(live), _connect(live)
    try:
        first.sendall(b"GET ")  # both held open, neither finished: within the (long) header timeout
        second.sendall(b"GET ")
        with _connect(live) as surplus:
            assert _closed_by_server(surplus)
        assert any(
            "geweigerd" in r.getMessage() and "max_connections" in r.getMessage() for r in caplog.records
        )
    finally:
        first.close()
    # Once a connection is gone, a new client is served again.
    deadline = time.monotonic() + PATIENCE
    status = 0
    while time.monotonic() < deadline and status != 200:
        try:
            status = post(live.url + URL_SHV, content=BODY, headers=consumer_headers(pki, BODY)).status_code
        except httpx.TransportError:
            time.sleep(0.1)
    second.close()
    assert status == 200


def test_keep_alive_outlasts_the_clients_idle_time(
    guarded: GuardedFactory, signed_settings: ProviderSettings, settings_with: Any, pki: DevPki, store: Store
) -> None:
    """uvicorn's default (5 s) closed an idle connection just as a client reused it; ddas keeps it 75 s."""
    settings = settings_with(signed_settings, signing={"require_request_signature": None})
    assert settings.keep_alive_seconds == 75
    assert uvicorn_config(settings, create_app(settings, store)).timeout_keep_alive == 75
    live = guarded(settings)
    request = (
        f"POST {URL_SHV} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(BODY)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in consumer_headers(pki, BODY).items())
        + "\r\n"
    ).encode() + BODY
    with _connect(live) as sock:
        sock.sendall(request)
        assert _read_response(sock)[0] == 200
        time.sleep(6)  # longer than uvicorn's default keep-alive: the same connection must still be served
        sock.sendall(request)
        assert _read_response(sock)[0] == 200


def test_the_vs_service_is_guarded_alike(
    guarded: GuardedFactory, secure: ProviderSettings, pki: DevPki
) -> None:
    live = guarded(secure)
    response = post(live.url + BASE_VS + "/gegevens", content=b"{}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    _signed_problem(415, response.headers, response.content, pki, "unsupported-media-type")
