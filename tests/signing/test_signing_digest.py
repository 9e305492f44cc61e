"""RFC 3230 Digest: the value ddas sends and the check of a received one."""

from __future__ import annotations

import base64
import hashlib

import pytest

from ddas.signing import SignatureError, check_digest, digest_header, digest_matches

BODY = b'{"gegevens": {"leveringen": []}}'


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def test_digest_header_of_empty_body_is_the_known_sha256_vector() -> None:
    assert digest_header(b"") == "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_digest_header_is_standard_base64_of_sha256() -> None:
    assert digest_header(BODY) == "SHA-256=" + _b64(hashlib.sha256(BODY).digest())


def test_own_digest_matches_and_a_changed_body_does_not() -> None:
    header = digest_header(BODY)
    assert digest_matches(BODY, header)
    assert not digest_matches(BODY + b" ", header)


def test_algorithm_name_is_case_insensitive_and_whitespace_tolerated() -> None:
    value = _b64(hashlib.sha256(BODY).digest())
    assert digest_matches(BODY, f"  sha-256={value} ")


def test_list_of_digests_must_all_match_when_known() -> None:
    sha256 = _b64(hashlib.sha256(BODY).digest())
    sha512 = _b64(hashlib.sha512(BODY).digest())
    assert digest_matches(BODY, f"SHA-256={sha256}, SHA-512={sha512}")
    wrong512 = _b64(hashlib.sha512(b"other").digest())
    assert not digest_matches(BODY, f"SHA-256={sha256}, SHA-512={wrong512}")


def test_unknown_algorithms_are_ignored_not_trusted() -> None:
    md5 = _b64(hashlib.md5(BODY).digest())
    assert not digest_matches(BODY, f"MD5={md5}")
    sha256 = _b64(hashlib.sha256(BODY).digest())
    assert digest_matches(BODY, f"MD5=AAAA, SHA-256={sha256}")


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("SHA-256", "onleesbaar"),
        ("SHA-256=!!!not base64!!!", "geen geldige base64"),
        ("UNIXsum=30637", "geen SHA-256"),
        ("SHA-256=" + _b64(hashlib.sha256(b"other").digest()), "hoort niet bij de ontvangen body"),
    ],
)
def test_check_digest_says_precisely_what_is_wrong(header: str, fragment: str) -> None:
    with pytest.raises(SignatureError) as caught:
        check_digest(BODY, header)
    assert caught.value.code == "SIG_DIGEST_MISMATCH"
    assert fragment in caught.value.nl
    assert caught.value.en and caught.value.en != caught.value.nl


def _digest_of(data: bytes) -> str:
    return _b64(hashlib.sha256(data).digest())


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        # A verifier that compared only as much as was sent would accept these two.
        ("SHA-256=", "hoort niet bij de ontvangen body"),
        ("SHA-256=" + _b64(hashlib.sha256(BODY).digest()[:16]), "hoort niet bij de ontvangen body"),
        ("SHA-256=" + _digest_of(BODY)[:8], "hoort niet bij de ontvangen body"),
        ("SHA-256=" + _digest_of(BODY)[:-4], "hoort niet bij de ontvangen body"),
        # Malformed base64: a character outside the alphabet, a missing padding character.
        ("SHA-256=" + _digest_of(BODY)[:-2] + "*=", "geen geldige base64"),
        ("SHA-256=" + _digest_of(BODY)[:-1], "geen geldige base64"),
        # The right value under a name we do not compute is no digest at all.
        ("SHA256=" + _digest_of(BODY), "geen SHA-256"),
        ("SHA-1=" + _digest_of(BODY), "geen SHA-256"),
        # A known name with the value of another algorithm.
        ("SHA-512=" + _digest_of(BODY), "hoort niet bij de ontvangen body"),
    ],
)
def test_empty_truncated_malformed_and_misnamed_digests_are_refused(header: str, fragment: str) -> None:
    with pytest.raises(SignatureError) as caught:
        check_digest(BODY, header)
    assert caught.value.code == "SIG_DIGEST_MISMATCH"
    assert fragment in caught.value.nl
    assert not digest_matches(BODY, header)
