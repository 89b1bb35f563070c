"""The one adjustment made to the embedded moto: transaction backups of the items touched.

moto (this module is written against exactly `MOTO_VERSION`) backs up every table a
DynamoDB `TransactWriteItems` names with a deep copy of the whole table before it
starts, and puts the copies in place of the tables if any part of the transaction
fails. That copy costs time in proportion to everything stored, on every
transactional write: about 2.5 s per create at 10,000 items.

`install()` keeps moto's transaction code and its rollback, but backs up only what a
transaction can change: before it runs, a deep copy of each item its operations name
(or the note that the item did not exist); the whole-table copy becomes the table
itself. If the transaction fails for any reason, those items are put back, or removed
if they did not exist, in reverse order. An operation of `TransactWriteItems` changes
only the item it names, so this leaves every table exactly as before. Tables with a
stream keep moto's own whole-table backup (a failed transaction must not leave stream
records behind, and only the whole-table copy takes those back).

Importing this module fails loudly if another moto version is installed: the
adjustment relies on how that version's transaction code copies and restores, and
tests/unit/test_emulator.py checks the transaction semantics it must keep.
"""

from __future__ import annotations

import copy
from importlib.metadata import version
from typing import Any

MOTO_VERSION = "5.2.5"


def check_version(installed: str) -> None:
    if installed != MOTO_VERSION:
        raise RuntimeError(
            f"bounceback_local.emulator is written for moto {MOTO_VERSION}, "
            f"but moto {installed} is installed: re-check its TransactWriteItems "
            "backup before changing the pin"
        )


check_version(version("moto"))

from moto.dynamodb import models as dynamodb_models  # noqa: E402
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402

_original_transact_write_items = DynamoDBBackend.transact_write_items

# (table, hash key, range key or None, deep copy of the item or None if there was none)
Backup = tuple[Table, DynamoType, DynamoType | None, Any]


class _CopyKeepingTables:
    """Stands in for the `copy` module inside moto's DynamoDB models.

    A table without a stream "deep-copies" as itself, so moto's rollback (putting
    its copies back in place of the tables) puts each table back in its own place;
    everything else is copied as the `copy` module would.
    """

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table) and value.stream_shard is None:
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _table_of(backend: DynamoDBBackend, name: Any) -> Table | None:
    try:
        return backend.get_table(str(name))
    except Exception:
        return None


def _backups(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Backup]:
    """A deep copy of every item the operations name, before the transaction runs."""
    found: list[Backup] = []
    for entry in transact_items:
        for operation in entry.values():
            if not isinstance(operation, dict):
                continue
            table = _table_of(backend, operation.get("TableName"))
            if table is None:
                continue
            key = operation.get("Item") if "Item" in operation else operation.get("Key")
            try:
                hash_key = DynamoType(key[table.hash_key_attr])  # type: ignore[index]
                range_key = (
                    DynamoType(key[table.range_key_attr])  # type: ignore[index]
                    if table.range_key_attr is not None
                    else None
                )
                current = table.get_item(hash_key, range_key)
            except Exception:  # noqa: S112 - a malformed key: moto rejects that operation
                continue
            found.append((table, hash_key, range_key, copy.deepcopy(current)))
    return found


def _put_back(backups: list[Backup]) -> None:
    for table, hash_key, range_key, item in reversed(backups):
        if range_key is not None:
            partition = table.items[hash_key]
            if item is None:
                partition.pop(range_key, None)
                if not partition:
                    del table.items[hash_key]
            else:
                partition[range_key] = item
        elif item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    backups = _backups(self, transact_items)
    try:
        _original_transact_write_items(self, transact_items)
    except BaseException:
        _put_back(backups)
        raise


def install() -> None:
    """Back up only the items a transaction touches (idempotent; for the whole process)."""
    dynamodb_models.copy = _CopyKeepingTables()  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]


def installed() -> bool:
    return DynamoDBBackend.transact_write_items is _transact_write_items
