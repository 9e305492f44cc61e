"""ddas's own log lines at DEBUG hold no BSN, without help from the redacting formatter of `ddas serve`."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from _app_helpers import ServerFactory, bsns_in, request_series

from ddas.provider.app.logs import QUIET_LOGGERS, RedactingFormatter, mask_nine_digit_runs
from ddas.signing.testing import DevPki


def test_in_process_debug_log_holds_no_bsn(
    serve: ServerFactory,
    pki: DevPki,
    caplog: pytest.LogCaptureFixture,
    shv_document: dict[str, Any],
    vs_document: dict[str, Any],
) -> None:
    bsns = bsns_in(shv_document, vs_document)
    for name in QUIET_LOGGERS:  # as `configure_logging` pins them in `ddas serve`
        caplog.set_level(logging.WARNING, logger=name)
    caplog.set_level(logging.DEBUG)  # last: it also sets the capturing handler's level
    live = serve()
    bsn = sorted(bsns)[0]
    request_series(live.url, pki, bsn)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "gegevens shv" in text and "404 ERROR_CODE_SERVICE_NOT_FOUND" in text
    assert not set(re.findall(r"(?<!\d)\d{9}(?!\d)", text)) & bsns
    assert bsn not in text


def test_the_formatter_masks_nine_digit_runs_in_messages_and_tracebacks() -> None:
    assert (
        mask_nine_digit_runs("bsn 123456782 en 1234567890 en 12345678")
        == "bsn *****6782 en 1234567890 en 12345678"
    )
    formatter = RedactingFormatter("%(message)s")
    try:
        raise ValueError("waarde 111222333")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "client %s", ("999888777",), exc_info=True
        )
        import sys

        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert "999888777" not in text and "111222333" not in text
    assert "*****8777" in text and "*****2333" in text
