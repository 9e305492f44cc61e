"""`ddas import`: the command that fills the provider store, and the summary it prints.

`cli.py` registers `import_command` (`app.command("import")(import_command)`); `run_import` does the work
and returns the exit code, so it can be called without typer. Exit codes (DESIGN.md): 0 everything was
imported; 1 records were rejected, held back or left for review; 2 usage errors or a source that cannot be
read; 3 the store cannot be reached or the database refused the import (nothing was written).
"""

from __future__ import annotations

import enum
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, TextIO

import orjson
import typer

from ddas.provider.store.db import DEFAULT_URL
from ddas.provider.store.summary import ImportSummary, RecordIssue, RecordType, reason_text

__all__ = ["ImportFormat", "import_command", "render_text", "run_import"]

#: Records listed per section in the text summary; `--format json` lists them all.
DETAIL_LIMIT = 20

_TYPE_NL = {
    RecordType.TRAJECT: "trajecten",
    RecordType.VROEGSIGNAAL: "vroegsignalen",
    RecordType.ZAAK: "zaken",
}
_COLUMNS = (
    ("read", "gelezen"),
    ("new", "nieuw"),
    ("changed", "gewijzigd"),
    ("unchanged", "ongewijzigd"),
    ("rejected", "afgewezen"),
    ("held_back", "tegengehouden"),
    ("skipped", "overgeslagen"),
    ("duplicates", "dubbel"),
    ("replaced", "vervangen"),
)


class ImportFormat(enum.StrEnum):
    text = "text"
    json = "json"


