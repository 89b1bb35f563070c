"""The local stack's one moto adjustment keeps DynamoDB's transaction semantics.

`bounceback_local.emulator` replaces moto's whole-table transaction backup with a
backup of the items a transaction names. These tests run transactions through the
embedded moto server the local stack uses (its journaling app in front, as served):
a transaction that fails restores every item it touched, whatever the failure and
whichever item failed; transactions racing for one item conflict (one wins, the
others change nothing); a table with a stream keeps moto's own backup.
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend

from bounceback_local import emulator
from bounceback_local.backend import EmbeddedMoto

T = TypeVar("T")

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddedMoto]:
    saved = dynamodb_models.copy, DynamoDBBackend.transact_write_items  # type: ignore[attr-defined]
    moto = EmbeddedMoto()  # installs the adjustment
    moto.start()
    try:
        yield moto
    finally:
        moto.stop()
        dynamodb_models.copy, DynamoDBBackend.transact_write_items = saved  # type: ignore[attr-defined]


@pytest.fixture
def dynamodb(server: EmbeddedMoto) -> Any:
    return boto3.client("dynamodb", region_name="us-east-1", endpoint_url=server.url)


def _table(
    dynamodb: Any,
    name: str,
    *,
    range_key: bool = True,
    stream: bool = False,
    index: tuple[str, list[str], str] | None = None,
) -> str:
    """A table keyed `pk` (and `sk`), with string attributes; `index` adds one global
    secondary index: its name, its key attributes (hash, then range) and projection type."""
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": "S"})
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    if index is not None:
        index_name, index_keys, projection = index
        attributes += [{"AttributeName": key, "AttributeType": "S"} for key in index_keys]
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index_name,
                "KeySchema": [
                    {"AttributeName": key, "KeyType": kind}
                    for key, kind in zip(index_keys, ("HASH", "RANGE"), strict=False)
                ],
                "Projection": {"ProjectionType": projection},
            }
        ]
    dynamodb.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def _as_plain_moto(server: EmbeddedMoto, action: Callable[[], T]) -> T:
    """`action`'s result with moto as it comes (the adjustments off meanwhile)."""
    with server.journaled.lock:
        emulator.uninstall()
    try:
        return action()
    finally:
        with server.journaled.lock:
            emulator.install()


def _key(pk: str, sk: str | None = "A") -> dict[str, Any]:
    key: dict[str, Any] = {"pk": {"S": pk}}
    if sk is not None:
        key["sk"] = {"S": sk}
    return key


def _everything(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item.get("sk", {}).get("S", "")))


def _reasons(error: ClientError) -> list[str]:
    return [r.get("Code", "None") for r in error.response.get("CancellationReasons", [])]


def test_the_pin_is_the_installed_moto_and_the_project_pin() -> None:
    assert version("moto") == emulator.MOTO_VERSION
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    moto_pins = [p for group in pins.values() for p in group if p.startswith("moto[")]
    assert moto_pins and all(p.endswith(f"=={emulator.MOTO_VERSION}") for p in moto_pins)


def test_the_embedded_moto_runs_with_the_adjustment(server: EmbeddedMoto) -> None:
    assert emulator.installed()


