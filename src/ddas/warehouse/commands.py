"""`ddas warehouse …`: looking into a warehouse."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from ddas.warehouse.store import Warehouse

__all__ = ["SUMMARY_LABELS", "conflicts_command", "open_warehouse_or_exit", "summary_table", "warehouse_app"]

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
    "reports_waiting": "op-orde-rapporten die nog wachten op verzending",
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
    vroegsignalen, zaken, personen, quarantaine, gemailde rapporten en rapporten die nog wachten."""
    if output_format not in ("text", "json"):
        typer.echo("Fout: --format moet text of json zijn.", err=True)
        raise typer.Exit(2)
    with open_warehouse_or_exit(warehouse) as store:
        counts = store.summary()
    if output_format == "json":
        typer.echo(json.dumps(counts, indent=2))
        return
    Console().print(summary_table(counts))


def open_warehouse_or_exit(warehouse: str | None) -> Warehouse:
    """The warehouse at this address (default: the one in the working folder); exits 2 with a Dutch message."""
    from ddas.warehouse.store import Warehouse, WarehouseError, default_warehouse_url

    try:
        return Warehouse.open(warehouse or default_warehouse_url())
    except WarehouseError as exc:
        typer.echo(f"Fout: {exc}", err=True)
        raise typer.Exit(2) from None


@warehouse_app.command("conflicts")
def conflicts_command(
    warehouse: Annotated[str | None, typer.Option("--warehouse", "-w", help="Warehouse-adres.")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", help="text of json.")] = "text",
    examples: Annotated[
        int, typer.Option("--examples", min=0, help="Voorbeelden per veld in de tekstweergave.")
    ] = 3,
) -> None:
    """De tegenstrijdige waarden na het samenvoegen: per veld hoe vaak aanbieders het oneens zijn, tussen welke
    aanbieders, en voorbeelden met elke waarde en wie haar leverde. De nieuwste waarde is gekozen; de andere
    blijven bewaard."""
    if output_format not in ("text", "json"):
        typer.echo("Fout: --format moet text of json zijn.", err=True)
        raise typer.Exit(2)
    with open_warehouse_or_exit(warehouse) as store:
        rows = store.conflict_rows()
    if output_format == "json":
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
        return
    console = Console()
    if not rows:
        console.print("Geen tegenstrijdige waarden: alle aanbieders zijn het eens.")
        return
    per_field: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        per_field.setdefault(row["field"], []).append(row)
    overview = Table(title=f"Tegenstrijdige waarden per veld ({len(rows)} in totaal)")
    overview.add_column("veld")
    overview.add_column("aantal", justify="right")
    overview.add_column("tussen aanbieders")
    for field, items in sorted(per_field.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        providers = sorted({b["provider"] for r in items for v in r["values"] for b in v["bronnen"]})
        overview.add_row(field, str(len(items)), ", ".join(providers))
    console.print(overview)
    if examples == 0:
        return
    detail = Table(title="Voorbeelden (de eerste waarde is gekozen)")
    detail.add_column("veld")
    detail.add_column("traject")
    detail.add_column("waarden (geleverd door)")
    for field, items in sorted(per_field.items()):
        for row in items[:examples]:
            values = "; ".join(
                f"{v['waarde']!s} ({', '.join(b['provider'] for b in v['bronnen'])})" for v in row["values"]
            )
            detail.add_row(field, row["merged_key"][:12], values)
    console.print(detail)
