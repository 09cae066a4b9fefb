"""Scoring forecasts on real decisions: cross-validation, bootstrap intervals, paired tests.

* Error measures on the 0–100 scale: mean absolute error (MAE) and the share of issues
  forecast within ±10 points, the measures of the DEU literature (Achen 2006, in
  Thomson et al., *The European Union Decides*, ch. 10).
* Cross-validation assigns whole proposals to folds: issues of one proposal are
  negotiated together (and the exchange model links them), so splitting them would leak.
* Intervals are percentile intervals of a cluster bootstrap that resamples proposals
  (issues of a proposal are not independent), and the comparison of two models is
  paired: each bootstrap draw scores both on the same resampled issues.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tradetalks._errors import ForecastError
from tradetalks.forecast._base import SpatialModel
from tradetalks.forecast._issues import FloatArray, IssueSet

WITHIN_POINTS = 10.0


def proposal_folds(proposal_ids: Sequence[str], k: int, seed: int = 0) -> NDArray[np.int_]:
    """Fold number (0..k−1) of each issue; all issues of a proposal share a fold.

    Proposals are shuffled with ``seed``, then placed largest first into the fold with
    the fewest issues so far, which balances the folds' sizes.
    """
    groups = list(dict.fromkeys(proposal_ids))
    if not 2 <= k <= len(groups):
        raise ForecastError(
            f"folds must be between 2 and the number of proposals ({len(groups)}), got {k}"
        )
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(groups))
    sizes = {g: 0 for g in groups}
    for p in proposal_ids:
        sizes[p] += 1
    shuffled = [groups[i] for i in order]
    shuffled.sort(key=lambda g: -sizes[g])  # stable: ties keep the random order
    load = np.zeros(k, dtype=int)
    fold_of: dict[str, int] = {}
    for g in shuffled:
        target = int(np.argmin(load))
        fold_of[g] = target
        load[target] += sizes[g]
    return np.array([fold_of[p] for p in proposal_ids], dtype=int)


def clone(model: SpatialModel) -> SpatialModel:
    """A fresh unfitted copy with the same hyperparameters."""
    return type(model)(**model.get_params())


def cross_val_predict(model: SpatialModel, issues: IssueSet, folds: NDArray[np.int_]) -> FloatArray:
    """Out-of-fold forecasts: for each fold, fit a clone on the other folds and predict it."""
    out = np.full(issues.n_issues, np.nan)
    for fold in np.unique(folds):
        test = folds == fold
        fitted = clone(model).fit(issues.subset(~test))
        out[test] = fitted.predict(issues.subset(test))
    return out


def cluster_bootstrap_weights(
    clusters: Sequence[str], n_boot: int, seed: int
) -> NDArray[np.float64]:
    """``(n_boot, n_issues)`` weights: how often each issue's proposal was drawn."""
    labels, index = np.unique(np.asarray(clusters), return_inverse=True)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, labels.size, size=(n_boot, labels.size))
    counts = np.zeros((n_boot, labels.size))
    np.add.at(counts, (np.arange(n_boot)[:, None], draws), 1.0)
    result: NDArray[np.float64] = counts[:, index]
    return result


@dataclass(frozen=True)
class ModelScore:
    """One model's scores with 95% cluster-bootstrap intervals and its paired difference.

    ``mae_diff`` is this model's MAE minus the baseline's on the same issues (negative =
    better); ``share_draws_better`` the share of bootstrap draws in which it beat the baseline.
    """

    name: str
    mae: float
    mae_ci: tuple[float, float]
    within10: float
    within10_ci: tuple[float, float]
    mae_diff: float
    mae_diff_ci: tuple[float, float]
    share_draws_better: float


