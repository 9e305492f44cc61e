"""Shared fixtures for the collector tests: one development PKI per session and a real SMTP server on loopback."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ddas.signing.testing import DevPki, make_test_pki


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """Root CA, intermediate, signing and TLS pairs for provider and consumer (3072-bit keys: made once)."""
    return make_test_pki(tmp_path_factory.mktemp("pki"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class CollectingHandler:
    """aiosmtpd handler that keeps every message and refuses the recipients in `refuse`."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    """A running test server: where it listens and what it received."""

    host: str
    port: int
    handler: CollectingHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages


StartSmtp = Callable[..., SmtpServer]


@pytest.fixture
def start_smtp() -> Iterator[StartSmtp]:
    """Start aiosmtpd servers on loopback; stopped after the test.

    Keyword arguments: `tls` (an `ssl.SSLContext` offered through STARTTLS), `require_starttls`, `logins`
    (user → password, accepted only after STARTTLS) and `refuse` (recipient addresses answered with 550).
    """
    controllers: list[Controller] = []

    def start(
        *,
        tls: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        logins: dict[str, str] | None = None,
        refuse: set[str] | None = None,
    ) -> SmtpServer:
        handler = CollectingHandler(refuse=set(refuse or ()))
        kwargs: dict[str, Any] = {}
        if tls is not None:
            kwargs.update(tls_context=tls, require_starttls=require_starttls)
        if logins is not None:
            accepted = {user.encode(): password.encode() for user, password in logins.items()}

            def authenticator(
                server: Any, session: Any, envelope: Any, mechanism: str, data: Any
            ) -> AuthResult:
                ok = isinstance(data, LoginPassword) and accepted.get(data.login) == data.password
                return AuthResult(success=ok, handled=False)

            kwargs.update(authenticator=authenticator, auth_required=True)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
        controller.start()
        controllers.append(controller)
        return SmtpServer("127.0.0.1", controller.port, handler)

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_server(start_smtp: StartSmtp) -> SmtpServer:
    """A plain SMTP server on loopback that accepts everything."""
    return start_smtp()


def server_tls_context(pki: DevPki) -> ssl.SSLContext:
    """A server-side TLS context with the dev PKI's provider TLS certificate (valid for 127.0.0.1)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki.path("provider-tls.pem"), pki.path("provider-tls.key"))
    return context


@pytest.fixture(scope="session")
def smtp_tls_context(dev_pki: DevPki) -> ssl.SSLContext:
    return server_tls_context(dev_pki)


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on: for "server unreachable" tests."""
    return free_port()


@pytest.fixture
def pki_root(dev_pki: DevPki) -> Path:
    """The dev PKI's root certificate: the trust anchor for its TLS and signing certificates."""
    return dev_pki.path("root-ca.pem")
