r"""Our model: a procedure-aware convex combination of spatial forecasts, fit by LAD.

The classic models each capture part of how decisions are reached: the compromise
(weighted mean), the median and the Nash solution read the distribution of positions;
some actors' positions matter beyond their votes (in the EU the Commission proposes
and the Parliament co-decides); the reference point anchors outcomes when agreement
fails. Which mix works depends on the decision rule. :class:`StackedModel` learns it
from training issues (stacking, Wolpert 1992; Breiman 1996): features are the base
models' forecasts ``F`` (``n × k``), and per procedure group ``g`` it solves

.. math:: \min_{w \ge 0,\ \sum w = 1} \sum_{n \in g} |y_n - F_n w|,

a linear programme (least absolute deviations, the loss the DEU literature scores).
The convexity constraint keeps forecasts inside the range of the base forecasts and
limits overfitting; a group's weights are shrunk towards the pooled ones by
``n_g / (n_g + shrinkage)``. Features that are missing on an issue (an anchor actor
without a position, no reference point) are replaced by the compromise forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

import numpy as np
from scipy.optimize import linprog

from tradetalks._errors import ConvergenceError, ForecastError
from tradetalks.forecast._base import (
    CompromiseModel,
    MeanModel,
    MedianModel,
    ParamsMixin,
)
from tradetalks.forecast._exchange import ExchangeModel
from tradetalks.forecast._expected_utility import ExpectedUtilityModel
from tradetalks.forecast._issues import FloatArray, IssueSet
from tradetalks.forecast._nash import NashBargainingModel

_BASE_FEATURES = ("mean", "median", "compromise", "nash", "expected_utility", "exchange")


def lad_convex_weights(features: FloatArray, target: FloatArray) -> FloatArray:
    """Weights ``w ≥ 0``, ``Σ w = 1`` minimising ``Σ |target − features @ w|`` (an LP).

    Variables ``(w, e⁺, e⁻)`` with ``features @ w + e⁺ − e⁻ = target``, minimising
    ``Σ (e⁺ + e⁻)``; solved by HiGHS through :func:`scipy.optimize.linprog`.
    """
    n, k = features.shape
    cost = np.concatenate([np.zeros(k), np.ones(2 * n)])
    a_eq = np.zeros((n + 1, k + 2 * n))
    a_eq[:n, :k] = features
    a_eq[:n, k : k + n] = np.eye(n)
    a_eq[:n, k + n :] = -np.eye(n)
    a_eq[n, :k] = 1.0
    b_eq = np.concatenate([target, [1.0]])
    result = linprog(cost, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if not result.success:
        raise ConvergenceError(
            "least-absolute-deviation weights: linear programme failed",
            {"status": result.status, "message": result.message},
        )
    w: FloatArray = np.clip(result.x[:k], 0.0, None)
    normalised: FloatArray = w / w.sum()
    return normalised


class StackedModel(ParamsMixin):
    """Procedure-aware stacked forecast (see the module docstring).

    Parameters
    ----------
    anchors
        Actor codes whose own position is a feature when present (EU: the Commission
        ``"com"`` and the Parliament ``"ep"``); missing codes are skipped.
    use_reference
        Whether the reference point (status quo) is a feature.
    shrinkage
        Pseudo-count pulling each procedure group's weights towards the pooled weights.
    missing_salience
        Passed to the base models.
    """

    def __init__(
        self,
        anchors: Sequence[str] = ("com", "ep"),
        use_reference: bool = True,
        shrinkage: float = 30.0,
        missing_salience: float = 50.0,
    ) -> None:
        self.anchors = anchors
        self.use_reference = use_reference
        self.shrinkage = shrinkage
        self.missing_salience = missing_salience

    def _base_models(self) -> list[ParamsMixin]:
        s = self.missing_salience
        return [
            MeanModel(),
            MedianModel(),
            CompromiseModel(missing_salience=s),
            NashBargainingModel(missing_salience=s),
            ExpectedUtilityModel(missing_salience=s),
            ExchangeModel(missing_salience=s),
        ]

    def _features(self, issues: IssueSet) -> tuple[FloatArray, list[str]]:
        columns, names = [], list(_BASE_FEATURES)
        for model in self._base_models():
            columns.append(model.fit(issues).predict(issues))  # type: ignore[attr-defined]
        fallback = columns[2]
        for code in self.anchors:
            if code in issues.actors:
                columns.append(issues.position[:, issues.actors.index(code)])
                names.append(f"position:{code}")
        if self.use_reference:
            columns.append(issues.reference)
            names.append("reference")
        features = np.column_stack(columns)
        features = np.where(np.isnan(features), fallback[:, None], features)
        return features, names

    def fit(self, issues: IssueSet) -> Self:
        """Learn pooled and per-procedure weights on the scorable training issues."""
        if self.shrinkage < 0:
            raise ForecastError(f"shrinkage must be ≥ 0, got {self.shrinkage}")
        train = issues.subset(issues.scorable())
        if train.n_issues < 5:
            raise ForecastError(
                f"{issues.source}: StackedModel needs at least 5 training issues with an "
                f"outcome and ≥3 positions, got {train.n_issues}"
            )
        features, names = self._features(train)
        pooled = lad_convex_weights(features, train.outcome)
        groups: dict[str, FloatArray] = {}
        procedures = np.asarray(train.procedure)
        for group in sorted(set(train.procedure)):
            rows = procedures == group
            n_g = int(rows.sum())
            own = lad_convex_weights(features[rows], train.outcome[rows])
            share = n_g / (n_g + self.shrinkage)
            groups[group] = share * own + (1 - share) * pooled
        self.feature_names_ = tuple(names)
        self.pooled_weights_ = pooled
        self.group_weights_ = groups
        self.scale_ = issues.scale
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Weighted combination of the base forecasts with the weights of each issue's procedure."""
        self._check_fitted()
        features, names = self._features(issues)
        if tuple(names) != self.feature_names_:
            raise ForecastError(
                f"{issues.source}: the issues have features {names}, the model was fit on "
                f"{list(self.feature_names_)} (different anchor actors?)"
            )
        weights = np.stack(
            [self.group_weights_.get(p, self.pooled_weights_) for p in issues.procedure]
        )
        result: FloatArray = (features * weights).sum(axis=1)
        return result
