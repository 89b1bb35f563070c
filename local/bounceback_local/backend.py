"""The embedded moto server, journaled to the data directory, with the outbox tap.

All requests to moto pass one lock: moto is not built for concurrent writers, and
the lock gives the journal a single order and the snapshot a consistent cut.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import ThreadedMotoServer

from bounceback_local.outbox import Outbox
from bounceback_local.persistence import (
    StateStore,
    WsgiApp,
    capture_state,
    encode_request,
    is_mutating,
    read_body,
    replay_request,
    restore_state,
)

SNAPSHOT_EVERY = 5000  # journal entries; bounds what a start after `kill -9` replays


class JournaledApp:
    """WSGI middleware in front of moto: serialize, journal what changes state, tap SES."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.lock = threading.RLock()
        self.store: StateStore | None = None
        self.outbox: Outbox | None = None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = read_body(environ)
        answer: dict[str, Any] = {}

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            answer["status"], answer["headers"] = status, headers
            return lambda _data: None

        with self.lock:
            result = self.app(environ, capture)
            try:
                chunks = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            succeeded = str(answer.get("status", "500")).startswith("2")
            if succeeded and self.outbox is not None:
                self.outbox.capture(environ, body)
            if succeeded and self.store is not None and is_mutating(environ, body):
                self.store.append(encode_request(environ, body))
                if self.store.entries >= SNAPSHOT_EVERY:
                    self.store.write_snapshot(capture_state())
        start_response(answer.get("status", "500 INTERNAL SERVER ERROR"), answer.get("headers", []))
        return [chunks]

    def replay(self, lines: Iterable[str]) -> int:
        """Re-apply journaled requests (journal and outbox off meanwhile)."""
        count = 0
        with self.lock:
            store, outbox = self.store, self.outbox
            self.store = self.outbox = None
            try:
                for line in lines:
                    replay_request(self.app, line)
                    count += 1
            finally:
                self.store, self.outbox = store, outbox
        return count

    def snapshot(self) -> None:
        with self.lock:
            if self.store is not None:
                self.store.write_snapshot(capture_state())


class EmbeddedMoto(ThreadedMotoServer):
    """moto's threaded server on a free loopback port, with `JournaledApp` in front."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.journaled: JournaledApp

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.journaled = JournaledApp(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, self.journaled, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def restore(self, store: StateStore) -> int:
        """Load the latest snapshot and replay its journal; return the requests replayed."""
        generation, state = store.latest()
        if state is not None:
            with self.journaled.lock:
                restore_state(state)
        store.generation = generation
        return self.journaled.replay(store.journal_lines(generation))