@dataclass(frozen=True)
class Evaluation:
    """Scores of several models on the same issues and how they were obtained."""

    scores: tuple[ModelScore, ...]
    baseline: str
    mode: str  # "cross-validation" or "out-of-sample"
    n_issues: int
    n_proposals: int
    folds: int | None
    seed: int
    n_boot: int
    issue_ids: tuple[str, ...]
    outcome: FloatArray
    predictions: Mapping[str, FloatArray]
    source: str
    train_source: str | None

    def best(self) -> ModelScore:
        """The model with the lowest MAE."""
        return min(self.scores, key=lambda s: s.mae)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "source": self.source,
            "train_source": self.train_source,
            "mode": self.mode,
            "folds": self.folds,
            "seed": self.seed,
            "bootstrap_draws": self.n_boot,
            "n_issues": self.n_issues,
            "n_proposals": self.n_proposals,
            "baseline": self.baseline,
            "models": [
                {
                    "name": s.name,
                    "mae": s.mae,
                    "mae_ci95": list(s.mae_ci),
                    "within10": s.within10,
                    "within10_ci95": list(s.within10_ci),
                    "mae_minus_baseline": s.mae_diff,
                    "mae_minus_baseline_ci95": list(s.mae_diff_ci),
                    "share_draws_better_than_baseline": s.share_draws_better,
                }
                for s in self.scores
            ],
        }


def _interval(values: FloatArray) -> tuple[float, float]:
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def score_predictions(
    predictions: Mapping[str, FloatArray],
    outcome: FloatArray,
    proposals: Sequence[str],
    baseline: str,
    n_boot: int = 2000,
    seed: int = 0,
) -> tuple[ModelScore, ...]:
    """MAE and ±10 share per model with cluster-bootstrap intervals, paired with ``baseline``."""
    if baseline not in predictions:
        raise ForecastError(f"baseline {baseline!r} is not among the models {list(predictions)}")
    weights = cluster_bootstrap_weights(proposals, n_boot, seed)
    totals = weights.sum(axis=1)
    err = {name: np.abs(p - outcome) for name, p in predictions.items()}
    boot_mae = {name: weights @ e / totals for name, e in err.items()}
    scores = []
    for name, e in err.items():
        hit = (e <= WITHIN_POINTS).astype(float)
        diff = boot_mae[name] - boot_mae[baseline]
        scores.append(
            ModelScore(
                name=name,
                mae=float(e.mean()),
                mae_ci=_interval(boot_mae[name]),
                within10=float(hit.mean()),
                within10_ci=_interval(weights @ hit / totals),
                mae_diff=float(e.mean() - err[baseline].mean()),
                mae_diff_ci=_interval(diff),
                share_draws_better=float((diff < 0).mean()),
            )
        )
    return tuple(scores)


def evaluate(
    models: Mapping[str, SpatialModel],
    data: IssueSet,
    train: IssueSet | None = None,
    *,
    folds: int = 5,
    seed: int = 0,
    n_boot: int = 2000,
    baseline: str = "compromise",
    on_model: Any = None,
) -> Evaluation:
    """Score ``models`` on ``data``: cross-validated, or fit on ``train`` and scored out of sample.

    Only the issues of ``data`` with an outcome and ≥3 positions are scored (the rule of
    the DEU figures); in cross-validation every issue of ``data`` is used for training.
    ``on_model(name)`` is called after each model (progress reporting).
    """
    scored = data.scorable()
    if not scored.any():
        raise ForecastError(
            f"{data.source}: no issue has an outcome and at least 3 positions: nothing to score"
        )
    fold_index = None if train is not None else proposal_folds(data.proposal_ids, folds, seed)
    predictions: dict[str, FloatArray] = {}
    for name, model in models.items():
        if fold_index is None:
            assert train is not None
            full = clone(model).fit(train).predict(data)
        else:
            full = cross_val_predict(model, data, fold_index)
        predictions[name] = full[scored]
        if on_model is not None:
            on_model(name)
    proposals = [p for p, s in zip(data.proposal_ids, scored, strict=True) if s]
    outcome = data.outcome[scored]
    scores = score_predictions(predictions, outcome, proposals, baseline, n_boot, seed)
    return Evaluation(
        scores=scores,
        baseline=baseline,
        mode="out-of-sample" if train is not None else "cross-validation",
        n_issues=int(scored.sum()),
        n_proposals=len(set(proposals)),
        folds=None if train is not None else folds,
        seed=seed,
        n_boot=n_boot,
        issue_ids=tuple(i for i, s in zip(data.issue_ids, scored, strict=True) if s),
        outcome=outcome,
        predictions=predictions,
        source=data.source,
        train_source=None if train is None else train.source,
    )
