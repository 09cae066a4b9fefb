"""One PNG per goal indicator: the series, baseline, agreement date, thresholds and verdict."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tradetalks._inputs import save_figure
from tradetalks.monitor._assess import GoalAssessment
from tradetalks.monitor._model import Continuous, Substantial, Target
from tradetalks.monitor._series import to_time


def plot_goal(assessment: GoalAssessment, path: Path) -> Path | None:
    """Draw the goal's indicator to ``path`` (PNG); ``None`` for goals with no indicator."""
    series = assessment.series
    if series is None:
        return None
    # imported here: matplotlib is slow to import and only plots need it; Agg writes files
    # only, without a display (no window ever opens)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    goal = assessment.goal
    fig, ax = plt.subplots(figsize=(8, 4.5))
    try:
        t, y = series.times, series.values
        ax.plot(t, y, marker="o", color="black", lw=1.5, label=series.name)
        if goal.baseline is not None:
            lo, hi = to_time(goal.baseline[0]), to_time(goal.baseline[1])
        else:
            lo, hi = float(t[0]), to_time(goal.agreement)
        ax.axvspan(
            lo - series.step / 2,
            hi + series.step / 2,
            color="tab:blue",
            alpha=0.12,
            label="baseline",
        )
        ax.axvline(
            to_time(goal.agreement), color="tab:red", ls="--", label=f"agreement {goal.agreement}"
        )
        colours = iter(["tab:green", "tab:orange", "tab:purple", "tab:brown", "tab:olive"])
        for crit in assessment.criteria:
            for th in crit.thresholds:
                start = th.start if th.start is not None else float(t[0])
                ax.hlines(
                    th.level,
                    start,
                    float(t[-1]),
                    colors=next(colours, "grey"),
                    linestyles=":",
                    label=f"{th.label}: {th.level:.4g}",
                )
        dates = sorted(
            {
                str(c.by)
                for c in goal.criteria
                if isinstance(c, Substantial | Continuous | Target) and c.by is not None
            }
        )
        for by in dates:
            ax.axvline(to_time(by), color="grey", ls=":", lw=1)
            ax.annotate(
                f"by {by}",
                (to_time(by), 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=7,
                color="grey",
                ha="right",
                va="top",
                rotation=90,
            )
        verdicts = "; ".join(f"{c.kind}: {c.verdict.value}" for c in assessment.criteria)
        ax.set_title(f"{goal.id}: {assessment.verdict.value.upper()}\n{verdicts}", fontsize=9)
        ax.set_ylabel(series.unit)
        ticks = np.arange(len(series.labels))
        step = max(1, len(ticks) // 12)
        ax.set_xticks(t[::step], [series.labels[i] for i in ticks[::step]], rotation=45, fontsize=8)
        ax.legend(fontsize=7, loc="best")
        ax.grid(alpha=0.3)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        save_figure(fig, path, dpi=110)
    finally:
        plt.close(fig)
    return path


def plot_assessment(goals: tuple[GoalAssessment, ...], directory: Path) -> list[Path]:
    """One PNG per goal with an indicator, named ``<goal id>.png`` in ``directory``."""
    written = []
    for g in goals:
        out = plot_goal(g, directory / f"{g.goal.id}.png")
        if out is not None:
            written.append(out)
    return written
