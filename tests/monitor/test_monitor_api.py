"""The public namespace of tradetalks.monitor is pinned, and the layer imports no peer."""

import ast
from pathlib import Path

import tradetalks.monitor


def test_public_names_are_pinned() -> None:
    assert set(tradetalks.monitor.__all__) == {
        "Assessment",
        "Continuous",
        "CriterionVerdict",
        "FileIndicator",
        "Goal",
        "GoalAssessment",
        "IndicatorSeries",
        "Monitoring",
        "Prompt",
        "Qualitative",
        "Substantial",
        "Target",
        "Threshold",
        "Trigger",
        "TriggerDecision",
        "TriggerOutcome",
        "Verdict",
        "WiodIndicator",
        "assess",
        "assess_goal",
        "bundled_examples",
        "combine_verdicts",
        "follow_up_scenario",
        "indicator_series",
        "load_goals",
        "monitoring_from_dict",
        "plot_assessment",
        "plot_goal",
        "read_series_file",
        "series_from_points",
        "wiod_indicator",
        "write_follow_up",
    }
    for name in tradetalks.monitor.__all__:
        assert getattr(tradetalks.monitor, name).__doc__, name


def test_monitor_imports_no_peer_and_no_lower_layer() -> None:
    forbidden = ("negmas", "gegravity", "gme", "tradetalks.cli", "tradetalks.store")
    folder = Path(tradetalks.monitor.__file__).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            bad = [n for n in names if n.startswith(forbidden)]
            assert not bad, f"{path.name} imports {bad}"
