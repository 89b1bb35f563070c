"""Execution environments: the functions run in worker processes, as Lambda runs them.

Each worker is a process that loads one function's handler once (a warm Lambda
execution environment) and then runs one invocation at a time, as often as it is
given one. A function gets a new worker when an invocation arrives while all of its
workers are busy, up to its concurrency limit; beyond the limit the invocation waits
for a worker to come free (Lambda would throttle it; waiting is kinder to a local
client). The limit is the function's `ReservedConcurrentExecutions` in the template
(Globals included), else `DEFAULT_CONCURRENCY`.

Separate processes, not threads: the handlers and Powertools keep per-invocation
state in module globals. Everything the workers share is outside them: the embedded
moto (one server in the stack's process, which every worker reaches over HTTP through
`AWS_ENDPOINT_URL`, so its journal and the outbox see one order of requests), and the
manual clock, whose instant lives in shared memory that every worker reads.

Workers come from multiprocessing's fork server with the heavy libraries (boto3,
moto, pynamodb, Powertools, pydantic) imported already, so a new worker costs little
more than importing its handler. A program that starts a stack in its own process
needs the `if __name__ == "__main__":` guard that multiprocessing asks for.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import traceback
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from bounceback_local.template import FunctionSpec, Resolver

# The local default when the template reserves no concurrency for a function: a few
# environments at once keep a 2-core machine busy without thrashing it.
DEFAULT_CONCURRENCY = 4

# What the handlers import that reads no environment variable on import (the
# functions' own modules do: they are imported in each worker, after its environment
# is set). A worker also imports the program's main module, as multiprocessing does:
# the command line's imports the stack only when it runs, so that costs little; a
# script's ("__main__") is imported once, by the fork server.
_PRELOAD = [
    "__main__",
    "boto3",
    "pynamodb.models",
    "pydantic",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.idempotency",
]
_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(_PRELOAD)

Clock = Callable[[], datetime]


class InvocationFailed(RuntimeError):
    """The handler raised; the message holds the traceback from the worker."""


class Throttled(RuntimeError):
    """The function's reserved concurrency is 0: it never runs."""


def start_fork_server() -> threading.Thread:
    """Start the fork server (it imports the preloaded libraries) in the background."""
    from multiprocessing import forkserver

    thread = threading.Thread(target=forkserver.ensure_running, name="fork server", daemon=True)
    thread.start()
    return thread


def concurrency_limit(spec: FunctionSpec, resolver: Resolver) -> int:
    reserved = spec.properties.get("ReservedConcurrentExecutions")
    if reserved is None:
        return DEFAULT_CONCURRENCY
    return int(resolver.resolve(reserved))


def _serve(
    connection: Connection,
    spec: FunctionSpec,
    environment: dict[str, str],
    clock_source: Any,
) -> None:
    """A worker's life: load the handler once, then run invocations until told to stop."""
    os.environ.clear()
    os.environ.update(environment)
    from bounceback.infra import clock
    from bounceback_local.events import LambdaContext
    from bounceback_local.runtime import load_handler

    if clock_source is not None:
        clock.use(clock_source)
    try:
        handler = load_handler(spec)
    except BaseException:
        connection.send(("failed", traceback.format_exc()))
        return
    connection.send(("ready", None))
    memory_mb = int(spec.properties.get("MemorySize", 512))
    timeout_s = int(spec.properties.get("Timeout", 15))
    while True:
        try:
            event = connection.recv()
        except (EOFError, OSError):
            return
        if event is None:
            return
        context = LambdaContext(spec.logical_id, memory_mb=memory_mb, timeout_s=timeout_s)
        try:
            answer = ("ok", handler(event, context))
        except Exception:
            answer = ("error", traceback.format_exc())
        connection.send(answer)