@pytest.mark.parametrize("range_key", [True, False], ids=["hash-and-range", "hash-only"])
def test_a_failed_condition_on_the_last_item_rolls_back_every_earlier_one(
    dynamodb: Any, range_key: bool
) -> None:
    table = _table(dynamodb, f"rollback-{range_key}", range_key=range_key)
    sk = "A" if range_key else None
    dynamodb.put_item(TableName=table, Item={**_key("updated", sk), "n": {"N": "1"}})
    dynamodb.put_item(TableName=table, Item={**_key("deleted", sk), "n": {"N": "2"}})
    dynamodb.put_item(TableName=table, Item={**_key("replaced", sk), "n": {"N": "3"}})
    dynamodb.put_item(TableName=table, Item={**_key("bystander", sk), "n": {"N": "4"}})
    before = _everything(dynamodb, table)

    with pytest.raises(ClientError) as failed:
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("updated", sk),
                        "UpdateExpression": "SET n = n + :one, extra = :x",
                        "ExpressionAttributeValues": {":one": {"N": "1"}, ":x": {"S": "x"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {**_key("created", sk), "n": {"N": "9"}}}},
                {"Put": {"TableName": table, "Item": {**_key("replaced", sk), "n": {"N": "9"}}}},
                {"Delete": {"TableName": table, "Key": _key("deleted", sk)}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": _key("missing", sk),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert failed.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _reasons(failed.value) == ["None", "None", "None", "None", "ConditionalCheckFailed"]
    assert _everything(dynamodb, table) == before


def test_a_failure_in_the_middle_rolls_back_the_items_before_and_after_it(dynamodb: Any) -> None:
    table = _table(dynamodb, "rollback-middle")
    dynamodb.put_item(TableName=table, Item={**_key("u1"), "n": {"N": "1"}})
    dynamodb.put_item(TableName=table, Item={**_key("u1", "B"), "n": {"N": "1"}})
    before = _everything(dynamodb, table)

    with pytest.raises(ClientError) as failed:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**_key("u1", "C"), "n": {"N": "5"}}}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("u1"),
                        "UpdateExpression": "SET n = :n",
                        "ConditionExpression": "n = :two",
                        "ExpressionAttributeValues": {":n": {"N": "7"}, ":two": {"N": "2"}},
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key("u1", "B"),
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": {"N": "8"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {**_key("u2"), "n": {"N": "6"}}}},
            ]
        )
    assert _reasons(failed.value) == ["None", "ConditionalCheckFailed", "None", "None"]
    assert _everything(dynamodb, table) == before
    # A partition the failed transaction created is gone again, not left empty.
    answer = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": "u2"}},
    )
    assert answer["Items"] == []


def test_a_successful_transaction_applies_every_item_and_keeps_the_table(
    server: EmbeddedMoto, dynamodb: Any
) -> None:
    table = _table(dynamodb, "commit")
    dynamodb.put_item(TableName=table, Item={**_key("a"), "n": {"N": "1"}})
    backend = dynamodb_models.dynamodb_backends["123456789012"]["us-east-1"]
    stored = backend.tables[table]

    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": _key("a"),
                    "UpdateExpression": "SET n = :n",
                    "ExpressionAttributeValues": {":n": {"N": "2"}},
                }
            },
            {"Put": {"TableName": table, "Item": {**_key("b"), "n": {"N": "3"}}}},
        ]
    )
    assert [item["n"]["N"] for item in _everything(dynamodb, table)] == ["2", "3"]
    # No whole-table copy took the table's place.
    assert backend.tables[table] is stored


def test_two_operations_on_one_item_are_refused_and_change_nothing(dynamodb: Any) -> None:
    table = _table(dynamodb, "twice")
    dynamodb.put_item(TableName=table, Item={**_key("a"), "n": {"N": "1"}})
    before = _everything(dynamodb, table)
    with pytest.raises(ClientError) as failed:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**_key("b"), "n": {"N": "2"}}}},
                {"Put": {"TableName": table, "Item": {**_key("a"), "n": {"N": "2"}}}},
                {"Delete": {"TableName": table, "Key": _key("a")}},
            ]
        )
    assert failed.value.response["Error"]["Code"] == "ValidationException"
    assert _everything(dynamodb, table) == before


