"""The Lambda layer installs exactly the runtime dependencies pyproject.toml pins."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_layer_requirements_equal_the_pinned_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    layer = [
        line.strip()
        for line in (ROOT / "shared" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert sorted(layer) == sorted(project["dependencies"])
    assert all("==" in requirement for requirement in layer)


def test_every_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    unpinned = [
        r
        for r in [*project["dependencies"], *extras]
        if "==" not in r and not r.startswith("bounceback[")
    ]
    assert not unpinned
