"""The records API end to end through the API function's handler, on moto."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import boto3
import pytest

from bounceback.infra import clock
from tests.conftest import ApiClient

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration

ACME = {
    "company": "Acme",
    "role": "Analyst",
    "source": "recruiter",
    "applied_on": "2027-02-01",
    "url": "https://acme.example/jobs/1",
    "contact_name": "Sam",
    "contact_email": "sam@acme.example",
    "notes": "Met at the meetup",
}


@pytest.fixture(autouse=True)
def fixed_clock() -> object:
    clock.use(lambda: datetime(2027, 2, 3, 14, 0, tzinfo=UTC))
    yield
    clock.use(None)


def create(api: ApiClient, user: str = "alice", **fields: object) -> dict[str, object]:
    reply = api.post("/applications", {**ACME, **fields}, user=user)
    assert reply.status == 201, reply.text
    return dict(reply.json)


def assert_error(reply: object, status: int, field: str | None = None) -> dict[str, object]:
    assert reply.status == status, reply.text  # type: ignore[attr-defined]
    body = reply.json  # type: ignore[attr-defined]
    assert set(body) == {"error", "message", "details"}
    assert "Traceback" not in reply.text  # type: ignore[attr-defined]
    if field is not None:
        assert field in [d["field"] for d in body["details"]], body
    return dict(body)


# ------------------------------------------------------------------ profile


def test_first_call_creates_the_profile_with_defaults_from_the_token(api: ApiClient) -> None:
    reply = api.get("/me")
    assert reply.status == 200
    assert reply.json == {
        "id": "alice",
        "email": "alice@example.com",
        "timezone": "UTC",
        "timezone_chosen": False,
        "send_hour": 9,
        "break_days": 2,
        "gap_days": 3,
        "digest_enabled": True,
        "paused_until": None,
        "unsubscribed": False,
        "suppressed": False,
        "name": None,
    }


def test_a_time_zone_set_by_the_user_is_marked_chosen_even_when_it_is_utc(
    api: ApiClient,
) -> None:
    # Other preferences leave the zone unchosen
    assert api.patch("/me", {"send_hour": 8}).json["timezone_chosen"] is False
    # Choosing UTC explicitly is a choice: the web app must not replace it
    chosen = api.patch("/me", {"timezone": "UTC"})
    assert chosen.json["timezone"] == "UTC"
    assert chosen.json["timezone_chosen"] is True
    assert api.get("/me").json["timezone_chosen"] is True


@pytest.mark.parametrize(
    ("body", "allowed"),
    [
        ({"paused_until": "2027-02-02"}, False),  # yesterday (UTC)
        ({"paused_until": "2027-02-03"}, True),  # today: a pause for the rest of the day
        # 14:00 UTC is already 4 Feb in Kiritimati (UTC+14): the 3rd is over there
        ({"timezone": "Pacific/Kiritimati", "paused_until": "2027-02-03"}, False),
        ({"timezone": "Pacific/Kiritimati", "paused_until": "2027-02-04"}, True),
    ],
)
def test_a_pause_that_already_ended_is_refused_in_the_users_own_zone(
    api: ApiClient, body: dict[str, object], allowed: bool
) -> None:
    reply = api.patch("/me", body)
    if allowed:
        assert reply.status == 200, reply.text
        assert reply.json["paused_until"] == body["paused_until"]
    else:
        error = assert_error(reply, 422, "paused_until")
        assert "today or later" in str(error["message"])
        assert api.get("/me").json["paused_until"] is None


def test_a_past_pause_is_judged_in_the_stored_zone(api: ApiClient) -> None:
    api.patch("/me", {"timezone": "Pacific/Kiritimati"})
    assert_error(api.patch("/me", {"paused_until": "2027-02-03"}), 422, "paused_until")


def test_patch_me_changes_only_the_fields_sent(api: ApiClient) -> None:
    reply = api.patch(
        "/me", {"timezone": "Europe/Berlin", "send_hour": 7, "paused_until": "2027-02-09"}
    )
    assert reply.status == 200
    assert reply.json["timezone"] == "Europe/Berlin"
    assert reply.json["send_hour"] == 7
    assert reply.json["paused_until"] == "2027-02-09"
    assert reply.json["break_days"] == 2
    cleared = api.patch("/me", {"paused_until": None})
    assert cleared.json["paused_until"] is None
    assert api.get("/me").json["timezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"send_hour": 24}, "send_hour"),
        ({"break_days": 0}, "break_days"),
        ({"break_days": 8}, "break_days"),
        ({"gap_days": 1}, "gap_days"),
        ({"gap_days": 15}, "gap_days"),
        ({"paused_until": "next week"}, "paused_until"),
        ({"suppressed": False}, "suppressed"),
        ({"timezone": None}, "timezone"),
    ],
)
def test_patch_me_refuses_invalid_preferences_naming_the_field(
    api: ApiClient, body: dict[str, object], field: str
) -> None:
    assert_error(api.patch("/me", body), 422, field)


def test_name_is_stored_stripped_shown_exported_and_cleared(api: ApiClient) -> None:
    reply = api.patch("/me", {"name": "  Alex Morgan  "})
    assert reply.status == 200, reply.text
    assert reply.json["name"] == "Alex Morgan"
    assert api.get("/me").json["name"] == "Alex Morgan"
    assert api.get("/me/export").json["profile"]["name"] == "Alex Morgan"
    assert api.patch("/me", {"send_hour": 8}).json["name"] == "Alex Morgan"
    assert api.patch("/me", {"name": None}).json["name"] is None
    api.patch("/me", {"name": "Alex"})
    assert api.patch("/me", {"name": "   "}).json["name"] is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Alex\r\nBcc: victim@example.com", "one line"),
        ("Al\x00ex", "one line"),
        ("x" * 81, "at most 80 characters"),
        (42, "must be text"),
    ],
)
def test_name_refuses_line_breaks_and_long_values_in_plain_words(
    api: ApiClient, name: object, words: str
) -> None:
    reply = api.patch("/me", {"name": name})
    assert_error(reply, 422, "name")
    assert any(words in d["message"] for d in reply.json["details"]), reply.json
    assert api.get("/me").json["name"] is None


def test_user_cannot_clear_their_own_suppression(api: ApiClient) -> None:
    assert_error(api.patch("/me", {"suppressed": False}), 422, "suppressed")
    assert api.get("/me").json["suppressed"] is False


# ------------------------------------------------------------------ applications


def test_create_application_returns_the_stored_record(api: ApiClient) -> None:
    created = create(api)
    assert created["status"] == "applied"
    assert created["company"] == "Acme"
    assert created["events"] == []
    fetched = api.get(f"/applications/{created['id']}")
    assert fetched.status == 200
    assert fetched.json == created


def test_applied_on_defaults_to_today_in_the_users_zone(api: ApiClient) -> None:
    # 2027-02-03 14:00 UTC is already 2027-02-04 in Kiritimati (UTC+14).
    api.patch("/me", {"timezone": "Pacific/Kiritimati"})
    body = {k: v for k, v in ACME.items() if k != "applied_on"}
    reply = api.post("/applications", body)
    assert reply.status == 201
    assert reply.json["applied_on"] == "2027-02-04"


def test_form_encoded_create_is_accepted(api: ApiClient) -> None:
    form = urlencode(
        {"company": "Form & Co", "role": "Clerk", "source": "job_board", "applied_on": "2027-02-02"}
    )
    reply = api.post(
        "/applications", form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert reply.status == 201, reply.text
    assert reply.json["company"] == "Form & Co"
    assert reply.json["source"] == "job_board"


def test_form_encoded_body_is_refused_where_only_json_is_accepted(api: ApiClient) -> None:
    reply = api.patch(
        "/me", "send_hour=7", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert_error(reply, 415)


def test_repeated_idempotency_key_returns_the_first_answer_and_creates_nothing(
    api: ApiClient,
) -> None:
    headers = {"Idempotency-Key": "create-acme-1"}
    first = api.post("/applications", ACME, headers=headers)
    again = api.post("/applications", ACME, headers=headers)
    assert first.status == again.status == 201
    assert again.json == first.json
    assert len(api.get("/applications").json["items"]) == 1


def test_idempotency_key_reused_with_another_body_is_a_conflict(api: ApiClient) -> None:
    headers = {"Idempotency-Key": "k-1"}
    assert api.post("/applications", ACME, headers=headers).status == 201
    assert_error(api.post("/applications", {**ACME, "company": "Other"}, headers=headers), 409)
    assert len(api.get("/applications").json["items"]) == 1


def test_idempotency_key_repeated_after_its_application_was_deleted_is_a_documented_404(
    api: ApiClient,
) -> None:
    headers = {"Idempotency-Key": "create-then-delete"}
    first = api.post("/applications", ACME, headers=headers)
    assert api.delete(f"/applications/{first.json['id']}").status == 204
    # Not created again: that would bring back what the user deleted.
    assert_error(api.post("/applications", ACME, headers=headers), 404)
    assert api.get("/applications").json["items"] == []
    documented = json.loads((ROOT / "openapi.json").read_text())
    assert "404" in documented["paths"]["/applications"]["post"]["responses"]


@pytest.mark.security
def test_idempotency_keys_are_per_user(api: ApiClient) -> None:
    headers = {"Idempotency-Key": "same-key"}
    mine = api.post("/applications", ACME, headers=headers, user="alice")
    theirs = api.post("/applications", ACME, headers=headers, user="bob")
    assert theirs.status == 201
    assert theirs.json["id"] != mine.json["id"]
    assert api.get(f"/applications/{mine.json['id']}", user="bob").status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "Analyst"}, "company"),
        ({**ACME, "company": ""}, "company"),
        ({**ACME, "company": "A" * 201}, "company"),
        ({**ACME, "company": "Evil\r\nBcc: victim@example.com"}, "company"),
        ({**ACME, "source": "carrier_pigeon"}, "source"),
        ({**ACME, "applied_on": "01/02/2027"}, "applied_on"),
        ({**ACME, "applied_on": "2027-02-30"}, "applied_on"),
        ({**ACME, "url": "javascript:alert(1)"}, "url"),
        ({**ACME, "contact_email": "not-an-address"}, "contact_email"),
        ({**ACME, "status": "offer"}, "status"),
        ({**ACME, "user_id": "bob"}, "user_id"),
    ],
)
def test_create_refuses_invalid_fields_naming_them(
    api: ApiClient, body: dict[str, object], field: str
) -> None:
    assert_error(api.post("/applications", body), 422, field)
    assert api.get("/applications").json["items"] == []


def test_applied_on_in_the_future_is_refused(api: ApiClient) -> None:
    assert_error(api.post("/applications", {**ACME, "applied_on": "2027-03-01"}), 422, "applied_on")


@pytest.mark.security
@pytest.mark.parametrize("body", ['{"company": "Acme",', "[1, 2]", '"just a string"', "nul\x00l"])
def test_malformed_body_is_a_400(api: ApiClient, body: str) -> None:
    assert_error(api.post("/applications", body, headers={"Content-Type": "application/json"}), 400)


@pytest.mark.security
def test_deeply_nested_json_is_a_400_not_a_crash(api: ApiClient) -> None:
    body = "[" * 30000 + "]" * 30000
    assert_error(api.post("/applications", body, headers={"Content-Type": "application/json"}), 400)


@pytest.mark.security
def test_body_over_64_kib_is_a_413(api: ApiClient) -> None:
    reply = api.post("/applications", {**ACME, "notes": "x" * (64 * 1024)})
    assert_error(reply, 413)
    assert api.get("/applications").json["items"] == []


def test_unsupported_media_type_is_refused(api: ApiClient) -> None:
    assert_error(
        api.post("/applications", "<xml/>", headers={"Content-Type": "application/xml"}), 415
    )


def test_list_filters_by_status_and_pages_with_an_opaque_cursor(api: ApiClient) -> None:
    created = [create(api, company=f"Co {n}")["id"] for n in range(5)]
    rejected = created[1]
    ids = sorted(created)  # newest first is descending id order
    api.post(
        f"/applications/{rejected}/events", {"type": "rejection", "channel": "automated_email"}
    )

    first = api.get("/applications", query={"limit": "2"})
    assert first.status == 200
    assert [a["id"] for a in first.json["items"]] == ids[::-1][:2]
    cursor = first.json["next_cursor"]
    assert cursor and "APP#" not in cursor
    second = api.get("/applications", query={"limit": "2", "cursor": cursor})
    assert [a["id"] for a in second.json["items"]] == ids[::-1][2:4]

    only_rejected = api.get("/applications", query={"status": "rejected"})
    assert [a["id"] for a in only_rejected.json["items"]] == [rejected]
    assert only_rejected.json["next_cursor"] is None


@pytest.mark.parametrize(
    "query",
    [{"limit": "0"}, {"limit": "101"}, {"limit": "many"}, {"status": "lost"}],
)
def test_list_refuses_bad_query_parameters(api: ApiClient, query: dict[str, str]) -> None:
    assert_error(api.get("/applications", query=query), 422, next(iter(query)))


@pytest.mark.security
@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJhZnRlciI6IDF9", "e30"])
def test_hand_edited_cursor_is_a_400(api: ApiClient, cursor: str) -> None:
    create(api)
    assert_error(api.get("/applications", query={"cursor": cursor}), 400)


@pytest.mark.security
def test_cursor_from_another_query_is_a_400(api: ApiClient) -> None:
    for n in range(3):
        create(api, company=f"Co {n}")
    cursor = api.get("/applications", query={"limit": "1"}).json["next_cursor"]
    assert_error(api.get("/applications", query={"cursor": cursor, "status": "applied"}), 400)


@pytest.mark.security
def test_another_users_cursor_never_shows_their_applications(api: ApiClient) -> None:
    for n in range(3):
        create(api, user="bob", company=f"Bob Co {n}")
    cursor = api.get("/applications", query={"limit": "1"}, user="bob").json["next_cursor"]
    mine = api.get("/applications", query={"cursor": cursor}, user="alice")
    assert mine.status == 200
    assert mine.json["items"] == []


def test_patch_application_edits_details_but_not_status(api: ApiClient) -> None:
    created = create(api)
    reply = api.patch(
        f"/applications/{created['id']}", {"notes": "Second round next week", "url": None}
    )
    assert reply.status == 200
    assert reply.json["notes"] == "Second round next week"
    assert reply.json["url"] is None
    assert reply.json["company"] == "Acme"
    assert_error(api.patch(f"/applications/{created['id']}", {"status": "offer"}), 422, "status")
    assert_error(api.patch(f"/applications/{created['id']}", {"company": None}), 422)


def test_delete_application(api: ApiClient) -> None:
    created = create(api)
    assert api.delete(f"/applications/{created['id']}").status == 204
    assert_error(api.get(f"/applications/{created['id']}"), 404)
    assert_error(api.delete(f"/applications/{created['id']}"), 404)


@pytest.mark.parametrize("bad_id", ["nope", "01M8ATN6CMXSF7K1PZ1VJCPE8P", "../../etc", "%00"])
def test_unknown_application_ids_are_404(api: ApiClient, bad_id: str) -> None:
    assert_error(api.get(f"/applications/{bad_id}"), 404)


# ------------------------------------------------------------------ events


def test_recording_an_event_moves_the_status(api: ApiClient) -> None:
    created = create(api)
    reply = api.post(
        f"/applications/{created['id']}/events",
        {"type": "interview", "occurred_at": "2027-02-02T10:00:00+01:00", "note": "went well"},
    )
    assert reply.status == 201
    assert reply.json["event"]["type"] == "interview"
    assert reply.json["event"]["occurred_at"] == "2027-02-02T09:00:00Z"
    assert reply.json["application"]["status"] == "interviewing"
    rejected = api.post(
        f"/applications/{created['id']}/events", {"type": "rejection", "channel": "recruiter_call"}
    )
    assert rejected.json["application"]["status"] == "rejected"
    assert [e["type"] for e in rejected.json["application"]["events"]] == ["interview", "rejection"]


def test_invalid_status_change_is_a_409(api: ApiClient) -> None:
    created = create(api)
    api.post(f"/applications/{created['id']}/events", {"type": "rejection", "channel": "agency"})
    assert_error(api.post(f"/applications/{created['id']}/events", {"type": "offer"}), 409)
    assert api.get(f"/applications/{created['id']}").json["status"] == "rejected"


def test_a_rejection_needs_its_channel_and_others_must_not_have_one(api: ApiClient) -> None:
    created = create(api)
    assert_error(
        api.post(f"/applications/{created['id']}/events", {"type": "rejection"}), 422, "channel"
    )
    assert_error(
        api.post(f"/applications/{created['id']}/events", {"type": "offer", "channel": "agency"}),
        422,
        "channel",
    )
    assert_error(
        api.post(
            f"/applications/{created['id']}/events", {"type": "rejection", "channel": "pigeon"}
        ),
        422,
        "channel",
    )


def test_event_in_the_future_is_refused(api: ApiClient) -> None:
    created = create(api)
    reply = api.post(
        f"/applications/{created['id']}/events",
        {"type": "interview", "occurred_at": "2027-03-01T10:00:00Z"},
    )
    assert_error(reply, 422, "occurred_at")


# ------------------------------------------------------------------ activities


def test_activities_are_logged_and_listed_since_a_date(api: ApiClient) -> None:
    for day, kind in (
        ("2027-01-20", "exercise"),
        ("2027-02-01", "networking_event"),
        ("2027-02-03", "resume_updated"),
    ):
        reply = api.post("/activities", {"kind": kind, "date": day, "note": "ok"})
        assert reply.status == 201
        assert reply.json["kind"] == kind
    listed = api.get("/activities", query={"since": "2027-02-01"})
    assert listed.status == 200
    assert [a["date"] for a in listed.json["items"]] == ["2027-02-03", "2027-02-01"]
    assert_error(api.post("/activities", {"kind": "napping"}), 422, "kind")
    assert_error(api.get("/activities", query={"since": "yesterday"}), 422, "since")


def test_activity_date_defaults_to_today_in_the_users_zone(api: ApiClient) -> None:
    api.patch("/me", {"timezone": "Pacific/Honolulu"})
    clock.use(lambda: datetime(2027, 2, 3, 5, 0, tzinfo=UTC))  # 2027-02-02 19:00 in Honolulu
    assert api.post("/activities", {"kind": "industry_news"}).json["date"] == "2027-02-02"


def test_writes_record_the_last_search_activity_day_on_the_profile(api: ApiClient) -> None:
    from bounceback.adapters import dynamo

    created = create(api, applied_on="2027-01-28")
    api.post("/activities", {"kind": "exercise", "date": "2027-01-30"})
    api.post(
        f"/applications/{created['id']}/events",
        {"type": "screening", "occurred_at": "2027-02-02T12:00:00Z"},
    )
    profile = dynamo.ProfileItem.get(dynamo.user_pk("alice"), dynamo.PROFILE_SK)
    assert str(dynamo.last_activity_on(profile)) == "2027-02-02"
    assert profile.due_at == "2027-02-03T14:00:00Z"  # re-plan due now


# ------------------------------------------------------------------ ownership


@pytest.mark.security
def test_another_users_application_is_not_found_for_every_method(api: ApiClient) -> None:
    theirs = create(api, user="bob")["id"]
    assert_error(api.get(f"/applications/{theirs}", user="alice"), 404)
    assert_error(api.patch(f"/applications/{theirs}", {"notes": "mine now"}, user="alice"), 404)
    assert_error(api.post(f"/applications/{theirs}/events", {"type": "offer"}, user="alice"), 404)
    assert_error(api.delete(f"/applications/{theirs}", user="alice"), 404)
    untouched = api.get(f"/applications/{theirs}", user="bob").json
    assert untouched["notes"] == ACME["notes"]
    assert untouched["events"] == []
    assert api.get("/applications", user="alice").json["items"] == []


def test_request_without_verified_claims_is_401(api: ApiClient) -> None:
    assert_error(api.get("/me", user=None), 401)


# ------------------------------------------------------------------ export and erase


def test_export_json_has_everything_of_the_user_and_nothing_else(api: ApiClient) -> None:
    create(api)
    create(api, user="bob", company="Bob Co")
    api.post("/activities", {"kind": "exercise", "date": "2027-02-01"})
    reply = api.get("/me/export")
    assert reply.status == 200
    data = reply.json
    assert data["profile"]["id"] == "alice"
    assert [a["company"] for a in data["applications"]] == ["Acme"]
    assert [a["kind"] for a in data["activities"]] == ["exercise"]
    assert data["emails"] == []


@pytest.mark.security
def test_csv_export_never_turns_a_company_name_into_a_formula(api: ApiClient) -> None:
    hostile = "=cmd|' /C calc'!A0"
    create(api, company=hostile, notes='+SUM(1,2) and "quotes", commas')
    reply = api.get("/me/export", query={"format": "csv"})
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.text)))
    assert rows[0]["company"] == "'" + hostile
    assert rows[0]["notes"] == "'" + '+SUM(1,2) and "quotes", commas'
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@"))


def test_export_refuses_unknown_formats(api: ApiClient) -> None:
    assert_error(api.get("/me/export", query={"format": "xlsx"}), 422, "format")


@pytest.mark.security
def test_delete_me_leaves_nothing_of_the_user_behind(api: ApiClient) -> None:
    created = create(api, notes="private")
    api.post("/applications", ACME, headers={"Idempotency-Key": "k"})
    api.post(
        f"/applications/{created['id']}/events", {"type": "rejection", "channel": "direct_email"}
    )
    api.post("/activities", {"kind": "exercise"})
    create(api, user="bob")

    assert api.delete("/me").status == 204

    dynamodb = boto3.client("dynamodb")
    everything = dynamodb.scan(TableName="Table")["Items"]
    assert all(item["pk"]["S"] != "USER#alice" for item in everything)
    assert any(item["pk"]["S"] == "USER#bob" for item in everything)
    idempotency = json.dumps(dynamodb.scan(TableName="IdempotencyTable")["Items"])
    assert "private" not in idempotency and "Acme" not in idempotency
    # A later call starts from a fresh profile.
    assert api.get("/applications").json["items"] == []


# ------------------------------------------------------------------ nudges and summary


def test_nudges_show_the_acknowledgement_and_the_comeback_after_a_rejection(api: ApiClient) -> None:
    created = create(api, applied_on="2027-01-20")
    api.post(
        f"/applications/{created['id']}/events",
        {"type": "rejection", "channel": "recruiter_call", "occurred_at": "2027-02-03T13:00:00Z"},
    )
    reply = api.get("/nudges")
    assert reply.status == 200
    upcoming = reply.json["upcoming"]
    assert upcoming[0]["kind"] == "acknowledgement"
    assert upcoming[0]["state"] == "due"
    comeback = [n for n in upcoming if n["kind"] in ("ask_feedback", "week_plan")]
    assert {n["local_date"] for n in comeback} == {"2027-02-05"}  # D + break_days (2)
    assert all(n["reason"] for n in upcoming)
    assert reply.json["sent"] == []


def test_summary_reports_the_break_counts_and_response_rate(api: ApiClient) -> None:
    first = create(api, applied_on="2027-02-01")
    create(api, company="Beta", applied_on="2027-02-02")
    api.post(
        f"/applications/{first['id']}/events",
        {"type": "rejection", "channel": "automated_email", "occurred_at": "2027-02-03T12:00:00Z"},
    )
    reply = api.get("/summary")
    assert reply.status == 200
    summary = reply.json
    assert summary["on_break"] is True
    assert summary["break_ends_on"] == "2027-02-05"
    assert summary["counts_by_status"]["rejected"] == 1
    assert summary["counts_by_status"]["applied"] == 1
    assert summary["response_rate"] == 0.5
    assert summary["days_since_last_activity"] == 0
    assert summary["this_week"] == {"week_of": "2027-02-01", "applications": 2, "activities": 0}


def test_nudges_and_summary_are_per_user(api: ApiClient) -> None:
    created = create(api, user="bob")
    api.post(
        f"/applications/{created['id']}/events",
        {"type": "rejection", "channel": "agency"},
        user="bob",
    )
    assert api.get("/nudges", user="alice").json == {"upcoming": [], "sent": []}
    assert api.get("/summary", user="alice").json["on_break"] is False


def test_openapi_and_docs_are_public(api: ApiClient) -> None:
    document = api.get("/openapi.json", user=None)
    assert document.status == 200
    assert document.json["paths"]["/applications"]["post"]["responses"]["201"]
    docs = api.get("/docs", user=None)
    assert docs.status == 200
    assert docs.headers["Content-Type"].startswith("text/html")
    assert "openapi.json" in docs.text
