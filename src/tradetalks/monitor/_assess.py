"""Goal and overall verdicts, and the triggers they fire.

Combination rules (the same for criteria into a goal and goals into the overall verdict),
with *assessed* meaning every verdict other than "not enough data":

- ``all``: met when every one is met; not met when every assessed one is not met; not
  enough data when none is assessed, or when every assessed one is met but some are not
  assessed (met cannot be confirmed); partly met otherwise.
- ``majority``: the verdict held by more than half of the assessed ones, else partly met.
- ``any``: met when any is met, else partly met when any is partly met, else not met
  (not enough data when none is assessed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from tradetalks._errors import MonitorError, Problem
from tradetalks.monitor._criteria import (
    CriterionVerdict,
    assess_continuous,
    assess_prompt,
    assess_qualitative,
    assess_substantial,
    assess_target,
    make_window,
)
from tradetalks.monitor._model import (
    CombineRule,
    Continuous,
    CounterfactualPoint,
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
)
from tradetalks.monitor._series import IndicatorSeries, read_series_file, to_time
from tradetalks.monitor._wiod import wiod_indicator

SeriesSource = Callable[[Goal], IndicatorSeries | None]


def combine_verdicts(verdicts: Sequence[Verdict], rule: CombineRule) -> Verdict:
    """Combine verdicts by ``rule`` (module docstring)."""
    assessed = [v for v in verdicts if v is not Verdict.NOT_ENOUGH_DATA]
    if not assessed:
        return Verdict.NOT_ENOUGH_DATA
    if rule == "all":
        if len(assessed) == len(verdicts) and all(v is Verdict.MET for v in verdicts):
            return Verdict.MET
        if all(v is Verdict.MET for v in assessed):
            return Verdict.NOT_ENOUGH_DATA
        if all(v is Verdict.NOT_MET for v in assessed):
            return Verdict.NOT_MET
        return Verdict.PARTLY_MET
    if rule == "majority":
        for v in (Verdict.MET, Verdict.PARTLY_MET, Verdict.NOT_MET):
            if assessed.count(v) * 2 > len(assessed):
                return v
        return Verdict.PARTLY_MET
    if Verdict.MET in assessed:
        return Verdict.MET
    return Verdict.PARTLY_MET if Verdict.PARTLY_MET in assessed else Verdict.NOT_MET


@dataclass(frozen=True)
class GoalAssessment:
    """The verdict on one goal, its criteria's verdicts and the series they were judged on."""

    goal: Goal
    verdict: Verdict
    criteria: tuple[CriterionVerdict, ...]
    series: IndicatorSeries | None
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form (the series included)."""
        out: dict[str, object] = {
            "id": self.goal.id,
            "title": self.goal.title,
            "verdict": self.verdict.value,
            "rule": self.goal.rule,
            "agreement": str(self.goal.agreement),
            "criteria": [c.to_dict() for c in self.criteria],
            "notes": list(self.notes),
            "sources": list(self.goal.sources),
            "assumptions": list(self.goal.assumptions),
        }
        if self.series is not None:
            out["indicator"] = {
                "name": self.series.name,
                "unit": self.series.unit,
                "source": self.series.source,
                "periods": list(self.series.labels),
                "values": [None if v != v else float(v) for v in self.series.values],
            }
        return out


@dataclass(frozen=True)
class TriggerDecision:
    """Whether one trigger fires: the goal's verdict on the data up to the deadline."""

    trigger: Trigger
    status: Literal["active", "inactive", "undecided"]
    goal_verdict: Verdict
    reason: str

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form."""
        return {
            "goal": self.trigger.goal,
            "threat": self.trigger.threat,
            "deadline": str(self.trigger.deadline),
            "status": self.status,
            "goal_verdict_at_deadline": self.goal_verdict.value,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class TriggerOutcome:
    """The follow-up of an assessment: which threats become active, when and why."""

    decisions: tuple[TriggerDecision, ...] = ()

    @property
    def active(self) -> tuple[TriggerDecision, ...]:
        """The decisions that activate their threat."""
        return tuple(d for d in self.decisions if d.status == "active")

    @property
    def active_threats(self) -> tuple[str, ...]:
        """Names of the threats that become active (each once, in trigger order)."""
        return tuple(dict.fromkeys(d.trigger.threat for d in self.active))


@dataclass(frozen=True)
class Assessment:
    """The verdicts on every goal, the overall verdict and the triggers' outcome."""

    title: str
    verdict: Verdict
    rule: CombineRule
    goals: tuple[GoalAssessment, ...]
    triggers: TriggerOutcome = field(default_factory=TriggerOutcome)

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form."""
        return {
            "title": self.title,
            "verdict": self.verdict.value,
            "rule": self.rule,
            "rule_text": f"goal verdicts combined by '{self.rule}'",
            "goals": [g.to_dict() for g in self.goals],
            "triggers": [d.to_dict() for d in self.triggers.decisions],
            "active_threats": list(self.triggers.active_threats),
        }


def _criterion(
    goal: Goal,
    crit: Prompt | Substantial | Continuous | Target | Qualitative,
    series: IndicatorSeries | None,
) -> CriterionVerdict:
    if isinstance(crit, Qualitative):
        return assess_qualitative(crit)
    if series is None:
        raise MonitorError(
            f"goal {goal.id!r}: no series",
            [Problem("<goals>", f"goals.{goal.id}.indicator", f"{crit.kind} needs a series")],
        )
    base = None if goal.baseline is None else (to_time(goal.baseline[0]), to_time(goal.baseline[1]))
    window = make_window(
        series, to_time(goal.agreement), base, 1.0 if goal.direction == "increase" else -1.0
    )
    if isinstance(crit, Prompt):
        return assess_prompt(window, crit)
    if isinstance(crit, Substantial):
        return assess_substantial(window, crit)
    if isinstance(crit, Continuous):
        return assess_continuous(window, crit)
    return assess_target(window, crit)


def assess_goal(goal: Goal, series: IndicatorSeries | None) -> GoalAssessment:
    """Judge every criterion of ``goal`` on ``series`` and combine them by the goal's rule.

    Floating-point warnings are silenced here on purpose: extreme user values (tiny or huge)
    give infinite ratios that the criteria compare correctly and report as missing.
    """
    notes: list[str] = []
    if series is not None:
        if series.gaps:
            notes.append(f"gaps in the data: {', '.join(series.gaps)}")
        agreement = to_time(goal.agreement)
        if not series.times[0] <= agreement <= series.times[-1] + series.step:
            notes.append(
                f"the agreement ({goal.agreement}) is outside the series "
                f"({series.labels[0]}..{series.labels[-1]})"
            )
    with np.errstate(all="ignore"):
        verdicts = tuple(_criterion(goal, c, series) for c in goal.criteria)
    verdict = combine_verdicts([v.verdict for v in verdicts], goal.rule)
    return GoalAssessment(goal, verdict, verdicts, series, tuple(notes))


def with_counterfactual_files(goal: Goal, base_dir: Path | None = None) -> Goal:
    """``goal`` with every ``counterfactual_file`` read into ``counterfactual`` points."""
    criteria = []
    for crit in goal.criteria:
        if isinstance(crit, Substantial) and crit.counterfactual_file is not None:
            path = Path(crit.counterfactual_file)
            if not path.is_absolute() and base_dir is not None:
                path = base_dir / path
            cf = read_series_file(path, name=f"{goal.id} counterfactual", allow_negative=True)
            keep = ~np.isnan(cf.values)
            points = [
                CounterfactualPoint(period=_period_of(lab), value=float(v))
                for lab, v in zip(np.array(cf.labels)[keep], cf.values[keep], strict=True)
            ]
            crit = crit.model_copy(update={"counterfactual": points, "counterfactual_file": None})
        criteria.append(crit)
    return goal.model_copy(update={"criteria": criteria})


def _period_of(label: str) -> int | str:
    return int(label) if label.isdigit() else label


def indicator_series(
    goal: Goal,
    *,
    data: Path | None = None,
    base_dir: Path | None = None,
    wiod_dir: Path | None = None,
) -> IndicatorSeries | None:
    """The series a goal's indicator names: from WIOD, or the user's file (``data``)."""
    ind = goal.indicator
    if ind is None:
        return None
    field = f"goals.{goal.id}.indicator"
    if isinstance(ind, WiodIndicator):
        return wiod_indicator(
            measure=ind.measure,
            exporters=ind.exporters,
            importers=ind.importers,
            industries=ind.industries,
            uses=ind.uses,
            denominator=ind.denominator,
            data_dir=wiod_dir,
            name=ind.name,
            field=field,
        )
    assert isinstance(ind, FileIndicator)
    if ind.path is not None:
        path = Path(ind.path)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
    elif data is not None:
        path = data
    else:
        raise MonitorError(
            "no data for a goal",
            [Problem("<goals>", field, "indicator has no 'path' and no data file was given")],
        )
    return read_series_file(
        path,
        series=ind.series,
        period_column=ind.period_column,
        value_column=ind.value_column,
        name=ind.name or goal.id,
        unit=ind.unit,
        allow_negative=ind.allow_negative,
    )


def _decide(trigger: Trigger, goal: Goal, series: IndicatorSeries | None) -> TriggerDecision:
    deadline = to_time(trigger.deadline)
    cut = None if series is None else series.until(deadline)
    if cut is not None and cut.times.size == 0:
        verdict = Verdict.NOT_ENOUGH_DATA
    else:
        verdict = assess_goal(goal, cut).verdict
    reaches = series is None or series.times[-1] >= deadline - series.step / 4
    if verdict in trigger.activate_on:
        status: Literal["active", "inactive", "undecided"] = "active" if reaches else "undecided"
    elif verdict is Verdict.NOT_ENOUGH_DATA:
        status = "undecided"
    else:
        status = "inactive"
    why = {
        "active": f"goal {goal.id!r} is '{verdict.value}' on data up to {trigger.deadline}",
        "inactive": f"goal {goal.id!r} is '{verdict.value}' by {trigger.deadline}",
        "undecided": (
            f"goal {goal.id!r} is '{verdict.value}' and the data do not settle it by "
            f"{trigger.deadline}"
        ),
    }[status]
    reason = f"{why}; {trigger.reason}" if trigger.reason and status == "active" else why
    return TriggerDecision(trigger, status, verdict, reason)


def assess(
    monitoring: Monitoring,
    *,
    data: Path | None = None,
    base_dir: Path | None = None,
    wiod_dir: Path | None = None,
    series_source: SeriesSource | None = None,
) -> Assessment:
    """Judge every goal, combine them into the overall verdict and decide the triggers.

    Parameters
    ----------
    monitoring
        The goals (see :func:`load_goals`).
    data
        The user's CSV/Parquet file, for ``file`` indicators that give no ``path``.
    base_dir
        Directory relative indicator paths are read from (the goals file's).
    wiod_dir
        Directory of ``wiot_YYYY.parquet`` files (default: the bundled WIOD).
    series_source
        Replaces indicator loading (e.g. an in-memory source in tests).
    """
    source: SeriesSource = series_source or (
        lambda g: indicator_series(g, data=data, base_dir=base_dir, wiod_dir=wiod_dir)
    )
    goals = []
    series_of: dict[str, IndicatorSeries | None] = {}
    for goal in (with_counterfactual_files(g, base_dir) for g in monitoring.goals):
        series_of[goal.id] = source(goal)
        goals.append(assess_goal(goal, series_of[goal.id]))
    verdict = combine_verdicts([g.verdict for g in goals], monitoring.rule)
    triggers = decide_triggers(monitoring, series_of, base_dir)
    return Assessment(monitoring.title, verdict, monitoring.rule, tuple(goals), triggers)


def decide_triggers(
    monitoring: Monitoring,
    series_of: Mapping[str, IndicatorSeries | None],
    base_dir: Path | None = None,
) -> TriggerOutcome:
    """Decide every trigger: each goal is judged again on its data up to the deadline.

    A trigger is *active* when that verdict is in its ``activate_on`` list and the data reach
    the deadline, *inactive* when the verdict is outside the list, and *undecided* when the
    data cannot tell (not enough data, or data that stop before the deadline while the goal
    is not yet met).
    """
    by_id = {g.id: with_counterfactual_files(g, base_dir) for g in monitoring.goals}
    return TriggerOutcome(
        tuple(_decide(t, by_id[t.goal], series_of.get(t.goal)) for t in monitoring.triggers)
    )
