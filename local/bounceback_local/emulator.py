"""The adjustments made to the embedded moto: transaction backups, and queries.

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

A `Query` in moto starts from every item of the table, sorted by key (Python-level
comparisons of every item, on every query), and then keeps those of the partition,
or those the index holds, sorting them again. `install()` hands moto's query code
the items it would have kept instead: a query of the table gets the partition named,
a query of an index every item unsorted (moto sorts what an index query finds by the
index's keys and the table's, a total order, so the order it starts from cannot
show). Scans keep moto's sorted walk: their pages follow that order.

A query's answer is also handled three times over: moto deep-copies every item it
found (so that projecting them cannot touch the stored ones; the projections make new
items, so the copy protects nothing here and is skipped in a query), turns each into
plain dictionaries through a generic walk that asks every value what it is (here a
walk that knows the attribute kinds, the same dictionaries), and writes them as JSON
by walking every attribute value through the service model, member by member.

A transactional write parses each update expression twice (once to check the names
and values it uses, once to apply it), and every write of the stack repeats a few
expressions: a parsed expression is kept by its text (moto never changes a parsed
one: it applies a copy).

Two costs of every request go too: moto's server looks the service of a request up
by listing its own package directory and trying hundreds of URL patterns (the answer
for a host never changes: it is kept), and the JSON writing just named: a value made
only of plain kinds (strings, numbers, booleans, nulls, their sets, and lists and maps
of those) is already what the model would write, so it is written as it is.

Importing this module fails loudly if another moto version is installed: the
adjustments rely on how that version's transaction and query code work, and
tests/integration/test_emulator.py checks the semantics they must keep.
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
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

from moto.core.serialize import BaseJSONSerializer  # noqa: E402
from moto.dynamodb import models as dynamodb_models  # noqa: E402
from moto.dynamodb import responses as dynamodb_responses  # noqa: E402
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402
from moto.dynamodb.models import table as table_module  # noqa: E402
from moto.dynamodb.models.dynamo_type import DynamoType  # noqa: E402
from moto.dynamodb.models.table import Table  # noqa: E402
from moto.dynamodb.models.utilities import dynamo_to_dict  # noqa: E402
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: E402

_original_transact_write_items = DynamoDBBackend.transact_write_items
_original_query = Table.query
_original_all_items = Table.all_items
_QUERY_SIGNATURE = inspect.signature(_original_query)
_original_backend_for_host = DomainDispatcherApplication.get_backend_for_host
_original_json_structure = BaseJSONSerializer._serialize_type_structure
_original_dynamo_to_dict = dynamo_to_dict
_original_parse_update = UpdateExpressionParser.make
_original_make_descriptor = UpdateExpressionParser.__dict__["make"]

# (table, hash key, range key or None, deep copy of the item or None if there was none)
Backup = tuple[Table, DynamoType, DynamoType | None, Any]


class _CopyModuleStandIn:
    """Stands in for the `copy` module inside one of moto's modules: a subclass says
    what its `deepcopy` does differently; everything else is the `copy` module's."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


class _CopyKeepingTables(_CopyModuleStandIn):
    """In moto's DynamoDB models: a table without a stream "deep-copies" as itself, so
    moto's rollback (putting its copies back in place of the tables) puts each table
    back in its own place; everything else is copied as the `copy` module would."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if isinstance(value, Table) and value.stream_shard is None:
            return value
        return copy.deepcopy(value, memo)


class _QueryResultsUncopied(_CopyModuleStandIn):
    """In moto's table code: in a query (see `_query`) the list of items found is
    copied, not the items; anything else is copied as the `copy` module would."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        if _scope.table is not None and type(value) is list:
            return list(value)
        return copy.deepcopy(value, memo)


@functools.lru_cache(maxsize=1024)
def _parsed_update(expression: str) -> Any:
    return _original_parse_update(expression)


def _parse_update(cls: type, expression: str) -> Any:
    """moto's `UpdateExpressionParser.make`, kept by the expression's text."""
    return _parsed_update(expression)


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


class _QueryScope(threading.local):
    """The table a query of this thread runs on, and the items it starts from."""

    def __init__(self) -> None:
        self.table: Table | None = None
        self.items: list[Any] = []


_scope = _QueryScope()


def _unsorted_items(table: Table) -> list[Any]:
    if table.range_key_attr:
        return [item for partition in table.items.values() for item in partition.values()]
    return list(table.items.values())


def _partition_items(table: Table, hash_key: DynamoType) -> list[Any]:
    partition = table.items.get(hash_key)  # `get`: no empty partition is made
    if partition is None:
        return []
    return list(partition.values()) if table.range_key_attr else [partition]


