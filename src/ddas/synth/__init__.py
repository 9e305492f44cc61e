"""Synthetic DDAS deliveries for tests, demos and benchmarks, and defects injected into them on purpose.

`generate` builds a clean delivery the validator accepts without findings; `inject` breaks a known number of
records in known ways and returns the manifest of what the validator must now report; `generate_file` does both
and writes the result the way the CLI (`ddas generate`) needs it.
"""

from __future__ import annotations

from ddas.synth.dates import DEFAULT_PERIOD, Period, parse_period
from ddas.synth.generator import SUPPLIER_CODE, generate
from ddas.synth.reference import DEFAULT_GEMEENTEN

__all__ = [
    "DEFAULT_GEMEENTEN",
    "DEFAULT_PERIOD",
    "SUPPLIER_CODE",
    "Period",
    "generate",
    "parse_period",
]
