"""Monitor agreements: results-oriented goals judged on data.

Goals (an indicator, a baseline, the agreement date and criteria: prompt, substantial,
continuous, numerical target, qualitative) are read from TOML (:func:`load_goals`), judged
on the bundled WIOD or the user's series (:func:`assess`) into verdicts per criterion, per
goal and overall; triggers say which threats become active, and :func:`write_follow_up`
writes the scenario of the next round with those threats active.
"""

from tradetalks.monitor._assess import (
    Assessment,
    GoalAssessment,
    TriggerDecision,
    TriggerOutcome,
    assess,
    assess_goal,
    combine_verdicts,
    indicator_series,
)
from tradetalks.monitor._criteria import CriterionVerdict, Threshold
from tradetalks.monitor._followup import follow_up_scenario, write_follow_up
from tradetalks.monitor._load import bundled_examples, load_goals
from tradetalks.monitor._model import (
    Continuous,
    FileIndicator,
    Goal,
    Monitoring,
    Prompt,
    Qualitative,
    Substantial,
    Target,
    Trigger,
    Verdict,
    WiodIndicator,
    monitoring_from_dict,
)
from tradetalks.monitor._plot import plot_assessment, plot_goal
from tradetalks.monitor._series import IndicatorSeries, read_series_file, series_from_points
from tradetalks.monitor._wiod import wiod_indicator

__all__ = [
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
]
