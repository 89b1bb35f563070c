"""End to end over real HTTP: `bounceback local --clock manual` started as a user would."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from icalendar import Calendar

from bounceback_local.client import RunningStack, call

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = RunningStack(tmp_path_factory.mktemp("e2e") / "data")
    running.start()
    yield running
    assert running.stop() == 0, "Ctrl-C/SIGTERM must stop the stack cleanly"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _signed(
    stack: RunningStack, claims: dict[str, Any], key: Any = None, kid: str | None = None
) -> str:
    token, _ = stack.login("signer@example.com")
    header_kid = kid or jwt.get_unverified_header(token)["kid"]
    if key is None:
        pem = (stack.data_dir / "auth" / "issuer-key.pem").read_bytes()
        key = serialization.load_pem_private_key(pem, password=None)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": header_kid})


def _valid_claims(stack: RunningStack) -> dict[str, Any]:
    token, _ = stack.login("signer@example.com")
    claims = _claims_of(token)
    claims["exp"] = int(time.time()) + 600
    return claims


def _kinds(message: dict[str, Any]) -> list[str]:
    return message["headers"]["X-Bounceback-Kinds"].split(",")


# ------------------------------------------------------------------ sign-in and the authorizer


def test_login_gives_the_same_user_for_the_same_email(stack: RunningStack) -> None:
    first_token, first = stack.login("Dana@Example.com")
    _, again = stack.login("dana@example.com")
    _, other = stack.login("lee@example.com")

    claims = _claims_of(first_token)
    assert first == again != other
    assert claims["sub"] == first and claims["email"] == "Dana@Example.com"
    assert claims["token_use"] == "id" and claims["exp"] > time.time()
    assert claims["iss"].startswith("https://cognito-idp.us-east-1.amazonaws.com/")
    me = call("GET", f"{stack.url}/me", token=first_token)
    assert me.status == 200 and me.json["id"] == first


def test_login_without_an_email_is_a_validation_error(stack: RunningStack) -> None:
    answer = call("POST", f"{stack.url}/_local/login", {"email": "not-an-address"})

    assert answer.status == 422
    assert answer.json["details"][0]["field"] == "email"


def test_a_request_without_a_token_is_refused_like_api_gateway(stack: RunningStack) -> None:
    answer = call("GET", f"{stack.url}/applications")

    assert answer.status == 401
    assert answer.json == {"message": "Unauthorized"}


def test_a_token_we_signed_ourselves_with_valid_claims_is_accepted(stack: RunningStack) -> None:
    answer = call("GET", f"{stack.url}/me", token=_signed(stack, _valid_claims(stack)))

    assert answer.status == 200


def test_a_token_signed_by_another_key_is_refused(stack: RunningStack) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    answer = call(
        "GET", f"{stack.url}/me", token=_signed(stack, _valid_claims(stack), key=stranger)
    )

    assert answer.status == 401 and answer.json == {"message": "Unauthorized"}


def test_an_expired_token_is_refused(stack: RunningStack) -> None:
    claims = _valid_claims(stack) | {"exp": int(time.time()) - 60}

    answer = call("GET", f"{stack.url}/me", token=_signed(stack, claims))

    assert answer.status == 401


def test_a_token_for_another_audience_is_refused(stack: RunningStack) -> None:
    claims = _valid_claims(stack) | {"aud": "some-other-client"}

    answer = call("GET", f"{stack.url}/me", token=_signed(stack, claims))

    assert answer.status == 401


def test_a_token_from_another_issuer_is_refused(stack: RunningStack) -> None:
    claims = _valid_claims(stack) | {"iss": "https://issuer.example"}

    answer = call("GET", f"{stack.url}/me", token=_signed(stack, claims))

    assert answer.status == 401


def test_an_unsigned_alg_none_token_is_refused(stack: RunningStack) -> None:
    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    token = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(_valid_claims(stack))}."

    answer = call("GET", f"{stack.url}/me", token=token)

    assert answer.status == 401


def test_the_web_form_is_public(stack: RunningStack) -> None:
    answer = call("GET", f"{stack.url}/")

    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "<form" in answer.text and "Content-Security-Policy" in answer.headers


def test_an_unknown_route_is_not_found(stack: RunningStack) -> None:
    assert call("GET", f"{stack.url}/no/such/route").status == 404


# ------------------------------------------------------------------ clock, tick and outbox


def test_the_manual_clock_only_moves_forward(stack: RunningStack) -> None:
    now = call("GET", f"{stack.url}/_local/clock").json["now"]
    later = datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(seconds=1)

    moved = stack.set_clock(_stamp(later))
    back = stack.set_clock("2001-01-01T00:00:00Z")

    assert moved.status == 200 and moved.json == {"now": _stamp(later)}
    assert back.status == 409


def test_a_rejection_brings_an_acknowledgement_then_the_comeback_after_the_break(
    stack: RunningStack,
) -> None:
    # Given a user who applied through a recruiter, tomorrow at noon UTC (profile: UTC, 09:00)
    token, _ = stack.login("rejected@example.com")
    rejected_at = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    assert stack.set_clock(_stamp(rejected_at)).status == 200
    created = call(
        "POST",
        f"{stack.url}/applications",
        {
            "company": "Acme",
            "role": "Analyst",
            "source": "recruiter",
            "contact_email": "sam@acme.example",
        },
        token=token,
    )
    assert created.status == 201, created.text
    sent_before = len(stack.outbox())

    # When the recruiter calls with a no, and the schedule runs
    event = call(
        "POST",
        f"{stack.url}/applications/{created.json['id']}/events",
        {"type": "rejection", "channel": "recruiter_call"},
        token=token,
    )
    assert event.status == 201, event.text
    assert stack.tick() == 1

    # Then the acknowledgement goes out at once, with the one-click unsubscribe headers
    acknowledgement = stack.outbox()[sent_before]
    assert acknowledgement["to"] == ["rejected@example.com"]
    assert _kinds(acknowledgement) == ["acknowledgement"]
    assert acknowledgement["sent_at"] == _stamp(rejected_at)
    assert acknowledgement["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stack.url in acknowledgement["headers"]["List-Unsubscribe"]
    assert acknowledgement["text"] and acknowledgement["html"]

    # And nothing comes during the two-day break
    stack.set_clock(_stamp((rejected_at + timedelta(days=1)).replace(hour=9)))
    assert stack.tick() == 0

    # And on the comeback day at send time, the comeback: ask for feedback, plan the week
    comeback_at = (rejected_at + timedelta(days=2)).replace(hour=9)
    stack.set_clock(_stamp(comeback_at))
    assert stack.tick() == 1
    comeback = stack.outbox()[-1]
    assert comeback["sent_at"] == _stamp(comeback_at)
    assert _kinds(comeback)[:2] == ["ask_feedback", "week_plan"]
    assert stack.tick() == 0, "a second tick at the same time sends nothing"


def test_an_interview_brings_a_prep_a_debrief_and_a_calendar_entry(stack: RunningStack) -> None:
    # Given a user who records, at 10:00 UTC on day D, an interview on D+2 at 14:00 UTC
    token, _ = stack.login("interview@example.com")
    now = call("GET", f"{stack.url}/_local/clock").json["now"]
    day = (datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    assert stack.set_clock(_stamp(day)).status == 200
    created = call(
        "POST",
        f"{stack.url}/applications",
        {"company": "Fabrikam; R&D, Inc.", "role": "Engineer", "source": "direct"},
        token=token,
    )
    assert created.status == 201, created.text
    start = (day + timedelta(days=2)).replace(hour=14)
    scheduled = call(
        "POST",
        f"{stack.url}/applications/{created.json['id']}/events",
        {"type": "interview", "scheduled_for": _stamp(start), "note": "Room 4, ask for Kim"},
        token=token,
    )
    assert scheduled.status == 201, scheduled.text
    stack.tick()

    def mine() -> list[dict[str, Any]]:
        return [m for m in stack.outbox() if m["to"] == ["interview@example.com"]]

    assert mine() == []

    # When the clock reaches send time on the day before, the prep goes in its own e-mail
    stack.set_clock(_stamp((day + timedelta(days=1)).replace(hour=9)))
    stack.tick()
    (prep,) = mine()
    assert _kinds(prep) == ["interview_prep"]
    assert "Room 4, ask for Kim" in prep["text"]

    # And the calendar feed, fetched over HTTP without a token, lists the interview
    address = call("GET", f"{stack.url}/me/calendar", token=token)
    assert address.status == 200, address.text
    assert address.json["url"].startswith(f"{stack.url}/calendar/")
    feed = call("GET", address.json["url"])
    assert feed.status == 200 and feed.headers["Content-Type"].startswith("text/calendar")
    (entry,) = Calendar.from_ical(feed.body).walk("VEVENT")
    assert str(entry["summary"]) == "Interview: Fabrikam; R&D, Inc. — Engineer"
    assert entry.decoded("dtstart") == start
    unchanged = call("GET", address.json["url"], headers={"If-None-Match": feed.headers["ETag"]})
    assert unchanged.status == 304

    # And the day after the interview, at send time, the debrief
    stack.set_clock(_stamp((day + timedelta(days=3)).replace(hour=9)))
    stack.tick()
    debrief = mine()[-1]
    assert len(mine()) == 2
    assert "interview_debrief" in _kinds(debrief)
    assert "record the outcome" in debrief["text"]


def test_the_outbox_page_shows_each_email_sandboxed(stack: RunningStack) -> None:
    answer = call("GET", f"{stack.url}/_local/outbox", headers={"Accept": "text/html"})

    assert answer.status == 200 and answer.headers["Content-Type"].startswith("text/html")
    assert "<h1>Outbox" in answer.text
    if stack.outbox():
        assert "<iframe" in answer.text and "sandbox=" in answer.text and "srcdoc=" in answer.text


# ------------------------------------------------------------------ persistence


def test_data_survives_a_clean_restart_and_a_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = RunningStack(data)
    first.start()
    token, user = first.login("keeper@example.com")
    created = call(
        "POST", f"{first.url}/applications", {"company": "Kept Co", "role": "Writer"}, token=token
    )
    assert created.status == 201
    assert first.stop() == 0

    second = RunningStack(data, port=first.port)
    second.start()
    token, same_user = second.login("keeper@example.com")
    assert same_user == user
    listed = call("GET", f"{second.url}/applications", token=token).json["items"]
    assert [a["company"] for a in listed] == ["Kept Co"]
    call(
        "POST",
        f"{second.url}/applications",
        {"company": "After Restart", "role": "Editor"},
        token=token,
    )
    second.kill()

    third = RunningStack(data)
    third.start()
    try:
        token, _ = third.login("keeper@example.com")
        listed = call("GET", f"{third.url}/applications", token=token).json["items"]
        assert sorted(a["company"] for a in listed) == ["After Restart", "Kept Co"]
    finally:
        third.stop()
