"""`ddas warehouse …`: looking into a warehouse."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["warehouse_app"]

warehouse_app = typer.Typer(
    help="Het gepseudonimiseerde warehouse van de verzamelaar bekijken.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@warehouse_app.command("summary")
def summary_command(
    warehouse: Annotated[str | None, typer.Option("--warehouse", "-w", help="Warehouse-adres.")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text of json.")] = "text",
) -> None:
    """De tellingen van een warehouse: aanbieders, pagina's, trajecten (geleverd en samengevoegd),
    vroegsignalen, zaken, personen, quarantaine en gemailde rapporten."""
    from ddas.warehouse.store import Warehouse, WarehouseError, default_warehouse_url

    if output_format not in ("text", "json"):
        typer.echo("Fout: --format moet text of json zijn.", err=True)
        raise typer.Exit(2)
    try:
        store = Warehouse.open(warehouse or default_warehouse_url())
    except WarehouseError as exc:
        typer.echo(f"Fout: {exc}", err=True)
        raise typer.Exit(2) from None
    with store:
        counts = store.summary()
    if output_format == "json":
        typer.echo(json.dumps(counts, indent=2))
        return
    table = Table(title="Warehouse")
    table.add_column("wat")
    table.add_column("aantal", justify="right")
    for name, value in counts.items():
        table.add_row(name, str(value))
    Console().print(table)