def run_import(
    source: Path,
    store_url: str | None = None,
    *,
    mapping: Path | None = None,
    organisatie: str | None = None,
    accept_warnings: bool = False,
    output_format: ImportFormat = ImportFormat.text,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Import `source` into the store at `store_url`; print the summary; return the exit code."""
    from ddas.provider.store import (
        ImportFailed,
        Store,
        StoreError,
        StoreUnavailable,
        StoreUrlError,
        UnreadableSource,
        import_source,
    )

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        store = Store.open(store_url or DEFAULT_URL)
    except StoreUrlError as exc:
        print(str(exc), file=err)
        return 2
    except StoreError as exc:
        print(str(exc), file=err)
        return 3
    try:
        summary = import_source(
            store, source, mapping=mapping, accept_warnings=accept_warnings, organisatie=organisatie
        )
    except UnreadableSource as exc:
        print(str(exc), file=err)
        return 2
    except (ImportFailed, StoreUnavailable) as exc:
        print(str(exc), file=err)
        return 3
    finally:
        store.close()
    if output_format is ImportFormat.json:
        out.write(orjson.dumps(summary.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n")
    elif out.isatty():
        _render_rich(summary, store.url, out)
    else:
        out.write(render_text(summary, store.url))
    return summary.exit_code


def import_command(
    source: Annotated[Path, typer.Argument(help="Levering (DDAS-JSON) of export (CSV/XLSX, met --mapping).")],
    store: Annotated[
        str,
        typer.Option(
            "--store",
            help="Opslag: sqlite:///BESTAND (standaard sqlite:///ddas-store.sqlite), een bestandspad, of "
            "postgresql+psycopg://GEBRUIKER@HOST/DATABASE.",
        ),
    ] = DEFAULT_URL,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="Mappingbestand (YAML) voor een CSV- of XLSX-export.")
    ] = None,
    organisatie: Annotated[
        str | None,
        typer.Option(
            "--organisatie",
            help="Importeer alleen de leveringen van deze organisatie (op naam); records zonder organisatie "
            "komen onder deze naam.",
        ),
    ] = None,
    accept_warnings: Annotated[
        bool,
        typer.Option(
            "--accept-warnings",
            help="Neem ook records met alleen waarschuwingen op (zonder deze optie worden ze tegengehouden). "
            "Records met fouten komen nooit in de opslag.",
        ),
    ] = False,
    output_format: Annotated[
        ImportFormat, typer.Option("--format", "-f", help="Samenvatting: text (mensen) of json (machines).")
    ] = ImportFormat.text,
) -> None:
    """Importeer een levering of export in de opslag van de provider (gevalideerd, in één transactie).

    Fouten komen nooit in de opslag; records met waarschuwingen alleen met --accept-warnings. Dezelfde bron
    twee keer importeren verandert niets. Exitcode 0: alles geïmporteerd; 1: records afgewezen,
    tegengehouden of wachtend op review; 2: verkeerd gebruik of onleesbare bron; 3: opslag onbereikbaar of
    import mislukt (er is niets opgeslagen).
    """
    raise typer.Exit(
        run_import(
            source,
            store,
            mapping=mapping,
            organisatie=organisatie,
            accept_warnings=accept_warnings,
            output_format=output_format,
        )
    )


# --- rendering --------------------------------------------------------------------------------------------


def _kind_text(summary: ImportSummary) -> str:
    return summary.kind.value.upper() if summary.kind else "onbekende soort"


def _value_text(value: object) -> str:
    return "" if value is None else f" '{value}'"


def _issue_lines(issue: RecordIssue) -> list[str]:
    lines = [f"  {issue.label}{f' [{issue.path}]' if issue.path else ''}: {reason_text(issue.reason)}"]
    for problem in issue.problems[:5]:
        value = _value_text(problem.value) if problem.has_value else ""
        lines.append(f"      {problem.code}{value}: {problem.message}")
    if len(issue.problems) > 5:
        lines.append(f"      … en nog {len(issue.problems) - 5} bevinding(en)")
    return lines


def _section(title: str, issues: list[RecordIssue]) -> list[str]:
    if not issues:
        return []
    codes = Counter(p.code for issue in issues for p in issue.problems) or Counter(
        issue.reason.value for issue in issues
    )
    lines = ["", f"{title} ({len(issues)}):"]
    lines.append("  meest voorkomend: " + ", ".join(f"{code} {n}×" for code, n in codes.most_common(5)))
    for issue in issues[:DETAIL_LIMIT]:
        lines.extend(_issue_lines(issue))
    if len(issues) > DETAIL_LIMIT:
        lines.append(f"  … en nog {len(issues) - DETAIL_LIMIT} (alle details met --format json)")
    return lines


def _details(summary: ImportSummary) -> list[str]:
    lines: list[str] = []
    if summary.rejected_leveringen:
        lines += ["", "Afgewezen als geheel:"]
        for rejected in summary.rejected_leveringen:
            lines.append(f"  {rejected.label}: {reason_text(rejected.reason)} ({rejected.records} record(s))")
            for problem in rejected.problems[:10]:
                value = _value_text(problem.value) if problem.has_value else ""
                lines.append(f"      {problem.code}{value}: {problem.message}")
    lines += _section("Afgewezen records (fouten komen nooit in de opslag)", summary.rejected)
    lines += _section("Tegengehouden records", summary.held_back)
    lines += _section("Rijen tegengehouden bij het inlezen van de export", summary.held_back_rows)
    if summary.notes:
        lines += ["", "Opmerkingen:"]
        for note in summary.notes[:DETAIL_LIMIT]:
            value = _value_text(note.value) if note.has_value else ""
            lines.append(f"  {note.code}{value}: {note.message}")
        if len(summary.notes) > DETAIL_LIMIT:
            lines.append(f"  … en nog {len(summary.notes) - DETAIL_LIMIT}")
    if summary.review_file:
        lines += [
            "",
            f"Reviewbestand: {summary.review_file} — waarden zonder standaardbetekenis; hun rijen blijven buiten "
            "de opslag tot de mapping zegt wat ze betekenen (ddas standardize review).",
        ]
    lines += ["", _verdict(summary)]
    return lines


def _verdict(summary: ImportSummary) -> str:
    total = summary.total
    if summary.exit_code == 0:
        return f"Resultaat: alles geïmporteerd ({total.imported} record(s))."
    rows = (
        f", {len(summary.held_back_rows)} rij(en) van de export tegengehouden"
        if summary.held_back_rows
        else ""
    )
    return (
        f"Resultaat: niet alles geïmporteerd — {total.imported} opgenomen, {total.rejected} afgewezen, "
        f"{total.held_back} tegengehouden{rows}."
    )


def render_text(summary: ImportSummary, store_url: str) -> str:
    """The summary as plain text: a counts table and the details (what a pipe or a log file gets)."""
    header = f"Import van {summary.source} ({_kind_text(summary)}) in {store_url} — {summary.seconds:.1f} s"
    if summary.rows_read is not None:
        header += f"\n{summary.rows_read} rij(en) in de export"
    widths = [max(len(label), 7) for _, label in _COLUMNS]
    lines = [
        header,
        "",
        "              " + "  ".join(label.rjust(w) for (_, label), w in zip(_COLUMNS, widths, strict=True)),
    ]
    for record_type, counts in summary.counts.items():
        values = counts.to_dict()
        cells = "  ".join(str(values[key]).rjust(w) for (key, _), w in zip(_COLUMNS, widths, strict=True))
        lines.append(f"{_TYPE_NL[record_type]:<14}{cells}")
    lines += _details(summary)
    return "\n".join(lines) + "\n"


def _render_rich(summary: ImportSummary, store_url: str, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out, highlight=False)
    table = Table(
        title=f"Import van {summary.source} ({_kind_text(summary)}) in {store_url}", title_justify="left"
    )
    table.add_column("")
    for _, label in _COLUMNS:
        table.add_column(label, justify="right")
    for record_type, counts in summary.counts.items():
        values = counts.to_dict()
        table.add_row(_TYPE_NL[record_type], *(str(values[key]) for key, _ in _COLUMNS))
    console.print(table)
    for line in _details(summary):
        console.print(line, markup=False)
