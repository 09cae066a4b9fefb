"""The report reads saved runs only: no game/economics/politics/bargaining, no peers, lazy plots."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import tradetalks.report

FORBIDDEN = (
    "tradetalks.game",
    "tradetalks.economics",
    "tradetalks.politics",
    "tradetalks.bargaining",
    "tradetalks.cli",
    "negmas",
    "gegravity",
    "gme",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_report_imports_no_upper_or_peer_layer() -> None:
    package = Path(tradetalks.report.__file__).parent
    files = sorted(package.glob("*.py"))
    assert len(files) >= 5
    for path in files:
        for name in imported_modules(path):
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"


def test_matplotlib_is_imported_only_when_plotting() -> None:
    code = "import sys, tradetalks.report; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_report_command_imports_the_report_lazily() -> None:
    """`tradetalks --help` must not pay for pandas/matplotlib through the report command."""
    import tradetalks.cli._report_cmds as cmds

    tree = ast.parse(Path(cmds.__file__).read_text(encoding="utf-8"))
    top_level = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            top_level.add(node.module)
        elif isinstance(node, ast.Import):
            top_level.update(a.name for a in node.names)
    assert not {m for m in top_level if m.startswith(("tradetalks.report", "tradetalks.store"))}
    assert not {m for m in top_level if m.startswith(("matplotlib", "pandas"))}
