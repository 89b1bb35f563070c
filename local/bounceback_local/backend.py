"""The embedded moto server, journaled to the data directory, with the outbox tap.

All requests to moto pass one lock: moto is not built for concurrent writers, and
the lock gives the journal a single order and the snapshot a consistent cut. A server
started `closed` holds every request until `open()`: the stack opens it once the
state is restored, so nothing (a worker starting meanwhile, say) sees a half-loaded
account.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from moto.server import ThreadedMotoServer

from bounceback_local import emulator
from bounceback_local.outbox import Outbox
from bounceback_local.persistence import (
    StateStore,
    WsgiApp,
    capture_state,
    dump_snapshot,
    encode_request,
    is_mutating,
    read_body,
    replay_request,
    restore_state,
)

# A snapshot is taken when the journal holds this many requests, or when replaying it
# would take about REPLAY_BUDGET_S of CPU (or twice the CPU the last snapshot took, if
# more): that bounds a start after `kill -9` and keeps snapshots to a small share of
# the work.
SNAPSHOT_EVERY = 5000
REPLAY_BUDGET_S = 1.0


class JournaledApp:
    """WSGI middleware in front of moto: serialize, journal what changes state, tap SES."""

    def __init__(self, app: WsgiApp, *, closed: bool = False) -> None:
        self.app = app
        self.lock = threading.RLock()
        self.opened = threading.Event()
        if not closed:
            self.opened.set()
        self.store: StateStore | None = None
        self.outbox: Outbox | None = None
        self._journal_cost_s = 0.0
        self._snapshot_cost_s = 0.0
        self._writer: threading.Thread | None = None

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        body = read_body(environ)
        answer: dict[str, Any] = {}
        self.opened.wait()

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], Any]:
            answer["status"], answer["headers"] = status, headers
            return lambda _data: None

        with self.lock:
            # Replay cost is estimated from this thread's CPU time: wall time would
            # count the waits of a busy machine, which a replay does not have.
            started = time.thread_time()
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
                self._journal_cost_s += time.thread_time() - started
                budget = max(REPLAY_BUDGET_S, 2 * self._snapshot_cost_s)
                if self.store.entries >= SNAPSHOT_EVERY or self._journal_cost_s >= budget:
                    self.snapshot_in_background()
        start_response(answer.get("status", "500 INTERNAL SERVER ERROR"), answer.get("headers", []))
        return [chunks]

    def replay(self, lines: Iterable[str]) -> int:
        """Re-apply journaled requests (journal and outbox off meanwhile)."""
        count = 0
        with self.lock:
            store, outbox = self.store, self.outbox
            self.store = self.outbox = None
            started = time.thread_time()
            try:
                for line in lines:
                    replay_request(self.app, line)
                    count += 1
            finally:
                self.store, self.outbox = store, outbox
                self._journal_cost_s = time.thread_time() - started
        return count

    def continue_journal(self, store: StateStore) -> None:
        """Append to the journal just replayed (what it costs to replay counts already)."""
        with self.lock:
            store.open_journal(store.generation)
            self.store = store

    def snapshot(self) -> None:
        """Write a snapshot of everything and start an empty journal (waits for it)."""
        self.wait_for_snapshot()
        with self.lock:
            if self.store is not None:
                started = time.process_time()
                self.store.write_snapshot(capture_state())
                self._snapshot_cost_s = time.process_time() - started
                self._journal_cost_s = 0.0

    def snapshot_in_background(self) -> None:
        """Snapshot without stopping the requests: a forked child writes the state as of now.

        The fork is the consistent cut (taken under the lock); the stack goes on with
        the next generation's journal at once. Called with the lock held.
        """
        store = self.store
        if store is None or (self._writer is not None and self._writer.is_alive()):
            return
        generation = store.generation + 1
        target = store.snapshot_path(generation)
        pid = os.fork()
        if pid == 0:  # the child: write, and leave without running anything of the parent's
            code = 1
            try:
                signal.alarm(120)  # never outlive a stuck write by long
                # Hold none of the stack's files or sockets (its data-directory lock, its
                # ports), so a restart after a `kill -9` never waits for this child.
                os.closerange(3, 1 << 16)
                dump_snapshot(capture_state(), target)
                code = 0
            finally:
                os._exit(code)
        store.open_journal(generation)
        self._journal_cost_s = 0.0
        self._writer = threading.Thread(
            target=self._reap, args=(pid, generation), name="snapshot", daemon=True
        )
        self._writer.start()

    def _reap(self, pid: int, generation: int) -> None:
        _, status, usage = os.wait4(pid, 0)
        with self.lock:
            if os.waitstatus_to_exitcode(status) == 0 and self.store is not None:
                self.store.drop_before(generation)
                # CPU, not wall time: a busy machine's waits say nothing of the cost.
                self._snapshot_cost_s = usage.ru_utime + usage.ru_stime
            else:
                print(
                    "[bounceback local] a snapshot failed; the previous one and the journals stay",
                    file=sys.stderr,
                )

    def wait_for_snapshot(self) -> None:
        writer = self._writer
        if writer is not None:
            writer.join()


class EmbeddedMoto(ThreadedMotoServer):
    """moto's threaded server on a free loopback port, with `JournaledApp` in front."""

    def __init__(self, *, closed: bool = False) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.journaled: JournaledApp
        self._closed = closed
        emulator.install()

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class KeepAliveHandler(MotoRequestHandler):
            # Answers in HTTP/1.1; werkzeug still closes the connection after each one.
            protocol_version = "HTTP/1.1"

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.journaled = JournaledApp(
            DomainDispatcherApplication(create_backend_app), closed=self._closed
        )
        self._server = make_server(
            self._ip_address, self._port, self.journaled, True, request_handler=KeepAliveHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()

    def open(self) -> None:
        """Answer requests from now on (a server started `closed` holds them until then)."""
        self.journaled.opened.set()

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
        replayed = self.journaled.replay(store.journal_lines(generation))
        # A snapshot that had not landed before a crash leaves a later journal too.
        store.generation = store.last_generation(generation)
        return replayed