def test_transactions_racing_for_one_item_conflict(server: EmbeddedMoto) -> None:
    setup = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=server.url)
    table = _table(setup, "race")
    racers = 8
    start = threading.Barrier(racers)
    won: list[int] = []
    lost: list[list[str]] = []

    def claim(number: int) -> None:
        client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=server.url)
        start.wait()
        try:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {**_key(f"own-{number}"), "by": {"N": str(number)}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": table,
                            "Item": {**_key("claim"), "by": {"N": str(number)}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            lost.append(_reasons(exc))
        else:
            won.append(number)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(won) == 1
    assert lost == [["None", "ConditionalCheckFailed"]] * (racers - 1)
    items = _everything(setup, table)
    assert [(i["pk"]["S"], i["by"]["N"]) for i in items] == sorted(
        [("claim", str(won[0])), (f"own-{won[0]}", str(won[0]))]
    )


def test_a_table_with_a_stream_keeps_the_whole_table_backup(
    server: EmbeddedMoto, dynamodb: Any
) -> None:
    table = _table(dynamodb, "streamed", stream=True)
    dynamodb.put_item(TableName=table, Item={**_key("a"), "n": {"N": "1"}})
    backend = dynamodb_models.dynamodb_backends["123456789012"]["us-east-1"]
    records_before = len(backend.tables[table].stream_shard.items)

    with pytest.raises(ClientError):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {**_key("b"), "n": {"N": "2"}}}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": _key("missing"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert [i["pk"]["S"] for i in _everything(dynamodb, table)] == ["a"]
    assert len(backend.tables[table].stream_shard.items) == records_before


def test_another_moto_version_is_refused() -> None:
    with pytest.raises(RuntimeError, match="written for moto"):
        emulator.check_version("5.2.6")
    emulator.check_version(emulator.MOTO_VERSION)


def _all_pages(dynamodb: Any, **query: Any) -> list[list[dict[str, Any]]]:
    pages, start = [], None
    while True:
        answer = dynamodb.query(**query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


def test_queries_answer_as_moto_does_without_the_adjustment(
    server: EmbeddedMoto, dynamodb: Any
) -> None:
    table = _table(dynamodb, "queried", index=("Due", ["due", "at"], "ALL"))
    hash_only = _table(dynamodb, "queried-hash-only", range_key=False)
    # Written out of key order, some index keys shared, some items not in the index.
    for number in (7, 3, 11, 0, 5, 9, 1, 12, 4, 8, 2, 10, 6):
        for user in ("u2", "u1", "u3"):
            item: dict[str, Any] = {
                "pk": {"S": user},
                "sk": {"S": f"app#{number:02d}"},
                "n": {"N": str(number)},
            }
            if number % 3:
                item["due"] = {"S": f"d{number % 2}"}
                item["at"] = {"S": f"t{number % 4}"}
            dynamodb.put_item(TableName=table, Item=item)
        dynamodb.put_item(TableName=hash_only, Item={"pk": {"S": f"h{number}"}})
    queries: list[dict[str, Any]] = [
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "u1"}}},
        {
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "u2"}},
            "ScanIndexForward": False,
            "Limit": 4,
        },
        {
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
            "ExpressionAttributeValues": {":p": {"S": "u3"}, ":s": {"S": "app#1"}},
        },
        {
            "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {
                ":p": {"S": "u1"},
                ":a": {"S": "app#02"},
                ":b": {"S": "app#09"},
                ":n": {"N": "4"},
            },
            "Limit": 3,
        },
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "none"}}},
        {
            "IndexName": "Due",
            "KeyConditionExpression": "due = :d",
            "ExpressionAttributeValues": {":d": {"S": "d1"}},
            "Limit": 5,
        },
        {
            "IndexName": "Due",
            "KeyConditionExpression": "due = :d AND #at <= :t",
            "ExpressionAttributeNames": {"#at": "at"},
            "ExpressionAttributeValues": {":d": {"S": "d0"}, ":t": {"S": "t2"}},
            "ScanIndexForward": False,
            "Limit": 2,
        },
    ]
    runs = [{"TableName": table, **query} for query in queries]
    runs.append(
        {
            "TableName": hash_only,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "h5"}},
        }
    )
    adjusted = [_all_pages(dynamodb, **run) for run in runs]
    plain = _as_plain_moto(server, lambda: [_all_pages(dynamodb, **run) for run in runs])
    assert adjusted == plain
    assert [len(p) for p in adjusted[1]] == [4, 4, 4, 1]  # pages, LastEvaluatedKey included
    assert sum(len(p) for p in adjusted[5]) == 12
    assert adjusted[4] == [[]]
    assert emulator.installed()


def test_a_query_no_longer_sorts_the_whole_table(
    server: EmbeddedMoto, dynamodb: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _table(dynamodb, "walked")
    for user in ("a", "b", "c"):
        dynamodb.put_item(TableName=table, Item=_key(user, "1"))
    walks: list[str] = []
    original = emulator._original_all_items

    def counting(self: Any) -> Any:
        walks.append(self.name)
        return original(self)

    monkeypatch.setattr(emulator, "_original_all_items", counting)
    answer = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "b"}},
    )
    assert answer["Items"] == [_key("b", "1")]
    assert walks == []
    dynamodb.scan(TableName=table)  # scans keep moto's sorted walk
    assert walks == [table]


