"""Dependency direction: tui > assistant > asr | knowledge; only tui imports textual; no cycles.

Checked statically (every import statement in the source, including ones inside functions),
as an import graph (no module takes part in an import cycle) and at run time (importing the
core in a fresh interpreter loads no textual). `make lint` checks the same layers with
import-linter's one `layers` contract.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FORBIDDEN = {
    "asr": {"knowledge", "assistant", "tui", "textual"},
    "knowledge": {"asr", "assistant", "tui", "textual"},
    "assistant": {"tui", "textual"},
}


def imported_modules(path: Path) -> list[tuple[int, str, bool]]:
    """(line, top-level module, at module level?) for each import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level_nodes = set(map(id, tree.body))
    found: list[tuple[int, str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((node.lineno, alias.name.split(".")[0], id(node) in top_level_nodes))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module.split(".")[0], id(node) in top_level_nodes))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_static_imports_respect_layers(package: str) -> None:
    violations = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT)
        for line, module, _at_top in imported_modules(path):
            if module in FORBIDDEN[package]:
                violations.append(f"{rel}:{line} imports {module}")
    assert not violations, "layering violations:\n" + "\n".join(violations)


def test_no_import_cycles() -> None:
    """No module of the project takes part in an import cycle, lazy imports included
    (a cycle through a function-level import is still a design cycle)."""
    from graphlib import CycleError, TopologicalSorter

    import grimp

    graph = grimp.build_graph(*FORBIDDEN, "tui", cache_dir=None)
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for module in sorted(graph.modules):
        sorter.add(module, *sorted(graph.find_modules_directly_imported_by(module)))
    try:
        sorter.prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        pytest.fail("import cycle: " + " -> ".join(cycle))


def test_core_import_loads_no_textual_or_tui() -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "import asr, knowledge, assistant\n"
        "for pkg in (asr, knowledge, assistant):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if m.name.endswith('__main__'): continue\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('textual', 'tui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1:] in ([], [""]), (
        f"importing the core loaded: {out.stdout.strip()}"
    )


def test_help_is_fast_and_loads_no_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from tui.cli import app\n"
        "r = CliRunner().invoke(app, ['--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'vosk', 'faster_whisper',"
        " 'textual', 'sqlalchemy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"`hotline --help` imported: {out.stdout.strip()}"
