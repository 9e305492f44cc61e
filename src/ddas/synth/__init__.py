"""Synthetic DDAS deliveries for tests, demos and benchmarks, and defects injected into them on purpose.

`generate` builds a clean delivery the validator accepts without findings; `inject` breaks records in known
ways and returns what the validator must now report; `generate_file` does both and writes the delivery and
its manifest the way the CLI (`ddas generate`) needs them.
"""

from __future__ import annotations

from ddas.synth.dates import DEFAULT_PERIOD, Period, parse_period
from ddas.synth.generator import SUPPLIER_CODE, generate
from ddas.synth.inject import INJECTABLE, SEVERITIES, Defect, inject
from ddas.synth.output import dump, generate_file, manifest, manifest_path
from ddas.synth.reference import DEFAULT_GEMEENTEN

__all__ = [
    "DEFAULT_GEMEENTEN",
    "DEFAULT_PERIOD",
    "INJECTABLE",
    "SEVERITIES",
    "SUPPLIER_CODE",
    "Defect",
    "Period",
    "dump",
    "generate",
    "generate_file",
    "inject",
    "manifest",
    "manifest_path",
    "parse_period",
]
