"""The pure parts of the provider app: settings, reporting periods, the request body, assembly, rate limit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest

from ddas.provider.app.assemble import LeveringRows, Paginering, assemble_page
from ddas.provider.app.commands import AuthMode, build_settings
from ddas.provider.app.period import containing_period, last_completed_period, resolve_period
from ddas.provider.app.problems import Problem
from ddas.provider.app.ratelimit import RateLimiter
from ddas.provider.app.request import parse_gegevens_request
from ddas.provider.app.settings import ProviderSettings, SettingsError, load_settings
from ddas.spec.kinds import Kind

D = dt.date


# --- settings -----------------------------------------------------------------------------------------------


def test_default_settings() -> None:
    settings = load_settings(environ={})
    assert settings.shv_base_path == "/ddas-schuldhulpverlening/v1"
    assert settings.vs_base_path == "/ddas-vroegsignalering/v1"
    assert settings.reporting_period == "half-year"
    assert (settings.max_page_size("shv"), settings.max_page_size("vs")) == (25_000, 50_000)
    assert settings.auth.mode == "none" and settings.auth.required_scope == "read"
    assert settings.cache_ttl_seconds <= 86_400


def test_file_then_environment_then_overrides(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "provider.yaml"
    config.parent.mkdir()
    config.write_text(
        "store: sqlite:///x.sqlite\n"
        "reporting_period: quarter\n"
        "rate_limit_per_minute: 10\n"
        "signing:\n  certificate: certs/sign.pem\n  key: /abs/sign.key\n  trust_anchors: [certs/root.pem]\n"
        "empty_organisatie:\n  gemeentecode: '0363'\n"
    )
    environ = {
        "DDAS_RATE_LIMIT_PER_MINUTE": "20",
        "DDAS_AUTH__MODE": "oauth2",
        "DDAS_AUTH__PUBLIC_KEY_FILE": "/keys/issuer.pem",
        "DDAS_AUTH__GROUPS": "[cbs, divosa]",
        "DDAS_EMPTY_ORGANISATIE__KVK_NUMMER": "01234567",
        "DDAS_UNRELATED_THING": "ignored",
        "OTHER": "x",
    }
    settings = load_settings(config, environ=environ, overrides={"rate_limit_per_minute": 30})
    assert settings.reporting_period == "quarter"
    assert settings.rate_limit_per_minute == 30
    assert settings.auth.mode == "oauth2" and settings.auth.groups == ["cbs", "divosa"]
    assert settings.signing.certificate == config.parent / "certs" / "sign.pem"
    assert settings.signing.key == Path("/abs/sign.key")
    assert settings.signing.trust_anchors == [config.parent / "certs" / "root.pem"]
    assert settings.empty_organisatie.gemeentecode == "0363"
    assert settings.empty_organisatie.kvk_nummer == "01234567"  # a string, not the number YAML would make


@pytest.mark.parametrize(
    "content,message",
    [
        ("max_page_size_shv: 30000\n", "max_page_size_shv"),
        ("rate_limit_per_minut: 5\n", "rate_limit_per_minut"),
        ("cache_ttl_seconds: 172800\n", "cache_ttl_seconds"),
        ("shv_base_path: geen-slash\n", "shv_base_path"),
        ("vs_base_path: /ddas-schuldhulpverlening/v1\n", "moeten verschillen"),
        ("auth: {mode: oauth2}\n", "oauth2 vraagt"),
        ("auth: {token_endpoint: true}\n", "token_signing_key_file"),
        ("signing: {require_request_signature: true}\n", "trust_anchors"),
        ("signing: {certificate: a.pem}\n", "samen"),
        ("- a\n- b\n", "mapping"),
        ("a: [\n", "geen geldige YAML"),
    ],
)
def test_bad_settings_say_which_and_why(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "provider.yaml"
    config.write_text(content)
    with pytest.raises(SettingsError, match=message):
        load_settings(config, environ={})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="niet te lezen"):
        load_settings(tmp_path / "absent.yaml", environ={})


def test_certs_directory_fills_signing_trust_and_tls(tmp_path: Path) -> None:
    for name in (
        "provider-sign.pem",
        "provider-sign.key",
        "root-ca.pem",
        "provider-tls.pem",
        "provider-tls.key",
    ):
        (tmp_path / name).write_text("x")
    settings = build_settings(certs=tmp_path, tls=True, auth=AuthMode.oauth2, port=9443, store="s.sqlite")
    assert settings.signing.certificate == tmp_path / "provider-sign.pem"
    assert settings.signing.trust_anchors == [tmp_path / "root-ca.pem"]
    assert settings.tls.certificate == tmp_path / "provider-tls.pem"
    assert settings.tls.client_ca == tmp_path / "root-ca.pem"
    assert (
        settings.auth.token_endpoint
        and settings.auth.token_signing_key_file == tmp_path / "provider-sign.key"
    )
    assert (settings.port, settings.store) == (9443, "s.sqlite")
    plain = build_settings(certs=tmp_path)
    assert plain.tls.certificate is None and plain.auth.mode == "none"
    with pytest.raises(SettingsError, match="--tls vraagt"):
        build_settings(tls=True)


# --- periods ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today,granularity,expected",
    [
        (D(2025, 7, 1), "half-year", (D(2025, 1, 1), D(2025, 6, 30))),
        (D(2025, 12, 31), "half-year", (D(2025, 1, 1), D(2025, 6, 30))),
        (D(2025, 3, 15), "half-year", (D(2024, 7, 1), D(2024, 12, 31))),
        (D(2025, 1, 1), "half-year", (D(2024, 7, 1), D(2024, 12, 31))),
        (D(2025, 7, 10), "quarter", (D(2025, 4, 1), D(2025, 6, 30))),
        (D(2025, 1, 31), "quarter", (D(2024, 10, 1), D(2024, 12, 31))),
        (D(2024, 5, 1), "quarter", (D(2024, 1, 1), D(2024, 3, 31))),
    ],
)
def test_last_completed_period(today: dt.date, granularity: Any, expected: tuple[dt.date, dt.date]) -> None:
    assert last_completed_period(today, granularity) == expected


def test_one_bound_takes_the_other_from_its_reporting_period() -> None:
    today = D(2025, 7, 10)
    assert resolve_period(D(2025, 1, 1), None, today=today, granularity="half-year") == (
        D(2025, 1, 1),
        D(2025, 6, 30),
    )
    assert resolve_period(None, D(2025, 9, 30), today=today, granularity="half-year") == (
        D(2025, 7, 1),
        D(2025, 9, 30),
    )
    assert resolve_period(D(2025, 5, 2), None, today=today, granularity="quarter") == (
        D(2025, 5, 2),
        D(2025, 6, 30),
    )
    assert containing_period(D(2024, 2, 29), "quarter") == (D(2024, 1, 1), D(2024, 3, 31))


# --- request body -------------------------------------------------------------------------------------------


def _parse(body: bytes) -> Any:
    return parse_gegevens_request(body, max_page_size=25_000, today=D(2025, 7, 10), granularity="half-year")


def test_full_request() -> None:
    query = _parse(
        b'{"aanleverperiodeStartdatum": "2025-01-01", "aanleverperiodeEinddatum": "2025-03-31", '
        b'"aanleverende_organisatie": " Gemeente X ", "page": 2, "pageSize": 100.0}'
    )
    assert (query.start, query.end, query.organisatie, query.page, query.page_size) == (
        D(2025, 1, 1),
        D(2025, 3, 31),
        "Gemeente X",
        2,
        100,
    )
    assert query.page_size_given


def test_empty_object_gets_the_defaults() -> None:
    query = _parse(b"{}")
    assert (query.start, query.end, query.organisatie, query.page, query.page_size) == (
        D(2025, 1, 1),
        D(2025, 6, 30),
        None,
        1,
        25_000,
    )
    assert not query.page_size_given


def test_problem_detail_never_echoes_values() -> None:
    with pytest.raises(Problem) as raised:
        _parse(b'{"aanleverperiodeStartdatum": "123456782"}')
    assert "123456782" not in raised.value.detail
    assert raised.value.errors[0]["pointer"] == "/aanleverperiodeStartdatum"


def test_pointer_escapes_field_names() -> None:
    with pytest.raises(Problem) as raised:
        _parse(b'{"a/b~c": 1}')
    assert raised.value.errors[0]["pointer"] == "/a~1b~0c"


# --- assembly -----------------------------------------------------------------------------------------------


def test_assembled_page_is_the_json_of_its_parts() -> None:
    org = orjson.dumps({"naam": "Gemeente X", "kvk-nummer": ""})
    body = assemble_page(
        Kind.VS,
        start=D(2025, 1, 1),
        end=D(2025, 6, 30),
        delivered_at=dt.datetime(2025, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        supplier_code='ddas "0.1"',
        leveringen=[
            LeveringRows(org, "0363", [b'{"ID":"a"}', b'{"ID":"b"}'], [b'{"vroegsignalen":[{"ID":"a"}]}']),
            LeveringRows(org, "0599"),
        ],
        paginering=Paginering(2, 1, 3, 5),
    )
    data = orjson.loads(body)
    assert data["gegevens"]["aanleverdatumEnTijd"] == "2025-07-10T08:00:00Z"
    assert data["gegevens"]["codeGegevensleverancier"] == 'ddas "0.1"'
    assert [(lev["teller"], lev["gemeentecode"]) for lev in data["gegevens"]["leveringen"]] == [
        (1, "0363"),
        (2, "0599"),
    ]
    assert data["gegevens"]["leveringen"][0]["vroegsignalen"] == [{"ID": "a"}, {"ID": "b"}]
    assert data["gegevens"]["leveringen"][1] == {
        "teller": 2,
        "gemeentecode": "0599",
        "aanleverende_organisatie": {"naam": "Gemeente X", "kvk-nummer": ""},
        "vroegsignalen": [],
        "vroegsignaalzaken": [],
    }
    assert data["paginering"] == {"pageSize": 2, "currentPage": 1, "totalPages": 3, "totalRecords": 5}
    assert Paginering.from_body(body) == Paginering(2, 1, 3, 5)
    with pytest.raises(ValueError):
        assemble_page(
            Kind.SHV,
            start=D(2025, 1, 1),
            end=D(2025, 6, 30),
            delivered_at=dt.datetime.now(dt.UTC),
            supplier_code="x",
            leveringen=[],
            paginering=Paginering(1, 1, 1, 0),
        )


# --- rate limit ---------------------------------------------------------------------------------------------


def test_token_bucket() -> None:
    now = [0.0]
    limiter = RateLimiter(6, clock=lambda: now[0])
    assert [limiter.check("a") for _ in range(6)] == [0] * 6
    assert limiter.check("a") == 10  # one request per 10 s once the minute's allowance is used
    assert limiter.check("b") == 0  # per client
    now[0] = 10.0
    assert limiter.check("a") == 0
    assert limiter.check("a") > 0
    assert RateLimiter(0).check("a") == 0


def test_settings_object_is_frozen() -> None:
    settings = ProviderSettings()
    with pytest.raises(Exception, match="frozen"):
        settings.port = 1  # type: ignore[misc]
