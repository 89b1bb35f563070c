"""Write openapi.json from the API function's resolver (the code is the source).

Run `make openapi` after changing a route or a schema; tests/integration/test_contract.py
fails while the committed file and the code disagree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bounceback_local.runtime import apply_environment, load_handler
from bounceback_local.template import Resolver, functions, load_template

ROOT = Path(__file__).resolve().parents[1]
OPENAPI_PATH = ROOT / "openapi.json"


def current_document() -> str:
    template = load_template()
    spec = functions(template, Resolver(template))["ApiFunction"]
    module = sys.modules.get(f"bounceback_function_{spec.logical_id}")
    if module is None:
        # The handler checks its settings at import: give it the template's variables.
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        apply_environment([spec], {"AWS_REGION": region})
        load_handler(spec)
        module = sys.modules[f"bounceback_function_{spec.logical_id}"]
    document: str = module.openapi_json()
    return document + "\n"


if __name__ == "__main__":
    OPENAPI_PATH.write_text(current_document(), encoding="utf-8")
    print(f"wrote {OPENAPI_PATH.relative_to(ROOT)}")
