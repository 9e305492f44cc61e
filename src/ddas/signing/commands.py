"""`ddas certs …`: the development PKI from the command line (wired into `ddas` as the `certs` sub-app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ddas.signing.defaults import DEFAULT_CONSUMER_OIN, DEFAULT_DAYS, DEFAULT_PROVIDER_OIN
from ddas.signing.errors import SigningError

__all__ = ["certs_app"]

certs_app = typer.Typer(
    name="certs",
    help="Certificaten voor ontwikkeling en test: een eigen root-CA, tussen-CA, TLS- en ondertekeningscertificaten.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

_DESCRIPTIONS = {
    "root-ca.pem": "rootcertificaat (vertrouwensanker)",
    "root-ca.key": "sleutel root-CA",
    "intermediate-ca.pem": "tussen-CA",
    "intermediate-ca.key": "sleutel tussen-CA",
    "provider-tls.pem": "TLS-certificaat aanbieder (keten)",
    "provider-tls.key": "TLS-sleutel aanbieder",
    "provider-sign.pem": "ondertekeningscertificaat aanbieder (keten)",
    "provider-sign.key": "ondertekeningssleutel aanbieder",
    "consumer-tls.pem": "TLS-clientcertificaat afnemer (keten)",
    "consumer-tls.key": "TLS-sleutel afnemer",
    "consumer-sign.pem": "ondertekeningscertificaat afnemer (keten)",
    "consumer-sign.key": "ondertekeningssleutel afnemer",
    "README.md": "uitleg per bestand",
}


@certs_app.callback()
def _certs() -> None:
    """Certificaten voor ontwikkeling en test."""


@certs_app.command("init")
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="DIR", help="Map voor de PKI (wordt zo nodig aangemaakt).")
    ],
    force: Annotated[bool, typer.Option("--force", help="Vervang een bestaande PKI in DIR.")] = False,
    provider_oin: Annotated[
        str, typer.Option("--provider-oin", help="Test-OIN (20 cijfers) van de aanbieder.")
    ] = DEFAULT_PROVIDER_OIN,
    consumer_oin: Annotated[
        str, typer.Option("--consumer-oin", help="Test-OIN (20 cijfers) van de afnemer.")
    ] = DEFAULT_CONSUMER_OIN,
    days: Annotated[int, typer.Option("--days", help="Geldigheidsduur in dagen.")] = DEFAULT_DAYS,
) -> None:
    """Maak een ontwikkel-PKI: root-CA, tussen-CA en voor aanbieder en afnemer elk een TLS- en een
    ondertekeningscertificaat (RSA 3072, OIN in serialNumber). Alleen voor ontwikkeling; productie gebruikt
    PKIoverheid."""
    try:
        from ddas.signing.pki import init_dev_pki

        files = init_dev_pki(
            directory, provider_oin=provider_oin, consumer_oin=consumer_oin, days=days, force=force
        )
    except SigningError as exc:
        typer.echo(f"Fout: {exc.nl}", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"Fout: kan de PKI niet in {directory} schrijven ({exc.strerror or exc}).", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Ontwikkel-PKI gemaakt in {directory} (alleen voor ontwikkeling, niet voor productie):")
    for name, path in files.items():
        typer.echo(f"  {path}  — {_DESCRIPTIONS.get(name, name)}")
    typer.echo(f"OIN aanbieder {provider_oin}, OIN afnemer {consumer_oin}; geldig {days} dagen.")
