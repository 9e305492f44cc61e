"""The collector's HTTP client for one provider service: signed requests, verified pages, every page once.

SPEC.md §7 asks the collector to call with a signed request and to verify each response technically before it
is used. `PageFetcher` therefore verifies every response before anything else reads it — status 200, a JSON
content type, a `Digest` that matches the exact bytes received, and the `nlgov-adr-payload-sig` against the
endpoint's trust store (chain, validity, PS256) — and only then looks at the paging block. What it hands out
(`FetchedPage`) is the body exactly as received, with the headers and the verification result, so the archive can
keep the evidence and later stages can re-check it.

Failures fall in three kinds, each its own exception: a response that does not verify (`VerificationFailed`,
never retried: sending the same request again would not make a forged or damaged answer trustworthy), a provider
that answers but refuses or contradicts itself (`ProviderError`, not retried either), and a provider that cannot
be reached or stays busy (`ProviderUnreachable`, after a bounded number of retries with exponential backoff and
jitter). Messages are Dutch and never quote a response body, which may hold BSNs.

Keep-alive: a server closes an idle connection after its keep-alive timeout (uvicorn 5 s by default), and when
that happens just as the client reuses the connection, the request fails before any byte of an answer came back.
That is no failure of the provider: such a request is sent once more on a new connection, as the same attempt
(`PageFetcher.stale_connection_retries` counts them). The client also lets idle connections go well before
common server timeouts (`KEEPALIVE_EXPIRY_SECONDS`), so the race is rare to begin with.
"""

from __future__ import annotations

import email.utils
import logging
import random
import re
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import httpx
import orjson

from ddas import __version__
from ddas.collector.errors import CollectorError
from ddas.signing.digest import DIGEST_HEADER, check_digest
from ddas.signing.errors import SignatureError
from ddas.signing.jws import SIGNATURE_HEADER, Form, Verified, signed_headers, verify
from ddas.signing.keys import SigningIdentity, TrustStore, certificate_thumbprint

__all__ = [
    "KEEPALIVE_EXPIRY_SECONDS",
    "Endpoint",
    "FetchError",
    "FetchedPage",
    "OAuth2Client",
    "PageFetcher",
    "ProviderError",
    "ProviderUnreachable",
    "VerificationFailed",
    "VerificationInfo",
]

log = logging.getLogger(__name__)

#: Statuses that say "try again later": rate limiting, and a gateway or service that is briefly unavailable.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: An idle keep-alive connection is not reused after this many seconds: well under the keep-alive timeouts of
#: common servers (uvicorn and Apache 5 s, nginx 75 s), so the client gives a connection up before the server does.
KEEPALIVE_EXPIRY_SECONDS = 2.0
#: Failures of a request on a reused connection that mean "the server had just closed it": nothing came back.
_STALE_CONNECTION_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
#: FSC's code for an access token that has expired: the one 401 that a fresh token can cure.
FSC_ACCESS_TOKEN_EXPIRED = "ERROR_CODE_ACCESS_TOKEN_EXPIRED"
#: A token is renewed this long before the provider would consider it expired (at most half its lifetime).
TOKEN_MARGIN_SECONDS = 30.0
#: Error bodies larger than this are not parsed for a title or code: a refusal is small.
_ERROR_BODY_LIMIT = 64 * 1024
#: Longest title, detail or code quoted from an error body.
_QUOTE_LIMIT = 300
#: The paging block as the last member of the body: `…,"paginering":{…}}`. Only the tail of the body is searched.
_PAGINERING_TAIL = re.compile(rb'[{,]\s*"paginering"\s*:\s*(\{[^{}]*\})\s*\}\s*\Z')
_TAIL_BYTES = 1024
_RECORD_KEYS = {"shv": "schuldhulptrajecten", "vs": "vroegsignalen"}


