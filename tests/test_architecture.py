"""The package layering of ``checker`` (the README's layout table), checked from the source.

Imports point one way: cli -> engines (array, explicit, smt, hyp, conform) -> core -> dsl; cli ->
system (real systems under test) -> conform; render -> core, dsl; cli -> explore (the browser
explorer) -> render, core, dsl; notebook (Jupyter's HTML, installed by the facade) -> render; and
testing (pytest's helpers and plugin) -> cli, render. The array engine runs the formulas ``smt``
builds, and ``auto`` falls back to ``explicit``. Every import is read with ``ast``, function-local
ones included; imports under ``if TYPE_CHECKING:`` are type annotations only (they never run) and
are skipped.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parents[1] / "checker"

#: package -> the packages it may import (besides itself and ``checker.errors``).
ALLOWED = {
    "system": {"conform", "core", "dsl"},
    "errors": set(),
    "dsl": set(),
    "core": {"dsl"},
    "explicit": {"core", "dsl"},
    "smt": {"core", "dsl"},
    "array": {"smt", "explicit", "core", "dsl"},
    "distributed": {"array", "hyp", "core", "dsl"},
    "coursework": {"array", "explicit", "core", "dsl"},
    "hyp": {"core", "dsl"},
    "conform": {"hyp", "core", "dsl"},
    "render": {"core", "dsl"},
    "notebook": {"render", "core", "dsl"},
    "testing": {"cli", "render", "core", "dsl"},
    "explore": {"render", "core", "dsl"},
    "cli": {"system", "coursework", "distributed", "array", "explicit", "smt", "hyp", "conform", "explore", "render",
            "core", "dsl"},
    "__init__": {"dsl", "core", "notebook"},
    "__main__": {"cli"},
}


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path) -> str:
    rel = path.relative_to(CHECKER.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def type_checking_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for sub in node.body:
                lines.update(range(sub.lineno, (sub.end_lineno or sub.lineno) + 1))
    return lines


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every checker module imported by ``path``; ``from X import y`` counts
    y when it is itself a module."""
    tree = ast.parse(path.read_text())
    skip = type_checking_lines(tree)
    me = module_name(path)
    out = []
    for node in ast.walk(tree):
        if node.lineno in skip if hasattr(node, "lineno") else False:
            continue
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("checker")]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import; write checker.<package>.<module>"
            mod = node.module or ""
            if not mod.startswith("checker"):
                continue
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                out.append((node.lineno, sub if (CHECKER.parent / (sub.replace(".", "/") + ".py")).exists()
                            or (CHECKER.parent / sub.replace(".", "/")).is_dir() else mod))
    return [(line, m) for line, m in out if m != me]


MODULES = sorted(CHECKER.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CHECKER)))
def test_imports_point_one_way(path):
    here = package_of(module_name(path))
    for line, target in imports_of(path):
        there = package_of(target)
        if there in (here, "errors") or target == "checker":
            assert not (target == "checker" and here != "__init__"), f"{path}:{line}: imports the facade"
            continue
        assert there in ALLOWED[here], f"{path}:{line}: {here} may not import {target} ({here} -> {there})"


def test_no_import_cycles():
    graph = {module_name(p): {m for _, m in imports_of(p)} for p in MODULES}
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph.get(m, ())):
            if n not in graph:
                continue
            if state.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(n):], n]))
            if n not in state:
                visit(n, [*stack, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_no_module_imports_another_modules_private_name():
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("checker"):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                assert not private, f"{path}:{node.lineno}: imports private {private} from {node.module}"


def test_import_checker_does_not_load_z3_hypothesis_or_the_cli():
    code = ("import sys, checker, protocols.paxos, protocols.raft\n"
            "heavy = ('z3', 'hypothesis', 'numpy', 'ray', 'click', 'rich', 'pytest', 'checker.cli')\n"
            "loaded = [m for m in heavy if m in sys.modules]\n"
            "assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_package_states_its_job():
    for init in CHECKER.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text()))
        assert doc, f"{init} has no docstring saying what the package is for"


def test_checker_never_imports_pytest():
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "pytest" for n in names), f"{path}:{node.lineno}: imports pytest"
