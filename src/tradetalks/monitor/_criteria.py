r"""Verdicts on one criterion of a goal, as pure functions of a series and the goal's dates.

Notation: :math:`y_t` the indicator, :math:`s = +1` for an increase goal and :math:`-1`
for a decrease goal, :math:`\bar y_B, s_B, n_B` the mean, standard deviation and count of
the baseline observations, and *post* periods those that start after the agreement.

- **prompt**: the change :math:`\Delta_t = s (y_t - \bar y_B)` must reach the threshold
  :math:`h = \max(m_{rel} |\bar y_B|, m_{abs})` within the first ``k`` post periods and,
  when the baseline has at least three points, be significant: a one-sided prediction test
  :math:`T_t = \Delta_t / (s_B \sqrt{1 + 1/n_B}) \sim t_{n_B-1}` (the interval for one new
  observation of a stationary series; e.g. Montgomery, Jennings and Kulahci (2015),
  *Introduction to Time Series Analysis and Forecasting*, ch. 2). Met: reached in the
  window (and significant if testable); partly met: a change in the right direction in the
  window that is too small or not significant, or the threshold reached only later.
- **substantial**: the mean of the last ``average_periods`` post periods (up to ``by``)
  against a reference (the baseline mean, the baseline mean times a counterfactual factor,
  or a counterfactual path at the same periods). Met: change >= threshold; partly met: a
  smaller change in the right direction; not met: none. A one-sided Welch t-test of post
  against baseline is reported.
- **continuous**: over the post periods (up to ``by``), the largest fall from the running
  peak, :math:`\max_t (P_t - s y_t)/|P_t|` with :math:`P_t = \max_{u \le t} s y_u`, must
  stay within ``tolerance`` and a Mann–Kendall test (Mann 1945, Kendall 1975; through
  ``pymannkendall``, Hussain and Mahmud 2019, JOSS 4(39): 1556) must find a significant
  trend in the goal's direction. Met: both; partly met: one; not met: neither.
- **target**: the first post period with :math:`s (y_t - L) \ge 0`. Met: at or before
  ``by``; partly met: only after ``by`` (met late); not met: never, with data past ``by``.
- **qualitative**: scores normalised to [0, 1], combined across assessors per item by the
  rule (mean, median, min, max), then weighted over items; ``majority`` takes each
  assessor's own verdict and needs more than half of them to agree (else partly met).

Whenever the data cannot settle a verdict (no baseline, no post period, a gap where the
answer could hide, too few points) the verdict is *not enough data*, with the reason.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pymannkendall as mk
from scipy import stats

from tradetalks.monitor._model import (
    Continuous,
    Prompt,
    Qualitative,
    Substantial,
    Target,
    Verdict,
)
from tradetalks.monitor._series import IndicatorSeries, to_time

Stat = float | int | str | None
_EPS = 1e-9  # on times, in years
_REL_TOL = 1e-9  # relative tolerance on values: float rounding is not a change


@dataclass(frozen=True)
class Threshold:
    """A level to draw on the plot: ``label`` at ``level`` from time ``start`` on."""

    label: str
    level: float
    start: float | None = None


@dataclass(frozen=True)
class CriterionVerdict:
    """The verdict on one criterion, with the evidence and test statistics behind it."""

    kind: str
    verdict: Verdict
    evidence: str
    statistics: Mapping[str, Stat] = field(default_factory=dict)
    thresholds: tuple[Threshold, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready form."""
        return {
            "kind": self.kind,
            "verdict": self.verdict.value,
            "evidence": self.evidence,
            "statistics": {k: _clean(v) for k, v in self.statistics.items()},
        }


@dataclass(frozen=True)
class Window:
    """Where the baseline and the post-agreement periods of a goal fall in its series."""

    series: IndicatorSeries
    agreement_time: float
    baseline: npt.NDArray[np.bool_]
    post: npt.NDArray[np.bool_]
    sign: float

    @property
    def baseline_values(self) -> npt.NDArray[np.float64]:
        """Baseline observations, gaps dropped."""
        v = self.series.values[self.baseline]
        return v[~np.isnan(v)]


