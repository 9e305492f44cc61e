"""The keep-alive race (issue 9, 5e): a server closes an idle connection just as the collector reuses it.

A real HTTPS server on loopback that makes the race happen every time: it answers the first request on each
connection and, per test, treats any later request on the same connection as a server whose keep-alive timeout
has just fired — it reads the request and closes the connection (or resets it) without a byte of answer. That is
exactly what the collector sees when uvicorn's 5 s keep-alive timeout and the client's reuse cross. Every answer
is a signed page, so the real `PageFetcher` verifies it as it would a provider's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import orjson
import pytest

from ddas.collector.fetch import (
    KEEPALIVE_EXPIRY_SECONDS,
    Endpoint,
    PageFetcher,
    ProviderUnreachable,
)
from ddas.signing.jws import signed_headers
from ddas.signing.testing import DevPki

START, END = dt.date(2025, 1, 1), dt.date(2025, 6, 30)
PAGES = 4
SHV = "/ddas-schuldhulpverlening/v1"

#: What the server does with a request: answer it, close the connection without answering, reset it (RST)
#: without answering, or send the head of an answer and then close (an answer that had started).
Action = Literal["answer", "close", "reset", "partial"]
#: From (connection number, request number on that connection), both from 1, to what the server does.
Policy = Callable[[int, int], Action]


@dataclass
class Seen:
    """One request as the server got it."""

    connection: int
    number: int
    page: int
    action: Action


@dataclass
class RaceServer:
    """HTTP/1.1 over TLS on loopback, one thread per connection; what it saw is in `seen`."""

    port: int
    seen: list[Seen] = field(default_factory=list)

    @property
    def connections(self) -> int:
        return len({s.connection for s in self.seen})

    def pages(self) -> list[int]:
        return [s.page for s in self.seen]


def _read_request(conn: ssl.SSLSocket) -> bytes | None:
    """The body of the next request on the connection; None when the client closed it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return body


def _answer(pki: DevPki, page: int, size: int) -> bytes:
    body = orjson.dumps(
        {
            "gegevens": {"leveringen": []},
            "paginering": {"pageSize": size, "currentPage": page, "totalPages": PAGES, "totalRecords": 0},
        }
    )
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        **signed_headers(body, pki.provider),
    }
    head = "HTTP/1.1 200 OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    return head.encode() + body


