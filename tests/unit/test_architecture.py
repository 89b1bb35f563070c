"""The layers of `shared/bounceback` import in one direction (README, "Architecture").

Every import of every module is read from its source (lazy imports inside functions
included), so a new module is checked the day it is added.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "shared" / "bounceback"
AWS_SDKS = ("boto3", "botocore", "pynamodb")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT / "shared").with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every module `path` imports (absolute names; relative imports are resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # only inside the package: handlers import absolutely
                own = module_name(path)
                package = own if path.name == "__init__.py" else own.rsplit(".", 1)[0]
                anchor = package.split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            yield base
            # `from bounceback import wiring` imports the module `bounceback.wiring`.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def modules() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found[module_name(path)] = set(imports_of(path))
    return found


MODULES = modules()


def layer_of(name: str) -> str | None:
    """The layer a module of ours belongs to (None: not ours)."""
    if name != "bounceback" and not name.startswith("bounceback."):
        return None
    parts = name.split(".")
    if len(parts) == 1:
        return "package"
    return {
        "domain": "domain",
        "ports": "ports",
        "errors": "ports",
        "ids": "ports",
        "usecases": "usecases",
        "adapters": "adapters",
        "infra": "infra",
        "http": "http",
        "web": "web",
        "wiring": "wiring",
    }.get(parts[1], f"unknown:{parts[1]}")


# What each layer may import of ours (its own layer is always allowed).
ALLOWED = {
    "domain": set(),
    "ports": {"domain"},
    "infra": set(),
    "usecases": {"domain", "ports"},
    "adapters": {"domain", "ports"},
    "web": set(),
    "http": {"domain", "ports", "usecases", "infra", "web"},
    "wiring": {"domain", "ports", "adapters", "infra"},
    "package": set(),
}


def our_imports(name: str) -> set[str]:
    return {i for i in MODULES[name] if layer_of(i) not in (None, "package")}


def violations(layer: str) -> list[str]:
    bad = []
    for name in MODULES:
        if layer_of(name) != layer:
            continue
        for imported in our_imports(name):
            other = layer_of(imported)
            if other != layer and other not in ALLOWED[layer]:
                bad.append(f"{name} imports {imported} ({other})")
    return sorted(bad)


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = [name for name in MODULES if str(layer_of(name)).startswith("unknown")]
    assert unknown == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    assert violations(layer) == []


def test_domain_and_use_cases_never_touch_the_aws_sdks() -> None:
    bad = [
        f"{name} imports {imported}"
        for name in MODULES
        if layer_of(name) in ("domain", "ports", "usecases")
        for imported in MODULES[name]
        if imported.split(".")[0] in AWS_SDKS
    ]
    assert bad == []


def test_adapters_never_import_use_cases() -> None:
    assert [v for v in violations("adapters") if "(usecases)" in v] == []


def test_only_handlers_and_the_wiring_module_choose_adapters() -> None:
    """Inside the package only `bounceback.wiring` imports adapters (besides themselves)."""
    choosers = sorted(
        name
        for name in MODULES
        if layer_of(name) not in ("adapters", "wiring")
        and any(layer_of(i) == "adapters" for i in our_imports(name))
    )
    assert choosers == []


def test_handlers_wire_through_the_wiring_module() -> None:
    for handler in sorted((ROOT / "functions").glob("*/app.py")):
        imported = set(imports_of(handler))
        assert not any(layer_of(i) == "adapters" for i in imported), handler
        assert "bounceback.wiring" in imported, handler


def test_the_walker_sees_a_forbidden_import() -> None:
    """Guard for the test itself: a use case importing an adapter is reported."""
    MODULES["bounceback.usecases.example"] = {"bounceback.adapters.store"}
    try:
        assert violations("usecases") == [
            "bounceback.usecases.example imports bounceback.adapters.store (adapters)"
        ]
    finally:
        del MODULES["bounceback.usecases.example"]