def make_window(
    series: IndicatorSeries,
    agreement_time: float,
    baseline: tuple[float, float] | None,
    sign: float,
) -> Window:
    """Baseline mask and post mask.

    The baseline is the given range, else every period up to the agreement; post periods
    start after the agreement and after the baseline (a baseline may follow the agreement
    when the data start late: then the post periods follow the baseline).
    """
    t = series.times
    if baseline is None:
        base = t <= agreement_time + _EPS
        start = agreement_time
    else:
        base = (t >= baseline[0] - _EPS) & (t <= baseline[1] + _EPS)
        start = max(agreement_time, baseline[1])
    return Window(series, start, base, t > start + _EPS, sign)


def _ned(kind: str, why: str, **statistics: Stat) -> CriterionVerdict:
    return CriterionVerdict(kind, Verdict.NOT_ENOUGH_DATA, why, statistics)


def _threshold(base: float, rel: float | None, abs_: float | None) -> float:
    """Smallest change that counts: both the relative and the absolute bar when both given."""
    return max((rel or 0.0) * abs(base), abs_ or 0.0)


def _rel(change: float, ref: float) -> float | None:
    """``change / |ref|``, or None when it is not a finite number (ref zero or tiny)."""
    with np.errstate(all="ignore"):
        out = np.float64(change) / abs(np.float64(ref))
    return float(out) if np.isfinite(out) else None


def _clean(x: Stat) -> Stat:
    """JSON has no NaN or infinity: report them as missing."""
    return None if isinstance(x, float) and not np.isfinite(x) else x


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _upto(w: Window, by: float | None) -> npt.NDArray[np.bool_]:
    mask = w.post.copy()
    if by is not None:
        mask &= w.series.times <= by + _EPS
    return mask


def assess_prompt(w: Window, c: Prompt) -> CriterionVerdict:
    """Prompt: a (significant) change of at least the threshold within ``k`` post periods."""
    base = w.baseline_values
    if base.size == 0:
        return _ned(c.kind, "no observation in the baseline period")
    post_idx = np.flatnonzero(w.post)
    if post_idx.size == 0:
        return _ned(c.kind, "no period after the agreement in the data")
    labels, y = w.series.labels, w.series.values
    mean = float(base.mean())
    h = _threshold(mean, c.min_change, c.min_change_abs)
    sd = float(base.std(ddof=1)) if base.size >= 3 else float("nan")
    testable = base.size >= 3 and sd > 0
    change = w.sign * (y[post_idx] - mean)
    if testable:
        t_stat = change / (sd * np.sqrt(1 + 1 / base.size))
        p_val = stats.t.sf(t_stat, df=base.size - 1)
    else:
        t_stat = p_val = np.full(change.shape, np.nan)
    tol = _REL_TOL * abs(mean)  # rounding of the mean must not count as a change
    big = (change >= h - tol) & (change > tol)
    sig = (p_val < c.alpha) if testable else np.ones(change.shape, dtype=bool)
    hit = big & sig & ~np.isnan(change)
    k = c.within_periods
    in_win = np.arange(post_idx.size) < k
    statistics: dict[str, Stat] = {
        "baseline_mean": mean,
        "baseline_n": int(base.size),
        "threshold_change": h,
        "window_periods": k,
        "significance_tested": bool(testable),
    }
    thresholds = (Threshold("prompt threshold", mean + w.sign * h, w.agreement_time),)
    window_changes = change[in_win]
    if np.any(~np.isnan(window_changes)):
        j = int(np.nanargmax(window_changes))
        statistics |= {
            "best_period": labels[post_idx[j]],
            "best_change": float(change[j]),
            "best_change_rel": _rel(float(change[j]), mean),
            "t": float(t_stat[j]) if testable else None,
            "p": float(p_val[j]) if testable else None,
        }
    if np.any(hit & in_win):
        j = int(np.flatnonzero(hit & in_win)[0])
        statistics["first_period_met"] = labels[post_idx[j]]
        sig_note = f", p={_fmt(float(p_val[j]))}" if testable else " (baseline too short to test)"
        return CriterionVerdict(
            c.kind,
            Verdict.MET,
            f"change {_fmt(float(change[j]))} >= {_fmt(h)} in {labels[post_idx[j]]}, "
            f"{j + 1} period(s) after the agreement{sig_note}",
            statistics,
            thresholds,
        )
    complete = post_idx.size >= k and not np.any(np.isnan(window_changes))
    if not complete:
        return CriterionVerdict(
            c.kind,
            Verdict.NOT_ENOUGH_DATA,
            f"threshold not reached in the {min(k, post_idx.size)} observed period(s) of the "
            f"{k}-period window, and the window is incomplete or has gaps",
            statistics,
            thresholds,
        )
    if np.any(hit):
        j = int(np.flatnonzero(hit)[0])
        return CriterionVerdict(
            c.kind,
            Verdict.PARTLY_MET,
            f"threshold reached only in {labels[post_idx[j]]}, {j + 1} periods after the "
            f"agreement (window {k})",
            statistics,
            thresholds,
        )
    if np.any(window_changes > tol):
        why = "not significant" if np.any(big[in_win]) else f"below the threshold {_fmt(h)}"
        return CriterionVerdict(
            c.kind,
            Verdict.PARTLY_MET,
            f"change in the goal's direction within {k} period(s), but {why}",
            statistics,
            thresholds,
        )
    return CriterionVerdict(
        c.kind,
        Verdict.NOT_MET,
        f"no change in the goal's direction within {k} period(s) of the agreement",
        statistics,
        thresholds,
    )


