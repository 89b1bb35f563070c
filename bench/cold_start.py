"""Cold start: each function's init phase next to boto3 alone, in fresh processes.

For every function of template.yaml, a fresh interpreter imports the handler module
(with the environment the template gives the function) — what Lambda's init phase
does. The baseline is a fresh interpreter that imports boto3 and creates one client.
Both are measured as the CPU time of the whole process, the median of several runs,
so the interpreter's own start-up is in both. Target: every function <= 1.5 x the
baseline. It then prints the size of each function's built package (`sam build`):
the function's own folder plus the shared layer it loads.

    .venv/bin/python bench/cold_start.py [--runs 9] [--no-build]

Ends with one JSON line of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from bounceback_local.template import Resolver, functions, load_template  # noqa: E402

BASELINE = "import boto3\nboto3.client('dynamodb')\n"
INIT = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('handler_module', {path!r})\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "sys.modules['handler_module'] = module\n"
    "spec.loader.exec_module(module)\n"
    "assert callable(getattr(module, {name!r}))\n"
)


def run_once(code: str, env: dict[str, str]) -> float:
    """CPU time (user + system) of one fresh interpreter running `code`, in ms.

    CPU time rather than wall time: init is CPU-bound import work, and CPU time does
    not swing with whatever else the machine is running.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used * 1000


def median_ms(code: str, env: dict[str, str], runs: int) -> float:
    run_once(code, env)  # warm the file cache, as a provisioned runtime has it
    return statistics.median(run_once(code, env) for _ in range(runs))


def base_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("POWERTOOLS_", "AWS_")) and key != "PYTHONPATH"
    }
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": "bench",
            # The layer's code is on the path, as /opt/python is in Lambda.
            "PYTHONPATH": str(ROOT / "shared"),
        }
    )
    return env


def package_sizes(build: bool) -> dict[str, dict[str, float]]:
    if build:
        env = {**os.environ, "PYENV_VERSION": "3.12.1", "SAM_CLI_TELEMETRY": "0"}
        sam = Path(sys.executable).with_name("sam")
        subprocess.run([str(sam), "build"], cwd=ROOT, env=env, check=True, capture_output=True)
    built = ROOT / ".aws-sam" / "build"
    if not built.exists():
        return {}

    def size_mb(path: Path) -> float:
        total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        return round(total / 1_000_000, 2)

    layer = size_mb(built / "SharedLayer") if (built / "SharedLayer").exists() else 0.0
    sizes: dict[str, dict[str, float]] = {}
    for folder in sorted(p for p in built.iterdir() if p.is_dir() and p.name != "SharedLayer"):
        own = size_mb(folder)
        sizes[folder.name] = {
            "function_mb": own,
            "layer_mb": layer,
            "total_mb": round(own + layer, 2),
        }
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-build", action="store_true", help="report sizes of an existing build")
    args = parser.parse_args()

    template = load_template()
    specs = functions(template, Resolver(template))
    env = base_env()
    baseline = median_ms(BASELINE, env, args.runs)
    print(f"baseline (import boto3 + one client): {baseline:7.1f} ms")
    results: dict[str, dict[str, float]] = {}
    for name, spec in sorted(specs.items()):
        module, handler = spec.handler.rsplit(".", 1)
        path = spec.code_dir / (module.replace(".", "/") + ".py")
        function_env = {**env, **spec.environment}
        elapsed = median_ms(INIT.format(path=str(path), name=handler), function_env, args.runs)
        ratio = elapsed / baseline
        results[name] = {"init_ms": round(elapsed, 1), "ratio": round(ratio, 2)}
        flag = "" if ratio <= 1.5 else "  <-- over 1.5x"
        print(f"{name:24} init {elapsed:7.1f} ms   {ratio:4.2f} x baseline{flag}")

    sizes = package_sizes(build=not args.no_build)
    for name, size in sizes.items():
        print(f"{name:24} package {size['function_mb']:6.2f} MB + layer {size['layer_mb']:6.2f} MB")
    print(
        json.dumps(
            {
                "benchmark": "cold_start",
                "runs": args.runs,
                "baseline_ms": round(baseline, 1),
                "functions": results,
                "max_ratio": max(r["ratio"] for r in results.values()),
                "package_mb": sizes,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
