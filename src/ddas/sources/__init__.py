"""CSV/XLSX exports + a YAML mapping → DDAS records, with free-text values standardised (:mod:`ddas.standardize`).

- ``mapping``: the mapping file format (``docs/standaardisatie.md``), loaded and checked as a whole;
- ``tables``: reading CSV (declared encoding, declared or unambiguous delimiter) and XLSX (openpyxl);
- ``parse``: Dutch amounts, dates in stated formats, yes/no;
- ``export``: :func:`read_export` — rows to records per traject or zaak, held back as a whole on any problem;
- ``document``: :func:`to_document` — a whole DDAS delivery from the records, for ``ddas validate``.
"""

from ddas.sources.document import to_document
from ddas.sources.errors import ExportError, MappingError, SourceError
from ddas.sources.export import read_export
from ddas.sources.mapping import SourceMapping, load_mapping, mapping_from_text
from ddas.sources.result import HeldBackRow, Reason, SourceRecord, SourceResult, Translation

__all__ = [
    "ExportError",
    "HeldBackRow",
    "MappingError",
    "Reason",
    "SourceError",
    "SourceMapping",
    "SourceRecord",
    "SourceResult",
    "Translation",
    "load_mapping",
    "mapping_from_text",
    "read_export",
    "to_document",
]