def _counterfactual_at(
    c: Substantial, times: npt.NDArray[np.float64], step: float
) -> npt.NDArray[np.float64] | None:
    """Counterfactual values at ``times`` (matched within a quarter step), NaN where absent."""
    if c.counterfactual is None:
        return None
    cf_t = np.array([to_time(p.period) for p in c.counterfactual])
    cf_v = np.array([p.value for p in c.counterfactual])
    out = np.full(times.shape, np.nan)
    for i, t in enumerate(times):
        near = np.flatnonzero(np.abs(cf_t - t) <= step / 4)
        if near.size:
            out[i] = cf_v[near[0]]
    return out


def assess_substantial(w: Window, c: Substantial) -> CriterionVerdict:
    """Substantial: the late post-agreement level against the baseline or a counterfactual."""
    base = w.baseline_values
    if base.size == 0:
        return _ned(c.kind, "no observation in the baseline period")
    by = to_time(c.by) if c.by is not None else None
    idx = np.flatnonzero(_upto(w, by))
    s = w.series
    if idx.size == 0:
        return _ned(c.kind, "no period after the agreement (up to 'by') in the data")
    if by is not None and s.times[-1] < by - s.step / 4:
        return _ned(c.kind, f"the data end ({s.labels[-1]}) before the date to judge by")
    last = idx[-c.average_periods :]
    y = s.values[last]
    ok = ~np.isnan(y)
    if not ok.any():
        return _ned(c.kind, f"no observation in {', '.join(s.labels[i] for i in last)}")
    mean_b = float(base.mean())
    level = float(y[ok].mean())
    cf = _counterfactual_at(c, s.times[last], s.step)
    if cf is not None:
        if np.isnan(cf[ok]).any():
            return _ned(c.kind, "the counterfactual does not cover the periods judged")
        ref = float(cf[ok].mean())
        ref_name = "counterfactual"
    elif c.counterfactual_factor is not None:
        ref = mean_b * c.counterfactual_factor
        ref_name = f"baseline x {c.counterfactual_factor:g} (counterfactual factor)"
    else:
        ref, ref_name = mean_b, "baseline mean"
    h = _threshold(ref, c.min_change, c.min_change_abs)
    change = w.sign * (level - ref)
    judged = ", ".join(s.labels[i] for i in last[ok])
    statistics: dict[str, Stat] = {
        "level": level,
        "periods": judged,
        "reference": ref,
        "reference_kind": ref_name,
        "change": change,
        "change_rel": _rel(change, ref),
        "threshold_change": h,
    }
    post_all = s.values[idx]
    post_all = post_all[~np.isnan(post_all)]
    if base.size >= 2 and post_all.size >= 2 and (base.std() > 0 or post_all.std() > 0):
        with warnings.catch_warnings():
            # near-constant groups make scipy warn of precision loss; the statistic is
            # only reported (non-finite values end up as missing), never used for the verdict
            warnings.simplefilter("ignore", RuntimeWarning)
            test = stats.ttest_ind(
                post_all if w.sign > 0 else -post_all,
                base if w.sign > 0 else -base,
                equal_var=False,
                alternative="greater",
            )
        statistics |= {"welch_t": float(test.statistic), "welch_p": float(test.pvalue)}
    thresholds = (Threshold(f"substantial (vs {ref_name})", ref + w.sign * h, w.agreement_time),)
    text = f"{judged}: {_fmt(level)} vs {ref_name} {_fmt(ref)}, change {_fmt(change)}"
    tol = _REL_TOL * abs(ref)
    if change > tol and change >= h - tol:
        verdict, text = Verdict.MET, f"{text} >= {_fmt(h)}"
    elif change > tol:
        verdict, text = Verdict.PARTLY_MET, f"{text} < {_fmt(h)}"
    else:
        verdict, text = Verdict.NOT_MET, f"{text}: no change in the goal's direction"
    return CriterionVerdict(c.kind, verdict, text, statistics, thresholds)


