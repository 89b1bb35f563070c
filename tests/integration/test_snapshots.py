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