def test_answers_are_written_as_moto_writes_them(server: EmbeddedMoto, dynamodb: Any) -> None:
    table = _table(dynamodb, "written")
    item = {
        **_key("u", "1"),
        "text": {"S": 'héllo "quoted"'},
        "empty": {"S": ""},
        "number": {"N": "-12.50"},
        "yes": {"BOOL": True},
        "no": {"BOOL": False},
        "nothing": {"NULL": True},
        "blob": {"B": b"\x00\x01bytes"},
        "strings": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2.5"]},
        "blobs": {"BS": [b"x", b"y"]},
        "list": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"deep": {"BOOL": False}}}, {"L": []}]},
        "map": {"M": {"a": {"S": "b"}, "n": {"NULL": True}, "blob": {"B": b"z"}}},
    }
    dynamodb.put_item(TableName=table, Item=item)
    dynamodb.put_item(TableName=table, Item={**_key("u", "2"), "text": {"S": "two"}})
    key = _key("u", "1")

    def answers() -> list[Any]:
        found = [
            dynamodb.get_item(TableName=table, Key=key),
            dynamodb.query(
                TableName=table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "u"}},
            ),
            dynamodb.scan(TableName=table),
            dynamodb.batch_get_item(RequestItems={table: {"Keys": [key, _key("u", "2")]}}),
            dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key}}]),
            dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET #n = #n",
                ExpressionAttributeNames={"#n": "number"},
                ReturnValues="ALL_NEW",
            ),
        ]
        for answer in found:
            answer.pop("ResponseMetadata")
        return found

    adjusted = answers()
    plain = _as_plain_moto(server, answers)
    assert adjusted == plain
    assert adjusted[0]["Item"] == item
    assert emulator.installed()


def test_projected_queries_answer_as_moto_does_and_leave_the_items_as_stored(
    server: EmbeddedMoto, dynamodb: Any
) -> None:
    # The query's copy of the items it found is skipped: projections (of the request
    # and of a keys-only index) must still answer as moto does and change nothing stored.
    table = _table(dynamodb, "projected", index=("KeysOnly", ["due"], "KEYS_ONLY"))
    stored = {
        **_key("u", "1"),
        "due": {"S": "d"},
        "events": {"L": [{"M": {"kind": {"S": "applied"}, "on": {"S": "2027-01-02"}}}]},
        "tags": {"SS": ["a", "b"]},
        "blob": {"B": b"\x00z"},
    }
    dynamodb.put_item(TableName=table, Item=stored)
    runs: list[dict[str, Any]] = [
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :p",
            "ProjectionExpression": "events[0].kind, tags",
            "ExpressionAttributeValues": {":p": {"S": "u"}},
        },
        {
            "TableName": table,
            "IndexName": "KeysOnly",
            "KeyConditionExpression": "due = :d",
            "ExpressionAttributeValues": {":d": {"S": "d"}},
        },
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "u"}},
        },
    ]
    adjusted = [_all_pages(dynamodb, **run) for run in runs]
    plain = _as_plain_moto(server, lambda: [_all_pages(dynamodb, **run) for run in runs])
    assert adjusted == plain
    # A string set has no order (moto's projection may give it in another).
    [[projected]] = adjusted[0]
    assert projected.keys() == {"events", "tags"}
    assert projected["events"] == {"L": [{"M": {"kind": {"S": "applied"}}}]}
    assert sorted(projected["tags"]["SS"]) == ["a", "b"]
    assert adjusted[1] == [[{"pk": {"S": "u"}, "sk": {"S": "1"}, "due": {"S": "d"}}]]
    now_stored = dynamodb.get_item(TableName=table, Key=_key("u", "1"))["Item"]
    assert sorted(now_stored.pop("tags")["SS"]) == ["a", "b"]
    assert now_stored == {k: v for k, v in stored.items() if k != "tags"}
    assert emulator.installed()


def test_a_parsed_update_expression_is_reused_with_each_request_s_own_values(
    server: EmbeddedMoto, dynamodb: Any
) -> None:
    table = _table(dynamodb, "reparsed")
    expression = "SET #n = if_not_exists(#n, :zero) + :step, tags = list_append(:tag, :none)"
    hits_before = emulator._parsed_update.cache_info().hits
    for user, step in (("a", "1"), ("b", "5"), ("a", "2")):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": _key(user),
                        "UpdateExpression": expression,
                        "ExpressionAttributeNames": {"#n": "n"},
                        "ExpressionAttributeValues": {
                            ":zero": {"N": "0"},
                            ":step": {"N": step},
                            ":tag": {"L": [{"S": f"{user}{step}"}]},
                            ":none": {"L": []},
                        },
                    }
                }
            ]
        )
    # Parsed once per text: every later use (two per transactional update) is a hit.
    assert emulator._parsed_update.cache_info().hits - hits_before >= 5
    items = {i["pk"]["S"]: i for i in _everything(dynamodb, table)}
    assert items["a"]["n"] == {"N": "3"} and items["a"]["tags"] == {"L": [{"S": "a2"}]}
    assert items["b"]["n"] == {"N": "5"} and items["b"]["tags"] == {"L": [{"S": "b5"}]}