@contextmanager
def race_server(pki: DevPki, policy: Policy) -> Iterator[RaceServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki.path("provider-tls.pem"), pki.path("provider-tls.key"))
    listener = socket.create_server(("127.0.0.1", 0))
    server = RaceServer(int(listener.getsockname()[1]))
    stop = threading.Event()
    lock = threading.Lock()

    def serve(raw: socket.socket, number: int) -> None:
        try:
            conn = context.wrap_socket(raw, server_side=True)
        except (OSError, ssl.SSLError):
            raw.close()
            return
        with conn:
            request = 0
            while True:
                try:
                    body = _read_request(conn)
                except (OSError, ssl.SSLError):
                    return
                if body is None:
                    return
                request += 1
                asked = orjson.loads(body)
                action = policy(number, request)
                with lock:
                    server.seen.append(Seen(number, request, asked["page"], action))
                if action == "answer":
                    conn.sendall(_answer(pki, asked["page"], asked["pageSize"]))
                    continue
                if action == "reset":
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif action == "partial":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
                    )
                return  # closes the connection without (the rest of) an answer

    def accept() -> None:
        number = 0
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            number += 1
            threading.Thread(target=serve, args=(raw, number), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        stop.set()
        acceptor.join(timeout=10)
        listener.close()


def _endpoint(server: RaceServer, pki: DevPki) -> Endpoint:
    return Endpoint(
        name="race",
        kind="shv",
        base_url=f"https://127.0.0.1:{server.port}{SHV}",
        signature_trust=pki.trust,
        tls_ca=pki.path("root-ca.pem"),
        client_cert=None,
        client_key=None,
        oauth2=None,
        page_size=10,
    )


class Waits(list[float]):
    """The injected `sleep`: records each backoff wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _first_request_only(then: Action) -> Policy:
    """Answer the first request on each connection; treat every later one on it with `then`."""
    return lambda connection, number: "answer" if number == 1 else then


@pytest.mark.parametrize("then", ["close", "reset"])
def test_a_reused_connection_the_server_just_closed_is_retried_once_and_not_counted(
    dev_pki: DevPki, then: Action
) -> None:
    """One attempt allowed: a provider failure would end the fetch. The race on every page after the first is
    absorbed by one immediate retry on a new connection, with no backoff wait and one attempt per page."""
    with race_server(dev_pki, _first_request_only(then)) as server:
        waits = Waits()
        with PageFetcher(
            _endpoint(server, dev_pki), dev_pki.consumer, max_attempts=1, sleep=waits, jitter=lambda: 0.0
        ) as fetcher:
            pages = list(fetcher.fetch_pages(START, END))
            retries = fetcher.stale_connection_retries
    assert [p.page for p in pages] == list(range(1, PAGES + 1))
    assert [p.attempts for p in pages] == [1] * PAGES
    assert waits == []
    assert retries == PAGES - 1
    # Page 1 on connection 1; every later page first on the old connection (dropped), then on a new one.
    assert server.pages() == [1, 2, 2, 3, 3, 4, 4]
    assert [s.action for s in server.seen] == ["answer"] + [then, "answer"] * (PAGES - 1)
    assert server.connections == PAGES


def test_the_retry_is_once_per_attempt_and_a_new_connection_failing_counts(dev_pki: DevPki) -> None:
    """After page 1 the server answers nothing at all: the reused connection gets its one free retry, and every
    failure on a new connection is a counted attempt with its backoff wait."""
    with race_server(
        dev_pki, lambda connection, number: "answer" if connection == 1 == number else "close"
    ) as (server):
        waits = Waits()
        with PageFetcher(
            _endpoint(server, dev_pki), dev_pki.consumer, max_attempts=3, sleep=waits, jitter=lambda: 0.0
        ) as fetcher:
            pages = fetcher.fetch_pages(START, END)
            assert next(pages).page == 1
            with pytest.raises(ProviderUnreachable) as raised:
                next(pages)
            retries = fetcher.stale_connection_retries
    assert raised.value.attempts == 3 and raised.value.page == 2
    assert retries == 1
    assert waits == [0.25, 0.5]
    # Page 2: the reused connection, its free retry, then two more counted attempts — each on a new connection.
    assert server.pages() == [1, 2, 2, 2, 2]
    assert server.connections == 4


def test_an_answer_that_had_started_is_a_counted_failure(dev_pki: DevPki) -> None:
    """Only a request that got no byte of an answer is retried for free: a broken-off answer is the provider's
    failure and goes through the ordinary backoff."""
    with race_server(dev_pki, _first_request_only("partial")) as server:
        waits = Waits()
        with PageFetcher(
            _endpoint(server, dev_pki), dev_pki.consumer, max_attempts=2, sleep=waits, jitter=lambda: 0.0
        ) as fetcher:
            pages = list(fetcher.fetch_pages(START, END))
            retries = fetcher.stale_connection_retries
    assert [p.attempts for p in pages] == [1] + [2] * (PAGES - 1)
    assert retries == 0
    assert waits == [0.25] * (PAGES - 1)


def test_idle_connections_are_given_up_before_a_server_would_close_them(dev_pki: DevPki) -> None:
    """Waiting a little longer than the collector's keep-alive expiry between two pages: the next page goes over a
    new connection (with httpx's default of 5 s it would reuse one the server may be closing right then)."""
    assert KEEPALIVE_EXPIRY_SECONDS < 5  # uvicorn's and Apache's default keep-alive timeout
    with (
        race_server(dev_pki, lambda connection, number: "answer") as server,
        PageFetcher(_endpoint(server, dev_pki), dev_pki.consumer, max_attempts=1) as fetcher,
    ):
        pages = fetcher.fetch_pages(START, END)
        next(pages)
        time.sleep(KEEPALIVE_EXPIRY_SECONDS + 0.5)
        next(pages)
    first, second = server.seen
    assert (first.page, second.page) == (1, 2)
    assert second.connection != first.connection
    assert second.number == 1


def test_keepalive_expiry_is_passed_to_the_pool(dev_pki: DevPki) -> None:
    """With a long expiry and no pause, every page of a run goes over the one connection."""
    with race_server(dev_pki, lambda connection, number: "answer") as server:
        endpoint = dataclasses.replace(_endpoint(server, dev_pki), page_size=5)
        with PageFetcher(endpoint, dev_pki.consumer, max_attempts=1, keepalive_expiry=600) as fetcher:
            assert len(list(fetcher.fetch_pages(START, END))) == PAGES
    assert server.connections == 1
    assert [s.number for s in server.seen] == list(range(1, PAGES + 1))
