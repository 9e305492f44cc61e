"""Signing every response, verifying signed requests: the HTTP side of `ddas.signing` (SPEC.md §6).

Responses are signed in one ASGI middleware rather than in each endpoint, so nothing the service sends — pages,
problem details, FSC errors, the OpenAPI document, 413s and 429s — can leave without `Digest` and
`nlgov-adr-payload-sig`, and both are computed over the bytes that actually go on the wire. Large bodies are
signed in a worker thread so that hashing tens of megabytes never stalls other connections.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ddas.provider.app.problems import Problem
from ddas.signing.errors import SignatureError
from ddas.signing.jws import SIGNATURE_HEADER, Verified, signed_headers, verify
from ddas.signing.keys import SigningIdentity, TrustStore

__all__ = ["RequestVerifier", "SignResponses"]

log = logging.getLogger(__name__)

#: Bodies larger than this are signed in a worker thread.
_THREAD_THRESHOLD = 256 * 1024
#: Large bodies go out in slices of this size.
_SEND_SLICE = 1024 * 1024
_SIGNATURE_HEADER_BYTES = SIGNATURE_HEADER.encode("ascii")


class SignResponses:
    """ASGI middleware: buffers each response body and adds `Digest` and `nlgov-adr-payload-sig` over it.

    A response that already carries a signature is passed through; HEAD responses have no body to sign.
    """

    def __init__(self, app: ASGIApp, identity: SigningIdentity) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") == "HEAD":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def capture(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                if _SIGNATURE_HEADER_BYTES in names:
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            if passthrough or message["type"] != "http.response.body" or start is None:
                if message["type"] == "http.response.body":
                    await _send_sliced(send, message.get("body", b""), more=message.get("more_body", False))
                else:
                    await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            chunks.clear()
            if len(body) > _THREAD_THRESHOLD:
                headers = await anyio.to_thread.run_sync(signed_headers, body, self.identity)
            else:
                headers = signed_headers(body, self.identity)
            start["headers"] = [
                *start.get("headers", []),
                *(
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in headers.items()
                ),
            ]
            await send(start)
            await _send_sliced(send, body, more=False)

        await self.app(scope, receive, capture)


async def _send_sliced(send: Send, body: bytes, *, more: bool) -> None:
    """Send a body in slices: the server then applies back-pressure per slice instead of copying the whole
    remainder of a large page into its write buffer at once."""
    if len(body) <= _SEND_SLICE:
        await send({"type": "http.response.body", "body": body, "more_body": more})
        return
    view = memoryview(body)
    for offset in range(0, len(body), _SEND_SLICE):
        end = offset + _SEND_SLICE
        await send(
            {
                "type": "http.response.body",
                "body": bytes(view[offset:end]),
                "more_body": more or end < len(body),
            }
        )


class RequestVerifier:
    """Checks the signature of a request body against the configured trust anchors."""

    def __init__(self, trust: TrustStore | None, *, required: bool) -> None:
        if required and trust is None:
            raise ValueError("a required request signature needs trust anchors")
        self._trust = trust
        self._required = required

    @property
    def active(self) -> bool:
        return self._trust is not None

    def check(self, body: bytes, signatures: Sequence[str], digest: str | None) -> Verified | None:
        """The verified signature, None when none was sent and none is required; raises Problem (401).

        A signature that is present is always verified, even when signatures are optional: a client that
        signs expects a wrong signature to be refused.
        """
        if self._trust is None or (not signatures and not self._required):
            return None
        try:
            verified = verify(body, signatures, digest=digest, trust=self._trust)
        except SignatureError as exc:
            log.info("ondertekening verzoek geweigerd: %s", exc.code)
            raise Problem(
                401,
                exc.code,
                "Ondertekening van het verzoek ongeldig",
                exc.nl,
                extra={"detail_en": exc.en},
            ) from None
        log.info(
            "ondertekening verzoek geldig: vorm %s (%s), OIN %s", verified.form, verified.detail, verified.oin
        )
        return verified