def _largest_fall(v: npt.NDArray[np.float64]) -> tuple[float, int]:
    """Largest relative fall from the running peak of ``v`` and where it happens."""
    peak = np.maximum.accumulate(v)
    with np.errstate(divide="ignore", invalid="ignore"):
        fall = np.where(peak != 0, (peak - v) / np.abs(peak), np.where(v < peak, np.inf, 0.0))
    j = int(np.argmax(fall))
    return float(fall[j]), j


def assess_continuous(w: Window, c: Continuous) -> CriterionVerdict:
    """Continuous: no reversal beyond the tolerance, and a Mann–Kendall trend."""
    by = to_time(c.by) if c.by is not None else None
    idx = np.flatnonzero(_upto(w, by))
    s = w.series
    if idx.size == 0:
        return _ned(c.kind, "no period after the agreement (up to 'by') in the data")
    y = s.values[idx]
    if np.isnan(y).any():
        gaps = ", ".join(s.labels[i] for i in idx[np.isnan(y)])
        return _ned(c.kind, f"gaps after the agreement ({gaps}) could hide a reversal")
    if y.size < c.min_periods:
        return _ned(
            c.kind,
            f"{y.size} period(s) after the agreement, {c.min_periods} needed",
            periods=int(y.size),
        )
    v = w.sign * y
    fall, j = _largest_fall(v)
    # Mann–Kendall counts signs of differences: on the series' own scale, rounded, so that
    # rounding noise in a flat stretch reads as a tie in any unit (a change of units changes
    # no verdict).
    scale = float(np.max(np.abs(v))) or 1.0
    test = mk.original_test(np.round(v / scale, 9), alpha=c.alpha)
    trend_ok = bool(test.h) and test.trend == "increasing"
    steady = fall <= c.tolerance + _EPS
    statistics: dict[str, Stat] = {
        "periods": f"{s.labels[idx[0]]}..{s.labels[idx[-1]]}",
        "largest_reversal": fall,
        "reversal_at": s.labels[idx[j]] if fall > 0 else None,
        "tolerance": c.tolerance,
        "mann_kendall_tau": float(test.Tau),
        "mann_kendall_z": float(test.z),
        "mann_kendall_p": float(test.p),
        "sen_slope": float(w.sign * test.slope * scale),
    }
    rev = (
        f"largest reversal {fall:.1%}"
        + (f" (in {s.labels[idx[j]]})" if fall > 0 else "")
        + f" {'<=' if steady else '>'} tolerance {c.tolerance:.0%}"
    )
    trend = f"Mann–Kendall tau={float(test.Tau):.2f}, p={float(test.p):.3g}" + (
        " (significant trend in the goal's direction)" if trend_ok else " (no significant trend)"
    )
    verdict = (
        Verdict.MET
        if steady and trend_ok
        else Verdict.PARTLY_MET
        if steady or trend_ok
        else Verdict.NOT_MET
    )
    return CriterionVerdict(c.kind, verdict, f"{rev}; {trend}", statistics)