class FetchError(CollectorError):
    """The pages of one endpoint could not be fetched; `str()` is a Dutch message naming endpoint and page."""

    def __init__(self, endpoint: str, message: str, *, page: int | None = None) -> None:
        where = f"{endpoint}, pagina {page}" if page is not None else endpoint
        super().__init__(f"{where}: {message}")
        self.endpoint = endpoint
        self.page = page
        self.reason = message


class VerificationFailed(FetchError):
    """A response did not pass technical verification; `code` is the `SIG_*` code of `ddas.signing` or one of
    `STATUS`, `CONTENT_TYPE`, `DIGEST_MISSING`, `SIGNER_OIN`, `TLS_CERTIFICATE`."""

    def __init__(self, endpoint: str, code: str, message: str, *, page: int | None = None) -> None:
        super().__init__(endpoint, f"antwoord niet vertrouwd ({code}): {message}", page=page)
        self.code = code


class ProviderError(FetchError):
    """The provider answered, but with a refusal or with pages that contradict each other.

    `status` is the HTTP status (200 for an inconsistent page); `code` the FSC or problem code from the answer
    when it had one, else `HTTP_<status>` or one of `PAGINERING_INVALID`, `PAGINERING_INCONSISTENT`,
    `PAGE_MISMATCH`, `INVALID_JSON`, `TOKEN_INVALID_RESPONSE`.
    """

    def __init__(
        self, endpoint: str, status: int | None, code: str, message: str, *, page: int | None = None
    ) -> None:
        super().__init__(endpoint, message, page=page)
        self.status = status
        self.code = code


class ProviderUnreachable(FetchError):
    """No usable answer after the last attempt: network errors, or 429/502/503/504 every time."""

    def __init__(self, endpoint: str, attempts: int, last: str, *, page: int | None = None) -> None:
        super().__init__(
            endpoint,
            f"aanbieder niet bereikbaar: {attempts} pogingen zonder bruikbaar antwoord (laatste: {last})",
            page=page,
        )
        self.attempts = attempts
        self.last = last


@dataclass(frozen=True, slots=True)
class OAuth2Client:
    """OAuth 2.0 client credentials for the provider's token endpoint (SPEC §6: scope `read`)."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = "read"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One provider service as the collector calls it: where, how to trust it, and how to page.

    `base_url` is the service's base path (`…/ddas-schuldhulpverlening/v1`); the request goes to
    `base_url + "/gegevens"`. `signature_trust` anchors the response signatures, `tls_ca` the server's TLS
    certificate (None: the system's CAs); `client_cert`/`client_key` are the collector's TLS identity for mutual
    TLS. `signer_oin`, when set, is the OIN the provider's signing certificate must carry: a PKIoverheid root
    vouches for every Dutch government organisation, not for this provider in particular.
    """

    name: str
    kind: Literal["shv", "vs"]
    base_url: str
    signature_trust: TrustStore
    tls_ca: Path | None
    client_cert: Path | None
    client_key: Path | None
    oauth2: OAuth2Client | None
    page_size: int
    timeout: float = 120
    signer_oin: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _RECORD_KEYS:
            raise ValueError(f"{self.name}: onbekende soort {self.kind!r}; verwacht 'shv' of 'vs'")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(
                f"{self.name}: base_url moet met https:// (of http://) beginnen: {self.base_url!r}"
            )
        if self.page_size < 1:
            raise ValueError(f"{self.name}: page_size moet minstens 1 zijn, niet {self.page_size}")
        if self.timeout <= 0:
            raise ValueError(f"{self.name}: timeout moet positief zijn, niet {self.timeout}")
        if self.client_key is not None and self.client_cert is None:
            raise ValueError(f"{self.name}: client_key zonder client_cert")

    @property
    def url(self) -> str:
        """Where `POST /gegevens` goes."""
        return self.base_url.rstrip("/") + "/gegevens"


