"""`ddas serve`: the provider service under uvicorn, with real TLS and, given a client CA, mutual TLS.

`--certs DIR` is the development short-cut over a PKI made by `ddas certs init DIR`: responses are signed with
DIR's provider signing key, request signatures are checked against DIR's root (and required, as whenever
request signatures can be checked; `--optional-signature` relaxes that), and `--tls` serves HTTPS with DIR's
provider TLS certificate while demanding a client certificate issued under that root. `--trust-signing-cert`
pins a client's own signing certificate for test set-ups. Everything else comes from the settings (`--config
FILE`, `DDAS_*`); options given here win over both. The uvicorn configuration (timeouts, connection limit,
keep-alive) lives in `server.py`.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from ddas.provider.app.logs import configure_logging
from ddas.provider.app.server import uvicorn_config
from ddas.provider.app.settings import ProviderSettings, SettingsError, load_settings

__all__ = ["AuthMode", "build_settings", "certs_overrides", "serve_command", "uvicorn_config"]

log = logging.getLogger("ddas.provider.app")


class AuthMode(enum.StrEnum):
    none = "none"
    oauth2 = "oauth2"


def certs_overrides(certs: Path, *, tls: bool = False) -> dict[str, dict[str, Any]]:
    """Settings for a folder made by `ddas certs init`: sign with its provider key and check request signatures
    against its root; with `tls`, serve its provider TLS certificate and ask for a client certificate."""
    overrides: dict[str, dict[str, Any]] = {
        "signing": {
            "certificate": str(certs / "provider-sign.pem"),
            "key": str(certs / "provider-sign.key"),
            "trust_anchors": [str(certs / "root-ca.pem")],
        }
    }
    if tls:
        overrides["tls"] = {
            "certificate": str(certs / "provider-tls.pem"),
            "key": str(certs / "provider-tls.key"),
            "client_ca": str(certs / "root-ca.pem"),
        }
    return overrides


def build_settings(
    *,
    store: str | None = None,
    host: str | None = None,
    port: int | None = None,
    certs: Path | None = None,
    auth: AuthMode | None = None,
    tls: bool = False,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    client_ca: Path | None = None,
    config: Path | None = None,
    require_signature: bool | None = None,
    pinned_certificates: list[Path] | None = None,
) -> ProviderSettings:
    """The settings `serve` runs with: file and environment, then the command-line options on top."""
    overrides: dict[str, Any] = {}
    signing: dict[str, Any] = {}
    tls_settings: dict[str, Any] = {}
    auth_settings: dict[str, Any] = {}
    if store is not None:
        overrides["store"] = store
    if host is not None:
        overrides["host"] = host
    if port is not None:
        overrides["port"] = port
    if certs is not None:
        for name in ("provider-sign.pem", "provider-sign.key", "root-ca.pem"):
            if not (certs / name).is_file():
                raise SettingsError(f"--certs {certs}: {name} ontbreekt (maak de map met 'ddas certs init')")
        from_certs = certs_overrides(certs, tls=tls)
        signing |= from_certs["signing"]
        tls_settings |= from_certs.get("tls", {})
    if require_signature is not None:
        signing["require_request_signature"] = require_signature
    if pinned_certificates:
        signing["pinned_certificates"] = [str(path) for path in pinned_certificates]
    if tls_cert is not None:
        tls_settings["certificate"] = str(tls_cert)
    if tls_key is not None:
        tls_settings["key"] = str(tls_key)
    if client_ca is not None:
        tls_settings["client_ca"] = str(client_ca)
    if signing:
        overrides["signing"] = signing
    if tls_settings:
        overrides["tls"] = tls_settings
    if auth is not None:
        auth_settings["mode"] = auth.value
        if auth is AuthMode.oauth2 and certs is not None:
            auth_settings |= _dev_token_key(load_settings(config, overrides=overrides), certs)
    if auth_settings:
        overrides["auth"] = auth_settings
    settings = load_settings(config, overrides=overrides)
    if tls and settings.tls.certificate is None:
        raise SettingsError("--tls vraagt --certs DIR of --tls-cert en --tls-key (of tls in de configuratie)")
    return settings


def _dev_token_key(configured: ProviderSettings, certs: Path) -> dict[str, Any]:
    """`--auth oauth2 --certs DIR` while the configuration names no token keys: a development set-up.

    The built-in token endpoint is switched on and signs with DIR's provider signing key, so a demo can
    obtain a token from the service itself (clients still come from the configuration). Production names
    the real issuer's keys in the configuration and never reaches this.
    """
    auth = configured.auth
    if auth.jwks_file or auth.public_key_file or auth.token_signing_key_file:
        return {}
    log.warning(
        "auth oauth2 zonder sleutels in de configuratie: token-endpoint met de ontwikkel-PKI in %s", certs
    )
    return {"token_endpoint": True, "token_signing_key_file": str(certs / "provider-sign.key")}


def serve_command(
    store: Annotated[
        str | None,
        typer.Option("--store", help="Adres van de opslag (sqlite:///BESTAND of postgresql+psycopg://…)."),
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Adres om op te luisteren (standaard 127.0.0.1).")
    ] = None,
    port: Annotated[int | None, typer.Option("--port", help="Poort (standaard 8443).")] = None,
    certs: Annotated[
        Path | None,
        typer.Option(
            "--certs",
            help="Map van 'ddas certs init': onderteken met de provider-sleutel, controleer verzoeken tegen de root.",
        ),
    ] = None,
    auth: Annotated[AuthMode | None, typer.Option("--auth", help="Autorisatie: none of oauth2.")] = None,
    tls: Annotated[
        bool,
        typer.Option(
            "--tls", help="HTTPS met het TLS-certificaat uit --certs; vraagt een client-certificaat."
        ),
    ] = False,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="TLS-certificaat (PEM, keten).")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="Sleutel bij --tls-cert.")] = None,
    client_ca: Annotated[
        Path | None, typer.Option("--client-ca", help="CA voor client-certificaten: maakt TLS wederzijds.")
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Configuratiebestand (YAML).")] = None,
    require_signature: Annotated[
        bool | None,
        typer.Option(
            "--require-signature/--optional-signature",
            help="Verzoeken zonder nlgov-adr-payload-sig weigeren (standaard zodra rootcertificaten of "
            "vastgepinde certificaten zijn ingesteld) of toch beantwoorden (--optional-signature, met een "
            "waarschuwing bij de start). Een meegestuurde handtekening wordt altijd gecontroleerd.",
        ),
    ] = None,
    trust_signing_cert: Annotated[
        list[Path] | None,
        typer.Option(
            "--trust-signing-cert",
            help="Alleen voor testopstellingen: vertrouw dit ondertekeningscertificaat (PEM) precies zoals het is, "
            "zonder ketencontrole, ook als het zelfondertekend of een CA is (zoals 'openssl req -x509' het maakt); "
            "de geldigheidsdata gelden wel. Herhaalbaar.",
        ),
    ] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="debug, info, warning of error.")] = "info",
) -> None:
    """Start de DDAS-dienst (POST <basispad>/gegevens voor SHV en VS), ondertekend en gepagineerd."""
    import uvicorn

    from ddas.provider.app.app import create_app, signing_identity
    from ddas.provider.store import Store, StoreError, StoreUrlError
    from ddas.signing.errors import SigningError

    try:
        settings = build_settings(
            store=store,
            host=host,
            port=port,
            certs=certs,
            auth=auth,
            tls=tls,
            tls_cert=tls_cert,
            tls_key=tls_key,
            client_ca=client_ca,
            config=config,
            require_signature=require_signature,
            pinned_certificates=trust_signing_cert,
        )
    except SettingsError as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None
    if log_level.lower() not in ("debug", "info", "warning", "error"):
        typer.echo(f"fout: onbekend logniveau {log_level!r} (debug, info, warning of error)", err=True)
        raise typer.Exit(2)
    configure_logging(log_level)
    try:
        opened = Store.open(
            settings.store,
            snapshot_ttl=dt.timedelta(seconds=settings.snapshot_ttl_seconds),
            cache_ttl=dt.timedelta(seconds=max(settings.cache_ttl_seconds, 1)),
        )
    except StoreUrlError as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None
    except StoreError as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(3) from None
    try:
        app = create_app(settings, opened)
        identity = signing_identity(settings)
    except SigningError as exc:
        typer.echo(f"fout: {exc.code}: {exc.message('nl')}", err=True)
        raise typer.Exit(2) from None
    except (ValueError, OSError) as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None
    log.info(
        "verbindingen: TLS-handshake en verzoekkop binnen %g s, body binnen %g s, keep-alive %d s, "
        "hoogstens %d tegelijk",
        settings.header_timeout_seconds,
        settings.body_timeout_seconds,
        settings.keep_alive_seconds,
        settings.max_connections,
    )
    scheme = "https" if settings.tls.certificate else "http"
    typer.echo(
        f"ddas dienst op {scheme}://{settings.host}:{settings.port}{settings.shv_base_path}/gegevens en "
        f"{settings.vs_base_path}/gegevens",
        err=True,
    )
    uvicorn.Server(uvicorn_config(settings, app, identity=identity, log_level=log_level)).run()
