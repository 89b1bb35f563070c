"""The local JWT authorizer refuses every forged token, the way API Gateway's does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from bounceback_local.auth import Issuer, JwtAuthorizer

pytestmark = pytest.mark.security

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_local"
AUDIENCE = "local-client"


@pytest.fixture
def issuer(tmp_path: Path) -> Issuer:
    return Issuer(tmp_path, ISSUER, AUDIENCE)


@pytest.fixture
def authorizer(issuer: Issuer) -> JwtAuthorizer:
    return JwtAuthorizer(issuer=ISSUER, audiences=[AUDIENCE], jwks=issuer.jwks())


def segments(token: str) -> list[str]:
    return token.split(".")


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def payload_of(token: str) -> dict[str, Any]:
    part = segments(token)[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def test_a_genuine_token_is_accepted(issuer: Issuer, authorizer: JwtAuthorizer) -> None:
    claims = authorizer.claims(issuer.id_token("alice-sub", "alice@example.com"))
    assert claims is not None and claims["sub"] == "alice-sub"


def test_a_token_whose_claims_were_edited_is_refused(
    issuer: Issuer, authorizer: JwtAuthorizer
) -> None:
    header, _, signature = segments(issuer.id_token("alice-sub", "alice@example.com"))
    forged = payload_of(issuer.id_token("alice-sub", "alice@example.com"))
    forged["sub"] = "bob-sub"
    assert authorizer.claims(f"{header}.{b64(forged)}.{signature}") is None


def test_alg_none_is_refused(issuer: Issuer, authorizer: JwtAuthorizer) -> None:
    claims = payload_of(issuer.id_token("alice-sub", "alice@example.com"))
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': issuer.kid})}.{b64(claims)}."
    assert authorizer.claims(unsigned) is None


def test_hs256_signed_with_the_public_key_is_refused(
    issuer: Issuer, authorizer: JwtAuthorizer
) -> None:
    # The classic algorithm confusion: the public key used as an HMAC secret.
    # (Built by hand: PyJWT itself refuses to sign HS256 with a public key.)
    public_jwk = json.dumps(issuer.jwks()["keys"][0]).encode()
    claims = payload_of(issuer.id_token("alice-sub", "alice@example.com"))
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': issuer.kid})}.{b64(claims)}"
    mac = hmac.new(public_jwk, signing_input.encode(), hashlib.sha256).digest()
    confused = f"{signing_input}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    assert authorizer.claims(confused) is None


def test_expired_token_is_refused(issuer: Issuer, authorizer: JwtAuthorizer) -> None:
    assert authorizer.claims(issuer.id_token("alice-sub", "a@example.com", lifetime_s=-60)) is None


def test_token_for_another_audience_or_issuer_is_refused(tmp_path: Path, issuer: Issuer) -> None:
    other_audience = Issuer(tmp_path, ISSUER, "someone-elses-client")
    other_issuer = Issuer(tmp_path, ISSUER.replace("local", "elsewhere"), AUDIENCE)
    authorizer = JwtAuthorizer(issuer=ISSUER, audiences=[AUDIENCE], jwks=issuer.jwks())
    assert authorizer.claims(other_audience.id_token("alice-sub", "a@example.com")) is None
    assert authorizer.claims(other_issuer.id_token("alice-sub", "a@example.com")) is None


def test_token_signed_by_another_key_with_our_kid_is_refused(
    tmp_path: Path, issuer: Issuer, authorizer: JwtAuthorizer
) -> None:
    stranger = Issuer(tmp_path / "stranger", ISSUER, AUDIENCE)
    claims = payload_of(stranger.id_token("alice-sub", "a@example.com"))
    forged = jwt.encode(claims, stranger._key, algorithm="RS256", headers={"kid": issuer.kid})
    assert authorizer.claims(forged) is None


def test_token_without_a_subject_is_refused(issuer: Issuer, authorizer: JwtAuthorizer) -> None:
    claims = payload_of(issuer.id_token("alice-sub", "a@example.com"))
    del claims["sub"]
    token = jwt.encode(claims, issuer._key, algorithm="RS256", headers={"kid": issuer.kid})
    assert authorizer.claims(token) is None


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer", "x" * 5000, "e30.e30.e30"])
def test_garbage_is_refused(authorizer: JwtAuthorizer, garbage: str) -> None:
    assert authorizer.claims(garbage) is None


def test_a_token_that_is_not_yet_valid_is_refused(
    issuer: Issuer, authorizer: JwtAuthorizer
) -> None:
    claims = payload_of(issuer.id_token("alice-sub", "a@example.com"))
    claims["nbf"] = int(time.time()) + 3600
    token = jwt.encode(claims, issuer._key, algorithm="RS256", headers={"kid": issuer.kid})
    assert authorizer.claims(token) is None
