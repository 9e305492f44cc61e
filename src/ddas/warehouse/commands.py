"""`ddas warehouse …`: looking into a warehouse."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

__all__ = ["SUMMARY_LABELS", "summary_table", "warehouse_app"]

#: What each count of `Warehouse.summary()` means, for people (the JSON keeps the stable English keys).
SUMMARY_LABELS = {
    "providers": "aanbieders",
    "deliveries": "leveringen",
    "pages": "pagina's opgehaald",
    "pages_verified": "pagina's geverifieerd (Digest, handtekening, keten)",
    "trajecten_delivered": "trajecten geleverd",
    "trajecten_merged": "trajecten na samenvoegen",
    "merge_conflicts": "tegenstrijdige waarden (naast elkaar bewaard)",
    "vroegsignalen": "vroegsignalen",
    "zaken": "vroegsignaalzaken",
    "persons": "personen (pseudoniemen)",
    "persons_in_both_vs_and_shv": "personen in zowel VS als SHV",
    "quarantined_records": "records in quarantaine",
    "reports_mailed": "op-orde-rapporten gemaild",
}


def summary_table(counts: dict[str, int], title: str = "Warehouse (gepseudonimiseerd)") -> Table:
    """The warehouse counts as a table with Dutch labels."""
    table = Table(title=title)
    table.add_column("wat")
    table.add_column("aantal", justify="right")
    for name, value in counts.items():
        if name in SUMMARY_LABELS:
            table.add_row(SUMMARY_LABELS[name], str(value))
    return table


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
    Console().print(summary_table(counts))
