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
without a position, no reference point) are replaced by the mean of positions.
Besides the models' forecasts, features can describe the decision rule: the
capability-weighted mean of the voting members and the midpoint of the pivotal
interval (qualified majority or unanimity, :func:`pivot_midpoint`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Self

import numpy as np
from scipy.optimize import linprog

from tradetalks._errors import ConvergenceError, ForecastError
from tradetalks.forecast._base import (
    CompromiseModel,
    MeanModel,
    MedianModel,
    ParamsMixin,
    weighted_mean,
)
from tradetalks.forecast._exchange import ExchangeModel
from tradetalks.forecast._expected_utility import ExpectedUtilityModel
from tradetalks.forecast._issues import FloatArray, IssueSet
from tradetalks.forecast._nash import NashBargainingModel

#: Share of the Council's weighted votes a qualified majority needs: 62 of 87 under
#: EU-15 (Art. 205(2) EC), 0.71; Nice raised it to 232/321 = 0.72 and 255/345 = 0.74.
QUALIFIED_MAJORITY_SHARE = 62 / 87

DEFAULT_FEATURES = ("mean", "members_mean", "pivot_mid")


def weighted_quantile(position: FloatArray, weights: FloatArray, q: FloatArray) -> FloatArray:
    """Row-wise lower weighted ``q``-quantile of positions (NaN or zero-weight entries skipped)."""
    out = np.full(position.shape[0], np.nan)
    for row in range(position.shape[0]):
        keep = ~np.isnan(position[row]) & (weights[row] > 0)
        if not keep.any():
            continue
        order = np.argsort(position[row, keep], kind="stable")
        x, w = position[row, keep][order], weights[row, keep][order]
        cum = np.cumsum(w) / w.sum()
        out[row] = x[min(int(np.searchsorted(cum, q[row] - 1e-12)), x.size - 1)]
    return out


def pivot_midpoint(issues: IssueSet, members: Sequence[int]) -> FloatArray:
    """Midpoint of the pivotal interval of the voting members (Tsebelis 2002, *Veto Players*).

    Under qualified majority the outcome cannot be blocked from inside the interval
    between the member positions at the weighted ``1 − q`` and ``q`` quantiles (``q`` =
    :data:`QUALIFIED_MAJORITY_SHARE`); under unanimity (voting rule ``"Unan..."``) every
    member is a veto player and the interval spans all positions. Its midpoint is a
    forecast that knows the decision rule.
    """
    cols = np.asarray(members, dtype=int)
    position, weights = issues.position[:, cols], issues.capability[:, cols]
    unanimity = np.array([rule.lower().startswith("unan") for rule in issues.voting_rule])
    q = np.where(unanimity, 1.0, QUALIFIED_MAJORITY_SHARE)
    low = weighted_quantile(position, weights, 1.0 - q)
    high = weighted_quantile(position, weights, q)
    result: FloatArray = (low + high) / 2
    return result


def _model_feature(model: ParamsMixin) -> Callable[[IssueSet], FloatArray]:
    def compute(issues: IssueSet) -> FloatArray:
        forecast: FloatArray = model.fit(issues).predict(issues)  # type: ignore[attr-defined]
        return forecast

    return compute


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
    features
        Forecasts to combine, by name: the models ``"mean"``, ``"median"``,
        ``"compromise"``, ``"nash"``, ``"expected_utility"``, ``"exchange"``;
        ``"members_mean"`` (capability-weighted mean of the actors other than the
        anchors, i.e. the Council); ``"pivot_mid"`` (:func:`pivot_midpoint`);
        ``"anchor:<code>"`` (that actor's position); ``"reference"`` (status quo).
        The default was chosen by proposal-level cross-validation on the bundled DEU
        development subset (never on the held-out DEU issues).
    anchors
        Actors that are not voting members (EU: the Commission and the Parliament).
    shrinkage
        Pseudo-count pulling each procedure group's weights towards the pooled weights.
    missing_salience
        Passed to the base models.
    """

    def __init__(
        self,
        features: Sequence[str] = DEFAULT_FEATURES,
        anchors: Sequence[str] = ("com", "ep"),
        shrinkage: float = 30.0,
        missing_salience: float = 50.0,
    ) -> None:
        self.features = features
        self.anchors = anchors
        self.shrinkage = shrinkage
        self.missing_salience = missing_salience

    def _feature(self, name: str, issues: IssueSet) -> FloatArray:
        s = self.missing_salience
        models: dict[str, ParamsMixin] = {
            "mean": MeanModel(),
            "median": MedianModel(),
            "compromise": CompromiseModel(missing_salience=s),
            "nash": NashBargainingModel(missing_salience=s),
            "expected_utility": ExpectedUtilityModel(missing_salience=s),
            "exchange": ExchangeModel(missing_salience=s),
        }
        members = [k for k, a in enumerate(issues.actors) if a not in set(self.anchors)]
        if name in models:
            return _model_feature(models[name])(issues)
        if name == "members_mean":
            cols = np.asarray(members, dtype=int)
            return weighted_mean(issues.position[:, cols], issues.capability[:, cols])
        if name == "pivot_mid":
            return pivot_midpoint(issues, members)
        if name == "reference":
            return issues.reference.copy()
        if name.startswith("anchor:") and name[7:] in issues.actors:
            return issues.position[:, issues.actors.index(name[7:])].copy()
        raise ForecastError(
            f"StackedModel: unknown feature {name!r} for actors {list(issues.actors)}"
        )

    def _matrix(self, issues: IssueSet) -> FloatArray:
        columns = [self._feature(name, issues) for name in self.features]
        fallback = MeanModel().fit(issues).predict(issues)
        features = np.column_stack(columns)
        filled: FloatArray = np.where(np.isnan(features), fallback[:, None], features)
        return filled

    def fit(self, issues: IssueSet) -> Self:
        """Learn pooled and per-procedure weights on the scorable training issues."""
        if self.shrinkage < 0:
            raise ForecastError(f"shrinkage must be ≥ 0, got {self.shrinkage}")
        if len(self.features) == 0:
            raise ForecastError("StackedModel needs at least one feature")
        train = issues.subset(issues.scorable())
        if train.n_issues < 5:
            raise ForecastError(
                f"{issues.source}: StackedModel needs at least 5 training issues with an "
                f"outcome and ≥3 positions, got {train.n_issues}"
            )
        features = self._matrix(train)
        pooled = lad_convex_weights(features, train.outcome)
        groups: dict[str, FloatArray] = {}
        procedures = np.asarray(train.procedure)
        for group in sorted(set(train.procedure)):
            rows = procedures == group
            n_g = int(rows.sum())
            own = lad_convex_weights(features[rows], train.outcome[rows])
            share = n_g / (n_g + self.shrinkage)
            groups[group] = share * own + (1 - share) * pooled
        self.pooled_weights_ = pooled
        self.group_weights_ = groups
        self.scale_ = issues.scale
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Weighted combination of the features with the weights of each issue's procedure."""
        self._check_fitted()
        features = self._matrix(issues)
        weights = np.stack(
            [self.group_weights_.get(p, self.pooled_weights_) for p in issues.procedure]
        )
        result: FloatArray = (features * weights).sum(axis=1)
        return result
