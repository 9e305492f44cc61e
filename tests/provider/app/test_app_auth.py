"""OAuth 2.0 on a live server: the token endpoint, bearer tokens from a configured issuer, FSC refusals."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from _app_helpers import BASE_SHV, BASE_VS, ServerFactory, b64url, post
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from ddas.provider.app import TOKEN_PATH, ProviderSettings

ISSUER = "https://auth.test.example/ddas"
SECRET = "correct horse battery staple"


def _key_file(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("oauth")
    return {name: _key_file(folder / f"{name}.key") for name in ("issuer", "stranger", "external")}


@pytest.fixture
def oauth_settings(
    signed_settings: ProviderSettings, settings_with: Any, keys: dict[str, Path]
) -> ProviderSettings:
    return settings_with(  # type: ignore[no-any-return]
        signed_settings,
        auth={
            "mode": "oauth2",
            "issuer": ISSUER,
            "audience": "ddas-provider",
            "token_endpoint": True,
            "token_signing_key_file": keys["issuer"],
            "groups": ["cbs-ddas"],
            "clients": [
                {"client_id": "cbs", "client_secret": SECRET, "groups": ["cbs-ddas"]},
                {
                    "client_id": "hashed",
                    "client_secret_sha256": hashlib.sha256(b"other secret").hexdigest(),
                    "groups": ["cbs-ddas"],
                },
                {"client_id": "outsider", "client_secret": SECRET, "groups": ["iemand-anders"]},
                {"client_id": "nosy", "client_secret": SECRET, "scopes": ["write"], "groups": ["cbs-ddas"]},
            ],
        },
    )


@pytest.fixture
def oauth_server(serve: ServerFactory, oauth_settings: ProviderSettings) -> Any:
    return serve(oauth_settings)


def _token(server: Any, data: dict[str, str], auth: tuple[str, str] | None = None) -> httpx.Response:
    with httpx.Client() as client:
        return client.post(server.url + TOKEN_PATH, data=data, auth=auth)


def _gegevens(server: Any, token: str | None, base: str = BASE_SHV) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return post(server.url + base + "/gegevens", {"pageSize": 5}, headers=headers)


def _fsc(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["fsc-error-code"] == code
    body = response.json()
    assert (body["code"], body["domain"], body["status"]) == (code, "ERROR_DOMAIN_INWAY", status)
    assert body["title"] and body["detail"]


def test_client_credentials_flow(oauth_server: Any) -> None:
    issued = _token(oauth_server, {"grant_type": "client_credentials"}, auth=("cbs", SECRET))
    assert issued.status_code == 200, issued.text
    assert issued.headers["cache-control"] == "no-store"
    token = issued.json()
    assert token["token_type"] == "Bearer" and token["scope"] == "read" and token["expires_in"] == 300
    assert _gegevens(oauth_server, token["access_token"]).status_code == 200
    assert _gegevens(oauth_server, token["access_token"], BASE_VS).status_code == 200
    by_form = _token(
        oauth_server,
        {
            "grant_type": "client_credentials",
            "client_id": "hashed",
            "client_secret": "other secret",
            "scope": "read",
        },
    )
    assert by_form.status_code == 200
    assert _gegevens(oauth_server, by_form.json()["access_token"]).status_code == 200


@pytest.mark.parametrize(
    "data,auth,status,error",
    [
        ({"grant_type": "client_credentials"}, ("cbs", "wrong"), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, ("nobody", SECRET), 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        ({"grant_type": "password", "username": "x"}, ("cbs", SECRET), 400, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "read admin"}, ("cbs", SECRET), 400, "invalid_scope"),
    ],
)
def test_token_endpoint_refusals(
    oauth_server: Any, data: dict[str, str], auth: tuple[str, str] | None, status: int, error: str
) -> None:
    response = _token(oauth_server, data, auth)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_missing_token_is_401_access_token_missing(oauth_server: Any) -> None:
    response = _gegevens(oauth_server, None)
    _fsc(response, 401, "ERROR_CODE_ACCESS_TOKEN_MISSING")
    assert response.headers["www-authenticate"].startswith("Bearer")
    with httpx.Client() as client:
        basic = client.post(oauth_server.url + BASE_SHV + "/gegevens", json={}, auth=("cbs", SECRET))
    _fsc(basic, 401, "ERROR_CODE_ACCESS_TOKEN_MISSING")


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": "ddas-provider",
        "sub": "cbs",
        "client_id": "cbs",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "scope": "read",
        "group_id": "cbs-ddas",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(key_file: Path, claims: dict[str, Any], alg: str = "PS256", kid: str | None = None) -> str:
    key = RSAKey.import_key(key_file.read_bytes())
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    return jwt.encode(header, claims, key, algorithms=[alg])


def _unsigned(claims: dict[str, Any]) -> str:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(claims).encode())}."


def _hs256_with_public_key(key_file: Path, claims: dict[str, Any]) -> str:
    """Algorithm confusion: HS256 keyed with the issuer's public key PEM."""
    private = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def test_invalid_tokens_are_401_access_token_invalid(oauth_server: Any, keys: dict[str, Path]) -> None:
    issuer = keys["issuer"]
    tokens = {
        "garbage": "not-a-jwt",
        "other key": _signed(keys["stranger"], _claims()),
        "other issuer": _signed(issuer, _claims(iss="https://evil.example")),
        "other audience": _signed(issuer, _claims(aud="someone-else")),
        "no exp": _signed(issuer, _claims(exp=None)),
        "alg none": _unsigned(_claims()),
        "HS256 confusion": _hs256_with_public_key(issuer, _claims()),
        "not yet valid": _signed(issuer, _claims(nbf=int(time.time()) + 3600)),
    }
    for name, token in tokens.items():
        response = _gegevens(oauth_server, token)
        assert response.headers.get("fsc-error-code") == "ERROR_CODE_ACCESS_TOKEN_INVALID", name
        _fsc(response, 401, "ERROR_CODE_ACCESS_TOKEN_INVALID")


