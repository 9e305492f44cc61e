"""`ddas collect` and `ddas withdraw`: the collecting side's commands (thin; the work is in `run`)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from ddas.warehouse.pseudonym import PseudonymKey
    from ddas.warehouse.store import QueuedReport

__all__ = [
    "WAITING_EXIT_CODE",
    "collect_command",
    "print_outcomes",
    "pseudonym_key_from_env",
    "withdraw_command",
]

KEY_ENV = "DDAS_PSEUDONYM_KEY"
#: `ddas collect` when every provider succeeded but op-orde-rapporten are still waiting to be sent: an
#: environment problem (the mail server), as the house's exit codes have it (3: environment, such as a server).
WAITING_EXIT_CODE = 3
#: The SMTP password is only ever read from this environment variable, never from an option or a file.
SMTP_PASSWORD_ENV = "DDAS_SMTP_PASSWORD"


def pseudonym_key_from_env() -> PseudonymKey:
    """The pseudonym key from `DDAS_PSEUDONYM_KEY` (hex or base64, ≥ 32 bytes); exits 2 with a Dutch message."""
    from ddas.warehouse.pseudonym import PseudonymKey

    value = os.environ.get(KEY_ENV)
    if not value:
        typer.echo(
            f"Fout: de sleutel voor pseudonimisering ontbreekt: zet {KEY_ENV} (hex of base64, minstens 32 bytes; "
            'bijvoorbeeld met `python -c "import secrets; print(secrets.token_hex(32))"`). Bewaar hem buiten '
            "het warehouse.",
            err=True,
        )
        raise typer.Exit(2)
    try:
        return PseudonymKey.from_config(value)
    except ValueError as exc:
        typer.echo(f"Fout: {KEY_ENV}: {exc}", err=True)
        raise typer.Exit(2) from None


def print_outcomes(console: Console, outcomes: Sequence[object]) -> None:
    """The summary table of a collection run."""
    from ddas.collector.run import ProviderOutcome

    table = Table(title="Ophalen per aanbieder")
    table.add_column("aanbieder", no_wrap=True)  # the name must stay readable in a narrow log
    table.add_column("soort")
    table.add_column("resultaat")
    for column in ("pagina's", "records", "fouten", "quarantaine"):
        table.add_column(column, justify="right")
    table.add_column("rapport")
    for item in outcomes:
        assert isinstance(item, ProviderOutcome)
        result = f"ok ({item.delivery})" if item.ok else f"MISLUKT: {item.failure}"
        counts = []
        if item.reports_mailed:
            counts.append(f"{item.reports_mailed} gemaild")
        if item.reports_waiting:
            counts.append(f"{item.reports_waiting} {'wacht' if item.reports_waiting == 1 else 'wachten'}")
        report = "; ".join(part for part in (", ".join(counts), item.report_note) if part)
        table.add_row(
            item.provider,
            item.kind,
            result,
            f"{item.pages_verified}/{item.pages}",
            str(item.records),
            str(item.errors),
            str(item.quarantined),
            report,
        )
    if not console.is_terminal and console.width < 120:
        # Written to a file or a log: no terminal to fit, so keep every column readable.
        console = Console(file=console.file, width=120)
    console.print(table)


def collect_command(
    directory: Annotated[Path, typer.Option("--directory", "-d", help="YAML-bestand met de aanbieders.")],
    period: Annotated[
        str, typer.Option("--period", "-p", help="Periode: 2025-H1, 2025-Q3, 2025 of 2025-01-01..2025-06-30.")
    ],
    warehouse: Annotated[
        str | None,
        typer.Option("--warehouse", "-w", help="Warehouse-adres (standaard ./ddas-warehouse.sqlite)."),
    ] = None,
    archive: Annotated[
        Path, typer.Option("--archive", help="Map voor het ruwe archief (de enige plek met BSN's).")
    ] = Path("ddas-archief"),
    provider: Annotated[
        list[str] | None, typer.Option("--provider", help="Alleen deze aanbieder (herhaalbaar).")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Een pagina met fouten helemaal weigeren in plaats van per record."),
    ] = False,
    smtp_host: Annotated[
        str | None, typer.Option(envvar="DDAS_SMTP_HOST", help="SMTP-server voor de rapporten.")
    ] = None,
    smtp_port: Annotated[int, typer.Option(envvar="DDAS_SMTP_PORT")] = 25,
    smtp_starttls: Annotated[bool, typer.Option(envvar="DDAS_SMTP_STARTTLS")] = False,
    smtp_from: Annotated[str, typer.Option(envvar="DDAS_SMTP_FROM", help="Afzender.")] = "ddas@localhost",
    smtp_user: Annotated[
        str | None,
        typer.Option(
            envvar="DDAS_SMTP_USER",
            help="Inlognaam bij de SMTP-server (alleen met --smtp-starttls); het wachtwoord komt uit "
            f"{SMTP_PASSWORD_ENV}.",
        ),
    ] = None,
    smtp_ca: Annotated[
        Path | None,
        typer.Option(
            envvar="DDAS_SMTP_CA",
            help="CA-certificaten (PEM) voor de SMTP-server bij STARTTLS (standaard die van het systeem).",
        ),
    ] = None,
    output_json: Annotated[
        Path | None, typer.Option("--json", help="Schrijf de uitkomst per aanbieder ook als JSON.")
    ] = None,
    retry_delay: Annotated[
        float,
        typer.Option(
            "--retry-delay",
            min=0.0,
            help="Seconden wachten voor de eerste nieuwe poging bij een onbereikbare of drukke aanbieder; "
            "verdubbelt bij elke volgende poging (0: meteen opnieuw).",
        ),
    ] = 0.5,
    report_retry_delay: Annotated[
        float | None,
        typer.Option(
            "--report-retry-delay",
            min=0.0,
            help="Seconden die een op-orde-rapport dat niet verstuurd kon worden minstens wacht voor een "
            "volgende run het opnieuw probeert (standaard 60); verdubbelt na elke mislukte poging, hoogstens "
            "een uur (0: bij elke run opnieuw, bijvoorbeeld nadat de mailserver hersteld is).",
        ),
    ] = None,
) -> None:
    """Haal een periode op bij elke aanbieder: verifiëren, archiveren, valideren, rapport terugsturen en in het
    gepseudonimiseerde warehouse laden. De op-orde-rapporten wachten in het warehouse tot ze verstuurd zijn;
    elke run verstuurt wat er wacht. Exitcode 1 als een aanbieder mislukte, anders 3 zolang er nog
    op-orde-rapporten wachten (mailserver onbereikbaar of weigert), 0 als alles binnen en verstuurd is."""
    from pydantic import ValidationError

    from ddas.collector.archive import RawArchive
    from ddas.collector.directory import load_directory
    from ddas.collector.errors import CollectorError
    from ddas.collector.mail import SmtpSettings
    from ddas.collector.outbox import REPORT_RETRY_DELAY_SECONDS
    from ddas.collector.period import PeriodError, parse_period
    from ddas.collector.run import collect
    from ddas.warehouse.commands import summary_table
    from ddas.warehouse.store import Warehouse, WarehouseError, default_warehouse_url

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    key = pseudonym_key_from_env()
    try:
        chosen = parse_period(period)
        entries = load_directory(directory)
        smtp = (
            SmtpSettings(
                host=smtp_host,
                port=smtp_port,
                starttls=smtp_starttls,
                sender=smtp_from,
                username=smtp_user,
                password_env=SMTP_PASSWORD_ENV if smtp_user else None,
                tls_ca=smtp_ca,
            )
            if smtp_host
            else None
        )
        store = Warehouse.open(warehouse or default_warehouse_url())
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors())
        typer.echo(f"Fout in de SMTP-instellingen: {reasons}", err=True)
        raise typer.Exit(2) from None
    except (PeriodError, CollectorError, WarehouseError, ValueError) as exc:
        typer.echo(f"Fout: {exc}", err=True)
        raise typer.Exit(2) from None
    console = Console(stderr=True)
    with (
        store,
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as bar,
    ):
        tasks: dict[str, object] = {}

        def progress(name: str, page: int, total: int) -> None:
            task = tasks.get(name)
            if task is None:
                task = tasks[name] = bar.add_task(name, total=total)
            bar.update(task, completed=page, total=total)  # type: ignore[arg-type]

        outcomes = collect(
            entries,
            chosen,
            warehouse=store,
            archive=RawArchive(archive),
            key=key,
            smtp=smtp,
            providers=provider,
            strict=strict,
            progress=progress,
            retry_base_delay=retry_delay,
            report_retry_delay=REPORT_RETRY_DELAY_SECONDS
            if report_retry_delay is None
            else report_retry_delay,
        )
        summary = store.summary()
        waiting = store.queued_reports()
    print_outcomes(Console(), outcomes)
    Console().print(summary_table(summary, "Warehouse na deze run"))
    if output_json is not None:
        output_json.write_text(
            json.dumps([o.to_dict() for o in outcomes], indent=2, ensure_ascii=False), encoding="utf-8"
        )
    if waiting:
        typer.echo(_waiting_warning(waiting, smtp_configured=smtp is not None), err=True)
    if not all(o.ok for o in outcomes):
        raise typer.Exit(1)
    if waiting:
        raise typer.Exit(WAITING_EXIT_CODE)


def _waiting_warning(waiting: Sequence[QueuedReport], *, smtp_configured: bool) -> str:
    """The operator's warning when reports are still waiting (Dutch; the reasons are masked when stored)."""
    n = len(waiting)
    tried = [report for report in waiting if report.last_attempt_at is not None]
    if not smtp_configured:
        why = "er is geen SMTP-server ingesteld (--smtp-host)"
    elif tried:
        last = max(tried, key=lambda report: report.last_attempt_at or report.queued_at)
        why = f"laatste fout: {last.last_error}"
    else:
        why = "nog niet geprobeerd"
    return (
        f"Let op: {n} op-orde-{'rapport wacht' if n == 1 else 'rapporten wachten'} nog op verzending ({why}). "
        "De leveringen zijn binnen; een volgende `ddas collect` verstuurt de rapporten alsnog "
        f"(--report-retry-delay 0: meteen). Exitcode {WAITING_EXIT_CODE}."
    )


