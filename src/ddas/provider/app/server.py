"""The uvicorn configuration `ddas serve` runs with: read deadlines, a connection limit and a bounded handshake.

uvicorn bounds an idle keep-alive connection, but not a slow one: a client that connects and sends nothing, or
sends its request head a byte at a time, keeps its connection (and a file descriptor) for as long as it likes,
and a TLS client that never finishes its handshake is kept for asyncio's default of 60 seconds. Nor does it
answer malformed HTTP with anything but unsigned plain text. This module closes those gaps with uvicorn's own
extension points — a subclass of its h11 protocol passed as `http=`, and the event loop its `Config` hands out —
rather than a server of our own:

- **Request head deadline.** From the moment a connection is usable (after the TLS handshake) and again whenever
  a new request starts arriving on a kept-alive connection, its request line and headers must be complete within
  `header_timeout_seconds`, else the connection is closed.
- **TLS handshake deadline.** The same number of seconds bounds the handshake (asyncio's `ssl_handshake_timeout`,
  which uvicorn does not expose).
- **Body deadline.** The application answers 408 when a body is not complete within `body_timeout_seconds`
  (see `app._read_body`); here, a client that keeps sending a body after its answer went out (a 404 on a POST,
  say) is cut off after the same time instead of being read for ever, and once that body is through, the
  connection gets an idle deadline again (uvicorn stops its keep-alive timer on every byte and does not restart it).
- **Connection limit.** A connection beyond `max_connections` is closed at once, before anything is read. Not
  uvicorn's `limit_concurrency`: that one reads the request and then answers 503 in unsigned plain text.
- **Keep-alive.** `keep_alive_seconds` (75 s by default, as nginx) stays well above the idle time of HTTP
  clients (httpx: 5 s, the collector: 2 s), so it is always the client that closes an idle connection, never the
  server at the moment the client reuses it (with uvicorn's 5 s, a reuse after about 4.5 s idle could fail).
- **Malformed HTTP** is answered with a signed problem+json 400 instead of uvicorn's plain text.

Closing a connection is logged as one line, each kind at most once a minute (the next line says how many went
unlogged), so a flood of slow or surplus connections cannot flood the log.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import threading
import time
from typing import Any, ClassVar

import h11
import orjson
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from ddas.provider.app.problems import PROBLEM_JSON
from ddas.provider.app.settings import ProviderSettings
from ddas.signing.jws import signed_headers
from ddas.signing.keys import SigningIdentity

__all__ = ["GuardedConfig", "guarded_protocol", "uvicorn_config"]

log = logging.getLogger("ddas.provider.app")


class _Notices:
    """Log one line per kind of event at most once per `interval` seconds, saying how many went unlogged."""

    def __init__(self, interval: float = 60.0) -> None:
        self._interval = interval
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}
        self._lock = threading.Lock()

    def note(self, kind: str, message: str, *args: Any) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self._interval:
                self._quiet[kind] = self._quiet.get(kind, 0) + 1
                return
            self._last[kind] = now
            quiet = self._quiet.pop(kind, 0)
        suffix = f" (en {quiet} keer eerder in de afgelopen minuut, niet gelogd)" if quiet else ""
        log.info(message + suffix, *args)


def _malformed_http_response(identity: SigningIdentity | None) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Headers and body of the answer to a request that is not HTTP/1.1 at all: built and signed once."""
    body = orjson.dumps(
        {
            "type": "urn:ddas:problem:malformed-http",
            "title": "Ongeldig verzoek",
            "status": 400,
            "detail": "Het verzoek is geen geldig HTTP/1.1-bericht (verzoekregel of headers onleesbaar of te "
            "groot); de verbinding wordt gesloten.",
            "code": "malformed-http",
        }
    )
    headers = [
        (b"content-type", PROBLEM_JSON.encode("ascii")),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"connection", b"close"),
    ]
    if identity is not None:
        headers += [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in signed_headers(body, identity).items()
        ]
    return headers, body


