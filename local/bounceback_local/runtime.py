"""Run a function of the template in this process, as `sam local invoke` would.

The handler module is loaded from the function's `CodeUri` by the `Handler` the
template names, after the function's environment variables are set.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

from bounceback_local.template import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]


class EnvironmentConflict(RuntimeError):
    """Two functions need different values for one variable in a shared process."""


def apply_environment(specs: list[FunctionSpec], extra: dict[str, str] | None = None) -> None:
    """Set the union of the functions' variables; refuse contradictory ones."""
    merged: dict[str, str] = {}
    for spec in specs:
        for name, value in spec.environment.items():
            if name in merged and merged[name] != value:
                raise EnvironmentConflict(f"{name} differs between functions")
            merged[name] = value
    os.environ.update(merged)
    os.environ.update(extra or {})


def load_handler(spec: FunctionSpec) -> Handler:
    """Import the handler module afresh and return its handler function."""
    module_path, function_name = spec.handler.rsplit(".", 1)
    source = spec.code_dir / (module_path.replace(".", "/") + ".py")
    module_name = f"bounceback_function_{spec.logical_id}"
    loader_spec = importlib.util.spec_from_file_location(module_name, source)
    if loader_spec is None or loader_spec.loader is None:
        raise ImportError(f"cannot load {source}")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module
    loader_spec.loader.exec_module(module)
    handler: Handler = getattr(module, function_name)
    return handler
