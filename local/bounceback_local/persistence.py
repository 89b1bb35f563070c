"""Keep the embedded moto account in the data directory: a snapshot plus a journal.

Every request that changes moto's state is appended to a journal (one JSON line,
flushed before the response leaves), so a `kill -9` loses at most the request in
flight. A snapshot (a pickle of every moto backend in use and of moto's random
source) is written on a clean stop and whenever the journal grows long; each
snapshot starts a new journal generation, so a start reads one snapshot and
replays only what came after it.

Files in ``<data dir>/state/``:

- ``snapshot-<gen>.pickle`` — the state up to the start of generation ``gen``;
- ``journal-<gen>.jsonl`` — the requests of generation ``gen``, in order.

A crash while writing a snapshot leaves the previous one and its journal intact
(the new snapshot is written to a temporary file and renamed into place). A snapshot
taken while the stack runs is written by a forked child process from the state at
the moment of the fork, while the stack goes on with the next generation's journal;
until it lands, a start reads the previous snapshot and replays both journals.
"""

from __future__ import annotations

import base64
import gc
import io
import json
import os
import pickle
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.dynamodb.models.dynamo_type import LimitedSizeDict
from werkzeug.test import EnvironBuilder

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Actions that only read: never journaled. Everything else that moto answers with
# success is (ReceiveMessage too: it moves messages in flight).
_READ_ONLY = re.compile(
    r"^(Get|Describe|List|Query|Scan|BatchGet|TransactGet|AdminGet|AdminList|Check)"
)
_FORMAT = 1


def action_of(environ: dict[str, Any], body: bytes) -> str:
    """The API action of a request: JSON target header, query-protocol form, or REST path."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return str(target).rsplit(".", 1)[-1]
    content_type = str(environ.get("CONTENT_TYPE", ""))
    if "x-www-form-urlencoded" in content_type:
        found = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body)
        if found:
            return found.group(1).decode()
    query = str(environ.get("QUERY_STRING", ""))
    match = re.search(r"(?:^|&)Action=([A-Za-z0-9]+)", query)
    if match:
        return match.group(1)
    return f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '/')}"


def is_mutating(environ: dict[str, Any], body: bytes) -> bool:
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    if method in ("GET", "HEAD", "OPTIONS"):
        return False
    if str(environ.get("PATH_INFO", "")).startswith("/moto-api"):
        return False
    return not _READ_ONLY.match(action_of(environ, body))


# ------------------------------------------------------------------ snapshots


def _recreate_lock(kind: Callable[[], Any]) -> tuple[Callable[[], Any], tuple[()]]:
    return kind, ()


def _rsa_key(pem: bytes) -> rsa.RSAPrivateKey:
    # A key moto made and this module wrote: no need to check its math again on load.
    key = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _item_attributes(attributes: dict[str, Any]) -> LimitedSizeDict:
    """An item's attributes as moto keeps them, without re-checking the item's size.

    moto's `LimitedSizeDict` sums the size of the whole item on every attribute set,
    which is how pickle would fill it: a snapshot of 10,000 items then took seconds
    to load, nearly all of it spent re-checking sizes that were checked on write.
    """
    restored = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.update(restored, attributes)
    return restored


class _StatePickler(pickle.Pickler):
    """Pickles moto's state, including the few things pickle cannot: locks and RSA keys.

    Items' attribute dicts are written as plain dicts, rebuilt by `_item_attributes`.
    """

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is LimitedSizeDict:
            return _item_attributes, (dict(obj),)
        if isinstance(obj, _LOCK_TYPES):
            return _recreate_lock(type(obj) if isinstance(obj, _RLOCK) else threading.Lock)
        if isinstance(obj, rsa.RSAPrivateKey):
            pem = obj.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return _rsa_key, (pem,)
        return NotImplemented


_RLOCK = type(threading.RLock())
_LOCK_TYPES = (type(threading.Lock()), _RLOCK)


def _live_backend_dicts() -> dict[str, Any]:
    from moto.core.base_backend import BackendDict

    found: dict[str, Any] = {}
    instances: list[Any] = getattr(BackendDict, "_instances", [])
    for backend_dict in instances:
        name = getattr(backend_dict, "service_name", None)
        if isinstance(name, str) and name != "moto_api":
            found[name] = backend_dict
    return found


def capture_state() -> dict[str, Any]:
    """Every moto backend in use, by service, account and region, plus moto's random state."""
    from moto.moto_api._internal import mock_random

    backends = {
        name: dict(backend_dict.items()) for name, backend_dict in _live_backend_dicts().items()
    }
    return {"format": _FORMAT, "backends": backends, "random": mock_random.getstate()}


def restore_state(state: dict[str, Any]) -> None:
    """Put captured backends back in place of moto's (empty) ones.

    Each account's regions come back in the container moto keeps them in, as
    captured: making a new one asks botocore for every region of the service, which
    parses its endpoint data anew for each service (snapshots before this kept the
    regions only, and still load).
    """
    from moto.backends import get_backend
    from moto.core.base_backend import AccountSpecificBackend, BackendDict
    from moto.moto_api._internal import mock_random

    for name, accounts in state["backends"].items():
        backend_dict = get_backend(name)
        for account, regions in accounts.items():
            if isinstance(regions, AccountSpecificBackend):
                dict.__setitem__(backend_dict, account, regions)
                in_use: list[Any] = BackendDict._instances  # type: ignore[misc]
                if backend_dict not in in_use:
                    in_use.append(backend_dict)
                continue
            per_account = backend_dict[account]
            for region, backend in regions.items():
                dict.__setitem__(per_account, region, backend)
    mock_random.setstate(state["random"])


