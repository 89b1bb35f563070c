"""Action links: forged, edited, expired, replayed or foreign tokens record nothing.

There is no CSRF token on the /act form, on purpose: the signed token in the form is
the whole authority, and a third-party page cannot post a token it never saw.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import boto3
import pytest

from bounceback.adapters.action_tokens import ActionTokenCodec
from bounceback.adapters.tokens import UnsubscribeTokens, forget_secrets, key_id
from bounceback.infra import clock
from bounceback.infra.settings import ApiSettings
from bounceback.ports import InvalidToken
from bounceback.wiring import action_tokens, unsubscribe_tokens
from bounceback_local.template import Resolver
from tests.conftest import ApiClient

pytestmark = pytest.mark.security

NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def apps(api: ApiClient) -> Iterator[dict[str, str]]:
    """alice and bob each have one application, still `applied`."""
    forget_secrets()
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
    "edit",
    [
        "user",
        "action",
        "application",
        "issued",
        "mac",
        "truncate",
        "version",
        "key id",
        "as old format",
    ],
)
def test_an_edited_token_is_a_400_page_and_records_nothing(
    api: ApiClient, apps: dict[str, str], edit: str
) -> None:
    token = codec().issue("alice", "followed_up", apps["alice"], NOW)
    version, kid, user, action, app, issued, mac = token.split(".")
    edited = {
        "user": [version, kid, b64("bob"), action, app, issued, mac],
        "action": [version, kid, user, "no_response", app, issued, mac],
        "application": [version, kid, user, action, b64(apps["bob"]), issued, mac],
        "issued": [version, kid, user, action, app, str(int(issued) + 86400 * 60), mac],
        "mac": [
            version,
            kid,
            user,
            action,
            app,
            issued,
            mac[:-2] + ("AA" if mac[-2:] != "AA" else "BB"),
        ],
        "truncate": [version, kid, user, action, app, issued],
        "version": ["a3", kid, user, action, app, issued, mac],
        "key id": [version, key_id("another key"), user, action, app, issued, mac],
        # the same fields without the key id, as an older link: the MAC covers the version
        "as old format": ["a1", user, action, app, issued, mac],
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


# ------------------------------------------------------------------ keys and rotation

OLD, NEW, NEWER = "old-key-" + "a" * 56, "new-key-" + "b" * 56, "newer-key-" + "c" * 54


def keys(current: str, previous: str | None = None) -> ActionTokenCodec:
    return ActionTokenCodec(lambda: current, previous=lambda: previous)


def old_format(user: str, action: str, app_id: str | None, issued: datetime, secret: str) -> str:
    """A link as mailed before key ids: ``a1.<user>.<action>.<app>.<issued>.<mac>``."""
    fields = [b64(user), action, b64(app_id) if app_id else "", str(int(issued.timestamp()))]
    message = "\x00".join(["action", "a1", *fields]).encode()
    mac = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return ".".join(["a1", *fields, base64.urlsafe_b64encode(mac).decode().rstrip("=")])


def test_a_new_action_token_names_its_key_without_revealing_it() -> None:
    token = keys(OLD).issue("alice", "pause_week", None, NOW)
    version, kid, *_ = token.split(".")
    assert (version, kid) == ("a2", key_id(OLD))
    assert OLD not in token


def test_an_action_token_survives_one_rotation_but_not_two() -> None:
    token = keys(OLD).issue("alice", "followed_up", "app-1", NOW)
    assert keys(NEW, previous=OLD).verify(token, NOW).user_id == "alice"
    with pytest.raises(InvalidToken):
        keys(NEWER, previous=NEW).verify(token, NOW)


def test_the_key_id_cannot_be_swapped_for_another_key() -> None:
    version, _, *rest = keys(OLD).issue("alice", "followed_up", "app-1", NOW).split(".")
    for kid in (key_id(NEW), key_id("unknown")):
        with pytest.raises(InvalidToken):
            keys(NEW, previous=OLD).verify(".".join([version, kid, *rest]), NOW)


def test_a_token_from_a_key_neither_current_nor_previous_is_refused() -> None:
    token = keys("someone-elses-key").issue("alice", "pause_week", None, NOW)
    with pytest.raises(InvalidToken):
        keys(NEW, previous=OLD).verify(token, NOW)


@pytest.mark.parametrize("signed_with", [OLD, NEW])
def test_old_format_links_keep_working_for_their_thirty_days(signed_with: str) -> None:
    codec = keys(NEW, previous=OLD)
    mailed = old_format("alice", "followed_up", "app-1", NOW - timedelta(days=29), signed_with)
    grant = codec.verify(mailed, NOW)
    assert (grant.user_id, grant.action, grant.application_id) == ("alice", "followed_up", "app-1")
    expired = old_format("alice", "followed_up", "app-1", NOW - timedelta(days=31), signed_with)
    with pytest.raises(InvalidToken):
        codec.verify(expired, NOW)
    edited = mailed.replace(b64("alice"), b64("bob"))
    with pytest.raises(InvalidToken):
        codec.verify(edited, NOW)
    foreign = old_format("alice", "followed_up", "app-1", NOW, "someone-elses-key")
    with pytest.raises(InvalidToken):
        codec.verify(foreign, NOW)


def test_a_container_with_the_old_key_cached_rereads_the_secret_once() -> None:
    """A link signed right after a rotation reaches a container whose cache still holds
    the keys from before: it re-reads the secret instead of refusing the link, and
    made-up key ids do not make it re-read more than once a minute."""
    stored = {"current": NEW, "previous": OLD}
    cached = {"current": OLD, "previous": None}
    reloads = []

    def reload() -> None:
        reloads.append(1)
        cached.update(stored)

    codec = ActionTokenCodec(
        lambda: str(cached["current"]), previous=lambda: cached["previous"], reload=reload
    )
    fresh = keys(NEW).issue("alice", "pause_week", None, NOW)
    assert codec.verify(fresh, NOW).user_id == "alice"
    for n in range(5):
        made_up = keys(f"guess-{n}").issue("alice", "pause_week", None, NOW)
        with pytest.raises(InvalidToken):
            codec.verify(made_up, NOW)
    assert len(reloads) == 1


def test_an_old_format_link_mailed_before_a_rotation_of_the_real_secret_still_records(
    api: ApiClient, apps: dict[str, str], aws: Resolver
) -> None:
    from bounceback.adapters import tokens as token_module

    secret_arn = aws.refs["UnsubscribeSecret"]
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    before = secrets.get_secret_value(SecretId=secret_arn)["SecretString"]
    mailed_a1 = old_format("alice", "followed_up", apps["alice"], NOW - timedelta(days=3), before)
    mailed_a2 = codec().issue("alice", "pause_week", None, NOW - timedelta(days=1))

    secrets.put_secret_value(SecretId=secret_arn, SecretString=NEW)
    token_module.forget_secrets()

    assert post(api, mailed_a1) == 200
    assert post(api, mailed_a2) == 200
    assert events(api, "alice", apps["alice"]) == ["follow_up_sent"]
    assert api.get("/me", user="alice").json["paused_until"] is not None
    assert codec().issue("alice", "pause_week", None, NOW).split(".")[1] == key_id(NEW)
