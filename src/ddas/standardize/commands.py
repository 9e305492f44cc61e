"""``ddas standardize``: review files bekijken en overnemen, een export proefondervindelijk omzetten.

Thin wrappers in the style of ``ddas.cli``: parse arguments, call one function, print. Exit codes follow
DESIGN.md: 0 success, 1 the input has errors (or rows are left for review), 2 usage errors or unreadable input.
Output is a rich table on a terminal and plain tab-separated lines otherwise (pipes, CI).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the commands import their modules when run, so that `ddas --help` stays quick
    from ddas.standardize.review import ReviewEntry, ReviewError

__all__ = ["standardize_app"]

standardize_app = typer.Typer(
    name="standardize",
    help="Standaardisatie van vrije tekst: beoordelingsbestanden bekijken en overnemen in de mapping, en een "
    "export (CSV/XLSX) met een mapping omzetten naar DDAS.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

#: Review problems that are about the content (exit 1); the rest is an unreadable or missing file (exit 2).
_CONTENT_CODES = frozenset({"REVIEW_INVALID", "REVIEW_CONFLICT"})


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _fail(error: ReviewError) -> typer.Exit:
    _err(f"{error.message} [{error.code}]")
    return typer.Exit(1 if error.code in _CONTENT_CODES else 2)


def _suggestions(entry: ReviewEntry) -> str:
    return ", ".join(f"{value} ({score:.0f})" for value, score in entry.suggestions) or "—"


@standardize_app.command("review")
def review(
    file: Annotated[Path, typer.Argument(help="Het beoordelingsbestand (YAML) dat de import schreef.")],
) -> None:
    """Toon de waarden die op een beslissing wachten, met suggesties en de gemaakte keuzes."""
    from ddas.standardize.review import ReviewError, load_review

    try:
        entries = load_review(file)
    except ReviewError as error:
        raise _fail(error) from None
    decided = sum(1 for entry in entries if entry.accept is not None)
    rows = sum(entry.count for entry in entries if entry.accept is None)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Ter beoordeling: {file.name}", show_lines=False)
        for heading, justify in (
            ("Veld", "left"),
            ("Waarde", "left"),
            ("Aantal", "right"),
            ("Suggesties (score)", "left"),
            ("Keuze", "left"),
        ):
            table.add_column(heading, justify=justify)  # type: ignore[arg-type]
        for entry in entries:
            table.add_row(
                entry.field,
                entry.value,
                str(entry.count),
                _suggestions(entry),
                entry.accept or "[dim]open[/dim]",
            )
        Console().print(table)
    else:
        for entry in entries:
            typer.echo(
                "\t".join(
                    (entry.field, entry.value, str(entry.count), _suggestions(entry), entry.accept or "-")
                )
            )
    typer.echo(
        f"{len(entries)} waarde(n) ter beoordeling: {decided} met een keuze, {len(entries) - decided} open "
        f"({rows} cel(len) wachten nog)."
    )
    if decided:
        typer.echo(f"Overnemen in de mapping: ddas standardize accept {file} --mapping <mapping.yaml>")


@standardize_app.command("accept")
def accept(
    file: Annotated[Path, typer.Argument(help="Het beoordelingsbestand met ingevulde 'accept'-waarden.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", "-m", help="De mapping (YAML) waarin de keuzes onder 'values' komen.")
    ],
) -> None:
    """Neem elke ingevulde keuze over in de mapping (alles of niets); de rest van de mapping blijft staan."""
    from ddas.standardize.review import ReviewError, accept_review

    try:
        summary = accept_review(file, mapping)
    except ReviewError as error:
        raise _fail(error) from None
    for field_name, value, standard in summary.added:
        typer.echo(f"{field_name}: '{value}' → {standard}")
    typer.echo(
        f"{len(summary.added)} waarde(n) overgenomen in {mapping}; {summary.already} stond(en) er al; "
        f"{summary.open} nog open."
    )


def _period(text: str) -> tuple[dt.date, dt.date]:
    first, separator, last = text.partition("..")
    if not separator:
        raise ValueError("gebruik JJJJ-MM-DD..JJJJ-MM-DD")
    start, end = dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
    if start > end:
        raise ValueError("het begin ligt na het einde")
    return start, end


@standardize_app.command("convert")
def convert(
    export: Annotated[Path, typer.Argument(help="De export van het pakket: CSV of Excel (XLSX).")],
    mapping: Annotated[Path, typer.Option("--mapping", "-m", help="De mapping (YAML) van deze export.")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Schrijf de omgezette gegevens als DDAS-levering (JSON) hierheen."
        ),
    ] = None,
    review_file: Annotated[
        Path | None,
        typer.Option(
            "--review", "-r", help="Schrijf de waarden die een beslissing nodig hebben hierheen (YAML)."
        ),
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="Rapportageperiode van de levering, JJJJ-MM-DD..JJJJ-MM-DD (bij --output)."
        ),
    ] = None,
    supplier: Annotated[
        str, typer.Option("--supplier", help="codeGegevensleverancier: pakket en versie (bij --output).")
    ] = "ddas standardize convert",
    details: Annotated[
        bool, typer.Option("--details", help="Toon ook elke vertaling door het woordenboek of de mapping.")
    ] = False,
) -> None:
    """Zet een export om met een mapping, zonder iets op te slaan: om de mapping te testen vóór de import."""
    import orjson

    from ddas.sources import SourceError, read_export, to_document
    from ddas.standardize.review import ReviewError, mapped_entries, write_review

    span = None
    if output is not None:
        if period is None:
            _err("--output vraagt om --period (JJJJ-MM-DD..JJJJ-MM-DD).")
            raise typer.Exit(2)
        try:
            span = _period(period)
        except ValueError as error:
            _err(f"Ongeldige --period '{period}': {error}.")
            raise typer.Exit(2) from None
    try:
        result = read_export(export, mapping)
    except SourceError as error:
        _err(f"{error.message} [{error.code}]")
        raise typer.Exit(2) from None
    counts = ", ".join(f"{count} {kind}" for kind, count in result.counts().items()) or "geen records"
    typer.echo(f"{result.rows_read} rij(en) gelezen uit {export.name}: {counts}.")
    for label, rows in list(result.table_rows.items())[1:]:
        typer.echo(f"  + {rows} rij(en) uit {label}")
    translated = sum(t.count for t in result.translations)
    if translated:
        typer.echo(
            f"{translated} waarde(n) vertaald naar een standaardwaarde ({len(result.translations)} spellingen)."
        )
    if details:
        for t in result.translations:
            via = _VIA.get(t.source, t.source)
            typer.echo(f"  {t.field}: '{t.value}' → {t.standard} ({t.count}×, {via})")
            if t.reason:
                typer.echo(f"    {t.reason}")
    if result.held_back:
        typer.echo(f"{len(result.held_back)} rij(en) tegengehouden:")
        for row in result.held_back[:50]:
            for reason in row.reasons:
                typer.echo(f"  {row.table} rij {row.row}: {reason.message} [{reason.code}]")
        if len(result.held_back) > 50:
            typer.echo(f"  … en nog {len(result.held_back) - 50} rij(en).")
    if result.unmapped:
        typer.echo(f"{len(result.unmapped)} waarde(n) zonder standaardwaarde.")
    if review_file is not None:
        try:
            write_review(review_file, result.unmapped, mapped_entries(result.translations))
        except (ReviewError, OSError) as error:
            _err(str(error))
            raise typer.Exit(2) from None
        typer.echo(f"Beoordelingsbestand: {review_file} (bekijk met: ddas standardize review {review_file})")
    if output is not None and span is not None:
        document = to_document(result, span, supplier)
        output.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        typer.echo(f"Levering geschreven: {output} (controleer met: ddas validate {output})")
    raise typer.Exit(0 if result.complete else 1)


#: How ``--details`` names the source of a translation.
_VIA = {"override": "mapping", "dictionary": "woordenboek", "rule": "herkend aan de woorden"}


@standardize_app.command("explain")
def explain(
    field: Annotated[str, typer.Argument(help="Het veld, bijvoorbeeld contactsoort of eindresultaat.")],
    values: Annotated[list[str], typer.Argument(help="Een of meer waarden zoals in de export.")],
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", "-m", help="Neem de eigen vertalingen (values) van deze mapping mee."),
    ] = None,
) -> None:
    """Toon per waarde welke standaardwaarde ddas kiest, of waarom geen, en welke regel besliste."""
    from ddas.standardize.standardizer import StandardizeError, Standardizer

    standardizer = Standardizer()
    if mapping is not None:
        from ddas.sources import SourceError, load_mapping

        try:
            standardizer = load_mapping(mapping).standardizer
        except SourceError as error:
            _err(f"{error.message} [{error.code}]")
            raise typer.Exit(2) from None
    unmapped = 0
    for value in values:
        try:
            explanation = standardizer.explain(field, value)
        except StandardizeError as error:
            _err(str(error))
            raise typer.Exit(2) from None
        outcome = explanation.standard or "ter beoordeling"
        unmapped += explanation.standard is None
        reason = explanation.reason
        if explanation.ambiguity:  # the review file shows it as 'note'; here it goes in its place
            reason = reason.replace("(waarom: zie 'note')", f"({explanation.ambiguity.rstrip('.')})")
        typer.echo(f"{value}\t{outcome}\t{explanation.code}\t{reason}")
    raise typer.Exit(1 if unmapped else 0)


@standardize_app.command("dictionary")
def dictionary(
    field: Annotated[str | None, typer.Argument(help="Alleen dit veld (bijvoorbeeld contactsoort).")] = None,
) -> None:
    """Toon het ingebouwde woordenboek: per standaardwaarde de spellingen die ddas herkent."""
    from ddas.standardize.dictionary import AMBIGUOUS, DICTIONARY, FIELDS

    if field is not None and field not in FIELDS:
        _err(f"Onbekend veld '{field}'; bekend zijn: {', '.join(FIELDS)}.")
        raise typer.Exit(2)
    for name in [field] if field is not None else list(FIELDS):
        typer.echo(f"{name} ({FIELDS[name].enum})")
        for value in FIELDS[name].values:
            variants = DICTIONARY.get(name, {}).get(value, ())
            typer.echo(f"  {value}: {', '.join(variants) if variants else '—'}")
        for entry in AMBIGUOUS.get(name, ()):
            typer.echo(f"  ? {entry.variant} → ter beoordeling ({entry.reason})")