@dataclass(frozen=True, slots=True)
class VerificationInfo:
    """What verified a page: the signature form and variant, and who signed (for the archive and the report)."""

    form: Form
    detail: str
    subject: str
    oin: str | None
    kid: str | None
    #: `x5t#S256` of the signing certificate: which certificate, exactly, vouched for the page.
    certificate_sha256: str

    @classmethod
    def from_verified(cls, verified: Verified) -> VerificationInfo:
        return cls(
            form=verified.form,
            detail=verified.detail,
            subject=verified.subject,
            oin=verified.oin,
            kid=verified.kid,
            certificate_sha256=certificate_thumbprint(verified.certificate),
        )


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """One verified page: the exact bytes received, their headers (names lower-case) and how they were verified.

    `elapsed` is the wall time for this page from the first attempt to the verified answer, retries and waits
    included; `attempts` counts the requests it took (a token renewal after a 401 adds one).
    """

    page: int
    total_pages: int
    total_records: int
    body: bytes
    headers: dict[str, str]
    verified: VerificationInfo
    fetched_at: datetime
    elapsed: float
    attempts: int


@dataclass(frozen=True, slots=True)
class _Paginering:
    page_size: int | None
    current_page: int
    total_pages: int
    total_records: int


@dataclass(slots=True)
class _Token:
    value: str
    #: Monotonic time after which the token is no longer used; None: until the provider says it expired.
    renew_at: float | None


def _utcnow() -> datetime:
    return datetime.now(UTC)


class _ConnectionTrace:
    """httpcore's `trace` extension for one request: did it open a new connection, did an answer start?

    A request that opened no connection went over a reused keep-alive connection; one whose response headers
    never completed got no answer at all, so sending it again cannot duplicate anything the client has seen.
    """

    __slots__ = ("answered", "connected")

    def __init__(self) -> None:
        self.connected = False
        self.answered = False

    def __call__(self, event: str, info: Mapping[str, Any]) -> None:
        if event.startswith("connection.connect_"):
            self.connected = True
        elif event.endswith("receive_response_headers.complete"):
            self.answered = True

    @property
    def stale_connection(self) -> bool:
        """A reused connection failed before any answer: the server's keep-alive timeout won the race."""
        return not self.connected and not self.answered


