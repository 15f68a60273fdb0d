"""The package's imports point one way, along the flow files -> knowledge -> store -> SPARQL ->
features -> web -> the commands (issue 13): a module may import from its own layer or one below it,
never from one above. Read from the source with `ast`, so that an import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "ozgkg"

# Lowest first. A module not named here sits in the layer of its folder.
LAYERS = [
    {"ozgkg", "ozgkg.paths", "ozgkg.namespaces", "ozgkg.http_client"},
    {"ozgkg.rdf"},
    {"ozgkg.knowledge"},
    {"ozgkg.store"},
    {"ozgkg.sparql"},
    {"ozgkg.features"},
    {"ozgkg.web"},
    {"ozgkg.serve", "ozgkg.cli"},
]


def layer(module: str) -> int:
    if module in ("ozgkg", "ozgkg.__version__"):
        return 0
    parts = module.split(".")
    for length in range(len(parts), 1, -1):
        prefix = ".".join(parts[:length])
        for number, members in enumerate(LAYERS):
            if prefix in members:
                return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ozgkg"):
            names.add(node.module)
            # `from ozgkg.x import y` may name the module ozgkg.x.y
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("ozgkg"))
    return names


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: module_name(path))
def test_imports_point_downward(path: Path) -> None:
    here = module_name(path)
    upward = []
    for name in imported(path):
        if layer(name) > layer(here):
            upward.append(name)
    assert not upward, f"{here} imports from layers above it: {sorted(upward)}"


def test_no_blueprint_imports_the_app() -> None:
    for path in (PACKAGE / "web").glob("*.py"):
        if path.name != "app.py":
            assert "ozgkg.web.app" not in imported(path), path.name


def test_no_module_passes_400_lines() -> None:
    lines = {module_name(path): len(path.read_text(encoding="utf-8").splitlines()) for path in MODULES}
    assert not {name: count for name, count in lines.items() if count > 400}


def test_every_module_is_in_a_layer() -> None:
    for path in MODULES:
        layer(module_name(path))
