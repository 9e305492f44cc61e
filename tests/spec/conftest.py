"""Reports the size of the conformance corpus at the end of the run: it is generated, so say how big."""

from __future__ import annotations

import pytest
from _spec_corpus import TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY.documents:
        terminalreporter.write_line(
            f"ddas spec conformance corpus: {TALLY.documents} documents from {len(TALLY.sources)} official "
            f"examples ({TALLY.valid} valid, {TALLY.documents - TALLY.valid} invalid under the reference)"
        )
