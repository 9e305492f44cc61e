"""Shared fixtures: where the official reference files are (read, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SPEC_DIR = (REPO / ".." / "shared" / "spec").resolve()


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The official DDAS files in ../shared/spec; tests that need them skip without them."""
    if not SPEC_DIR.is_dir():
        pytest.skip(f"official DDAS files not found at {SPEC_DIR} (../shared/spec); skipping reference tests")
    return SPEC_DIR


@pytest.fixture(scope="session")
def official_examples(spec_dir: Path) -> list[Path]:
    return sorted(spec_dir.glob("*/*Voorbeeld*.json"))
