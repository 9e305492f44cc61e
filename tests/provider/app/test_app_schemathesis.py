"""Schemathesis against the served OpenAPI documents: no 5xx, and every response conforms to the document.

Bounded (50 generated requests per operation, derandomised) so the run stays short and repeatable. The
server runs with small page maxima so that generated requests also reach the paging paths with few records.
Schemathesis's `positive_data_acceptance` check is replaced by a stricter one of our own: a body that fits
the schema may only be refused with the documented 422 for what a schema cannot say (a period whose start
lies after its end, an organisation this provider does not serve) — never with a 400.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from _app_helpers import BASE_SHV, BASE_VS, ServerFactory
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from ddas.provider.app import ProviderSettings


@pytest.mark.parametrize("base", [BASE_SHV, BASE_VS])
def test_schemathesis_finds_no_server_errors_and_no_nonconforming_responses(
    serve: ServerFactory, signed_settings: ProviderSettings, settings_with: Any, base: str
) -> None:
    live = serve(settings_with(signed_settings, max_page_size_shv=60, max_page_size_vs=60))
    schema = schemathesis.openapi.from_url(live.url + base + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert [operation.label for operation in operations] == ["POST /gegevens"]
    seen: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=50,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(
                base_url=live.url + base, excluded_checks=[positive_data_acceptance]
            )
            seen.append(response.status_code)
            assert response.status_code < 500
            if response.status_code != 200:
                assert response.status_code == 422, response.text
                assert response.json()["code"] in ("period-reversed", "unknown-organisation")

        run()
    assert seen and 200 in seen
