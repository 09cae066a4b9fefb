"""The public namespace of tradetalks.monitor is pinned, and the layer imports no peer."""

import subprocess
import sys

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
    code = (
        "import sys, tradetalks.monitor; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('negmas', 'gegravity', 'gme') "
        "or m.startswith(('tradetalks.cli', 'tradetalks.store', 'tradetalks.report'))]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