class _GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with read deadlines, a connection limit and a signed answer to malformed HTTP.

    The class attributes are set per server by `guarded_protocol`; uvicorn makes one instance per connection.
    """

    header_timeout: ClassVar[float] = 10.0
    body_timeout: ClassVar[float] = 30.0
    max_connections: ClassVar[int] = 100
    malformed_headers: ClassVar[list[tuple[bytes, bytes]]] = []
    malformed_body: ClassVar[bytes] = b""
    notices: ClassVar[_Notices]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._deadline_kind = ""

    # --- connection lifetime -------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            self.notices.note(
                "limit",
                "verbinding van %s geweigerd: al %d verbindingen open (max_connections)",
                self._who(),
                self.max_connections,
            )
            transport.close()
            return
        self._ensure("head", self.header_timeout, "geen volledige verzoekregel en headers binnen %g s")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._after_input()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._after_input()

    # --- deadlines -------------------------------------------------------------------------------------------

    def _after_input(self) -> None:
        """Keep the deadline the connection's state asks for; a deadline of the same kind is never restarted,
        so trickling bytes does not buy time."""
        if self.transport.is_closing():
            self._disarm()
            return
        state = self.conn.their_state
        cycle = self.cycle
        if state is h11.IDLE and (cycle is None or cycle.response_complete):
            if cycle is None or self.conn.trailing_data[0]:
                # (Part of) a request head is awaited or arriving; uvicorn stopped its keep-alive timer.
                self._ensure("head", self.header_timeout, "verzoekregel en headers niet volledig binnen %g s")
            elif self.timeout_keep_alive_task is None:
                # Idle between requests without uvicorn's keep-alive timer: uvicorn stops that timer on every
                # byte received and does not restart it after discarding the rest of an answered request's body.
                self._ensure("idle", self.timeout_keep_alive, "geen nieuw verzoek binnen %g s")
            else:
                self._disarm()  # idle, and uvicorn's keep-alive timer will close it
        elif state is h11.SEND_BODY and cycle is not None and cycle.response_complete:
            # Answered already, but the client is still sending its body: it gets as long as a body may take.
            self._ensure("body", self.body_timeout, "body na het antwoord niet binnen %g s afgerond")
        else:
            # A request head has arrived: the application now bounds the body (408) and its answer.
            self._disarm()

    def _ensure(self, kind: str, seconds: float, reason: str) -> None:
        if self._deadline is not None and self._deadline_kind == kind:
            return
        self._disarm()
        self._deadline_kind = kind
        self._deadline = self.loop.call_later(seconds, self._expired, reason % seconds)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._deadline_kind = ""

    def _expired(self, reason: str) -> None:
        self._deadline = None
        self._deadline_kind = ""
        if self.transport.is_closing():
            return
        self.notices.note("timeout", "verbinding van %s gesloten: %s", self._who(), reason)
        self.transport.close()

    def _who(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "onbekend"

    # --- malformed HTTP ----------------------------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:
        """What uvicorn sends for a request h11 cannot parse: here signed problem details, then close."""
        self._disarm()
        try:
            event = h11.Response(status_code=400, headers=self.malformed_headers, reason=b"Bad Request")
            output = self.conn.send(event)
            output += self.conn.send(h11.Data(data=self.malformed_body))
            output += self.conn.send(h11.EndOfMessage())
        except h11.LocalProtocolError:
            output = b""  # a response was under way already: nothing sensible can be added
        if output:
            self.transport.write(output)
        self.transport.close()


def guarded_protocol(settings: ProviderSettings, identity: SigningIdentity | None) -> type[asyncio.Protocol]:
    """The protocol class for one server: `_GuardedH11Protocol` with this configuration's limits."""
    headers, body = _malformed_http_response(identity)
    attributes: dict[str, Any] = {
        "header_timeout": settings.header_timeout_seconds,
        "body_timeout": settings.body_timeout_seconds,
        "max_connections": settings.max_connections,
        "malformed_headers": headers,
        "malformed_body": body,
        "notices": _Notices(),
    }
    return type("GuardedH11Protocol", (_GuardedH11Protocol,), attributes)


class _HandshakeBoundLoop(asyncio.SelectorEventLoop):
    """The asyncio loop, with a TLS handshake deadline for every TLS server started on it."""

    def __init__(self, handshake_timeout: float) -> None:
        super().__init__()
        self._handshake_timeout = handshake_timeout

    async def create_server(self, *args: Any, **kwargs: Any) -> asyncio.Server:
        if kwargs.get("ssl") is not None:
            kwargs.setdefault("ssl_handshake_timeout", self._handshake_timeout)
        return await super().create_server(*args, **kwargs)


class GuardedConfig(uvicorn.Config):
    """A uvicorn configuration whose event loop bounds the TLS handshake (uvicorn has no option for it)."""

    def __init__(self, app: Any, *, handshake_timeout: float, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.handshake_timeout = handshake_timeout

    def get_loop_factory(self) -> Any:
        return functools.partial(_HandshakeBoundLoop, self.handshake_timeout)


def uvicorn_config(
    settings: ProviderSettings,
    app: Any,
    *,
    identity: SigningIdentity | None = None,
    log_level: str = "info",
) -> GuardedConfig:
    """The uvicorn configuration: HTTPS when a certificate is set, client certificates demanded with a CA, and
    the connection guards above. `identity` signs the answer to malformed HTTP (as it signs every response)."""
    kwargs: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": log_level,
        # Records go to the handler `configure_logging` installed (redacting); uvicorn adds none of its own.
        "log_config": None,
        "lifespan": "off",
        "server_header": False,
        "proxy_headers": False,
        "http": guarded_protocol(settings, identity),
        "timeout_keep_alive": settings.keep_alive_seconds,
    }
    if settings.tls.certificate is not None:
        kwargs["ssl_certfile"] = str(settings.tls.certificate)
        kwargs["ssl_keyfile"] = str(settings.tls.key)
        if settings.tls.client_ca is not None:
            kwargs["ssl_ca_certs"] = str(settings.tls.client_ca)
            kwargs["ssl_cert_reqs"] = ssl.CERT_REQUIRED
    return GuardedConfig(app, handshake_timeout=settings.header_timeout_seconds, **kwargs)
