"""Unsubscribe tokens: a replay does nothing more, and a token opens nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bounceback.adapters.tokens import forget_secrets
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.wiring import unsubscribe_tokens
from bounceback_local.auth import Issuer, JwtAuthorizer
from tests.conftest import ApiClient

pytestmark = pytest.mark.security

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
ONE_CLICK = "List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def token(api: ApiClient) -> str:
    forget_secrets()
    clock.use(lambda: NOW)
    assert api.get("/me", user="alice").status == 200
    assert api.get("/me", user="bob").status == 200
    yield unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)
    clock.use(None)


def unsubscribe(api: ApiClient, token: str) -> int:
    reply = api.request(
        "POST", "/unsubscribe", ONE_CLICK, user=None, headers=FORM, query={"token": token}
    )
    return reply.status


def test_a_replayed_one_click_changes_nothing_more(api: ApiClient, token: str) -> None:
    assert unsubscribe(api, token) == 200
    after_first = api.get("/me/export", user="alice").json
    assert after_first["profile"]["unsubscribed"] is True

    # The same request again, as a mail client retrying or an attacker replaying it
    assert unsubscribe(api, token) == 200
    assert api.get("/me/export", user="alice").json == after_first
    assert api.get("/me", user="bob").json["unsubscribed"] is False


def test_a_token_replayed_after_the_user_erased_their_data_creates_nothing(
    api: ApiClient, token: str
) -> None:
    import boto3

    assert api.delete("/me", user="alice").status == 204
    assert unsubscribe(api, token) == 200
    items = boto3.client("dynamodb").scan(TableName="Table")["Items"]
    assert not [i for i in items if i["pk"]["S"] == "USER#alice"]


def test_an_unsubscribe_token_is_no_bearer_token(token: str, tmp_path: Path) -> None:
    issuer = Issuer(tmp_path, "https://issuer.example", "client")
    authorizer = JwtAuthorizer(
        issuer="https://issuer.example", audiences=["client"], jwks=issuer.jwks()
    )
    assert authorizer.claims(token) is None


@pytest.mark.parametrize("edit", ["swap_user", "extend_expiry", "truncate"])
def test_an_edited_token_is_refused_and_changes_nothing(
    api: ApiClient, token: str, edit: str
) -> None:
    version, kid, user, expires, mac = token.split(".")
    forged = {
        "swap_user": f"{version}.{kid}.Ym9i.{expires}.{mac}",  # "bob"
        "extend_expiry": f"{version}.{kid}.{user}.{int(expires) + 10**8}.{mac}",
        "truncate": token[:-3],
    }[edit]
    assert unsubscribe(api, forged) == 400
    assert api.get("/me", user="alice").json["unsubscribed"] is False
    assert api.get("/me", user="bob").json["unsubscribed"] is False


def test_a_multipart_one_click_post_unsubscribes_too(api: ApiClient, token: str) -> None:
    # RFC 8058 lets the mail client send the one-click body as multipart/form-data.
    boundary = "x-bounceback-test"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n'
        f"One-Click\r\n--{boundary}--\r\n"
    )
    reply = api.request(
        "POST",
        "/unsubscribe",
        body,
        user=None,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        query={"token": token},
    )
    assert reply.status == 200, reply.text
    assert api.get("/me", user="alice").json["unsubscribed"] is True