def assess_target(w: Window, c: Target) -> CriterionVerdict:
    """Numerical target: the level reached at or before ``by`` (met), later, or never."""
    by = to_time(c.by)
    s = w.series
    idx = np.flatnonzero(w.post)
    thresholds = (Threshold(f"target by {c.by}", c.level, None),)
    statistics: dict[str, Stat] = {"level": c.level, "by": str(c.by)}
    if idx.size == 0:
        return _ned(c.kind, "no period after the agreement in the data", **statistics)
    y = s.values[idx]
    if np.isnan(y).all():
        return _ned(c.kind, "no observation after the agreement", **statistics)
    reached = w.sign * (y - c.level) >= -_REL_TOL * abs(c.level)
    at_by = idx[s.times[idx] <= by + _EPS]
    if at_by.size:
        last = s.values[at_by[-1]]
        statistics |= {"value_at_by": None if np.isnan(last) else float(last)}
        statistics["period_at_by"] = s.labels[at_by[-1]]
    if reached.any():
        j = idx[int(np.flatnonzero(reached)[0])]
        statistics["first_period_reached"] = s.labels[j]
        if s.times[j] <= by + _EPS:
            return CriterionVerdict(
                c.kind,
                Verdict.MET,
                f"level {_fmt(c.level)} reached in {s.labels[j]} ({_fmt(float(s.values[j]))}),"
                f" by {c.by}",
                statistics,
                thresholds,
            )
    before = s.values[at_by]
    covers = s.times[-1] >= by - s.step / 4
    if not covers or np.isnan(before).any():
        why = (
            f"the data end ({s.labels[-1]}) before {c.by}"
            if not covers
            else "gaps before the deadline could hide the level being reached"
        )
        return CriterionVerdict(
            c.kind, Verdict.NOT_ENOUGH_DATA, f"not reached yet; {why}", statistics, thresholds
        )
    if reached.any():
        return CriterionVerdict(
            c.kind,
            Verdict.PARTLY_MET,
            f"level {_fmt(c.level)} reached late, in {statistics['first_period_reached']} "
            f"(due by {c.by})",
            statistics,
            thresholds,
        )
    best = float(np.nanmax(w.sign * y) * w.sign)
    statistics["best_value"] = best
    return CriterionVerdict(
        c.kind,
        Verdict.NOT_MET,
        f"level {_fmt(c.level)} never reached (best {_fmt(best)}, last {s.labels[-1]})",
        statistics,
        thresholds,
    )


def _score_verdict(score: float, c: Qualitative) -> Verdict:
    if score >= c.met_at - _EPS:
        return Verdict.MET
    return Verdict.PARTLY_MET if score >= c.partly_at - _EPS else Verdict.NOT_MET


def _combine(x: npt.NDArray[np.float64], rule: str) -> float:
    """One item's score across assessors (NaN = not scored by that assessor)."""
    x = x[~np.isnan(x)]
    if rule == "median":
        return float(np.median(x))
    if rule == "min":
        return float(x.min())
    if rule == "max":
        return float(x.max())
    return float(x.mean())


def assess_qualitative(c: Qualitative) -> CriterionVerdict:
    """Qualitative: a rubric scored by named assessors, combined by the stated rule."""
    assessors = sorted(c.scores)
    items = [i.id for i in c.items]
    weights = np.array([i.weight for i in c.items])
    grid = np.full((len(assessors), len(items)), np.nan)
    for a, who in enumerate(assessors):
        for i, item in enumerate(items):
            if item in c.scores[who]:
                grid[a, i] = c.scores[who][item] / c.scale_max
    active = [who for a, who in enumerate(assessors) if not np.isnan(grid[a]).all()]
    if len(active) < c.min_assessors:
        return _ned(
            c.kind,
            f"{len(active)} assessor(s) scored the rubric, {c.min_assessors} needed",
            assessors=len(active),
        )
    unscored = [items[i] for i in range(len(items)) if np.isnan(grid[:, i]).all()]
    statistics: dict[str, Stat] = {
        "rule": c.rule,
        "assessors": ", ".join(active),
        "unscored_items": ", ".join(unscored) or None,
    }
    per_assessor = {}
    for a, who in enumerate(assessors):
        ok = ~np.isnan(grid[a])
        if ok.any():
            per_assessor[who] = float(np.average(grid[a, ok], weights=weights[ok]))
            statistics[f"score[{who}]"] = per_assessor[who]
    if c.rule == "majority":
        votes = [_score_verdict(x, c) for x in per_assessor.values()]
        tally = {v: votes.count(v) for v in set(votes)}
        winner = max(tally, key=lambda v: tally[v])
        verdict = winner if tally[winner] * 2 > len(votes) else Verdict.PARTLY_MET
        text = ", ".join(f"{v.value}: {n}" for v, n in sorted(tally.items()))
        return CriterionVerdict(
            c.kind, verdict, f"assessors' verdicts {text} (majority rule)", statistics
        )
    scored = [i for i in range(len(items)) if items[i] not in unscored]
    item_scores = np.array([_combine(grid[:, i], c.rule) for i in scored])
    score = float(np.average(item_scores, weights=weights[scored]))
    statistics["score"] = score
    verdict = _score_verdict(score, c)
    return CriterionVerdict(
        c.kind,
        verdict,
        f"score {score:.2f} ({c.rule} over {len(active)} assessor(s), weighted over "
        f"{len(scored)} item(s); met at {c.met_at:g}, partly at {c.partly_at:g})",
        statistics,
    )
