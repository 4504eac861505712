"""Every module of ``src/toolkit`` imports on its own, and no two modules import each other.

Two checks. Each module is imported alone in a fresh interpreter, so a module that works
only because another was imported first fails here. And the import graph, read from the
source with :mod:`ast`, has no cycle: every ``import`` counts, at the top of a module,
inside a function (a lazy import that only hides a cycle is still a cycle) or under
``if TYPE_CHECKING:`` (a type that points back up is a dependency all the same).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "toolkit"


def module_names(package: Path = PACKAGE) -> dict[str, Path]:
    """Dotted name → source file of every module under ``package``."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``module`` imports anywhere in its source.

    ``from a.b import c`` names ``a.b.c`` when that is a module, else ``a.b``; a
    submodule's import of its own package (which Python runs first anyway) is left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module and not module.startswith(target + "."):
                found.add(target)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Module → the package's modules it imports."""
    names = module_names(package)
    return {name: imported(name, path, set(names)) for name, path in names.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's cycles, one per strongly connected component of two or more modules
    (Tarjan's algorithm), each as a path that returns to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_loop(graph, component) for component in components]


def _loop(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One cycle through a strongly connected component, for the failure message."""
    members = set(component)
    path = [component[0]]
    while True:
        step = sorted(graph[path[-1]] & members)
        back = [n for n in step if n in path]
        if back:
            return [*path[path.index(back[0]) :], back[0]]
        path.append(step[0])


def test_the_cycle_finder_finds_a_hidden_cycle(tmp_path):
    """A hand-made package: a → b at the top, b → c in a function, c → a only for types."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def f():\n    from pkg import c\n    return c\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n"
    )
    (package / "d.py").write_text("from . import a\n")  # d → a, no cycle through d
    graph = import_graph(package)
    assert graph["pkg.d"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]


def test_no_import_cycle_in_the_package():
    found = cycles(import_graph())
    assert not found, "import cycles: " + "; ".join(" -> ".join(c) for c in found)


_IMPORT_ALONE = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "toolkit" or m.startswith("toolkit.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc().strip().splitlines()[-1])
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


@pytest.mark.slow
def test_every_module_imports_alone_in_a_fresh_interpreter():
    """Each module first in a fresh interpreter, so none relies on another having been
    imported before it (run in a few interpreters, not one per module, to keep it quick:
    each module still starts from an empty ``toolkit``)."""
    names = sorted(module_names())
    assert "toolkit.vocabulary" in names and "toolkit.letter.model" in names
    for start in range(0, len(names), 15):
        batch = names[start : start + 15]
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT_ALONE, *batch],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr


RUNNER = (
    "toolkit.kernels.pool",
    "toolkit.kernels.zygote",
    "toolkit.kernels.offload",
    "toolkit.kernels.execute",
    "toolkit.kernels.ready",
    "toolkit.kernels.engine",
    "toolkit.kernels.preload",
)
"""The generic runner: it runs notebooks, whatever they do."""

RUNNER_MAY_USE = {*RUNNER, "toolkit", "toolkit.files.atomic", "toolkit.errors"}
"""Besides each other: the package itself and two helpers of no domain."""

DOMAIN_LIBRARIES = ("pandas", "pyarrow", "matplotlib", "docx", "lxml", "afcharts", "jinja2")


def test_the_runner_imports_no_domain_module():
    """The kernel pool, the zygote and what drives them are told what to preload by
    their caller; none imports (or names for import) a briefing, figures or letter
    module, nor a library only the briefings use."""
    names = module_names()
    for module in RUNNER:
        path = names[module]
        uses = imported(module, path, set(names))
        assert uses <= RUNNER_MAY_USE, f"{module} imports {sorted(uses - RUNNER_MAY_USE)}"
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                roots = [node.module.split(".")[0]]
            else:
                roots = []
            for root in roots:
                assert root not in DOMAIN_LIBRARIES, f"{module} imports {root}"
            # A module named in a string is imported by name (the zygote's preload).
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for word in node.value.replace(",", " ").replace(";", " ").split():
                    target = word.partition(":")[0].strip("\"'`()")
                    if target.startswith("toolkit.") and target in names:
                        assert target in RUNNER_MAY_USE, f"{module} names {target}"