def test_expired_token_is_401_access_token_expired(oauth_server: Any, keys: dict[str, Path]) -> None:
    past = int(time.time()) - 3600
    token = _signed(keys["issuer"], _claims(iat=past - 300, nbf=past - 300, exp=past))
    _fsc(_gegevens(oauth_server, token), 401, "ERROR_CODE_ACCESS_TOKEN_EXPIRED")


def test_wrong_scope_or_group_is_403(oauth_server: Any, keys: dict[str, Path]) -> None:
    for claims in (_claims(scope="write"), _claims(group_id="iemand-anders"), _claims(group_id=None)):
        _fsc(
            _gegevens(oauth_server, _signed(keys["issuer"], claims)),
            403,
            "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN",
        )
    for client in ("outsider", "nosy"):
        issued = _token(oauth_server, {"grant_type": "client_credentials"}, auth=(client, SECRET))
        assert issued.status_code == 200
        _fsc(
            _gegevens(oauth_server, issued.json()["access_token"]), 403, "ERROR_CODE_WRONG_GROUP_ID_IN_TOKEN"
        )


def test_tokens_of_an_external_issuer_via_jwks(
    serve: ServerFactory,
    signed_settings: ProviderSettings,
    settings_with: Any,
    keys: dict[str, Path],
    tmp_path: Path,
) -> None:
    external = RSAKey.import_key(keys["external"].read_bytes())
    public = external.as_dict(private=False)
    public["kid"] = "extern-2025"
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [public]}))
    live = serve(settings_with(signed_settings, auth={"mode": "oauth2", "issuer": ISSUER, "jwks_file": jwks}))
    good = _signed(keys["external"], _claims(), kid="extern-2025")
    assert _gegevens(live, good).status_code == 200
    assert (
        _gegevens(live, _signed(keys["external"], _claims(), alg="RS256", kid="extern-2025")).status_code
        == 200
    )
    _fsc(
        _gegevens(live, _signed(keys["stranger"], _claims(), kid="extern-2025")),
        401,
        "ERROR_CODE_ACCESS_TOKEN_INVALID",
    )
    with httpx.Client() as client:
        assert (
            client.post(live.url + TOKEN_PATH, data={"grant_type": "client_credentials"}).status_code == 404
        )


def test_auth_none_needs_no_token(server: Any) -> None:
    assert _gegevens(server, None).status_code == 200
