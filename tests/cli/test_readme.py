"""The README documents what the code does: the rule table is the catalogue, the commands exist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_rule_table_in_readme_is_the_catalogue() -> None:
    table = subprocess.run(
        [sys.executable, "-m", "ddas", "rules", "--format", "markdown"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout.strip()
    assert table in README.read_text(encoding="utf-8"), (
        "README rule table is stale: run `ddas rules -f markdown`"
    )


def test_ci_runs_the_readme_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    command = (
        ".venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/mypy && .venv/bin/pytest -n 2"
    )
    assert command in text and command in ci
