"""The attack, over real HTTP against `bounceback local`: a token whose `email` is
someone else's and whose `email_verified` is false gets 403, stores nothing, and
nobody is mailed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bounceback_local.client import RunningStack, call

pytestmark = [pytest.mark.security, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(tmp_path_factory.mktemp("attack") / "data")
    running.start()
    yield running
    assert running.stop() == 0


def test_an_unverified_victim_address_gets_403_and_no_mail(stack: RunningStack) -> None:
    # The attacker signs up with their own address, then (in a pool that lets an
    # address change through unverified) switches the attribute to the victim's.
    _, attacker = stack.login("attacker@example.com")
    token, same = stack.login(
        "victim@example.com", email_verified=False, as_user="attacker@example.com"
    )
    assert same == attacker
    later = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    assert stack.set_clock(later.strftime("%Y-%m-%dT%H:%M:%SZ")).status == 200

    me = call("GET", f"{stack.url}/me", token=token)
    created = call(
        "POST",
        f"{stack.url}/applications",
        {"company": "Whatever Corp", "role": "Analyst"},
        token=token,
    )
    activity = call("POST", f"{stack.url}/activities", {"kind": "exercise"}, token=token)

    for answer in (me, created, activity):
        assert answer.status == 403, answer.text
        assert answer.json["error"] == "email_not_verified"
    # Nothing stored: a verified sign-in of the attacker finds no applications
    own, _ = stack.login("attacker@example.com")
    assert call("GET", f"{stack.url}/applications", token=own).json["items"] == []

    # Days pass and the schedule runs: nobody is mailed
    for days in (1, 3, 8):
        moment = later + timedelta(days=days)
        assert stack.set_clock(moment.strftime("%Y-%m-%dT%H:%M:%SZ")).status == 200
        stack.tick()
    assert [m for m in stack.outbox() if "victim@example.com" in str(m)] == []
    assert stack.outbox() == []


def test_local_sign_in_tokens_are_verified_id_tokens(stack: RunningStack) -> None:
    import jwt

    token, _ = stack.login("plain@example.com")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["email_verified"] is True
    assert claims["token_use"] == "id"
    assert call("GET", f"{stack.url}/me", token=token).status == 200
