"""422 answers speak plain words and name the field: never a regular expression."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bounceback.infra import clock
from tests.conftest import ApiClient

pytestmark = pytest.mark.integration

# What a pattern, a Python repr or pydantic's own wording would leak into a message.
NOT_PLAIN = re.compile(r"\\x|\^|\$|\[|pattern|Input should|String should|Value error|'")


@pytest.fixture(autouse=True)
def fixed_clock() -> Any:
    clock.use(lambda: datetime(2027, 2, 3, 14, 0, tzinfo=UTC))
    yield
    clock.use(None)


def _app(api: ApiClient) -> str:
    reply = api.post("/applications", {"company": "Acme", "role": "Analyst"})
    assert reply.status == 201, reply.text
    return str(reply.json["id"])


CASES = [
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme", "role": "Analyst", "url": "www.x.example/job"},
        "url",
        "must start with http:// or https:// and contain no spaces",
        id="url-without-scheme",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme", "role": "Analyst", "contact_email": "sam at acme"},
        "contact_email",
        "must be an e-mail address such as name@example.com",
        id="contact-email",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme\nBcc: x", "role": "Analyst"},
        "company",
        "must be one line of text, without line breaks or control characters",
        id="company-two-lines",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme", "role": "Analyst", "notes": "a\x07b"},
        "notes",
        "must not contain control characters (line breaks and tabs are fine)",
        id="notes-control-character",
    ),
    pytest.param(
        "POST", "/applications", {"role": "Analyst"}, "company", "is required", id="missing"
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "  ", "role": "Analyst"},
        "company",
        "must not be empty",
        id="empty",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "A" * 201, "role": "Analyst"},
        "company",
        "must be at most 200 characters long",
        id="too-long",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme", "role": "Analyst", "source": "friend"},
        "source",
        "must be one of direct, referral, recruiter, agency, job_board or other",
        id="unknown-source",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme", "role": "Analyst", "owner": "bob"},
        "owner",
        "is not a field that can be set here",
        id="unknown-field",
    ),
    pytest.param(
        "POST",
        "/applications",
        {"company": "Acme", "role": "Analyst", "applied_on": "2027-02-30"},
        "applied_on",
        "must be a real date written like 2027-02-01",
        id="impossible-date",
    ),
    pytest.param("PATCH", "/me", {"send_hour": 24}, "send_hour", "must be 23 or less", id="hour"),
    pytest.param("PATCH", "/me", {"break_days": 0}, "break_days", "must be 1 or more", id="break"),
    pytest.param(
        "PATCH", "/me", {"gap_days": "3"}, "gap_days", "must be a whole number", id="number-text"
    ),
    pytest.param(
        "PATCH", "/me", {"digest_enabled": 1}, "digest_enabled", "must be true or false", id="bool"
    ),
    pytest.param(
        "PATCH",
        "/me",
        {"timezone": "Mars/Olympus"},
        "timezone",
        "must be an IANA time zone name such as Europe/Berlin",
        id="zone",
    ),
    pytest.param("PATCH", "/me", {"timezone": None}, "timezone", "cannot be null", id="null"),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "words"), CASES)
def test_each_validation_failure_says_what_is_wrong_in_plain_words(
    api: ApiClient, method: str, path: str, body: dict[str, Any], field: str, words: str
) -> None:
    reply = api.request(method, path, body)

    assert reply.status == 422, reply.text
    details = reply.json["details"]
    assert {"field": field, "message": words} in details
    # The top-level message names the field and says the same words
    assert f"{field} {words}" in reply.json["message"]
    for text in [reply.json["message"], *(d["message"] for d in details)]:
        assert not NOT_PLAIN.search(text), text


def test_query_and_header_patterns_have_plain_words_too(api: ApiClient) -> None:
    export = api.get("/me/export", query={"format": "xlsx"})
    assert export.status == 422
    assert export.json["details"] == [{"field": "format", "message": "must be json or csv"}]

    keyed = api.post(
        "/applications",
        {"company": "Acme", "role": "Analyst"},
        headers={"Idempotency-Key": "two words"},
    )
    assert keyed.status == 422, keyed.text
    assert keyed.json["details"] == [
        {"field": "idempotency-key", "message": "must be printable ASCII characters without spaces"}
    ]


def test_an_event_with_every_field_wrong_lists_each_in_plain_words(api: ApiClient) -> None:
    reply = api.post(
        f"/applications/{_app(api)}/events", {"type": "ghosted", "occurred_at": "yesterday"}
    )
    assert reply.status == 422
    by_field = {d["field"]: d["message"] for d in reply.json["details"]}
    assert by_field["occurred_at"] == "must be written like 2027-02-03T15:00:00+01:00"
    assert by_field["type"].startswith("must be one of screening, interview, rejection")
    assert not NOT_PLAIN.search(reply.json["message"])
