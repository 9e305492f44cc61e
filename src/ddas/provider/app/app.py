"""The HTTP layer of the provider service: routes, error shapes, authorisation and signatures (SPEC.md §6).

`create_app(settings, store)` builds one FastAPI application serving both kinds, each under its own base path:
`POST <base>/gegevens` and `GET <base>/openapi.json`, plus `POST /oauth2/token` when the built-in token
endpoint is switched on. A request passes, in order: the token (401/403, FSC errors), the rate limit (429), the
media type (415), the body size and the time it takes to arrive (413, 408), the request signature (401, problem
details with the `SIG_*` code) and the signer's OIN (403), the body schema (400/422), and only then reaches
`GegevensService`, which knows nothing of HTTP. Every response, errors and unexpected failures included,
leaves through `SignResponses`. Nothing here logs a request body or a value from it.

Paths are matched exactly: Starlette's trailing-slash redirect is off, because it builds its `Location` from
the request's Host header (an open redirect for whoever forges one); `<base>/gegevens/` is simply a 404.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import logging
import re
import secrets
import sqlite3
import string
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

import anyio
import orjson
import psycopg
from fastapi import FastAPI, Request
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ddas.provider.app.auth import Principal, TokenIssuer, TokenVerifier
from ddas.provider.app.openapi import openapi_document
from ddas.provider.app.problems import (
    FSC_METHOD_UNSUPPORTED,
    FSC_SERVICE_NOT_FOUND,
    PROBLEM_JSON,
    FscError,
    Problem,
)
from ddas.provider.app.ratelimit import RateLimiter
from ddas.provider.app.request import parse_gegevens_request
from ddas.provider.app.service import GegevensService
from ddas.provider.app.settings import ProviderSettings
from ddas.provider.app.signing import RequestVerifier, SignResponses
from ddas.provider.store import Store, StoreError
from ddas.signing.jws import SIGNATURE_HEADER
from ddas.signing.keys import SigningIdentity, TrustStore, load_identity, subject_name
from ddas.spec.kinds import Kind

__all__ = ["TOKEN_PATH", "create_app", "signing_identity"]

log = logging.getLogger("ddas.provider.app")

TOKEN_PATH = "/oauth2/token"

#: What a store that cannot be used raises: the store's own errors, SQLAlchemy's, and the drivers' own (the page
#: reads use the driver's cursor directly, so a broken table surfaces as sqlite3 or psycopg errors).
_STORE_ERRORS = (StoreError, SQLAlchemyError, sqlite3.Error, psycopg.Error)

#: The time zone the reporting periods are counted in: a request on 1 July 00:30 in the Netherlands is July.
_TZ = ZoneInfo("Europe/Amsterdam")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class _Services:
    """What the routes need, built once per application (no module-level state)."""

    settings: ProviderSettings
    gegevens: GegevensService
    verifier: TokenVerifier | None
    issuer: TokenIssuer | None
    limiter: RateLimiter
    signatures: RequestVerifier
    clock: Callable[[], dt.datetime]


def signing_identity(settings: ProviderSettings) -> SigningIdentity | None:
    """The identity responses are signed with; None when no signing certificate is configured."""
    signing = settings.signing
    if signing.certificate is None or signing.key is None:
        return None
    return load_identity(signing.certificate, signing.key, signing.kid)


def _trust(settings: ProviderSettings) -> TrustStore | None:
    signing = settings.signing
    if not signing.signatures_checked:
        return None
    return TrustStore.from_pem(signing.trust_anchors, signing.intermediates, signing.pinned_certificates)


def _warn_about_relaxations(settings: ProviderSettings, trust: TrustStore | None) -> None:
    """Say at start-up what a production service should not do: every relaxation is a line in the log."""
    if trust is not None and not settings.signing.signatures_required:
        log.warning(
            "ondertekening van verzoeken is OPTIONEEL (--optional-signature): verzoeken zonder "
            "nlgov-adr-payload-sig worden beantwoord"
        )
    if trust is not None and trust.pinned:
        log.warning(
            "vastgepinde ondertekeningscertificaten (alleen voor testopstellingen; geen ketencontrole): %s",
            "; ".join(subject_name(certificate) for certificate in trust.pinned),
        )


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "onbekend"


def create_app(
    settings: ProviderSettings,
    store: Store,
    *,
    clock: Callable[[], dt.datetime] | None = None,
) -> FastAPI:
    """The provider application for `store` under `settings`.

    Key material is loaded here, so a wrong path or a key that does not match its certificate stops the
    service at start-up (KeyMaterialError / AuthError) instead of at the first request. `clock` (UTC) lets
    tests fix "now" for the default period and `aanleverdatumEnTijd`.
    """
    now = clock or _now
    identity = signing_identity(settings)
    trust = _trust(settings)
    auth = settings.auth
    services = _Services(
        settings=settings,
        gegevens=GegevensService(settings, store, clock=now, identity=identity),
        verifier=TokenVerifier(auth) if auth.mode == "oauth2" else None,
        issuer=TokenIssuer(auth) if auth.token_endpoint else None,
        limiter=RateLimiter(settings.rate_limit_per_minute),
        signatures=RequestVerifier(
            trust,
            required=settings.signing.signatures_required,
            allowed_oins=settings.signing.allowed_oins,
        ),
        clock=now,
    )
    if identity is None:
        log.warning("geen ondertekeningscertificaat ingesteld: antwoorden worden NIET ondertekend")
    _warn_about_relaxations(settings, trust)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(services.gegevens.close)

    app = FastAPI(
        lifespan=lifespan,
        title="ddas provider",
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    app.add_middleware(SignResponses, identity=identity)
    _add_error_handlers(app)
    for kind in Kind:
        base = settings.shv_base_path if kind is Kind.SHV else settings.vs_base_path
        app.add_api_route(
            base + "/gegevens",
            _gegevens_endpoint(services, kind),
            methods=["POST"],
            include_in_schema=False,
            name=f"gegevens-{kind.value}",
        )
        app.add_api_route(
            base + "/openapi.json",
            _openapi_endpoint(services, kind),
            methods=["GET"],
            include_in_schema=False,
            name=f"openapi-{kind.value}",
        )
    if services.issuer is not None:
        app.add_api_route(
            TOKEN_PATH, _token_endpoint(services), methods=["POST"], include_in_schema=False, name="token"
        )
    return app


def _problem_response(problem: Problem, request: Request) -> Response:
    return Response(
        problem.body(request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers,
    )


def _fsc_response(error: FscError) -> Response:
    return Response(
        error.body(), status_code=error.status, media_type=PROBLEM_JSON, headers=error.all_headers()
    )


def _add_error_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        log.info("%s %s → %d %s", request.method, request.url.path, exc.status, exc.code)
        return _problem_response(exc, request)

    async def on_fsc(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, FscError)
        log.info("%s %s → %d %s", request.method, request.url.path, exc.status, exc.code)
        return _fsc_response(exc)

    async def on_http(request: Request, exc: Exception) -> Response:
        """Starlette's own 404/405 (routing) in FSC form; anything else as problem details."""
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            error = FscError(
                404,
                FSC_SERVICE_NOT_FOUND,
                "Service niet gevonden",
                "Op dit pad wordt geen dienst aangeboden; gebruik POST <basispad>/gegevens.",
                headers,
            )
        elif exc.status_code == 405:
            allowed = headers.get("Allow", "")
            error = FscError(
                405,
                FSC_METHOD_UNSUPPORTED,
                "Methode niet ondersteund",
                f"De methode {request.method} wordt op dit pad niet ondersteund (wel: {allowed}).",
                headers,
            )
        else:
            problem = Problem(exc.status_code, "http-error", "Fout", str(exc.detail), headers)
            return _problem_response(problem, request)
        # An unknown path is whatever the caller typed (it could hold anything): it is not logged.
        shown = (
            request.url.path if error.status != 404 else f"(onbekend pad van {len(request.url.path)} tekens)"
        )
        log.info("%s %s → %d %s", request.method, shown, error.status, error.code)
        return _fsc_response(error)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(FscError, on_fsc)
    app.add_exception_handler(StarletteHTTPException, on_http)


