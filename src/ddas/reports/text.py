"""The terminal report of `ddas validate`: per file a header, findings grouped per rule, a verdict line.

Built from rich `Text` objects rather than console markup, so a value like `[bold]` in a delivery is printed
as written instead of being interpreted. Without colour the output is plain text (no ANSI codes), fit for
logs and CI.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from ddas.privacy import mask_text
from ddas.reports.common import (
    count_phrase,
    display_value,
    format_size,
    kind_label,
    label,
    message_differs,
    more_phrase,
    safe_text,
    summary_line,
)
from ddas.validation.findings import Finding, Lang, Severity
from ddas.validation.result import ValidationResult

__all__ = ["print_text", "render_text", "spec_ref"]

_SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow"}


def spec_ref(spec: str) -> str:
    """`4.9` → `§4.9`; a reference that already names its section is left alone."""
    if not spec:
        return ""
    return spec if spec.startswith("§") else f"§{spec}"


def _header(result: ValidationResult, lang: Lang) -> list[Text]:
    ok = result.valid
    mark = Text("✓ " if ok else "✗ ", style="bold green" if ok else "bold red")
    size = format_size(result.size_bytes, lang)
    if result.streamed:
        size += f", {label('streamed', lang)}"
    title = Text.assemble(
        mark,
        (safe_text(result.file), "bold"),
        f" — {kind_label(result.kind, result.version, lang)}, {size} — ",
        (label("fit" if ok else "unfit", lang), "bold green" if ok else "bold red"),
    )
    lines = [title]
    facts: list[str] = []
    if result.period_start or result.period_end:
        start, end = result.period_start or "?", result.period_end or "?"
        facts.append(f"{label('period', lang)} {start} {label('until', lang)} {end}")
    if result.delivered_at:
        facts.append(f"{label('delivered_at', lang).lower()} {result.delivered_at}")
    if result.supplier_code:
        facts.append(f"{label('supplier', lang).lower()} {result.supplier_code}")
    if facts:
        lines.append(Text("  " + safe_text(" · ".join(facts)), style="dim"))
    schema = label("schema_ok" if result.schema_valid else "schema_bad", lang)
    lines.append(
        Text.assemble(
            f"  {label('schema', lang)}: ",
            (schema, "green" if result.schema_valid else "red"),
        )
    )
    return lines


def _group(findings: list[Finding], lang: Lang, max_examples: int) -> list[Text]:
    first = findings[0]
    rule = first.rule
    severity = label("ERROR" if rule.severity is Severity.ERROR else "WARNING", lang)
    ref = spec_ref(rule.spec)
    head = Text.assemble(
        "  ",
        (severity, _SEVERITY_STYLE[rule.severity]),
        "  ",
        (rule.code, "bold"),
        f" ({ref})" if ref else "",
        f" — {len(findings)}×",
    )
    message = first.message(lang)
    lines = [head, Text("    " + message)]
    for finding in findings[:max_examples]:
        line = Text("    ")
        line.append(finding.path or "/", style="cyan")
        if finding.has_value:
            line.append(" = " + display_value(finding.value))
        if message_differs(first, finding, lang):
            line.append(" — " + finding.message(lang), style="dim")
        lines.append(line)
    rest = len(findings) - max_examples
    if rest > 0 and max_examples >= 0:
        lines.append(Text("    " + more_phrase(rest, lang), style="dim"))
    return lines


def print_text(
    results: list[ValidationResult], console: Console, *, lang: Lang = "nl", max_examples: int = 5
) -> None:
    """Write the report to a console (the CLI's own, so it follows the terminal's width and colour)."""
    max_examples = max(0, max_examples)
    for n, result in enumerate(results):
        if n:
            console.print()
        for line in _header(result, lang):
            console.print(line)
        console.print()
        groups = result.by_code()
        if not groups:
            console.print(Text("  " + label("no_findings", lang), style="green"))
        for findings in groups.values():
            for line in _group(findings, lang, max_examples):
                console.print(line)
            console.print()
        if not groups:
            console.print()
        console.print(
            Text("  " + summary_line(result, lang), style="bold green" if result.valid else "bold red")
        )
    if len(results) > 1:
        unfit = sum(1 for r in results if not r.valid)
        files = count_phrase(len(results), "bestand" if lang == "nl" else "file", label("files", lang), lang)
        console.print()
        console.print(
            Text(
                f"{label('total', lang)}: {files}, {unfit} {label('unfit', lang)}",
                style="bold red" if unfit else "bold green",
            )
        )


def render_text(
    results: list[ValidationResult], *, lang: Lang = "nl", color: bool, max_examples: int = 5
) -> str:
    """The report as a string; with `color=False` it holds no ANSI codes at all."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
        width=110,
    )
    print_text(results, console, lang=lang, max_examples=max_examples)
    # Findings are masked when made and the header goes through `safe_text`; this last pass over a few
    # kilobytes is there for whatever a future change lets through.
    return mask_text(buffer.getvalue(), remember=False)