def dump_snapshot(state: dict[str, Any], target: Path) -> None:
    temporary = target.with_suffix(".tmp")
    with temporary.open("wb") as handle:
        _StatePickler(handle, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(target)


def load_snapshot(source: Path) -> dict[str, Any]:
    # Unpickling makes millions of objects; the collector would walk the growing heap
    # again and again meanwhile, for nothing (nothing loaded is garbage yet).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with source.open("rb") as handle:
            state: dict[str, Any] = pickle.load(handle)  # noqa: S301 - our own file, our data dir
    finally:
        if collecting:
            gc.enable()
    if state.get("format") != _FORMAT:
        raise ValueError(f"{source} was written by another version of the local stack")
    return state


# ------------------------------------------------------------------ journal


def encode_request(environ: dict[str, Any], body: bytes) -> str:
    headers = [
        [key[5:].replace("_", "-").title(), str(value)]
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    if environ.get("CONTENT_TYPE"):
        headers.append(["Content-Type", str(environ["CONTENT_TYPE"])])
    entry = {
        "method": environ.get("REQUEST_METHOD", "POST"),
        "path": environ.get("PATH_INFO", "/"),
        "query": environ.get("QUERY_STRING", ""),
        "headers": headers,
        "body": base64.b64encode(body).decode(),
    }
    return json.dumps(entry, separators=(",", ":"))


def replay_request(app: WsgiApp, line: str) -> None:
    entry = json.loads(line)
    headers = {name: value for name, value in entry["headers"]}
    builder = EnvironBuilder(
        method=entry["method"],
        path=entry["path"],
        query_string=entry["query"],
        headers=headers,
        data=base64.b64decode(entry["body"]),
        content_type=headers.get("Content-Type"),
        base_url=f"http://{headers.get('Host', 'localhost')}",
    )
    environ = builder.get_environ()
    result = app(environ, lambda status, response_headers, exc_info=None: None)
    for _chunk in result:
        pass
    close = getattr(result, "close", None)
    if close is not None:
        close()


def _drop_torn_tail(path: Path) -> None:
    """Cut a last line that a crash left half-written, so appends start on a new line."""
    if not path.exists():
        return
    with path.open("rb+") as handle:
        data = handle.read()
        if data and not data.endswith(b"\n"):
            handle.truncate(data.rfind(b"\n") + 1)


class StateStore:
    """The snapshot and journal files of one data directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._journal: IO[str] | None = None
        self.generation = 0
        self.entries = 0

    def _snapshots(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.directory.glob("snapshot-*.pickle"):
            match = re.fullmatch(r"snapshot-(\d+)\.pickle", path.name)
            if match:
                found.append((int(match.group(1)), path))
        return sorted(found)

    def journal_path(self, generation: int) -> Path:
        return self.directory / f"journal-{generation}.jsonl"

    @property
    def has_snapshot(self) -> bool:
        return bool(self._snapshots())

    def latest(self) -> tuple[int, dict[str, Any] | None]:
        snapshots = self._snapshots()
        if not snapshots:
            return 0, None
        generation, path = snapshots[-1]
        return generation, load_snapshot(path)

    def journal_lines(self, generation: int) -> Iterator[str]:
        """Every complete line of the journals from `generation` on (a torn last one is dropped)."""
        while True:
            path = self.journal_path(generation)
            if not path.exists():
                return
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.endswith("\n"):
                        yield line
            generation += 1

    def snapshot_path(self, generation: int) -> Path:
        return self.directory / f"snapshot-{generation}.pickle"

    def last_generation(self, generation: int) -> int:
        """The last journal generation that follows `generation` without a gap."""
        while self.journal_path(generation + 1).exists():
            generation += 1
        return generation

    def open_journal(self, generation: int) -> None:
        self.close()
        self.generation = generation
        self.entries = 0
        path = self.journal_path(generation)
        _drop_torn_tail(path)
        self._journal = path.open("a", encoding="utf-8")
        self.entries = sum(1 for _ in self.journal_lines(generation))

    def append(self, line: str) -> None:
        if self._journal is None:
            return
        self._journal.write(line + "\n")
        self._journal.flush()
        self.entries += 1

    def write_snapshot(self, state: dict[str, Any]) -> None:
        """Snapshot as generation n+1, start its journal, and drop what it replaces."""
        generation = self.generation + 1
        dump_snapshot(state, self.snapshot_path(generation))
        self.open_journal(generation)
        self.drop_before(generation)

    def drop_before(self, generation: int) -> None:
        """Delete the snapshots and journals that the snapshot of `generation` replaces."""
        for old_generation, path in self._snapshots():
            if old_generation < generation:
                path.unlink(missing_ok=True)
        for path in self.directory.glob("journal-*.jsonl"):
            match = re.fullmatch(r"journal-(\d+)\.jsonl", path.name)
            if match and int(match.group(1)) < generation:
                path.unlink(missing_ok=True)

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None


def read_body(environ: dict[str, Any]) -> bytes:
    """Read a WSGI request body once and put it back for the app behind us."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        body: bytes = stream.read(int(length))
    elif environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" or environ.get(
        "wsgi.input_terminated"
    ):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body
