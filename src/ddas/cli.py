"""The `ddas` command: thin wrappers that parse arguments, call one function per command and print.

Exit codes (DESIGN.md): 0 success, 1 the input has errors, 2 usage errors or unreadable input, 3 environment.
Heavy modules are imported inside the commands so that `ddas validate` starts quickly.
"""

from __future__ import annotations

import enum
import importlib
import os
import sys
from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer
from typer import _click as click
from typer.core import TyperGroup

from ddas import __version__

__all__ = ["app", "main"]


class _LazyGroup(TyperGroup):
    """Loads the commands of the other parts of the chain only when they are called.

    `ddas validate` must start quickly (its benchmark counts process start-up); the provider service pulls in
    FastAPI and SQLAlchemy, the PKI cryptography. Each entry: command name → (module, attribute), where the
    attribute is a Typer sub-app (a command group) or a command function.
    """

    lazy: ClassVar[dict[str, tuple[str, str]]] = {
        "import": ("ddas.provider.commands", "import_command"),
        "serve": ("ddas.provider.app.commands", "serve_command"),
        "certs": ("ddas.signing.commands", "certs_app"),
        "standardize": ("ddas.standardize.commands", "standardize_app"),
        "collect": ("ddas.collector.commands", "collect_command"),
        "withdraw": ("ddas.collector.commands", "withdraw_command"),
        "warehouse": ("ddas.warehouse.commands", "warehouse_app"),
        "demo": ("ddas.demo", "demo_command"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*super().list_commands(ctx), *self.lazy]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, attribute = target
        obj = getattr(importlib.import_module(module), attribute)
        if isinstance(obj, typer.Typer):
            command: click.Command = typer.main.get_group(obj)
        else:
            single = typer.Typer(add_completion=False, rich_markup_mode=None, pretty_exceptions_enable=False)
            single.command(cmd_name)(obj)
            command = typer.main.get_command(single)
        command.name = cmd_name
        return command


app = typer.Typer(
    cls=_LazyGroup,
    name="ddas",
    help="ddas — de DDAS-keten (Data Delen Armoede en Schulden): valideren, genereren en aanleveren van "
    "gegevens over schuldhulpverlening (SHV) en vroegsignalering (VS).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Format(enum.StrEnum):
    text = "text"
    json = "json"
    html = "html"


class Lang(enum.StrEnum):
    nl = "nl"
    en = "en"


class KindChoice(enum.StrEnum):
    shv = "shv"
    vs = "vs"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ddas {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", help="Toon het versienummer en stop.", callback=_version, is_eager=True),
    ] = False,
) -> None:
    """ddas — de DDAS-keten."""


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _progress_bar(size: int) -> tuple[Any, Any]:
    """A rich progress bar on a terminal for files over a few MB; (None, None) otherwise (quiet in CI)."""
    if size < 4 * 1024 * 1024 or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        transient=True,
    )
    task = bar.add_task("controleren", total=1.0)

    def update(stage: str, fraction: float) -> None:
        bar.update(task, completed=fraction, description=stage)

    return bar, update


