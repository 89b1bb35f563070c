"""The local stack's execution environments: worker processes, as Lambda runs functions.

A probe function (written to a temporary directory) reports its process, how many
invocations its module has served and the service clock; invocations wait on each
other through files, so these tests show what runs at the same time without timing
anything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bounceback_local.clocks import SharedInstant
from bounceback_local.template import FunctionSpec, Resolver
from bounceback_local.workers import (
    DEFAULT_CONCURRENCY,
    FunctionPool,
    InvocationFailed,
    concurrency_limit,
)

pytestmark = pytest.mark.integration

PROBE = """
import os
import time
from pathlib import Path

from bounceback.infra import clock

SERVED = 0  # module state, as Powertools keeps per-invocation state

_IMPORT_GATE = os.environ.get("PROBE_IMPORT_GATE")
if _IMPORT_GATE:  # a slow cold start: loading waits until the test says go
    (Path(_IMPORT_GATE) / f"loading-{os.getpid()}").touch()
    _until = time.monotonic() + 30
    while not (Path(_IMPORT_GATE) / "go").exists() and time.monotonic() < _until:
        time.sleep(0.01)


def handler(event, context):
    global SERVED
    SERVED += 1
    if event.get("fail"):
        raise ValueError("the probe was asked to fail")
    gate = event.get("gate")
    peak = 0
    if gate:
        folder = Path(gate)
        mine = folder / f"running-{os.getpid()}-{SERVED}"
        mine.touch()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            running = len(list(folder.glob("running-*")))
            peak = max(peak, running)
            if running >= event["until"] or (folder / "open").exists():
                break
            time.sleep(0.01)
        (folder / "open").touch()
        peak = max(peak, len(list(folder.glob("running-*"))))
        mine.unlink()
    return {
        "pid": os.getpid(),
        "served": SERVED,
        "now": clock.now().isoformat(),
        "peak": peak,
        "function": context.function_name,
    }
"""


@pytest.fixture
def spec(tmp_path: Path) -> FunctionSpec:
    code = tmp_path / "code"
    code.mkdir()
    (code / "probe.py").write_text(PROBE)
    return FunctionSpec(
        logical_id="ProbeFunction",
        code_dir=code,
        handler="probe.handler",
        environment={},
        events={},
        properties={"Timeout": 30},
    )


@pytest.fixture
def pools() -> Iterator[list[FunctionPool]]:
    made: list[FunctionPool] = []
    yield made
    for pool in made:
        pool.close()


def _pool(pools: list[FunctionPool], spec: FunctionSpec, limit: int, clock: Any = None) -> Any:
    pool = FunctionPool(spec, limit, clock)
    pools.append(pool)
    return pool


def _at_once(pool: FunctionPool, events: list[dict[str, Any]]) -> list[Any]:
    answers: list[Any] = [None] * len(events)

    def run(index: int) -> None:
        answers[index] = pool.invoke(events[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_invocations_run_at_the_same_time_in_separate_processes(
    spec: FunctionSpec, pools: list[FunctionPool], tmp_path: Path
) -> None:
    pool = _pool(pools, spec, 4)
    gate = tmp_path / "gate"
    gate.mkdir()
    answers = _at_once(pool, [{"gate": str(gate), "until": 4}] * 4)
    # The invocations waited for each other until all four were running at once.
    assert max(a["peak"] for a in answers) == 4
    assert len({a["pid"] for a in answers}) == 4
    assert pool.workers == 4


def test_no_more_than_the_limit_run_at_once(
    spec: FunctionSpec, pools: list[FunctionPool], tmp_path: Path
) -> None:
    pool = _pool(pools, spec, 2)
    gate = tmp_path / "gate"
    gate.mkdir()
    answers = _at_once(pool, [{"gate": str(gate), "until": 2}] * 6)
    assert all(a is not None for a in answers)
    assert max(a["peak"] for a in answers) == 2
    assert len({a["pid"] for a in answers}) == 2
    assert pool.workers == 2


def test_a_warm_worker_is_reused_with_its_module_loaded_once(
    spec: FunctionSpec, pools: list[FunctionPool]
) -> None:
    pool = _pool(pools, spec, 4)
    answers = [pool.invoke({}) for _ in range(3)]
    assert len({a["pid"] for a in answers}) == 1
    assert [a["served"] for a in answers] == [1, 2, 3]
    assert answers[0]["function"] == "ProbeFunction"


def test_every_worker_reads_the_one_manual_clock(
    spec: FunctionSpec, pools: list[FunctionPool], tmp_path: Path
) -> None:
    shared = SharedInstant(datetime(2027, 2, 1, 9, 0, 0, 123456, tzinfo=UTC))
    pool = _pool(pools, spec, 2, shared)
    gate = tmp_path / "gate"
    gate.mkdir()
    first = _at_once(pool, [{"gate": str(gate), "until": 2}] * 2)
    assert len({a["pid"] for a in first}) == 2
    assert {a["now"] for a in first} == {"2027-02-01T09:00:00.123456+00:00"}
    shared.set(datetime(2027, 3, 4, 5, 6, 7, 8, tzinfo=UTC))
    (gate / "open").unlink()
    later = _at_once(pool, [{"gate": str(gate), "until": 2}] * 2)
    assert {a["now"] for a in later} == {"2027-03-04T05:06:07.000008+00:00"}


def _wait_for(condition: Any) -> None:
    for _ in range(3000):
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the condition never held")


def test_an_invocation_during_warm_up_takes_the_worker_coming_up(
    spec: FunctionSpec,
    pools: list[FunctionPool],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gate = tmp_path / "loading"
    gate.mkdir()
    monkeypatch.setenv("PROBE_IMPORT_GATE", str(gate))
    pool = _pool(pools, spec, 4)
    warming = threading.Thread(target=pool.warm)
    warming.start()
    _wait_for(lambda: any(gate.glob("loading-*")))
    answers: list[Any] = []
    invoking = threading.Thread(target=lambda: answers.append(pool.invoke({})))
    invoking.start()
    _wait_for(lambda: len(pool._waiting) == 1)
    # It waits for the worker warm() brings up instead of starting a second one.
    assert pool.workers == 1
    (gate / "go").touch()
    warming.join(30)
    invoking.join(30)
    assert [a["served"] for a in answers] == [1]
    assert len(list(gate.glob("loading-*"))) == 1
    assert pool.workers == 1


def test_a_handler_error_is_reported_and_the_worker_stays_warm(
    spec: FunctionSpec, pools: list[FunctionPool]
) -> None:
    pool = _pool(pools, spec, 1)
    before = pool.invoke({})
    with pytest.raises(InvocationFailed, match="the probe was asked to fail"):
        pool.invoke({"fail": True})
    after = pool.invoke({})
    assert after["pid"] == before["pid"]
    assert after["served"] == 3


def test_the_limit_is_the_reserved_concurrency_else_the_local_default(
    spec: FunctionSpec,
) -> None:
    resolver = Resolver({"Parameters": {"Reserved": {"Type": "Number", "Default": 3}}})
    assert concurrency_limit(spec, resolver) == DEFAULT_CONCURRENCY == 4
    reserved = FunctionSpec(**{**spec.__dict__, "properties": {"ReservedConcurrentExecutions": 2}})
    assert concurrency_limit(reserved, resolver) == 2
    by_ref = FunctionSpec(
        **{**spec.__dict__, "properties": {"ReservedConcurrentExecutions": {"Ref": "Reserved"}}}
    )
    assert concurrency_limit(by_ref, resolver) == 3
