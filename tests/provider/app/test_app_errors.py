"""Every refusal on a live server: 400 and 422 problem details, FSC 404/405, 413 and 429."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _app_helpers import BASE_SHV, BASE_VS, ServerFactory, post

from ddas.provider.app import ProviderSettings

PROBLEM_MEMBERS = {"type", "title", "status", "detail", "instance"}


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_MEMBERS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:ddas:problem:{code}"
    assert body["instance"].endswith("/gegevens")
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "content,code,pointer",
    [
        (b"", "body-missing", None),
        (b"{", "malformed-json", None),
        (b'{"page": 1,}', "malformed-json", None),
        (b"[]", "not-an-object", None),
        (b'"{}"', "not-an-object", None),
        (b'{"onbekend": 1}', "unknown-field", "/onbekend"),
        (b'{"page": "1"}', "invalid-type", "/page"),
        (b'{"page": true}', "invalid-type", "/page"),
        (b'{"pageSize": 1.5}', "invalid-type", "/pageSize"),
        (b'{"page": 0}', "out-of-range", "/page"),
        (b'{"pageSize": 0}', "out-of-range", "/pageSize"),
        (b'{"pageSize": 25001}', "page-size-too-large", "/pageSize"),
        (b'{"aanleverperiodeStartdatum": "2025-13-01"}', "invalid-date", "/aanleverperiodeStartdatum"),
        (b'{"aanleverperiodeStartdatum": "20250101"}', "invalid-date", "/aanleverperiodeStartdatum"),
        (b'{"aanleverperiodeEinddatum": 20250630}', "invalid-date", "/aanleverperiodeEinddatum"),
        (b'{"aanleverperiodeEinddatum": null}', "invalid-date", "/aanleverperiodeEinddatum"),
        (b'{"aanleverende_organisatie": 7}', "invalid-type", "/aanleverende_organisatie"),
    ],
)
def test_bad_request_bodies_are_400_problems(
    server: Any, content: bytes, code: str, pointer: str | None
) -> None:
    body = _problem(post(server.url + BASE_SHV + "/gegevens", content=content), 400, code)
    if pointer is not None:
        assert body["errors"][0]["pointer"] == pointer


def test_every_problem_in_a_body_is_listed(server: Any) -> None:
    response = post(server.url + BASE_VS + "/gegevens", {"page": 0, "pageSize": "x", "extra": True})
    body = _problem(response, 400, "unknown-field")
    assert {e["pointer"] for e in body["errors"]} == {"/page", "/pageSize", "/extra"}
    assert "2 andere" in body["detail"]


def test_vs_page_size_limit_is_50000(server: Any) -> None:
    _problem(post(server.url + BASE_VS + "/gegevens", {"pageSize": 50_001}), 400, "page-size-too-large")
    assert post(server.url + BASE_VS + "/gegevens", {"pageSize": 50_000}).status_code == 200


def test_start_after_end_is_422(server: Any) -> None:
    response = post(
        server.url + BASE_SHV + "/gegevens",
        {"aanleverperiodeStartdatum": "2025-06-30", "aanleverperiodeEinddatum": "2025-01-01"},
    )
    _problem(response, 422, "period-reversed")


def _fsc(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["fsc-error-code"] == code
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["domain"] == "ERROR_DOMAIN_INWAY"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/gegevens"),
        ("POST", "/ddas-schuldhulpverlening/v2/gegevens"),
        ("GET", "/ddas-vroegsignalering/v1/gegeven"),
        ("GET", "/"),
    ],
)
def test_unknown_paths_are_fsc_404(server: Any, method: str, path: str) -> None:
    with httpx.Client() as client:
        _fsc(client.request(method, server.url + path, json={}), 404, "ERROR_CODE_SERVICE_NOT_FOUND")


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_methods_are_fsc_405(server: Any, method: str) -> None:
    with httpx.Client() as client:
        response = client.request(method, server.url + BASE_SHV + "/gegevens")
    _fsc(response, 405, "ERROR_CODE_METHOD_UNSUPPORTED")
    assert response.headers["allow"] == "POST"
    with httpx.Client() as client:
        on_openapi = client.post(server.url + BASE_VS + "/openapi.json", json={})
    _fsc(on_openapi, 405, "ERROR_CODE_METHOD_UNSUPPORTED")


@pytest.fixture
def small_limits(serve: ServerFactory, signed_settings: ProviderSettings, settings_with: Any) -> Any:
    return serve(settings_with(signed_settings, max_body_bytes=256, rate_limit_per_minute=3))


def test_body_over_the_limit_is_413_by_content_length(small_limits: Any) -> None:
    padded = {"aanleverende_organisatie": "x" * 400}
    _problem(post(small_limits.url + BASE_SHV + "/gegevens", padded), 413, "body-too-large")


def test_body_over_the_limit_is_413_when_streamed_without_length(small_limits: Any) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"aanleverende_organisatie": "'
        for _ in range(10):
            yield b"y" * 50
        yield b'"}'

    with httpx.Client() as client:
        response = client.post(
            small_limits.url + BASE_SHV + "/gegevens",
            content=chunks(),
            headers={"Content-Type": "application/json"},
        )
    assert "content-length" not in response.request.headers
    _problem(response, 413, "body-too-large")


def test_rate_limit_gives_429_with_retry_after(small_limits: Any) -> None:
    url = small_limits.url + BASE_SHV + "/gegevens"
    statuses = [post(url, {"pageSize": 1}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = post(url, {"pageSize": 1})
    body = _problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 20
    assert "3 verzoeken per minuut" in body["detail"]


def test_openapi_is_served_per_kind(server: Any) -> None:
    with httpx.Client() as client:
        shv = client.get(server.url + BASE_SHV + "/openapi.json")
        vs = client.get(server.url + BASE_VS + "/openapi.json")
    assert shv.status_code == vs.status_code == 200
    assert shv.json()["info"]["title"].endswith("SHV")
    assert vs.json()["info"]["title"].endswith("VS")
    assert shv.json()["servers"][0]["url"] == BASE_SHV


def test_an_unusable_store_is_a_503_problem(serve: ServerFactory, store: Any) -> None:
    live = serve()
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE snapshot_items")
    response = post(live.url + BASE_SHV + "/gegevens", {})
    body = _problem(response, 503, "store-unavailable")
    assert response.headers["retry-after"] == "60"
    assert "opslag" in body["detail"]
