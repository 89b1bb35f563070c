"""`make fuzz`: Schemathesis against a freshly started local stack, from its own contract.

Starts `bounceback local --clock manual` on a free loopback port with a temporary
data directory, signs a user in through `/_local/login`, and runs Schemathesis on
the stack's `/openapi.json` with that token: every operation, all phases (examples,
coverage, fuzzing, and stateful sequences along the links Schemathesis infers from
the document, e.g. create an application -> read, edit, delete it, record an event).

Checks: no server error, status codes and content types as documented, bodies and
headers match their schemas, invalid input refused, auth enforced, a created
application readable and a deleted one gone. Left out on purpose:
`positive_data_acceptance` (a schema cannot say "not in the future", "a cursor we
issued" or "a valid unsubscribe token", which answer 400/422 by design) and
`unsupported_method` (API Gateway answers 404 for a method no route has, not 405).

    python -m tests.fuzz.run [--max-examples 200] [--seed N] [--report-dir DIR]

Exits with Schemathesis' exit code: 0 when nothing was found.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bounceback_local.client import RunningStack

CHECKS = "all"
EXCLUDED_CHECKS = "positive_data_acceptance,unsupported_method"


def schemathesis_command(
    url: str, token: str, *, max_examples: int, seed: int, report_dir: Path | None
) -> list[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--exclude-checks",
        EXCLUDED_CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        "--workers",
        "1",  # the local stack runs one invocation at a time anyway
        "--request-timeout",
        "60",
        # Schemathesis' default limit is 10 s; a busy 2-core CI machine can hit that
        # on any request. 30 s still flags a request that hangs.
        "--max-response-time",
        "30",
        "--generation-database",
        "none",
        "--no-color",
        "--warnings",
        "off",
    ]
    if report_dir is not None:
        command += ["--report", "junit,ndjson", "--report-dir", str(report_dir)]
    return command


def fuzz(max_examples: int, seed: int, report_dir: Path | None = None) -> int:
    """Start a stack, run Schemathesis against it, stop the stack; Schemathesis' exit code."""
    with tempfile.TemporaryDirectory(prefix="bounceback-fuzz-") as scratch:
        stack = RunningStack(Path(scratch) / "data", clock="manual")
        stack.start()
        try:
            token, _ = stack.login("fuzz@example.com")
            command = schemathesis_command(
                stack.url, token, max_examples=max_examples, seed=seed, report_dir=report_dir
            )
            # Schemathesis writes its cache and reproduction files into the working directory.
            return subprocess.run(command, cwd=scratch, check=False).returncode
        finally:
            stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--max-examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "200"))
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "20270201")))
    parser.add_argument("--report-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    report_dir = args.report_dir.resolve() if args.report_dir else None
    return fuzz(args.max_examples, args.seed, report_dir)


if __name__ == "__main__":
    sys.exit(main())
