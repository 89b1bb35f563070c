"""Only verified addresses are mailed: no profile from an unverified token, verified
address changes followed, ID tokens only, and the suppression list outlives erasure.

The attack: someone signs up with their own address, changes the `email` attribute to
a victim's (a pool without verification-before-update lets the change through at once,
unverified) and calls the API, so that Bounceback mails the victim.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from bounceback.adapters import dynamo as d
from bounceback.adapters.suppression import normalise
from bounceback.infra import clock
from bounceback_local.events import LambdaContext
from bounceback_local.harness import ApiClient, id_token_claims
from bounceback_local.template import Resolver
from tests.conftest import Delivery
from tests.integration.test_unsubscribe import ses_event

pytestmark = pytest.mark.security

NOW = datetime(2027, 2, 2, 10, 0, tzinfo=UTC)


def items_of(user: str) -> list[Any]:
    return list(d.BaseItem.query(d.user_pk(user), consistent_read=True))


def reject(api: ApiClient, claims: dict[str, str]) -> None:
    created = api.post(
        "/applications",
        {"company": "Acme", "role": "Analyst", "applied_on": "2027-01-20"},
        claims=claims,
    )
    assert created.status == 201, created.text
    recorded = api.post(
        f"/applications/{created.json['id']}/events",
        {"type": "rejection", "channel": "direct_email"},
        claims=claims,
    )
    assert recorded.status == 201, recorded.text


def complain(delivery: Delivery, mail: Any) -> None:
    """SES reports a complaint about `mail` (a message the sender really sent)."""
    reply = delivery.ses_events(
        ses_event(
            "Complaint",
            {"bb_user": [mail.tags["bb_user"]]},
            message_id=mail.message_id,
            to=mail.to[0],
        ),
        LambdaContext("SesEventsFunction"),
    )
    assert reply["outcomes"] == ["suppressed"]


ATTACKER_AS_VICTIM = id_token_claims("attacker", "victim@example.com", verified=False)
WRITES = [
    ("GET", "/me", None),
    ("PATCH", "/me", {"send_hour": 8}),
    ("POST", "/applications", {"company": "Acme", "role": "Analyst"}),
    ("POST", "/activities", {"kind": "exercise"}),
    ("GET", "/nudges", None),
    ("GET", "/summary", None),
    ("GET", "/me/export", None),
]


# ------------------------------------------------------------------ unverified tokens


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_an_unverified_address_makes_no_profile(
    api: ApiClient, method: str, path: str, body: Any
) -> None:
    reply = api.request(method, path, body, claims=ATTACKER_AS_VICTIM)

    assert reply.status == 403, reply.text
    assert reply.json["error"] == "email_not_verified"
    assert "not verified" in reply.json["message"]
    assert items_of("attacker") == []


def test_the_claim_as_a_boolean_is_accepted_too(api: ApiClient) -> None:
    claims: Any = {**id_token_claims("bo", "bo@example.com"), "email_verified": True}
    reply = api.get("/me", claims=claims)
    assert reply.status == 200, reply.text
    assert reply.json["email"] == "bo@example.com"


@pytest.mark.parametrize("claim", ["false", "False", "", "1", "yes"])
def test_anything_but_true_is_unverified(api: ApiClient, claim: str) -> None:
    claims = {**id_token_claims("eve", "eve@example.com"), "email_verified": claim}
    assert api.get("/me", claims=claims).status == 403
    assert items_of("eve") == []


@pytest.mark.parametrize("token_use", ["access", "", None])
def test_only_an_id_token_is_taken(api: ApiClient, token_use: str | None) -> None:
    claims = id_token_claims("acc", "acc@example.com")
    if token_use is None:
        del claims["token_use"]
    else:
        claims["token_use"] = token_use
    reply = api.post("/activities", {"kind": "exercise"}, claims=claims)
    assert reply.status == 403, reply.text
    assert reply.json["error"] == "id_token_required"
    assert "ID token" in reply.json["message"]
    assert items_of("acc") == []


# ------------------------------------------------------------------ address changes


def test_a_verified_change_is_followed_and_mailed(delivery: Delivery) -> None:
    clock.use(lambda: NOW)
    old = id_token_claims("mia", "mia@example.com")
    new = id_token_claims("mia", "mia.new@example.com")
    assert delivery.api.get("/me", claims=old).json["email"] == "mia@example.com"

    # The first write with the new, verified address moves the profile to it
    reject(delivery.api, new)
    assert delivery.api.get("/me", claims=new).json["email"] == "mia.new@example.com"

    delivery.tick()
    assert [m.to for m in delivery.outbox] == [["mia.new@example.com"]]


def test_a_change_pending_verification_is_not_followed(delivery: Delivery) -> None:
    clock.use(lambda: NOW)
    old = id_token_claims("noa", "noa@example.com")
    pending = id_token_claims("noa", "noa.new@example.com", verified=False)
    assert delivery.api.get("/me", claims=old).status == 200

    for method, path, body in WRITES:
        reply = delivery.api.request(method, path, body, claims=pending)
        assert reply.status == 403, (path, reply.text)
        assert reply.json["error"] == "email_not_verified"

    # While the change waits, the pool keeps the old, verified address in new tokens
    reject(delivery.api, old)
    delivery.tick()
    assert [m.to for m in delivery.outbox] == [["noa@example.com"]]
    assert delivery.api.get("/me", claims=old).json["email"] == "noa@example.com"


def test_a_suppressed_old_address_does_not_suppress_the_new_one(delivery: Delivery) -> None:
    clock.use(lambda: NOW)
    old = id_token_claims("ola", "ola@example.com")
    reject(delivery.api, old)
    delivery.tick()
    complain(delivery, delivery.outbox[0])
    assert delivery.api.get("/me", claims=old).json["suppressed"] is True

    new = id_token_claims("ola", "ola.new@example.com")
    assert delivery.api.get("/me", claims=new).json["suppressed"] is False
    reject(delivery.api, new)
    delivery.tick()
    assert [m.to for m in delivery.outbox][1:] == [["ola.new@example.com"]]


def test_a_suppressed_new_address_stays_suppressed(delivery: Delivery) -> None:
    clock.use(lambda: NOW)
    # Someone else's mail to shared@example.com drew a complaint
    before = id_token_claims("pat", "shared@example.com")
    reject(delivery.api, before)
    delivery.tick()
    complain(delivery, delivery.outbox[0])

    # Another user moves to that address (verified): it is suppressed for them too
    ray = id_token_claims("ray", "ray@example.com")
    assert delivery.api.get("/me", claims=ray).json["suppressed"] is False
    moved = id_token_claims("ray", "SHARED@example.com ")
    assert delivery.api.get("/me", claims=moved).json["suppressed"] is True
    reject(delivery.api, moved)
    delivery.tick()
    assert len(delivery.outbox) == 1


# ------------------------------------------------------------------ erasure


def test_suppression_survives_delete_me(delivery: Delivery) -> None:
    clock.use(lambda: NOW)
    sam = id_token_claims("sam", "sam@example.com")
    reject(delivery.api, sam)
    delivery.tick()
    complain(delivery, delivery.outbox[0])

    # The user erases everything; the web page calls again with the same token
    assert delivery.api.delete("/me", claims=sam).status == 204
    assert items_of("sam") == []
    again = delivery.api.get("/me", claims=sam)
    assert again.status == 200
    assert again.json["suppressed"] is True

    # Nothing more is ever sent to that address
    clock.use(lambda: datetime(2027, 2, 10, 10, 0, tzinfo=UTC))
    reject(delivery.api, sam)
    delivery.tick()
    assert len(delivery.outbox) == 1


def test_the_suppression_list_holds_no_readable_address(delivery: Delivery) -> None:
    clock.use(lambda: NOW)
    sam = id_token_claims("sam", "sam@example.com")
    reject(delivery.api, sam)
    delivery.tick()
    complain(delivery, delivery.outbox[0])
    table = delivery.resolver.refs["SuppressionTable"]
    items = boto3.client("dynamodb", region_name="us-east-1").scan(TableName=table)["Items"]
    assert len(items) == 1
    dumped = json.dumps(items)
    assert "sam" not in dumped and "example.com" not in dumped
    assert len(items[0]["address_hash"]["S"]) == 64


def test_the_sender_skips_a_listed_address_even_if_the_profile_was_never_flagged(
    delivery: Delivery,
) -> None:
    clock.use(lambda: NOW)
    from bounceback import wiring
    from bounceback.infra.settings import SenderSettings

    wiring.suppression_list(SenderSettings.from_env()).suppress("kim@example.com", "test", NOW)
    kim = id_token_claims("kim", "kim@example.com")
    reject(delivery.api, kim)
    delivery.tick()
    assert delivery.outbox == []
    assert delivery.api.get("/me", claims=kim).json["suppressed"] is True


def test_delete_me_deletes_the_sign_in(api: ApiClient, aws: Resolver) -> None:
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool = aws.refs["UserPool"]
    created = cognito.admin_create_user(
        UserPoolId=pool,
        Username="lee@example.com",
        UserAttributes=[{"Name": "email", "Value": "lee@example.com"}],
    )
    sub = created["User"]["Username"]
    lee = id_token_claims(sub, "lee@example.com")
    assert api.get("/me", claims=lee).status == 200

    assert api.delete("/me", claims=lee).status == 204

    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool, Username=sub)
    # Deleting again (the sign-in is already gone) is still a clean 204
    assert api.delete("/me", claims=lee).status == 204


# ------------------------------------------------------------------ SES events


def test_an_event_about_a_message_we_did_not_send_is_ignored(
    delivery: Delivery, capsys: pytest.CaptureFixture[str]
) -> None:
    clock.use(lambda: NOW)
    uma = id_token_claims("uma", "uma@example.com")
    reject(delivery.api, uma)
    delivery.tick()
    [mail] = delivery.outbox
    capsys.readouterr()

    # A forged complaint naming uma's tag but a message id of someone else's
    reply = delivery.ses_events(
        ses_event("Complaint", {"bb_user": [mail.tags["bb_user"]]}, message_id="forged-1"),
        LambdaContext("SesEventsFunction"),
    )

    assert reply["outcomes"] == ["unmatched"]
    assert delivery.api.get("/me", claims=uma).json["suppressed"] is False
    logs = capsys.readouterr()
    assert "uma@example.com" not in logs.out + logs.err
    assert "alice@example.com" not in logs.out + logs.err
    assert "SesEventsUnmatched" in logs.out


def test_addresses_are_normalised_before_hashing() -> None:
    assert normalise("  Sam@Example.COM ") == "sam@example.com"
    assert normalise("e\u0301@example.com") == normalise("\u00e9@example.com")
