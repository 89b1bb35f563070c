"""POST /applications/import through the API handler, on moto."""

from __future__ import annotations

import codecs
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bounceback.infra import clock
from tests.conftest import ApiClient

pytestmark = pytest.mark.integration

DATA = Path(__file__).parent.parent / "data" / "imports"
CSV = {"Content-Type": "text/csv"}
NOW = datetime(2027, 2, 3, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_clock() -> object:
    clock.use(lambda: NOW)
    yield
    clock.use(None)


def send(api: ApiClient, body: bytes | str, query: dict[str, str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    return api.post("/applications/import", body, headers=CSV, query=query, **kw)  # type: ignore[arg-type]


def apps(api: ApiClient) -> list[dict[str, object]]:
    items: list[dict[str, object]] = api.get("/applications", query={"limit": "100"}).json["items"]
    return sorted(items, key=lambda a: str(a["company"]))


def test_first_tracker_headers_dates_statuses_and_wishlist(api: ApiClient) -> None:
    reply = send(api, (DATA / "tracker_a.csv").read_bytes())
    assert reply.status == 200, reply.text
    body = reply.json
    assert body["created"] == 2 and body["duplicates"] == 0
    assert body["errors"] == [
        {"row": 3, "field": "status", "message": "'Wishlist' means not applied yet: not imported"}
    ]
    assert (
        body["columns"]["Job Title"] == "role" and body["columns"]["Date Applied"] == "applied_on"
    )
    fabrikam, northwind = apps(api)
    assert northwind["role"] == "Data Analyst" and northwind["notes"] == "Sent CV, cover letter"
    assert (
        northwind["source"] == "job_board" and northwind["contact_email"] == "ana@northwind.example"
    )
    assert northwind["url"] == "https://northwind.example/jobs/7"
    assert fabrikam["applied_on"] == "2027-01-11" and fabrikam["status"] == "rejected"
    (event,) = fabrikam["events"]  # type: ignore[misc]
    assert event["type"] == "rejection" and event["channel"] == "automated_email"
    assert event["occurred_at"].startswith("2027-01-11") and event["imported_at"]


def test_second_tracker_spacing_case_dots_month_names_channel_and_notes(api: ApiClient) -> None:
    body = send(api, (DATA / "tracker_b.csv").read_bytes(), {"dry_run": "true"}).json
    assert body["created"] == 2 and body["dry_run"] is True
    # 12/01/2027 read month first is 1 December: in the future, so an error row.
    assert body["errors"] == [
        {"row": 3, "field": "applied_on", "message": "must not be in the future"}
    ]
    assert body["notes"] == [
        {"row": 3, "field": "status", "message": "'Mystery stage' is not a status we know: applied"}
    ]
    preview = {p["company"]: p for p in body["preview"]}
    assert preview["Tailspin"]["applied_on"] == "2027-01-15"
    assert preview["Tailspin"]["status"] == "interviewing"
    assert preview["Litware"]["applied_on"] == "2027-02-01"
    assert preview["Litware"]["events"] == ["2027-02-01 rejection (recruiter_call)"]
    assert apps(api) == []  # a dry run stores nothing
    stored = send(api, (DATA / "tracker_b.csv").read_bytes(), {"date_order": "dmy"}).json
    assert stored["created"] == 3 and stored["date_order"] == "dmy"
    by_company = {a["company"]: a for a in apps(api)}
    assert by_company["Adatum"]["applied_on"] == "2027-01-12"
    assert by_company["Tailspin"]["notes"] == "line one\nline two"


def test_ambiguous_slashes_follow_date_order(api: ApiClient) -> None:
    text = "Company,Role,Date Applied\nAcme,Analyst,03/04/2026\nBeta,Analyst,25/01/2027\n"
    mdy = send(api, text, {"dry_run": "true"}).json
    assert [p["applied_on"] for p in mdy["preview"]] == ["2026-03-04"]
    assert mdy["errors"][0]["row"] == 2 and "date_order=dmy" in mdy["errors"][0]["message"]
    dmy = send(api, text, {"dry_run": "true", "date_order": "dmy"}).json
    assert [p["applied_on"] for p in dmy["preview"]] == ["2026-04-03", "2027-01-25"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2027-01-05", "2027-01-05"),
        ("1/5/2027", "2027-01-05"),
        ("5.1.2027", "2027-01-05"),
        ("5 Jan 2027", "2027-01-05"),
        ("5 January 2027", "2027-01-05"),
        ("Jan 5, 2027", "2027-01-05"),
        ("January 5 2027", "2027-01-05"),
    ],
)
def test_each_date_form(api: ApiClient, written: str, expected: str) -> None:
    body = send(api, f'Company,Role,Applied\nAcme,Analyst,"{written}"\n', {"dry_run": "true"}).json
    assert body["preview"][0]["applied_on"] == expected, body


def test_duplicates_within_the_file_formulas_as_text_and_reimport(api: ApiClient) -> None:
    raw = (DATA / "tracker_c.csv").read_bytes()
    first = send(api, raw).json
    assert (first["created"], first["duplicates"], first["errors"]) == (3, 1, [])
    formula = next(a for a in apps(api) if str(a["company"]).startswith("="))
    assert formula["company"] == '=HYPERLINK("http://evil.example")'
    exported = api.get("/me/export", query={"format": "csv"}).text
    assert "'=HYPERLINK" in exported
    again = send(api, raw).json
    assert (again["created"], again["duplicates"]) == (0, 4)
    assert len(apps(api)) == 3


def test_bom_empty_header_only_and_not_utf8(api: ApiClient) -> None:
    bom = codecs.BOM_UTF8 + b"Company,Role,Date Applied\nAcme,Analyst,2027-01-05\n"
    assert send(api, bom).json["created"] == 1
    empty = send(api, b"")
    assert empty.status == 422 and empty.json["details"][0]["field"] == "file"
    header_only = send(api, "Company,Role,Date Applied\n").json
    assert (header_only["created"], header_only["rows"], header_only["errors"]) == (0, 0, [])
    latin1 = "Company,Role,Date Applied\nCafé,Analyst,2027-01-05\n".encode("latin-1")
    refused = send(api, latin1)
    assert refused.status == 400 and "UTF-8" in refused.json["message"]
    no_role = send(api, "Company,Date\nAcme,2027-01-05\n")
    assert no_role.status == 422 and no_role.json["details"][0]["field"] == "header"
    wrong_type = api.post("/applications/import", "x", headers={"Content-Type": "text/plain"})
    assert wrong_type.status == 415


def _rows(count: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Company", "Role", "Date Applied", "Status"])
    for n in range(count):
        writer.writerow(
            [f"Company {n}", "Analyst", f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}", "Applied"]
        )
    return out.getvalue()


def test_five_thousand_rows_stored_and_one_more_refused(api: ApiClient) -> None:
    too_many = send(api, _rows(5_001))
    assert too_many.status == 413 and "5000 rows" in too_many.json["message"]
    body = send(api, _rows(5_000)).json
    assert (body["created"], body["errors"]) == (5_000, [])
    exported = api.get("/me/export").json
    assert len(exported["applications"]) == 5_000


def test_two_mebibytes_and_one_byte_is_refused_before_reading(api: ApiClient) -> None:
    head = "Company,Role,Date Applied\n"
    body = head + "x" * (2 * 1024 * 1024 + 1 - len(head))
    reply = send(api, body)
    assert reply.status == 413 and str(2 * 1024 * 1024) in reply.json["message"]
    small_route = api.post("/activities", {"kind": "other", "note": "x" * 70_000})
    assert small_route.status == 413


def test_round_trip_export_erase_import(api: ApiClient) -> None:
    created = api.post(
        "/applications", {"company": "Acme", "role": "Analyst", "applied_on": "2027-01-10"}
    )
    app_id = created.json["id"]
    api.post(
        f"/applications/{app_id}/events",
        {"type": "interview", "occurred_at": "2027-01-20T10:00:00Z"},
    )
    api.post(
        f"/applications/{app_id}/events",
        {
            "type": "rejection",
            "channel": "recruiter_call",
            "occurred_at": "2027-01-25T10:00:00Z",
            "note": "kind",
        },
    )
    api.post(
        "/applications",
        {"company": "Beta", "role": "Dev", "applied_on": "2027-01-12", "notes": "a\nb"},
    )
    api.post("/activities", {"kind": "networking_event", "date": "2027-01-15", "note": "meetup"})
    original = api.get("/me/export").json
    assert api.delete("/me").status == 204
    reply = api.post("/applications/import", original)
    assert reply.status == 200, reply.text
    assert (reply.json["created"], reply.json["activities_created"]) == (2, 1)
    again = api.get("/me/export").json

    def strip(records: list[dict[str, object]]) -> list[dict[str, object]]:
        def clean(record: dict[str, object]) -> dict[str, object]:
            out = {k: v for k, v in record.items() if k != "imported_at"}
            if "events" in out:
                out["events"] = [
                    {k: v for k, v in e.items() if k != "imported_at"}  # type: ignore[union-attr]
                    for e in out["events"]  # type: ignore[union-attr]
                ]
            return out

        return sorted((clean(r) for r in records), key=lambda r: str(r["id"]))

    assert strip(again["applications"]) == strip(original["applications"])
    assert strip(again["activities"]) == strip(original["activities"])
    assert all(a["imported_at"] for a in again["applications"])
    repeat = api.post("/applications/import", original).json
    assert (repeat["created"], repeat["duplicates"]) == (0, 3)


def test_a_failure_midway_keeps_what_was_stored_and_a_repeat_completes_it(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bounceback.adapters.store import DynamoRecordStore

    real = DynamoRecordStore._put_batch
    calls = {"n": 0}

    def flaky(models, sleep):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        return False if calls["n"] == 3 else real(models, sleep)

    monkeypatch.setattr(DynamoRecordStore, "_put_batch", staticmethod(flaky))
    first = send(api, _rows(80)).json
    assert first["created"] == 50
    assert [e["row"] for e in first["errors"]] == list(range(51, 81))
    assert all("not stored" in e["message"] for e in first["errors"])
    monkeypatch.setattr(DynamoRecordStore, "_put_batch", staticmethod(real))
    second = send(api, _rows(80)).json
    assert (second["created"], second["duplicates"], second["errors"]) == (30, 50, [])


def test_unprocessed_items_are_sent_again_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    from bounceback.adapters import store as store_module

    answers = [
        {"UnprocessedItems": {"t": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]}},
        {"UnprocessedItems": {}},
    ]
    sent: list[int] = []
    waits: list[float] = []

    class Connection:
        def batch_write_item(self, put_items):  # type: ignore[no-untyped-def]
            sent.append(len(put_items))
            return answers.pop(0)

    class Item:
        def serialize(self):  # type: ignore[no-untyped-def]
            return {"pk": {"S": "x"}}

    monkeypatch.setattr(
        store_module.d.BaseItem, "_get_connection", classmethod(lambda cls: Connection())
    )
    monkeypatch.setattr(store_module.d.BaseItem.Meta, "table_name", "t")
    ok = store_module.DynamoRecordStore._put_batch([Item(), Item()], waits.append)  # type: ignore[list-item]
    assert ok and sent == [2, 1] and waits == [store_module.BACKOFF_S]


def test_bounceback_csv_export_imports_back_with_its_events(api: ApiClient) -> None:
    made = api.post(
        "/applications",
        {"company": "=cmd|' /C calc'!A0", "role": "Analyst", "applied_on": "2027-01-10"},
    ).json
    api.post(
        f"/applications/{made['id']}/events",
        {"type": "rejection", "channel": "direct_email", "occurred_at": "2027-01-20T10:00:00Z"},
    )
    api.post("/applications", {"company": "Beta", "role": "Dev", "applied_on": "2027-01-12"})
    exported = api.get("/me/export", query={"format": "csv"}).text
    before = apps(api)
    api.delete("/me")
    body = send(api, exported).json
    assert (body["created"], body["errors"]) == (2, []), body
    after = apps(api)
    for old, new in zip(before, after, strict=True):
        assert new["id"] == old["id"] and new["company"] == old["company"]
        assert new["status"] == old["status"] and new["created_at"] == old["created_at"]
        assert [(e["type"], e["channel"]) for e in new["events"]] == [  # type: ignore[union-attr]
            (e["type"], e["channel"])
            for e in old["events"]  # type: ignore[union-attr]
        ]
