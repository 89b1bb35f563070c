"""`make fuzz` inside `make test`: Schemathesis against a fresh local stack, bounded.

FUZZ_EXAMPLES (default 200) caps the examples per operation and phase; the fixed
seed makes a failure reproducible with `make fuzz`. The findings so far and their
regression tests are in tests/integration/test_api_fuzz_findings.py.
"""

from __future__ import annotations

import os

import pytest

from tests.fuzz.run import fuzz

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]


def test_the_api_survives_schemathesis_and_keeps_its_contract() -> None:
    examples = int(os.environ.get("FUZZ_EXAMPLES", "200"))
    seed = int(os.environ.get("FUZZ_SEED", "20270201"))

    exit_code = fuzz(max_examples=examples, seed=seed)

    assert exit_code == 0, "Schemathesis found failures: see the report above; `make fuzz`"