@app.command()
def validate(
    ctx: typer.Context,
    files: Annotated[
        list[str], typer.Argument(help="Eén of meer leveringen (JSON); '-' leest van standaardinvoer.")
    ],
    format: Annotated[
        Format,
        typer.Option(
            "--format", "-f", help="Uitvoer: text (mensen), json (machines) of html (op-orde-rapport)."
        ),
    ] = Format.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Schrijf het rapport naar dit bestand in plaats van naar het scherm."
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Taal van de meldingen.")] = Lang.nl,
    kind: Annotated[
        KindChoice | None, typer.Option("--kind", help="Soort levering (standaard: herkend aan de inhoud).")
    ] = None,
    gemeentelijst: Annotated[
        Path | None,
        typer.Option(
            "--gemeentelijst", help="CSV met geldige gemeentecodes: code;begindatum;einddatum (regel 7)."
        ),
    ] = None,
    peildatum: Annotated[
        str | None,
        typer.Option(
            "--peildatum", help="Datum 'vandaag' voor controles op toekomstige datums (JJJJ-MM-DD)."
        ),
    ] = None,
) -> None:
    """Controleer leveringen tegen het uitwisselmodel en de regels (SPEC §4): JSON, schema en inhoud in één keer.

    Exitcode 0: geen fouten (waarschuwingen mogen); 1: fouten in de invoer; 2: verkeerd gebruik of onleesbaar bestand.
    """
    import datetime as dt

    from ddas.spec.kinds import Kind
    from ddas.validation.engine import validate_bytes, validate_path
    from ddas.validation.result import ValidationResult

    today = None
    if peildatum is not None:
        try:
            today = dt.date.fromisoformat(peildatum)
        except ValueError:
            _err(f"Ongeldige --peildatum '{peildatum}': gebruik JJJJ-MM-DD.")
            raise typer.Exit(2) from None
    gemeenten = _load_gemeentelijst(gemeentelijst) if gemeentelijst else None
    chosen = Kind(kind.value) if kind else None
    profile = format is Format.html
    results: list[ValidationResult] = []
    unreadable = False
    # The parsed documents stay alive until the process ends: `main` then exits at once instead of freeing
    # them object by object (0.2 s per 100 MB delivery, and as long again for the findings). Only when run
    # as a program (`main` passes a dict as `ctx.obj`); one document at a time when several are validated.
    exit_at_once = isinstance(ctx.obj, dict) and len(files) == 1
    retain: list[Any] | None = [] if exit_at_once else None
    for name in files:
        try:
            if name == "-":
                data = sys.stdin.buffer.read()
                results.append(
                    validate_bytes(
                        data,
                        name="-",
                        kind=chosen,
                        today=today,
                        profile=profile,
                        gemeenten=gemeenten,
                        retain=retain,
                    )
                )
                continue
            path = Path(name)
            bar, update = _progress_bar(path.stat().st_size if path.is_file() else 0)
            if bar is not None:
                with bar:
                    result = validate_path(
                        path,
                        kind=chosen,
                        today=today,
                        profile=profile,
                        gemeenten=gemeenten,
                        progress=update,
                        retain=retain,
                    )
            else:
                result = validate_path(
                    path, kind=chosen, today=today, profile=profile, gemeenten=gemeenten, retain=retain
                )
            results.append(result)
        except IsADirectoryError:
            _err(f"ddas: '{name}' is een map, geen bestand.")
            unreadable = True
        except FileNotFoundError:
            _err(f"ddas: bestand '{name}' bestaat niet.")
            unreadable = True
        except PermissionError:
            _err(f"ddas: geen leesrechten voor '{name}'.")
            unreadable = True
        except OSError as exc:
            _err(f"ddas: '{name}' kan niet worden gelezen ({exc.strerror or exc}).")
            unreadable = True
    try:
        _write_report(results, format, output, lang.value)
    except OSError as exc:
        _err(f"ddas: rapport kan niet worden geschreven naar '{output}' ({exc.strerror or exc}).")
        raise typer.Exit(2) from None
    if exit_at_once:
        ctx.obj["exit_at_once"] = True
    if unreadable:
        raise typer.Exit(2)
    raise typer.Exit(0 if all(r.valid for r in results) else 1)


def _write_report(results: list[Any], format: Format, output: Path | None, lang: str) -> None:
    if not results:
        return
    if format is Format.json:
        from ddas.reports.json_report import render_json

        payload = render_json(results, lang=lang)  # type: ignore[arg-type]
        if output is None:
            sys.stdout.buffer.write(payload + b"\n")
            sys.stdout.flush()
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(payload + b"\n")
        return
    if format is Format.html:
        from ddas.reports.html import render_html

        text = render_html(results, lang=lang)  # type: ignore[arg-type]
    else:
        from ddas.reports.text import render_text

        color = output is None and sys.stdout.isatty()
        text = render_text(results, lang=lang, color=color)  # type: ignore[arg-type]
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        _err(f"Rapport geschreven naar {output}")