def _rate_limited(services: _Services, key: str) -> Problem | None:
    wait = services.limiter.check(key)
    if not wait:
        return None
    return Problem(
        429,
        "rate-limited",
        "Te veel verzoeken",
        f"Het maximum van {services.settings.rate_limit_per_minute} verzoeken per minuut is bereikt; "
        f"probeer het over {wait} seconden opnieuw.",
        {"Retry-After": str(wait)},
    )


def _authorise(services: _Services, request: Request) -> Principal | None:
    """The caller (None when auth is `none`); FscError on a bad token, Problem(429) over the rate limit.

    A caller with a valid token is limited under its client id; one without under its address, so a flood
    of bad tokens is limited as well.
    """
    principal: Principal | None = None
    if services.verifier is not None:
        try:
            principal = services.verifier.verify(request.headers.get("authorization"))
        except FscError:
            limited = _rate_limited(services, "adres:" + _client_address(request))
            if limited is not None:
                raise limited from None
            raise
    key = "client:" + principal.client_id if principal else "adres:" + _client_address(request)
    limited = _rate_limited(services, key)
    if limited is not None:
        raise limited
    return principal


def _check_media_type(request: Request) -> None:
    """Refuse (415) a body declared as anything but JSON in UTF-8; no Content-Type at all is read as JSON."""
    declared = request.headers.get("content-type")
    if declared is None:
        return
    media, _, parameters = declared.partition(";")
    media = media.strip().lower()
    charset = ""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    json_type = media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
    if json_type and charset in ("", "utf-8", "utf8"):
        return
    shown = f" (ontvangen: {media})" if _MEDIA_TYPE.fullmatch(media) else ""
    raise Problem(
        415,
        "unsupported-media-type",
        "Mediatype niet ondersteund",
        f"De body moet JSON in UTF-8 zijn, met Content-Type: application/json{shown}.",
    )


