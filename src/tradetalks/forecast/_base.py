r"""The estimator contract and the three position-averaging models (mean, median, compromise).

Contract (scikit-learn's, ``doc/developers/develop.rst``): ``__init__`` only stores its
keyword hyperparameters under the same names; ``fit(issues)`` learns what the model
learns (if anything) and returns ``self``; what it learnt lives in attributes whose
names end in ``_``; ``predict(issues)`` returns one forecast per issue on the issues'
scale. :func:`~tradetalks.forecast.check_model` checks any model against it.

The compromise model (Achen 2006, "Evaluating political decision-making models", in
Thomson, Stokman, Achen & König, *The European Union Decides*, ch. 10; also
van den Bos 1991) predicts the capability × salience weighted mean of positions,

.. math:: \hat o = \frac{\sum_i c_i s_i x_i}{\sum_i c_i s_i}.
"""

from __future__ import annotations

import inspect
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np

from tradetalks._errors import ForecastError
from tradetalks.forecast._issues import FloatArray, IssueSet


class NotFittedError(ForecastError):
    """``predict`` was called on a model that has not been fitted."""


@runtime_checkable
class SpatialModel(Protocol):
    """What every forecasting model offers (see the module docstring)."""

    def fit(self, issues: IssueSet) -> Self:
        """Learn from training issues (with outcomes); return ``self``."""
        ...

    def predict(self, issues: IssueSet) -> FloatArray:
        """One forecast per issue, on the issues' scale."""
        ...

    def get_params(self) -> dict[str, Any]:
        """The constructor's hyperparameters."""
        ...


class ParamsMixin:
    """``get_params``, ``repr`` and the fitted check shared by the models (no behaviour)."""

    def get_params(self) -> dict[str, Any]:
        """The hyperparameters, read back from the attributes named after ``__init__``'s."""
        names = [
            p.name
            for p in inspect.signature(type(self).__init__).parameters.values()
            if p.name != "self"
        ]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _check_fitted(self) -> None:
        if not any(k.endswith("_") and not k.startswith("_") for k in vars(self)):
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(issues) first")


def capability_salience_weights(issues: IssueSet, missing_salience: float = 50.0) -> FloatArray:
    """``c_i s_i`` per issue and actor (0 for actors without a position)."""
    return issues.capability * issues.fill_salience(missing_salience)


def weighted_mean(position: FloatArray, weights: FloatArray) -> FloatArray:
    """Row-wise ``Σ w x / Σ w`` ignoring NaN positions; plain mean where all weights are 0."""
    has = ~np.isnan(position)
    x = np.where(has, position, 0.0)
    w = np.where(has, weights, 0.0)
    total = w.sum(axis=1)
    plain = np.where(has, 1.0, 0.0)
    w = np.where(total[:, None] > 0, w, plain)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        result: FloatArray = (w * x).sum(axis=1) / total
    return result


def weighted_median(position: FloatArray, weights: FloatArray) -> FloatArray:
    """Row-wise weighted median (NaN positions ignored; ties at half the weight averaged).

    The point x where the weight on each side is at most half the total: in one dimension
    it beats every other position in pairwise votes weighted by ``weights`` (Black 1948).
    """
    n = position.shape[0]
    out = np.full(n, np.nan)
    for row in range(n):
        has = ~np.isnan(position[row])
        x, w = position[row, has], weights[row, has]
        if x.size == 0:
            continue
        if w.sum() <= 0:
            w = np.ones_like(x)
        order = np.argsort(x, kind="stable")
        x, w = x[order], w[order]
        cum = np.cumsum(w) / w.sum()
        k = int(np.searchsorted(cum, 0.5 - 1e-12))
        out[row] = (x[k] + x[k + 1]) / 2 if np.isclose(cum[k], 0.5) and k + 1 < x.size else x[k]
    return out


def _scale_of(issues: IssueSet) -> tuple[float, float]:
    low, high = issues.scale
    return float(low), float(high)


class MeanModel(ParamsMixin):
    """Unweighted mean of the actors' positions (the simplest benchmark)."""

    def __init__(self) -> None:
        pass

    def fit(self, issues: IssueSet) -> Self:
        """Nothing to learn; records the scale."""
        self.scale_ = _scale_of(issues)
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Mean position per issue."""
        self._check_fitted()
        return weighted_mean(issues.position, np.ones_like(issues.position))


class MedianModel(ParamsMixin):
    """Unweighted median of the actors' positions."""

    def __init__(self) -> None:
        pass

    def fit(self, issues: IssueSet) -> Self:
        """Nothing to learn; records the scale."""
        self.scale_ = _scale_of(issues)
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Median position per issue (mean of the two middle ones for an even count)."""
        self._check_fitted()
        return weighted_median(issues.position, np.ones_like(issues.position))


class CompromiseModel(ParamsMixin):
    """Capability × salience weighted mean of positions (Achen 2006; see the module docstring).

    Parameters
    ----------
    missing_salience
        Salience given to actors whose salience is not reported (0–100).
    """

    def __init__(self, missing_salience: float = 50.0) -> None:
        self.missing_salience = missing_salience

    def fit(self, issues: IssueSet) -> Self:
        """Nothing to learn; records the scale."""
        if not 0 <= self.missing_salience <= 100:
            raise ForecastError(
                f"missing_salience must be in [0, 100], got {self.missing_salience}"
            )
        self.scale_ = _scale_of(issues)
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Weighted mean position per issue."""
        self._check_fitted()
        return weighted_mean(
            issues.position, capability_salience_weights(issues, self.missing_salience)
        )
