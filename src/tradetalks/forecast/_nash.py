r"""The (asymmetric) Nash bargaining solution over the actors of each issue.

Each actor ``i`` with position ``x_i`` values an outcome ``x`` on a scale of width ``R`` as

.. math:: u_i(x) = 1 - (|x - x_i| / R)^{p},

(``p = 2``: the quadratic loss used by Achen 2006, "Institutional realism and
bargaining models", in Thomson et al., *The European Union Decides*, ch. 4, who shows
that the Nash solution then sits close to the compromise model). The forecast is the
asymmetric Nash bargaining solution (Nash 1950; Kalai 1977, bargaining weights)

.. math:: \hat o = \arg\max_x \sum_i w_i \log\big(u_i(x) - d_i\big),
          \quad w_i = c_i s_i,

where the disagreement utility ``d_i`` is either 0 (``"worst"``: no deal is as bad as
the far end of the scale) or ``u_i(\text{reference point})`` (``"reference"``: no deal
keeps the status quo). With the status quo as disagreement point, only outcomes that
every actor prefers to it can be agreed; when there are none (actors on both sides of
the reference point) the forecast is the reference point itself.

The objective is concave in ``x`` on the feasible interval (a sum of logs of concave
positive functions), so a golden-section search finds the maximum; it is vectorised
over issues.
"""

from __future__ import annotations

from typing import Literal, Self

import numpy as np

from tradetalks._errors import ForecastError
from tradetalks.forecast._base import ParamsMixin, capability_salience_weights
from tradetalks.forecast._issues import FloatArray, IssueSet

Disagreement = Literal["worst", "reference"]
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_ITERATIONS = 80  # interval shrinks by 0.618^80 ≈ 2e-17 of the scale


def nash_objective(
    x: FloatArray,
    position: FloatArray,
    weights: FloatArray,
    disagreement: FloatArray,
    width: float,
    exponent: float,
) -> FloatArray:
    """``Σ_i w_i log(u_i(x) − d_i)`` for candidate outcomes ``x`` (one per issue row).

    Parameters
    ----------
    x
        ``(n,)`` candidate outcomes.
    position, weights, disagreement
        ``(n, m)``; NaN positions (non-participants) contribute nothing.
    width
        Scale width ``R``.
    exponent
        ``p`` of the utility.
    """
    has = ~np.isnan(position)
    u = 1.0 - (np.abs(x[:, None] - np.where(has, position, 0.0)) / width) ** exponent
    gain = np.where(has, u - disagreement, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(has & (weights > 0), weights * np.log(np.maximum(gain, 0.0)), 0.0)
    result: FloatArray = terms.sum(axis=1)
    return result


def nash_bargaining(
    position: FloatArray,
    weights: FloatArray,
    reference: FloatArray,
    scale: tuple[float, float],
    exponent: float = 2.0,
    disagreement: Disagreement = "worst",
) -> FloatArray:
    """The asymmetric Nash bargaining solution per issue (see the module docstring).

    Returns
    -------
    ``(n,)`` forecasts; NaN for an issue without positions.
    """
    low, high = scale
    width = high - low
    n = position.shape[0]
    has = ~np.isnan(position)
    use_reference = (disagreement == "reference") & ~np.isnan(reference)
    pos0 = np.where(has, position, 0.0)
    if disagreement == "reference":
        ref = np.where(np.isnan(reference), low, reference)
        d = 1.0 - (np.abs(ref[:, None] - pos0) / width) ** exponent
        d = np.where(use_reference[:, None], d, 0.0)
        # Outcomes every weighted actor prefers to the reference point form an interval.
        reach = np.abs(ref[:, None] - pos0)
        active = has & (weights > 0)
        lo = np.where(active, pos0 - reach, -np.inf).max(axis=1)
        hi = np.where(active, pos0 + reach, np.inf).min(axis=1)
        lo = np.where(use_reference, np.maximum(lo, low), low)
        hi = np.where(use_reference, np.minimum(hi, high), high)
    else:
        d = np.zeros_like(pos0)
        lo, hi = np.full(n, low), np.full(n, high)
    a, b = lo.astype(float), hi.astype(float)
    degenerate = b <= a
    b = np.where(degenerate, a, b)
    c = b - _GOLDEN * (b - a)
    e = a + _GOLDEN * (b - a)
    fc = nash_objective(c, position, weights, d, width, exponent)
    fe = nash_objective(e, position, weights, d, width, exponent)
    for _ in range(_ITERATIONS):
        left = fc >= fe  # maximum lies in [a, e]
        b = np.where(left, e, b)
        a = np.where(left, a, c)
        e_new = np.where(left, c, a + _GOLDEN * (b - a))
        c_new = np.where(left, b - _GOLDEN * (b - a), e)
        fe_new = np.where(left, fc, np.nan)
        fc_new = np.where(left, np.nan, fe)
        c, e = c_new, e_new
        need_c, need_e = np.isnan(fc_new), np.isnan(fe_new)
        fc = np.where(need_c, nash_objective(c, position, weights, d, width, exponent), fc_new)
        fe = np.where(need_e, nash_objective(e, position, weights, d, width, exponent), fe_new)
    x = (a + b) / 2
    if disagreement == "reference":
        x = np.where(use_reference & degenerate, reference, x)
    return np.where(has.any(axis=1), x, np.nan)


class NashBargainingModel(ParamsMixin):
    """Asymmetric Nash bargaining solution with bargaining weights capability × salience.

    Parameters
    ----------
    exponent
        ``p`` in ``u_i(x) = 1 − (|x − x_i|/R)^p`` (2 = quadratic loss, 1 = linear).
    disagreement
        ``"worst"`` (default) or ``"reference"`` (the status quo; falls back to ``"worst"``
        on issues without a reference point).
    missing_salience
        Salience of actors whose salience is not reported.
    """

    def __init__(
        self,
        exponent: float = 2.0,
        disagreement: Disagreement = "worst",
        missing_salience: float = 50.0,
    ) -> None:
        self.exponent = exponent
        self.disagreement = disagreement
        self.missing_salience = missing_salience

    def fit(self, issues: IssueSet) -> Self:
        """Nothing to learn: validates the hyperparameters, records the scale."""
        if self.exponent < 1:
            raise ForecastError(f"exponent must be ≥ 1 (concave utility), got {self.exponent}")
        if self.disagreement not in ("worst", "reference"):
            raise ForecastError(
                f"disagreement must be 'worst' or 'reference', got {self.disagreement!r}"
            )
        self.scale_ = issues.scale
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """The Nash bargaining solution per issue."""
        self._check_fitted()
        weights = capability_salience_weights(issues, self.missing_salience)
        return nash_bargaining(
            issues.position,
            weights,
            issues.reference,
            issues.scale,
            self.exponent,
            self.disagreement,
        )