_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,40}/[a-z0-9!#$&^_.+-]{1,60}")


async def _read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed `limit` (declared or streamed),
    and with 408 when it has not arrived completely within `timeout` seconds.

    A 408 closes the connection (the client has stalled). A 413 does not: closing while the client is still
    sending its body makes the client's next write hit a reset, which can destroy the 413 before it is read;
    the server instead discards the rest of the body, for at most the same `timeout` (see `server.py`).
    """
    too_large = Problem(
        413,
        "body-too-large",
        "Verzoek te groot",
        f"De body is groter dan de toegestane {limit} bytes.",
    )
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise Problem(
                400, "bad-content-length", "Ongeldig verzoek", "Content-Length is geen getal."
            ) from None
        if size > limit:
            raise too_large
    chunks: list[bytes] = []
    received = 0
    try:
        with anyio.fail_after(timeout):
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise too_large
                chunks.append(chunk)
    except TimeoutError:
        raise Problem(
            408,
            "body-timeout",
            "Verzoek niet op tijd ontvangen",
            f"De body van het verzoek was niet binnen {timeout:g} seconden volledig binnen "
            f"({received} bytes ontvangen); de verbinding wordt gesloten.",
            {"Connection": "close"},
        ) from None
    return b"".join(chunks)


def _request_id() -> str:
    """A request id for the log: letters only, so that the log's BSN masking never mistakes it for a number."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


def _gegevens_endpoint(services: _Services, kind: Kind) -> Callable[[Request], Any]:
    settings = services.settings

    async def gegevens(request: Request) -> Response:
        started = time.perf_counter()
        request_id = _request_id()
        principal = _authorise(services, request)
        _check_media_type(request)
        body = await _read_body(request, settings.max_body_bytes, settings.body_timeout_seconds)
        verified = services.signatures.check(
            body, request.headers.getlist(SIGNATURE_HEADER), request.headers.get("digest")
        )
        now = services.clock()
        query = parse_gegevens_request(
            body,
            max_page_size=settings.max_page_size(kind.value),
            today=now.astimezone(_TZ).date(),
            granularity=settings.reporting_period,
        )
        try:
            result = await run_in_threadpool(services.gegevens.page, kind, query)
        except _STORE_ERRORS as exc:
            log.error(
                "gegevens %s [%s]: opslag niet bruikbaar (%s)", kind.value, request_id, type(exc).__name__
            )
            raise Problem(
                503,
                "store-unavailable",
                "Dienst tijdelijk niet beschikbaar",
                "De gegevens kunnen nu niet worden opgehaald (de opslag van de aanbieder is niet bereikbaar); "
                "probeer het later opnieuw.",
                {"Retry-After": "60"},
            ) from None
        log.info(
            "gegevens %s [%s] client %s, ondertekening %s: periode %s–%s%s, pagina %d/%d (%s van %d records, "
            "%d bytes, cache %s) in %.0f ms",
            kind.value,
            request_id,
            principal.client_id if principal else _client_address(request),
            f"{verified.form} (OIN {verified.oin}{', vastgepind' if verified.pinned else ''})"
            if verified
            else "geen",
            query.start.isoformat(),
            query.end.isoformat(),
            ", één organisatie" if query.organisatie else "",
            result.page,
            result.total_pages,
            "?" if result.records is None else result.records,
            result.total_records,
            len(result.body),
            result.cache,
            (time.perf_counter() - started) * 1000,
        )
        return Response(result.body, media_type="application/json", headers=result.headers)

    gegevens.__name__ = f"gegevens_{kind.value}"
    return gegevens


def _openapi_endpoint(services: _Services, kind: Kind) -> Callable[[Request], Any]:
    document = orjson.dumps(openapi_document(kind, services.settings))

    async def openapi(request: Request) -> Response:
        return Response(document, media_type="application/json")

    openapi.__name__ = f"openapi_{kind.value}"
    return openapi


def _basic_credentials(header: str | None) -> tuple[str, str] | None:
    """HTTP Basic client credentials (RFC 6749 §2.3.1), None when not sent that way."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _token_endpoint(services: _Services) -> Callable[[Request], Any]:
    issuer = services.issuer
    assert issuer is not None

    async def token(request: Request) -> Response:
        limited = _rate_limited(services, "adres:" + _client_address(request))
        if limited is not None:
            raise limited
        body = await _read_body(
            request, services.settings.max_body_bytes, services.settings.body_timeout_seconds
        )
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            form = {}
        result = issuer.issue(form, _basic_credentials(request.headers.get("authorization")))
        return Response(
            orjson.dumps(result.body),
            status_code=result.status,
            media_type="application/json",
            headers=result.headers,
        )

    return token
