"""The casebook's public names are pinned; it sits above game and below the edges."""

import ast
from pathlib import Path

import tradetalks.casebook as casebook


def test_public_names_are_pinned() -> None:
    assert set(casebook.__all__) == {
        "DEFAULT_GRID", "FORECASTERS", "KINDS", "CaseEntry", "CasebookResult",
        "CrossValidation", "Episode", "EpisodeRun", "Interval", "ModelSettings", "Question",
        "QuestionResult", "bootstrap_interval", "brier", "builtin_episodes", "cross_validate",
        "hit", "load_casebook", "load_episode", "log_loss", "run_casebook", "score_forecasts",
    }  # fmt: skip


def test_the_casebook_imports_no_edge() -> None:
    folder = Path(casebook.__file__).parent
    imported = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
    edges = {"tradetalks.cli", "tradetalks.store", "tradetalks.report", "tradetalks.web"}
    assert not {m for m in imported for e in edges if m.startswith(e)}