class Worker:
    """One execution environment of one function."""

    def __init__(self, spec: FunctionSpec, clock_source: Any) -> None:
        self.spec = spec
        self.connection, theirs = _context.Pipe()
        self.process = _context.Process(
            target=_serve,
            args=(theirs, spec, dict(os.environ), clock_source),
            name=f"bounceback local {spec.logical_id}",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        status, detail = self._receive()
        if status != "ready":
            self.stop()
            raise InvocationFailed(f"{spec.logical_id} failed to load:\n{detail}")

    def _receive(self) -> tuple[str, Any]:
        try:
            status, detail = self.connection.recv()
        except (EOFError, OSError) as exc:
            raise InvocationFailed(
                f"the worker of {self.spec.logical_id} exited "
                f"(code {self.process.exitcode}) during an invocation"
            ) from exc
        return str(status), detail

    def invoke(self, event: dict[str, Any]) -> Any:
        self.connection.send(event)
        status, detail = self._receive()
        if status == "error":
            raise InvocationFailed(f"{self.spec.logical_id} raised:\n{detail}")
        return detail

    def stop(self, timeout: float = 5) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class _Waiter:
    """An invocation waiting for a worker: it gets one handed over, or a free slot."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.worker: Worker | None = None
        self.closed = False


class FunctionPool:
    """The workers of one function: reused while warm, added while all are busy.

    Invocations that find every worker busy at the limit wait in arrival order: a
    worker coming free goes to the one that has waited longest.
    """

    def __init__(self, spec: FunctionSpec, limit: int, clock_source: Any) -> None:
        self.spec = spec
        self.limit = limit
        self._clock_source = clock_source
        self._idle: list[Worker] = []
        self._waiting: deque[_Waiter] = deque()
        self._count = 0
        self._busy = 0
        self._starting = 0
        self._closed = False
        self._changed = threading.Condition()

    @property
    def workers(self) -> int:
        with self._changed:
            return self._count

    def _acquire(self) -> Worker | None:
        """A worker for one invocation; None when the caller is to start one itself.

        With no idle worker, a new one starts in the background (below the limit)
        and the invocation waits its turn: it gets whichever comes first, a worker
        that finishes its invocation or the new one, so no request waits for a cold
        start while a warm worker comes free sooner. A worker already coming up
        (the one `warm` starts, say) that no earlier invocation waits for counts as
        the new one.
        """
        with self._changed:
            if self._closed:
                raise RuntimeError("the local stack is stopping")
            if self._idle and not self._waiting:
                self._busy += 1
                return self._idle.pop()
            if self._count < self.limit and self._starting <= len(self._waiting):
                self._count += 1
                self._busy += 1
                self._starting += 1
                threading.Thread(target=self._start_one, name="worker start", daemon=True).start()
            waiter = _Waiter()
            self._waiting.append(waiter)
        waiter.ready.wait()
        if waiter.closed:
            raise RuntimeError("the local stack is stopping")
        return waiter.worker

    def _start_one(self) -> None:
        try:
            worker = Worker(self.spec, self._clock_source)
        except BaseException:
            print(f"[bounceback local] a worker of {self.spec.logical_id} failed to start:")
            traceback.print_exc()
            # Its slot goes to a waiting invocation, which starts a worker itself and
            # reports the failure to its caller.
            self._release(None, started=True)
            return
        self._release(worker, started=True)

    def _release(self, worker: Worker | None, *, started: bool = False) -> None:
        """Give the worker (or, with None, its slot) to the longest waiter, else back.

        `started`: the worker is a new one, just up (or, with None, failed to come up).
        """
        with self._changed:
            if started:
                self._starting -= 1
            if self._waiting:
                waiter = self._waiting.popleft()
                waiter.worker = worker
                waiter.ready.set()
                return
            self._busy -= 1
            if worker is None:
                self._count -= 1
            else:
                self._idle.append(worker)
            self._changed.notify_all()

    def invoke(self, event: dict[str, Any]) -> Any:
        if self.limit <= 0:
            raise Throttled(f"{self.spec.logical_id} has a reserved concurrency of 0")
        worker = self._acquire()
        try:
            if worker is None:
                worker = Worker(self.spec, self._clock_source)
            answer = worker.invoke(event)
        except InvocationFailed:
            if worker is not None and not worker.process.is_alive():
                worker.stop()
                worker = None  # a dead environment is replaced by the next invocation
            self._release(worker)
            raise
        except BaseException:
            if worker is not None:
                worker.stop()
            self._release(None)
            raise
        self._release(worker)
        return answer

    def warm(self) -> None:
        """Start one worker now, so the first invocation does not wait for it."""
        if self.limit <= 0:
            return
        with self._changed:
            self._count += 1
            self._busy += 1
            self._starting += 1
        try:
            worker = Worker(self.spec, self._clock_source)
        except BaseException:
            self._release(None, started=True)
            raise
        self._release(worker, started=True)

    def close(self, timeout: float = 30) -> None:
        """Let running invocations finish (up to `timeout`), then stop every worker."""
        with self._changed:
            self._changed.wait_for(lambda: self._busy == 0, timeout)
            self._closed = True
            idle, self._idle = self._idle, []
            for waiter in self._waiting:
                waiter.closed = True
                waiter.ready.set()
            self._waiting.clear()
        for worker in idle:
            worker.stop()


class FunctionHost:
    """Every function of the template, each in its own pool of worker processes."""

    def __init__(
        self,
        specs: Mapping[str, FunctionSpec],
        limits: Mapping[str, int],
        clock_source: Any = None,
    ) -> None:
        self.specs = dict(specs)
        self.pools = {
            name: FunctionPool(spec, limits.get(name, DEFAULT_CONCURRENCY), clock_source)
            for name, spec in specs.items()
        }

    def warm(self) -> None:
        """One warm worker per function, started side by side."""
        errors: list[BaseException] = []

        def start(pool: FunctionPool) -> None:
            try:
                pool.warm()
            except BaseException as exc:  # reported after all have tried
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(p,)) for p in self.pools.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            raise errors[0]

    def fill(self, names: list[str]) -> None:
        """Start workers for these functions up to their limits, one after another."""
        for name in names:
            pool = self.pools[name]
            while pool.workers < pool.limit:
                pool.warm()

    def invoke(self, logical_id: str, event: dict[str, Any]) -> Any:
        return self.pools[logical_id].invoke(event)

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()