def withdraw_command(
    provider: Annotated[str, typer.Option("--provider", help="De aanbieder die zijn levering intrekt.")],
    period: Annotated[
        str, typer.Option("--period", "-p", help="De periode van de levering (zoals bij collect).")
    ],
    warehouse: Annotated[str | None, typer.Option("--warehouse", "-w", help="Warehouse-adres.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Alleen shv of vs.")] = None,
) -> None:
    """Trek de levering van een aanbieder over een periode in: haal haar bijdrage uit het warehouse en leid de
    samengevoegde trajecten opnieuw af."""
    from ddas.collector.period import PeriodError, parse_period
    from ddas.warehouse.commands import open_warehouse_or_exit

    try:
        chosen = parse_period(period)
    except PeriodError as exc:
        typer.echo(f"Fout: {exc}", err=True)
        raise typer.Exit(2) from None
    if kind not in (None, "shv", "vs"):
        typer.echo("Fout: --kind moet shv of vs zijn.", err=True)
        raise typer.Exit(2)
    with open_warehouse_or_exit(warehouse) as store:
        count = store.withdraw(provider, chosen.start, chosen.end, kind)
    if count == 0:
        typer.echo(f"Geen levering van {provider} over {chosen} gevonden; niets veranderd.", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"{count} levering(en) van {provider} over {chosen} ingetrokken; samengevoegde trajecten opnieuw afgeleid."
    )
