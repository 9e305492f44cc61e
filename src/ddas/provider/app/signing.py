"""Signing every response, verifying signed requests: the HTTP side of `ddas.signing` (SPEC.md §6).

Responses are signed in one ASGI middleware rather than in each endpoint, so nothing the service sends — pages,
problem details, FSC errors, the OpenAPI document, 413s and 429s — can leave without `Digest` and
`nlgov-adr-payload-sig`, and both are computed over the bytes that actually go on the wire. Large bodies are
signed in a worker thread so that hashing tens of megabytes never stalls other connections.

The same middleware is the last line for failures: an exception nothing else handled becomes a signed
problem+json 500 here (Starlette's own last resort is plain text and sits outside every middleware, so it
could never be signed), logged as one line naming the exception type and where it was raised, without its
message or values. A client that went away mid-request is logged as one line and not answered.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Sequence
from pathlib import Path

import anyio.to_thread
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ddas.provider.app.problems import PROBLEM_JSON, Problem
from ddas.signing.errors import SignatureError
from ddas.signing.jws import SIGNATURE_HEADER, Verified, signed_headers, verify
from ddas.signing.keys import SigningIdentity, TrustStore

__all__ = ["RequestVerifier", "SignResponses", "internal_error"]

log = logging.getLogger(__name__)

#: Bodies larger than this are signed in a worker thread.
_THREAD_THRESHOLD = 256 * 1024
#: Large bodies go out in slices of this size.
_SEND_SLICE = 1024 * 1024
_SIGNATURE_HEADER_BYTES = SIGNATURE_HEADER.encode("ascii")


def internal_error() -> Problem:
    """The problem every unexpected failure is answered with: no detail of the failure itself."""
    return Problem(
        500,
        "internal-error",
        "Interne fout",
        "Bij het verwerken van het verzoek ging onverwacht iets mis; de fout is gelogd bij de aanbieder. "
        "Probeer het later opnieuw.",
    )


def _where(exc: BaseException) -> str:
    """Where an exception was raised, innermost three frames (`file:line function`): no message, no values."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return " ← ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames)) or "?"


class SignResponses:
    """ASGI middleware: buffers each response body and adds `Digest` and `nlgov-adr-payload-sig` over it.

    A response that already carries a signature is passed through; HEAD responses have no body to sign. With
    `identity` None (no signing certificate configured) responses go out unsigned, but unexpected failures
    are still answered with problem details.
    """

    def __init__(self, app: ASGIApp, identity: SigningIdentity | None) -> None:
        self.app = app
        self.identity = identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = scope.get("method") == "HEAD"
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False
        #: Something reached the wire: from then on a failure can only end the connection.
        sent = False

        async def capture(message: Message) -> None:
            nonlocal start, passthrough, sent
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                if head or self.identity is None or _SIGNATURE_HEADER_BYTES in names:
                    passthrough = True
                    sent = True
                    await send(message)
                else:
                    start = message
                return
            if passthrough or message["type"] != "http.response.body" or start is None:
                sent = True
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
            sent = True
            await self._send_signed(send, start, body)

        try:
            await self.app(scope, receive, capture)
        except ClientDisconnect:
            # Nobody to answer; one line, no traceback (a client that hangs up is no fault of the service).
            log.info(
                "%s %s: client verbrak de verbinding tijdens het verzoek", scope.get("method"), _path(scope)
            )
        except Exception as exc:
            if sent:
                raise
            log.error(
                "%s %s → 500 internal-error: onverwachte %s (%s)",
                scope.get("method"),
                _path(scope),
                type(exc).__name__,
                _where(exc),
            )
            problem = internal_error()
            error_start: Message = {
                "type": "http.response.start",
                "status": problem.status,
                "headers": [(b"content-type", PROBLEM_JSON.encode("ascii"))],
            }
            body = problem.body(scope.get("path", "/"))
            error_start["headers"].append((b"content-length", str(len(body)).encode("ascii")))
            if self.identity is None:
                await send(error_start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
            else:
                await self._send_signed(send, error_start, body)

    async def _send_signed(self, send: Send, start: Message, body: bytes) -> None:
        assert self.identity is not None
        if len(body) > _THREAD_THRESHOLD:
            headers = await anyio.to_thread.run_sync(signed_headers, body, self.identity)
        else:
            headers = signed_headers(body, self.identity)
        start["headers"] = [
            *start.get("headers", []),
            *((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()),
        ]
        await send(start)
        await _send_sliced(send, body, more=False)


def _path(scope: Scope) -> str:
    """The request path for a log line, when it is one the service serves; else only its length (an unknown
    path is whatever the caller typed and could hold anything)."""
    path = str(scope.get("path", ""))
    route = scope.get("route")
    if route is not None:
        return path
    return f"(pad van {len(path)} tekens)"


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
    """Checks the signature of a request body against the configured trust anchors (and pinned certificates),
    and the signer's OIN against the allow-list when one is configured."""

    def __init__(self, trust: TrustStore | None, *, required: bool, allowed_oins: Sequence[str] = ()) -> None:
        if required and trust is None:
            raise ValueError("a required request signature needs trust anchors")
        if allowed_oins and not required:
            raise ValueError("an OIN allow-list needs required request signatures")
        self._trust = trust
        self._required = required
        self._allowed = frozenset(allowed_oins)

    @property
    def active(self) -> bool:
        return self._trust is not None

    def check(self, body: bytes, signatures: Sequence[str], digest: str | None) -> Verified | None:
        """The verified signature, None when none was sent and none is required; raises Problem (401, or 403
        for a valid signature by an OIN outside the allow-list).

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
            "ondertekening verzoek geldig: vorm %s (%s), OIN %s%s",
            verified.form,
            verified.detail,
            verified.oin,
            ", certificaat vastgepind (geen ketencontrole)" if verified.pinned else "",
        )
        if self._allowed and verified.oin not in self._allowed:
            log.info(
                "ondertekening verzoek geweigerd: OIN %s staat niet op de lijst van afnemers", verified.oin
            )
            who = (
                f"de ondertekenaar (OIN {verified.oin})"
                if verified.oin
                else ("het ondertekeningscertificaat, dat geen OIN (subject serialNumber) bevat,")
            )
            raise Problem(
                403,
                "oin-not-allowed",
                "Afnemer niet toegestaan",
                f"Het verzoek is geldig ondertekend, maar {who} staat niet op de lijst van afnemers die deze "
                "dienst mogen bevragen.",
            )
        return verified
