"""Snapshots taken while the local stack runs: written by a forked child, never blocking.

The embedded moto server is served as the stack serves it (journaling app in front);
a snapshot taken in the background holds exactly the state at its start, and the
journal of the new generation exactly what came after.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from bounceback_local.backend import EmbeddedMoto
from bounceback_local.persistence import StateStore, load_snapshot

pytestmark = pytest.mark.integration


@pytest.fixture
def moto(tmp_path: Path) -> Iterator[EmbeddedMoto]:
    server = EmbeddedMoto()
    server.start()
    server.journaled.store = StateStore(tmp_path / "state")
    server.journaled.snapshot()
    try:
        yield server
    finally:
        server.journaled.wait_for_snapshot()
        server.journaled.store = None
        server.stop()


def _put(client: Any, table: str, key: str) -> None:
    client.put_item(TableName=table, Item={"pk": {"S": key}})


def test_a_background_snapshot_is_the_state_at_its_start(moto: EmbeddedMoto) -> None:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto.url)
    table = "snapshot-cut"
    client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _put(client, table, "before")
    store = moto.journaled.store
    assert store is not None
    first = store.generation

    with moto.journaled.lock:
        moto.journaled.snapshot_in_background()
    _put(client, table, "after")  # answered while the child may still be writing
    moto.journaled.wait_for_snapshot()

    generation = first + 1
    assert store.generation == generation
    assert sorted(p.name for p in store.directory.iterdir()) == [
        f"journal-{generation}.jsonl",
        f"snapshot-{generation}.pickle",
    ]
    state = load_snapshot(store.snapshot_path(generation))
    tables = state["backends"]["dynamodb"]["123456789012"]["us-east-1"].tables
    assert [key.value for key in tables[table].items] == ["before"]
    journal = [json.loads(line) for line in store.journal_lines(generation)]
    assert len(journal) == 1
    assert json.loads(base64.b64decode(journal[0]["body"]))["Item"] == {"pk": {"S": "after"}}


def test_a_start_continues_the_last_journal_when_a_snapshot_never_landed(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state")
    store.open_journal(3)
    store.append('{"n": 1}')
    store.open_journal(4)  # the snapshot of generation 4 was still being written: no file
    store.append('{"n": 2}')
    store.close()

    again = StateStore(tmp_path / "state")
    assert list(again.journal_lines(3)) == ['{"n": 1}\n', '{"n": 2}\n']
    assert again.last_generation(3) == 4
    assert again.last_generation(4) == 4


def _items_table(client: Any, table: str, count: int) -> None:
    client.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for number in range(count):
        client.put_item(
            TableName=table,
            Item={
                "pk": {"S": "user"},
                "sk": {"S": f"app#{number:03d}"},
                "company": {"S": f"Company {number}"},
                "tags": {"L": [{"S": "a"}, {"N": str(number)}]},
                "details": {"M": {"seen": {"BOOL": True}, "notes": {"NULL": True}}},
            },
        )


def test_a_snapshot_loads_items_without_checking_their_size_again(
    moto: EmbeddedMoto, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto.url)
    _items_table(client, "sized", 20)
    store = moto.journaled.store
    assert store is not None
    moto.journaled.snapshot()
    assert b"LimitedSizeDict" not in store.snapshot_path(store.generation).read_bytes()
    before = [
        (item.hash_key, item.range_key, dict(item.attrs))
        for partition in _tables(store.latest()[1])["sized"].items.values()
        for item in partition.values()
    ]
    # moto re-sums the whole item on every attribute set: a load must not go that way.
    checks: list[str] = []
    original = LimitedSizeDict.__setitem__

    def counting(self: Any, key: str, value: Any) -> None:
        checks.append(key)
        original(self, key, value)

    monkeypatch.setattr(LimitedSizeDict, "__setitem__", counting)
    _, state = store.latest()
    assert checks == []
    items = [item for p in _tables(state)["sized"].items.values() for item in p.values()]
    assert [(i.hash_key, i.range_key, dict(i.attrs)) for i in items] == before
    assert len(items) == 20
    # Loaded items are moto's own kind again: the next write to one checks its size.
    assert all(type(item.attrs) is LimitedSizeDict for item in items)
    items[0].attrs["more"] = items[0].attrs["company"]
    assert checks == ["more"]


def test_a_snapshot_written_before_the_faster_format_still_loads(
    moto: EmbeddedMoto, tmp_path: Path
) -> None:
    import pickle

    from moto.dynamodb.models.dynamo_type import DynamoType

    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto.url)
    _items_table(client, "older", 3)
    old = tmp_path / "old.pickle"
    # What the earlier writer produced: attribute dicts pickled as moto's own class.
    with moto.journaled.lock, old.open("wb") as handle:
        backends = {"dynamodb": {"123456789012": {"us-east-1": _live_dynamodb()}}}
        pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(
            {"format": 1, "backends": backends, "random": None}
        )
    assert b"LimitedSizeDict" in old.read_bytes()
    items = _tables(load_snapshot(old))["older"].items[DynamoType({"S": "user"})]
    assert sorted(key.value for key in items) == ["app#000", "app#001", "app#002"]
    assert items[DynamoType({"S": "app#001"})].attrs["company"].value == "Company 1"


def _live_dynamodb() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends["123456789012"]["us-east-1"]


def _tables(state: dict[str, Any] | None) -> Any:
    assert state is not None
    return state["backends"]["dynamodb"]["123456789012"]["us-east-1"].tables


def test_a_closed_server_holds_requests_until_it_opens(tmp_path: Path) -> None:
    import threading

    server = EmbeddedMoto(closed=True)
    server.start()
    try:
        client = boto3.client("sqs", region_name="us-east-1", endpoint_url=server.url)
        answered = threading.Event()

        def ask() -> None:
            client.list_queues()
            answered.set()

        threading.Thread(target=ask, daemon=True).start()
        assert not answered.wait(0.5)
        server.open()
        assert answered.wait(30)
    finally:
        server.stop()