def _load_gemeentelijst(path: Path) -> dict[str, Any]:
    """Read `code;begin;eind` lines (begin/eind JJJJ-MM-DD or empty) into the rules' reference list."""
    import csv
    import datetime as dt

    def day(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text.strip() else None

    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    except OSError as exc:
        _err(f"ddas: gemeentelijst '{path}' kan niet worden gelezen ({exc.strerror or exc}).")
        raise typer.Exit(2) from None
    table: dict[str, Any] = {}
    for number, row in enumerate(rows, 1):
        if not row or row[0].strip().lower() in ("code", "gemeentecode"):
            continue
        code = row[0].strip().upper().removeprefix("GM").zfill(4)
        try:
            begin = day(row[1]) if len(row) > 1 else None
            end = day(row[2]) if len(row) > 2 else None
        except ValueError:
            _err(f"ddas: gemeentelijst regel {number}: ongeldige datum (gebruik JJJJ-MM-DD).")
            raise typer.Exit(2) from None
        table[code] = (begin, end)
    return table


@app.command()
def generate(
    kind: Annotated[KindChoice, typer.Argument(help="shv (schuldhulpverlening) of vs (vroegsignalering).")],
    count: Annotated[
        int, typer.Option("--count", "-n", min=0, help="Aantal trajecten (SHV) of vroegsignalen (VS).")
    ] = 100,
    seed: Annotated[
        int, typer.Option("--seed", help="Startwaarde: dezelfde waarde geeft hetzelfde bestand.")
    ] = 1,
    gemeenten: Annotated[
        str | None,
        typer.Option(
            "--gemeenten",
            help="Gemeentecodes, komma-gescheiden (bijv. 0363,0599); meer dan één geeft één levering per gemeente.",
        ),
    ] = None,
    inject_errors: Annotated[
        float,
        typer.Option(
            "--inject-errors",
            min=0.0,
            max=1.0,
            help="Aandeel records met een bewust ingebrachte fout; een manifest (<uitvoer>.manifest.json) somt ze op.",
        ),
    ] = 0.0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Uitvoerbestand (standaard: standaarduitvoer).")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="Rapportageperiode JJJJ-MM-DD..JJJJ-MM-DD (standaard 2025-01-01..2025-06-30)."
        ),
    ] = None,
    pool_seed: Annotated[
        int | None,
        typer.Option(
            "--pool-seed",
            help="Startwaarde van de cliëntenpool: leveringen met dezelfde pool delen cliënten (samenloop).",
        ),
    ] = None,
) -> None:
    """Maak een synthetische, realistische levering (met verzonnen personen), eventueel met bewuste fouten."""
    import datetime as dt

    from ddas.spec.kinds import Kind
    from ddas.synth import generate_file

    codes = [c.strip() for c in gemeenten.split(",") if c.strip()] if gemeenten else None
    span = None
    if period:
        try:
            first, _, last = period.partition("..")
            span = (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        except ValueError:
            _err(f"Ongeldige --period '{period}': gebruik JJJJ-MM-DD..JJJJ-MM-DD.")
            raise typer.Exit(2) from None
        if span[0] > span[1]:
            _err("Ongeldige --period: het begin ligt na het einde.")
            raise typer.Exit(2)
    if inject_errors > 0 and output is None:
        _err("--inject-errors vraagt om --output (het manifest komt naast het uitvoerbestand).")
        raise typer.Exit(2)
    try:
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
        written, manifest = generate_file(
            Kind(kind.value),
            count,
            seed,
            output=output,
            gemeenten=codes,
            inject_rate=inject_errors,
            period=span,
            pool_seed=pool_seed,
        )
    except ValueError as exc:
        _err(f"ddas generate: {exc}")
        raise typer.Exit(2) from None
    except OSError as exc:
        _err(f"ddas generate: kan '{output}' niet schrijven ({exc.strerror or exc}).")
        raise typer.Exit(2) from None
    if output is None and isinstance(written, bytes | bytearray):
        sys.stdout.buffer.write(bytes(written))
        sys.stdout.flush()
    else:
        _err(f"Levering geschreven naar {output}" + (f"; manifest: {manifest}" if manifest else ""))


@app.command()
def rules(
    format: Annotated[
        str, typer.Option("--format", "-f", help="text (tabel) of markdown (voor documentatie).")
    ] = "text",
    lang: Annotated[Lang, typer.Option("--lang", help="Taal van de omschrijving.")] = Lang.nl,
) -> None:
    """Toon de regelcatalogus: elke code met ernst, SPEC-paragraaf en omschrijving."""
    from ddas import rules as rule_modules
    from ddas.validation import engine  # noqa: F401  (registers the JSON, schema and kind rules)
    from ddas.validation.findings import CATALOGUE

    rule_modules.load()
    if format not in ("text", "markdown"):
        _err("--format kent alleen text en markdown.")
        raise typer.Exit(2)

    def order(code: str) -> tuple[int, list[int], str]:
        rule = CATALOGUE[code]
        layer = {"json": 0, "schema": 1}.get(rule.layer, 2)
        numbers = [int(x) for x in rule.spec.replace("/", ".").split(".") if x.isdigit()]
        return layer, numbers, code

    lines = []
    if format == "markdown":
        lines += ["| code | ernst | SPEC | controle |", "|---|---|---|---|"]
    for code in sorted(CATALOGUE, key=order):
        rule = CATALOGUE[code]
        text = rule.nl if lang is Lang.nl else rule.en
        spec = f"§{rule.spec}" if rule.layer == "rule" or rule.layer == "json" else "§2/§3 schema"
        if format == "markdown":
            lines.append(f"| `{code}` | {rule.severity.value} | {spec} | {text.replace('|', '/')} |")
        else:
            lines.append(f"{code:42} {rule.severity.value:8} {spec:14} {text}")
    typer.echo("\n".join(lines))


@app.command()
def schema(
    kind: Annotated[KindChoice, typer.Argument(help="shv of vs.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Schrijf naar dit bestand.")] = None,
) -> None:
    """Toon ddas' eigen JSON Schema (draft 2020-12) van het uitwisselmodel, afgeleid van de modellen."""
    from ddas.spec.kinds import Kind
    from ddas.spec.schema import schema_bytes

    data = schema_bytes(Kind(kind.value))
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)


def main() -> None:
    """Console entry point.

    A command may ask to end the process at once when it is done (`ctx.obj["exit_at_once"]`): its output is
    flushed and the interpreter's teardown, which would free every object one by one, is skipped.
    """
    state: dict[str, Any] = {}
    try:
        app(obj=state)
    except SystemExit as exc:
        if not state.get("exit_at_once"):
            raise
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:
            code = code or 2
        os._exit(code)