class PageFetcher:
    """Fetches all pages of one endpoint over one HTTP connection pool; use as a context manager.

    `identity` signs every request body. A request is tried at most `max_attempts` times; the delay before
    attempt n+1 is `min(max_delay, base_delay * 2**(n-1))`, scaled by a random factor in [0.5, 1) so that
    collectors that failed together do not come back together; a `Retry-After` from the server replaces it,
    capped at `max_retry_after`. A request that fails on a reused keep-alive connection before any answer is sent
    again at once on a new connection, as the same attempt (see the module docstring); idle connections are given
    up after `keepalive_expiry` seconds. `sleep`, `clock` (UTC, also the moment certificates are checked
    against), `monotonic` and `jitter` (a number in [0, 1)) are there so tests can run retries without waiting.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        identity: SigningIdentity,
        *,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 10.0,
        max_retry_after: float = 60.0,
        keepalive_expiry: float = KEEPALIVE_EXPIRY_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = _utcnow,
        monotonic: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts moet minstens 1 zijn")
        if min(base_delay, max_delay, max_retry_after, keepalive_expiry) < 0:
            raise ValueError("wachttijden kunnen niet negatief zijn")
        self.endpoint = endpoint
        self._identity = identity
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._monotonic = monotonic
        self._jitter = jitter
        self._token: _Token | None = None
        #: Requests sent again because a reused connection had just been closed by the server (not attempts).
        self.stale_connection_retries = 0
        self._client = httpx.Client(
            verify=self._ssl_context(),
            timeout=httpx.Timeout(endpoint.timeout),
            # One request at a time: a connection to the service and one to its token endpoint are plenty.
            limits=httpx.Limits(
                max_connections=4, max_keepalive_connections=2, keepalive_expiry=keepalive_expiry
            ),
            follow_redirects=False,
            headers={"User-Agent": f"ddas-collector/{__version__}"},
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def fetch_pages(
        self,
        start: date,
        end: date,
        *,
        on_page: Callable[[FetchedPage], None] | None = None,
        organisatie: str | None = None,
    ) -> Iterator[FetchedPage]:
        """Every page of the period `start`–`end`, page 1 to `totalPages`, each verified before it is yielded.

        Pages are fetched as the iterator is consumed, so a caller can archive each one (`on_page` is called
        with every page just before it is yielded) without holding them all. `organisatie` restricts the answer
        to one aanleverende organisatie. Raises `VerificationFailed`, `ProviderError` or `ProviderUnreachable`.
        """
        if end < start:
            raise ValueError(f"de periode eindigt ({end}) voor zij begint ({start})")
        return self._pages(start, end, on_page, organisatie)

    def _pages(
        self,
        start: date,
        end: date,
        on_page: Callable[[FetchedPage], None] | None,
        organisatie: str | None,
    ) -> Iterator[FetchedPage]:
        first: _Paginering | None = None
        page = 1
        while True:
            fetched, paginering = self._fetch_page(start, end, page, organisatie)
            if first is None:
                first = paginering
            else:
                self._check_consistent(first, paginering, page)
            if on_page is not None:
                on_page(fetched)
            yield fetched
            if page >= first.total_pages:
                return
            page += 1

    # -- one page ------------------------------------------------------------------------------------------------

    def _fetch_page(
        self, start: date, end: date, page: int, organisatie: str | None
    ) -> tuple[FetchedPage, _Paginering]:
        request: dict[str, Any] = {
            "aanleverperiodeStartdatum": start.isoformat(),
            "aanleverperiodeEinddatum": end.isoformat(),
            "page": page,
            "pageSize": self.endpoint.page_size,
        }
        if organisatie is not None:
            request["aanleverende_organisatie"] = organisatie
        body = orjson.dumps(request)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            **signed_headers(body, self._identity),
        }
        started = self._monotonic()
        attempts = 0
        renewed = False
        while True:
            response, used = self._send(
                page,
                lambda extensions: self._client.post(
                    self.endpoint.url, content=body, headers=self._auth(headers), extensions=extensions
                ),
            )
            attempts += used
            if (
                response.status_code == 401
                and self.endpoint.oauth2 is not None
                and response.headers.get("fsc-error-code") == FSC_ACCESS_TOKEN_EXPIRED
                and not renewed
            ):
                log.info("%s: access token verlopen volgens de aanbieder; nieuwe token", self.endpoint.name)
                self._token = None
                renewed = True
                continue
            break
        if response.status_code != 200:
            raise self._refusal(response, page)
        verified = self._verify(response, page)
        paginering = self._paginering(response.content, page)
        if paginering.current_page != page:
            raise ProviderError(
                self.endpoint.name,
                200,
                "PAGE_MISMATCH",
                f"pagina {page} gevraagd maar pagina {paginering.current_page} gekregen (een aanbieder geeft "
                "pagina 1 voor een pagina die niet bestaat)",
                page=page,
            )
        fetched = FetchedPage(
            page=page,
            total_pages=paginering.total_pages,
            total_records=paginering.total_records,
            body=response.content,
            headers={name.lower(): value for name, value in response.headers.items()},
            verified=verified,
            fetched_at=self._clock(),
            elapsed=self._monotonic() - started,
            attempts=attempts,
        )
        log.info(
            "%s: pagina %d/%d (%d records in totaal, %d bytes) in %.1f s, %d poging(en), ondertekend door %s",
            self.endpoint.name,
            page,
            paginering.total_pages,
            paginering.total_records,
            len(fetched.body),
            fetched.elapsed,
            attempts,
            verified.oin or verified.subject,
        )
        return fetched, paginering

    def _send(
        self, page: int | None, send: Callable[[dict[str, Any]], httpx.Response]
    ) -> tuple[httpx.Response, int]:
        """The first answer that is not "try again", and how many attempts it took; ProviderUnreachable after
        the last attempt. A TLS certificate the server cannot prove is a verification failure, not retried.
        `send` makes the request with the httpx request extensions it is given."""
        last = ""
        for attempt in range(1, self._max_attempts + 1):
            try:
                response = self._attempt(page, send)
            except httpx.TransportError as exc:
                self._refuse_tls(exc, page)
                last = f"netwerkfout {type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                delay = self._backoff(attempt)
            else:
                if response.status_code not in RETRY_STATUSES:
                    return response, attempt
                last = f"HTTP {response.status_code}"
                asked = _retry_after(response.headers.get("retry-after"), self._clock())
                delay = self._backoff(attempt) if asked is None else min(asked, self._max_retry_after)
            if attempt < self._max_attempts:
                log.warning(
                    "%s: %s; poging %d van %d, opnieuw over %.1f s",
                    self.endpoint.name,
                    last,
                    attempt,
                    self._max_attempts,
                    delay,
                )
                self._sleep(delay)
        raise ProviderUnreachable(self.endpoint.name, self._max_attempts, last, page=page)

    def _attempt(self, page: int | None, send: Callable[[dict[str, Any]], httpx.Response]) -> httpx.Response:
        """One attempt. When a reused keep-alive connection fails before any answer came back — the server
        closed it just as it was reused — the request goes once more, at once, on a new connection: the provider
        did nothing wrong, so this is neither a failed attempt nor a reason to wait."""
        trace = _ConnectionTrace()
        try:
            return send({"trace": trace})
        except _STALE_CONNECTION_ERRORS as exc:
            if not trace.stale_connection:
                raise
            self.stale_connection_retries += 1
            log.info(
                "%s%s: hergebruikte verbinding was al gesloten door de aanbieder (%s); opnieuw over een "
                "nieuwe verbinding",
                self.endpoint.name,
                f", pagina {page}" if page is not None else "",
                type(exc).__name__,
            )
        return send({})

    def _backoff(self, attempt: int) -> float:
        delay = min(self._max_delay, self._base_delay * (1 << min(attempt - 1, 30)))
        return delay * (0.5 + 0.5 * self._jitter())

    def _refuse_tls(self, exc: httpx.TransportError, page: int | None) -> None:
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLCertVerificationError):
                raise VerificationFailed(
                    self.endpoint.name,
                    "TLS_CERTIFICATE",
                    f"het TLS-certificaat van de aanbieder is niet te vertrouwen ({cause.verify_message})",
                    page=page,
                ) from exc
            cause = cause.__cause__ or cause.__context__

    # -- verification ------------------------------------------------------------------------------------------

    def _verify(self, response: httpx.Response, page: int) -> VerificationInfo:
        """Everything that must hold before the body is read: status, JSON, Digest, signature (and signer)."""
        name = self.endpoint.name
        if response.status_code != 200:
            raise VerificationFailed(
                name, "STATUS", f"status {response.status_code} in plaats van 200", page=page
            )
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            raise VerificationFailed(
                name,
                "CONTENT_TYPE",
                f"inhoudstype {media_type or '(geen)'!r} in plaats van 'application/json'",
                page=page,
            )
        body = response.content
        digest = response.headers.get(DIGEST_HEADER)
        if digest is None:
            raise VerificationFailed(
                name, "DIGEST_MISSING", "het antwoord heeft geen Digest-header", page=page
            )
        try:
            check_digest(body, digest)
            verified = verify(
                body,
                response.headers.get_list(SIGNATURE_HEADER),
                digest=digest,
                trust=self.endpoint.signature_trust,
                now=self._clock(),
            )
        except SignatureError as exc:
            raise VerificationFailed(name, exc.code, exc.nl, page=page) from exc
        expected = self.endpoint.signer_oin
        if expected is not None and verified.oin != expected:
            raise VerificationFailed(
                name,
                "SIGNER_OIN",
                f"ondertekend door OIN {verified.oin or '(geen)'} ({verified.subject}), verwacht OIN {expected}",
                page=page,
            )
        return VerificationInfo.from_verified(verified)

    # -- paging ------------------------------------------------------------------------------------------------

    def _paginering(self, body: bytes, page: int) -> _Paginering:
        """The paging block, read from the tail of the body when it is the last member (as ddas writes it);
        otherwise from a full parse. Without one, the answer is a single page."""
        match = _PAGINERING_TAIL.search(body[-_TAIL_BYTES:])
        if match is not None:
            try:
                block = orjson.loads(match.group(1))
            except orjson.JSONDecodeError:
                pass
            else:
                return self._read_paginering(block, page)
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise ProviderError(
                self.endpoint.name, 200, "INVALID_JSON", "het antwoord is geen geldige JSON", page=page
            ) from None
        if not isinstance(document, dict):
            raise ProviderError(
                self.endpoint.name, 200, "INVALID_JSON", "het antwoord is geen JSON-object", page=page
            )
        if "paginering" in document:
            return self._read_paginering(document["paginering"], page)
        records = _count_records(document, _RECORD_KEYS[self.endpoint.kind])
        return _Paginering(page_size=None, current_page=page, total_pages=1, total_records=records)

    def _read_paginering(self, block: Any, page: int) -> _Paginering:
        """A paging block that is present must be complete (SPEC §6) and make sense."""
        names = ("pageSize", "currentPage", "totalPages", "totalRecords")
        raw = [block.get(key) if isinstance(block, dict) else None for key in names]
        values = [v for v in raw if isinstance(v, int) and not isinstance(v, bool)]
        if len(values) != len(names):
            raise ProviderError(
                self.endpoint.name,
                200,
                "PAGINERING_INVALID",
                "het blok paginering is onvolledig of bevat geen gehele getallen "
                "(verwacht pageSize, currentPage, totalPages, totalRecords)",
                page=page,
            )
        size, current, pages, records = values
        if size < 1 or current < 1 or pages < 0 or records < 0 or (pages and current > pages):
            raise ProviderError(
                self.endpoint.name,
                200,
                "PAGINERING_INVALID",
                f"onmogelijke paginering: pageSize {size}, currentPage {current}, totalPages {pages}, "
                f"totalRecords {records}",
                page=page,
            )
        # An empty selection may be announced as zero pages; it still came as (an empty) page 1.
        return _Paginering(size, current, max(pages, 1), records)

    def _check_consistent(self, first: _Paginering, this: _Paginering, page: int) -> None:
        """Every page of a series must describe the same series; otherwise records are missed or doubled."""
        if (first.total_pages, first.total_records, first.page_size) != (
            this.total_pages,
            this.total_records,
            this.page_size,
        ):
            raise ProviderError(
                self.endpoint.name,
                200,
                "PAGINERING_INCONSISTENT",
                f"de paginering wisselt tussen pagina's: pagina 1 meldde {first.total_pages} pagina's, "
                f"{first.total_records} records (pageSize {first.page_size}); deze pagina "
                f"{this.total_pages} pagina's, {this.total_records} records (pageSize {this.page_size})",
                page=page,
            )

    # -- errors ----------------------------------------------------------------------------------------------

    def _refusal(self, response: httpx.Response, page: int | None, *, what: str = "") -> ProviderError:
        """A ProviderError for a non-200 answer, quoting its code, title and detail but never the body."""
        status = response.status_code
        fields = _error_fields(response)
        code = (
            response.headers.get("fsc-error-code")
            or fields.get("code")
            or fields.get("error")
            or f"HTTP_{status}"
        )
        said = " — ".join(
            text
            for text in (
                fields.get("title"),
                fields.get("detail") or fields.get("error_description"),
            )
            if text
        )
        message = f"{what}de aanbieder antwoordde HTTP {status} ({code})" + (f": {said}" if said else "")
        return ProviderError(self.endpoint.name, status, code, message, page=page)

    # -- OAuth 2.0 ---------------------------------------------------------------------------------------------

    def _auth(self, headers: Mapping[str, str]) -> dict[str, str]:
        """`headers` plus the bearer token when the endpoint uses OAuth 2.0 (a token is fetched when needed)."""
        if self.endpoint.oauth2 is None:
            return dict(headers)
        return {**headers, "Authorization": f"Bearer {self._access_token()}"}

    def _access_token(self) -> str:
        token = self._token
        if token is not None and (token.renew_at is None or self._monotonic() < token.renew_at):
            return token.value
        self._token = self._request_token()
        return self._token.value

    def _request_token(self) -> _Token:
        oauth2 = self.endpoint.oauth2
        assert oauth2 is not None
        form = {
            "grant_type": "client_credentials",
            "client_id": oauth2.client_id,
            "client_secret": oauth2.client_secret,
            "scope": oauth2.scope,
        }
        asked = self._monotonic()
        response, _ = self._send(
            None,
            lambda extensions: self._client.post(
                oauth2.token_url, data=form, headers={"Accept": "application/json"}, extensions=extensions
            ),
        )
        if response.status_code != 200:
            raise self._refusal(response, None, what="token aanvragen mislukt: ")
        try:
            answer = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            answer = None
        value = answer.get("access_token") if isinstance(answer, dict) else None
        kind = answer.get("token_type", "Bearer") if isinstance(answer, dict) else None
        lifetime = answer.get("expires_in") if isinstance(answer, dict) else None
        if (
            not isinstance(value, str)
            or not value
            or not isinstance(kind, str)
            or kind.lower() != "bearer"
            or (
                lifetime is not None and (not isinstance(lifetime, int | float) or isinstance(lifetime, bool))
            )
        ):
            raise ProviderError(
                self.endpoint.name,
                200,
                "TOKEN_INVALID_RESPONSE",
                "het token-endpoint gaf geen bruikbare bearer token (access_token, token_type, expires_in)",
            )
        renew_at = None
        if lifetime is not None:
            renew_at = asked + lifetime - min(TOKEN_MARGIN_SECONDS, lifetime / 2)
        log.info(
            "%s: access token verkregen (geldig %s)",
            self.endpoint.name,
            f"{lifetime} s" if lifetime is not None else "tot de aanbieder hem weigert",
        )
        return _Token(value, renew_at)

    # -- TLS -----------------------------------------------------------------------------------------------------

    def _ssl_context(self) -> ssl.SSLContext:
        """Server authentication against `tls_ca` (or the system CAs) and the client certificate for mTLS."""
        endpoint = self.endpoint
        try:
            context = ssl.create_default_context(
                cafile=str(endpoint.tls_ca) if endpoint.tls_ca is not None else None
            )
            if endpoint.client_cert is not None:
                context.load_cert_chain(
                    endpoint.client_cert,
                    endpoint.client_key if endpoint.client_key is not None else None,
                )
        except (OSError, ssl.SSLError) as exc:
            raise FetchError(
                endpoint.name, f"TLS-instellingen onbruikbaar (CA, clientcertificaat of -sleutel): {exc}"
            ) from exc
        return context


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a `Retry-After` header (delay-seconds or HTTP-date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _error_fields(response: httpx.Response) -> dict[str, str]:
    """`code`, `title`, `detail` (problem+json, FSC) or `error`, `error_description` (OAuth) from an error body,
    shortened; nothing else of the body is ever used."""
    body = response.content
    if not body or len(body) > _ERROR_BODY_LIMIT or "json" not in response.headers.get("content-type", ""):
        return {}
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(document, dict):
        return {}
    found: dict[str, str] = {}
    for key in ("code", "title", "detail", "error", "error_description"):
        value = document.get(key)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            found[key] = text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"
    return found


def _count_records(document: Mapping[str, Any], key: str) -> int:
    """Records in an answer without paging block: trajecten or vroegsignalen over all leveringen."""
    gegevens = document.get("gegevens")
    leveringen = gegevens.get("leveringen") if isinstance(gegevens, dict) else None
    if not isinstance(leveringen, list):
        return 0
    return sum(
        len(levering[key])
        for levering in leveringen
        if isinstance(levering, dict) and isinstance(levering.get(key), list)
    )
