"""The rule catalogue of SPEC.md §4: one module per subject, every rule registered with code and messages.

`load()` imports every rule module once, which registers its rules in `CATALOGUE` and its checks in `CHECKS`.
"""

from __future__ import annotations

import importlib

__all__ = ["MODULES", "load"]

#: The rule modules, by subject. Layer (a) and (b) codes live in ddas.validation.
MODULES = (
    "document",  # §4.2–4.5: period, teller, supplier code, organisation
    "gemeenten",  # §4.7–4.8: gemeentecodes
    "persons",  # §4.9 (and §4.18 client rules): BSN, geslacht, geboortedatum, postcode, huisnummer
    "dates",  # §4.10: start/end, period overlap, dates after delivery
    "phases",  # §4.11, §4.12, §4.16: process order, uitstroom, moratoria, crisisinterventie
    "schuldregeling",  # §4.13
    "amounts",  # §4.14
    "samenloop",  # §4.15
    "vs",  # §4.17–4.20: vroegsignalen, zaken, contactpogingen
)


def load() -> None:
    """Import every rule module (idempotent: Python imports a module once)."""
    for name in MODULES:
        importlib.import_module(f"ddas.rules.{name}")
