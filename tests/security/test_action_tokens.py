"""Action links: forged, edited, expired, replayed or foreign tokens record nothing.

There is no CSRF token on the /act form, on purpose: the signed token in the form is
the whole authority, and a third-party page cannot post a token it never saw.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from aws_lambda_powertools.utilities import parameters

from bounceback.adapters.action_tokens import ActionTokenCodec
from bounceback.adapters.tokens import UnsubscribeTokens
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.wiring import action_tokens, unsubscribe_tokens
from tests.conftest import ApiClient

pytestmark = pytest.mark.security

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def apps(api: ApiClient) -> Iterator[dict[str, str]]:
    """alice and bob each have one application, still `applied`."""
    parameters.clear_caches()
    clock.use(lambda: NOW)
    ids = {
        user: api.post("/applications", {"company": f"{user} Co", "role": "Dev"}, user=user).json[
            "id"
        ]
        for user in ("alice", "bob")
    }
    yield ids
    clock.use(None)


def codec() -> ActionTokenCodec:
    tokens = action_tokens(ApiSettings.from_env())
    assert isinstance(tokens, ActionTokenCodec)
    return tokens


def post(api: ApiClient, token: str, choice: str | None = None) -> int:
    fields = {"token": token, **({"choice": choice} if choice else {})}
    return api.post("/act", urlencode(fields), user=None, headers=FORM).status


def events(api: ApiClient, user: str, app_id: str) -> list[str]:
    return [e["type"] for e in api.get(f"/applications/{app_id}", user=user).json["events"]]


def nothing_recorded(api: ApiClient, apps: dict[str, str]) -> bool:
    return all(events(api, user, app_id) == [] for user, app_id in apps.items()) and all(
        api.get("/me", user=user).json["paused_until"] is None for user in apps
    )


@pytest.mark.parametrize(
    "edit", ["user", "action", "application", "issued", "mac", "truncate", "version"]
)
def test_an_edited_token_is_a_400_page_and_records_nothing(
    api: ApiClient, apps: dict[str, str], edit: str
) -> None:
    token = codec().issue("alice", "followed_up", apps["alice"], NOW)
    version, user, action, app, issued, mac = token.split(".")
    edited = {
        "user": [version, b64("bob"), action, app, issued, mac],
        "action": [version, user, "no_response", app, issued, mac],
        "application": [version, user, action, b64(apps["bob"]), issued, mac],
        "issued": [version, user, action, app, str(int(issued) + 86400 * 60), mac],
        "mac": [
            version,
            user,
            action,
            app,
            issued,
            mac[:-2] + ("AA" if mac[-2:] != "AA" else "BB"),
        ],
        "truncate": [version, user, action, app, issued],
        "version": ["a2", user, action, app, issued, mac],
    }[edit]
    forged = ".".join(edited)
    reply = api.get("/act", user=None, query={"token": forged})
    assert reply.status == 400 and reply.headers["Content-Type"].startswith("text/html")
    assert post(api, forged) == 400
    assert nothing_recorded(api, apps)


def test_a_token_signed_with_another_key_is_refused(api: ApiClient, apps: dict[str, str]) -> None:
    forged = ActionTokenCodec(lambda: "guessed-secret").issue(
        "alice", "followed_up", apps["alice"], NOW
    )
    assert post(api, forged) == 400
    assert nothing_recorded(api, apps)


def test_an_unsubscribe_token_is_no_action_token(api: ApiClient, apps: dict[str, str]) -> None:
    unsubscribe = unsubscribe_tokens(ApiSettings.from_env()).issue("alice", NOW)
    assert isinstance(unsubscribe_tokens(ApiSettings.from_env()), UnsubscribeTokens)
    assert post(api, unsubscribe) == 400
    assert post(api, "") == 400
    assert api.get("/act", user=None).status == 400
    assert nothing_recorded(api, apps)


def test_an_expired_token_is_refused(api: ApiClient, apps: dict[str, str]) -> None:
    old = codec().issue("alice", "pause_week", None, NOW - timedelta(days=30, seconds=1))
    fresh_enough = codec().issue("alice", "pause_week", None, NOW - timedelta(days=29))
    assert post(api, old) == 400
    assert nothing_recorded(api, apps)
    assert post(api, fresh_enough) == 200


def test_a_replayed_token_records_once(api: ApiClient, apps: dict[str, str]) -> None:
    token = codec().issue("alice", "followed_up", apps["alice"], NOW)
    assert [post(api, token) for _ in range(3)] == [200, 200, 200]
    assert events(api, "alice", apps["alice"]) == ["follow_up_sent"]


def test_alices_token_never_touches_bobs_data(api: ApiClient, apps: dict[str, str]) -> None:
    # A token for alice naming bob's application finds nothing: alice's partition only.
    token = codec().issue("alice", "followed_up", apps["bob"], NOW)
    assert api.get("/act", user=None, query={"token": token}).status == 404
    assert post(api, token) == 404
    pause = codec().issue("alice", "pause_week", None, NOW)
    assert post(api, pause) == 200
    assert events(api, "bob", apps["bob"]) == []
    assert api.get("/me", user="bob").json["paused_until"] is None
    # and the signed-in caller is ignored: the token alone says whose data it is
    reply = api.post(
        "/act",
        urlencode({"token": codec().issue("alice", "followed_up", apps["alice"], NOW)}),
        user="bob",
        headers=FORM,
    )
    assert reply.status == 200
    assert events(api, "bob", apps["bob"]) == []


def test_a_scanner_following_every_link_changes_nothing(
    api: ApiClient, apps: dict[str, str]
) -> None:
    for action, app_id in [
        ("followed_up", apps["alice"]),
        ("rejected", apps["alice"]),
        ("no_response", apps["alice"]),
        ("feedback_received", apps["alice"]),
        ("outcome", apps["alice"]),
        ("log_activity", None),
        ("pause_week", None),
    ]:
        token = codec().issue("alice", action, app_id, NOW)
        for _ in range(2):
            assert api.get("/act", user=None, query={"token": token}).status == 200
            assert api.request("HEAD", "/act", user=None, query={"token": token}).status != 500
    assert nothing_recorded(api, apps)
    assert api.get("/activities", user="alice").json["items"] == []


@pytest.mark.parametrize(
    ("action", "choice"),
    [
        ("rejected", "offer"),
        ("rejected", "<script>"),
        ("log_activity", "rejection"),
        ("outcome", "accepted"),
        ("followed_up", "recruiter_call"),
        ("pause_week", "forever"),
    ],
)
def test_a_choice_outside_the_pages_set_is_refused(
    api: ApiClient, apps: dict[str, str], action: str, choice: str
) -> None:
    app_id = None if action in ("log_activity", "pause_week") else apps["alice"]
    token = codec().issue("alice", action, app_id, NOW)
    assert post(api, token, choice) == 400
    assert nothing_recorded(api, apps)
    assert api.get("/activities", user="alice").json["items"] == []


def test_an_erased_users_token_is_a_400(api: ApiClient, apps: dict[str, str]) -> None:
    token = codec().issue("alice", "log_activity", None, NOW)
    assert api.delete("/me", user="alice").status == 204
    assert api.get("/act", user=None, query={"token": token}).status == 400
    assert post(api, token, "exercise") == 400
    # nothing was written back into the erased partition
    assert api.get("/activities", user="alice").json["items"] == []
