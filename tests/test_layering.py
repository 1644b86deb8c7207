"""Dependency direction: asr and knowledge are independent leaves; only tui imports textual.

Checked twice: statically (every import statement in the source, including ones inside
functions) and at run time (importing the core in a fresh interpreter loads no textual).
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
# The CLI package is the composition root: it may open the TUI, lazily, inside commands.
EXEMPT = {"assistant": {"tui"}}


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
        in_cli = rel.parts[:2] == ("assistant", "cli")
        for line, module, at_top in imported_modules(path):
            if module not in FORBIDDEN[package]:
                continue
            if in_cli and module in EXEMPT.get(package, set()) and not at_top:
                continue  # lazy import of the TUI inside a CLI command
            violations.append(f"{rel}:{line} imports {module}")
    assert not violations, "layering violations:\n" + "\n".join(violations)


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
        "from assistant.cli import app\n"
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