def _query(self: Table, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    index_name = _QUERY_SIGNATURE.bind(self, hash_key, *args, **kwargs).arguments.get("index_name")
    if index_name:
        items = _unsorted_items(self)
    elif hash_key is not None:
        items = _partition_items(self, hash_key)
    else:
        return _original_query(self, hash_key, *args, **kwargs)
    outer = _scope.table, _scope.items
    _scope.table, _scope.items = self, items
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _scope.table, _scope.items = outer


def _all_items(self: Table) -> list[Any]:
    if _scope.table is self:
        return list(_scope.items)
    return _original_all_items(self)


def _backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
    known: dict[str | None, Any] = self.__dict__.setdefault("_bounceback_backends", {})
    if host not in known:
        known[host] = _original_backend_for_host(self, host)
    return known[host]


_PLAIN_KINDS = {"S": str, "N": str, "BOOL": bool, "NULL": bool}
_PLAIN_SET_KINDS = frozenset({"SS", "NS"})


def _is_plain_attribute_value(value: Any) -> bool:
    if type(value) is not dict or len(value) != 1:
        return False
    ((kind, inner),) = value.items()
    if kind in _PLAIN_KINDS:
        return type(inner) is _PLAIN_KINDS[kind]
    if kind in _PLAIN_SET_KINDS:
        return type(inner) is list and all(type(v) is str for v in inner)
    if kind == "L":
        return type(inner) is list and all(_is_plain_attribute_value(v) for v in inner)
    if kind == "M":
        return type(inner) is dict and all(
            type(k) is str and _is_plain_attribute_value(v) for k, v in inner.items()
        )
    return False


def _dynamo_to_dict(obj: Any) -> Any:
    """moto's `dynamo_to_dict`, the same dictionaries, walking attribute values by kind;
    anything else (binary values, objects with `to_json`, times) goes to moto's."""
    kind = type(obj)
    if kind is DynamoType:
        attribute = obj.type
        inner = obj.value
        if attribute in _PLAIN_KINDS:
            return {attribute: inner}
        if attribute in _PLAIN_SET_KINDS or attribute == "L":
            return {attribute: [_dynamo_to_dict(v) for v in inner]}
        if attribute == "M":
            return {"M": {k: _dynamo_to_dict(v) for k, v in inner.items()}}
        return _original_dynamo_to_dict(obj)
    if kind is dict:
        return {k: _dynamo_to_dict(v) for k, v in obj.items()}
    if kind is list:
        return [_dynamo_to_dict(v) for v in obj]
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    return _original_dynamo_to_dict(obj)


def _json_structure(
    self: BaseJSONSerializer, serialized: Any, value: Any, shape: Any, key: str
) -> None:
    if key and shape.name == "AttributeValue" and _is_plain_attribute_value(value):
        self._default_serialize(serialized, dict(value), shape, key)
        return
    _original_json_structure(self, serialized, value, shape, key)


def install() -> None:
    """Back up only the items a transaction touches, query only the items a query can
    find (idempotent; for the whole process)."""
    dynamodb_models.copy = _CopyKeepingTables()  # type: ignore[attr-defined,assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
    DomainDispatcherApplication.get_backend_for_host = _backend_for_host  # type: ignore[method-assign]
    BaseJSONSerializer._serialize_type_structure = _json_structure  # type: ignore[method-assign]
    table_module.copy = _QueryResultsUncopied()  # type: ignore[attr-defined,assignment]
    dynamodb_responses.dynamo_to_dict = _dynamo_to_dict  # type: ignore[attr-defined]
    UpdateExpressionParser.make = classmethod(_parse_update)


def uninstall() -> None:
    """moto as it comes (tests compare the two)."""
    DynamoDBBackend.transact_write_items = _original_transact_write_items  # type: ignore[method-assign]
    Table.query = _original_query  # type: ignore[method-assign]
    Table.all_items = _original_all_items  # type: ignore[method-assign]
    DomainDispatcherApplication.get_backend_for_host = _original_backend_for_host  # type: ignore[method-assign]
    BaseJSONSerializer._serialize_type_structure = _original_json_structure  # type: ignore[method-assign]
    dynamodb_models.copy = copy  # type: ignore[attr-defined]
    table_module.copy = copy  # type: ignore[attr-defined]
    dynamodb_responses.dynamo_to_dict = _original_dynamo_to_dict  # type: ignore[attr-defined]
    UpdateExpressionParser.make = _original_make_descriptor


def installed() -> bool:
    return (
        DynamoDBBackend.transact_write_items is _transact_write_items
        and Table.query is _query
        and Table.all_items is _all_items
        and DomainDispatcherApplication.get_backend_for_host is _backend_for_host
        and BaseJSONSerializer._serialize_type_structure is _json_structure
        and isinstance(table_module.copy, _QueryResultsUncopied)  # type: ignore[attr-defined]
        and dynamodb_responses.dynamo_to_dict is _dynamo_to_dict  # type: ignore[attr-defined]
        and UpdateExpressionParser.__dict__["make"].__func__ is _parse_update
    )
