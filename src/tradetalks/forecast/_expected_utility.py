"""Bueno de Mesquita's expected-utility (challenge) model, as specified by Scholz et al. (2011).

Bueno de Mesquita (1994, "Political forecasting: an expected utility method", in
Bueno de Mesquita & Stokman (eds.), *European Community Decision Making*, Yale UP;
2002, *Predicting Politics*) never published the model's code; Scholz, Calbert &
Smith (2011), "Unravelling Bueno de Mesquita's group decision model", *Journal of
Theoretical Politics* 23(4), reconstruct it. We implement their steps for
one issue with positions ``x_i``, capabilities ``c_i``, saliences ``s_i ∈ [0, 1]``,
distances normalised by the range of positions ``Δ = max x − min x``:

1. risk exponents ``r_i = 1``; the forecast position ``μ`` is the weighted median
   (weights ``c_i s_i``), the Condorcet winner of the weighted pairwise votes (§3.2);
2. utilities of ``i`` facing ``j`` (§3), with ``d = |x_i − x_j| / Δ`` and
   ``d_μ = |x_i − μ| / Δ``:
   ``U_s = 2 − 4(½ − ½d)^{r_i}``, ``U_f = 2 − 4(½ + ½d)^{r_i}``,
   ``U_b = 2 − 4(½ − ¼(d_μ + d))^{r_i}``, ``U_w = 2 − 4(½ + ¼(d_μ + d))^{r_i}``,
   ``U_sq = 2 − 4(½)^{r_i}``;
3. probability that ``i`` wins a contest with ``j`` (§4): the weighted votes of the
   actors preferring ``x_i`` over the votes of all actors,
   ``P_ij = Σ_{k: v_k>0} v_k / Σ_k |v_k|`` with ``v_k = c_k s_k (|x_k − x_j| − |x_k − x_i|)``
   (so ``P_ij + P_ji = 1``);
4. expected utility of ``i`` challenging ``j`` (§2.2):
   ``E^i_j = s_j (P_ij U_s + (1 − P_ij) U_f) + (1 − s_j) U_s``
   ``− Q U_sq − (1 − Q)(T U_b + (1 − T) U_w)``
   with the constants ``Q`` and ``T`` (Scholz et al. use ``Q = T = 1``);
5. risk (§5): ``S_i = Σ_{j≠i} E^j_i`` (how attractive ``i`` is as a target),
   ``R_i = (2 S_i − max_k S_k − min_k S_k)/(max_k S_k − min_k S_k)``,
   ``r_i = (1 − R_i/3)/(1 + R_i/3)``; steps 2–4 are recomputed with these ``r_i``;
6. offers (§6): ``j`` challenges ``i`` when ``E^j_i > 0``. Facing it, ``i`` *loses a
   conflict* and moves to ``x_j`` when ``0 < E^i_j < E^j_i``; *compromises* and moves
   ``|E^i_j / E^j_i|`` of the way to ``x_j`` when ``E^i_j < 0`` and ``|E^i_j| < E^j_i``;
   *capitulates* to ``x_j`` when ``E^i_j < 0`` and ``|E^i_j| ≥ E^j_i``. Of the moves it
   is offered, ``i`` makes the smallest (the least costly credible proposal, Bueno de
   Mesquita 2002); all actors move at once;
7. repeat from 1 for ``rounds`` rounds or until ``μ`` moves less than ``tol``.

The forecast is ``μ`` after the last round.
"""

from __future__ import annotations

from typing import NamedTuple, Self

import numpy as np

from tradetalks._errors import ForecastError
from tradetalks.forecast._base import ParamsMixin, weighted_median
from tradetalks.forecast._issues import FloatArray, IssueSet

_INDIFFERENT = 1e-9


class BasicUtilities(NamedTuple):
    """``(m, m)`` utilities of row actor ``i`` facing column actor ``j`` (step 2)."""

    success: FloatArray
    failure: FloatArray
    better: FloatArray
    worse: FloatArray
    status_quo: FloatArray


class EUIssueResult(NamedTuple):
    """One issue's run: the forecast, final positions, rounds used and whether it settled."""

    forecast: float
    positions: FloatArray
    rounds: int
    converged: bool


def basic_utilities(x: FloatArray, mu: float, risk: FloatArray, span: float) -> BasicUtilities:
    """Step 2: utilities of each actor (rows) facing each other actor (columns)."""
    d = np.abs(x[:, None] - x[None, :]) / span
    d_mu = np.abs(x - mu)[:, None] / span
    r = risk[:, None]
    return BasicUtilities(
        success=2 - 4 * (0.5 - 0.5 * d) ** r,
        failure=2 - 4 * (0.5 + 0.5 * d) ** r,
        better=2 - 4 * (0.5 - 0.25 * (d_mu + d)) ** r,
        worse=2 - 4 * (0.5 + 0.25 * (d_mu + d)) ** r,
        status_quo=np.broadcast_to(2 - 4 * 0.5**r, d.shape).copy(),
    )


def win_probability(x: FloatArray, votes: FloatArray) -> FloatArray:
    """Step 3: ``P[i, j]``, the probability that ``i`` beats ``j`` (0.5 if all indifferent)."""
    # v[k, i, j] = w_k (|x_k − x_j| − |x_k − x_i|): k's weighted preference for x_i over x_j
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, i] = |x_k − x_i|
    v = votes[:, None, None] * (dist[:, None, :] - dist[:, :, None])
    support = np.clip(v, 0.0, None).sum(axis=0)
    total = np.abs(v).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(total > 0, support / np.where(total > 0, total, 1.0), 0.5)
    result: FloatArray = p
    return result


def expected_utility(
    u: BasicUtilities, p: FloatArray, salience: FloatArray, q: float, t: float
) -> FloatArray:
    """Step 4: ``E[i, j]``, ``i``'s expected utility of challenging ``j`` (salience in [0, 1])."""
    s_j = salience[None, :]
    challenge = s_j * (p * u.success + (1 - p) * u.failure) + (1 - s_j) * u.success
    no_challenge = q * u.status_quo + (1 - q) * (t * u.better + (1 - t) * u.worse)
    e: FloatArray = challenge - no_challenge
    np.fill_diagonal(e, 0.0)
    return e


def risk_exponents(e: FloatArray) -> FloatArray:
    """Step 5: ``r_i`` in [0.5, 2] from how attractive a target each actor is."""
    exposure = e.sum(axis=0)  # S_i = Σ_j E[j, i]
    spread = exposure.max() - exposure.min()
    if spread <= 0:
        return np.ones_like(exposure)
    big_r = (2 * exposure - exposure.max() - exposure.min()) / spread
    result: FloatArray = (1 - big_r / 3) / (1 + big_r / 3)
    return result


def resolve_offers(x: FloatArray, e: FloatArray) -> FloatArray:
    """Step 6: new positions after each actor accepts the smallest move it is offered."""
    # For target i (rows) and challenger j (columns): e_ji = E[j, i], e_ij = E[i, j].
    e_ji, e_ij = e.T, e
    # Expected utilities within rounding of 0 are no reason to challenge (e.g. r = 2 ± ulp).
    offered = e_ji > _INDIFFERENT
    lose = offered & (e_ij > 0) & (e_ij < e_ji)
    compromise = offered & (e_ij < 0) & (np.abs(e_ij) < e_ji)
    capitulate = offered & (e_ij < 0) & (np.abs(e_ij) >= e_ji)
    gap = x[None, :] - x[:, None]  # x_j − x_i
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(compromise, np.abs(e_ij) / np.where(offered, e_ji, 1.0), 0.0)
    move = np.where(lose | capitulate, gap, np.where(compromise, fraction * gap, np.nan))
    np.fill_diagonal(move, np.nan)
    size = np.where(np.isnan(move), np.inf, np.abs(move))
    best = size.argmin(axis=1)
    chosen = move[np.arange(x.size), best]
    result: FloatArray = np.where(np.isfinite(size.min(axis=1)), x + chosen, x)
    return result


def run_issue(
    x: FloatArray,
    capability: FloatArray,
    salience: FloatArray,
    rounds: int = 10,
    q: float = 1.0,
    t: float = 1.0,
    tol: float = 1e-6,
) -> EUIssueResult:
    """Run the model on one issue (``salience`` in [0, 1]); see the module docstring."""
    x = x.astype(float).copy()
    votes = capability * salience
    weights = votes[None, :]

    def median(positions: FloatArray) -> float:
        return float(weighted_median(positions[None, :], weights)[0])

    mu = median(x)
    span = float(x.max() - x.min())
    if x.size < 2 or span <= 0:
        return EUIssueResult(mu, x, 0, True)
    for k in range(1, rounds + 1):
        r = np.ones_like(x)
        p = win_probability(x, votes)
        e = expected_utility(basic_utilities(x, mu, r, span), p, salience, q, t)
        r = risk_exponents(e)
        e = expected_utility(basic_utilities(x, mu, r, span), p, salience, q, t)
        x = resolve_offers(x, e)
        new_mu = median(x)
        settled = abs(new_mu - mu) < tol
        mu = new_mu
        if settled:
            return EUIssueResult(mu, x, k, True)
    return EUIssueResult(mu, x, rounds, False)


class ExpectedUtilityModel(ParamsMixin):
    """Bueno de Mesquita's expected-utility model (Scholz et al. 2011 specification).

    Parameters
    ----------
    rounds
        Maximum rounds of challenges (Bueno de Mesquita runs a few "bargaining rounds").
    q, t
        The constants ``Q`` and ``T`` of step 4 (Scholz et al. 2011 use 1 and 1).
    missing_salience
        Salience (0–100) of actors whose salience is not reported.
    """

    def __init__(
        self, rounds: int = 10, q: float = 1.0, t: float = 1.0, missing_salience: float = 50.0
    ) -> None:
        self.rounds = rounds
        self.q = q
        self.t = t
        self.missing_salience = missing_salience

    def fit(self, issues: IssueSet) -> Self:
        """Nothing to learn: validates the hyperparameters, records the scale."""
        if self.rounds < 0 or not (0 <= self.q <= 1 and 0 <= self.t <= 1):
            raise ForecastError("rounds must be ≥ 0 and q, t in [0, 1]")
        self.scale_ = issues.scale
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """The weighted median position after the rounds of challenges, per issue."""
        self._check_fitted()
        salience = issues.fill_salience(self.missing_salience) / 100.0
        has = issues.has_position
        # Capabilities are relative: rescale per issue so the votes are of order one.
        cap = issues.capability / np.maximum(issues.capability.max(axis=1, keepdims=True), 1e-300)
        out = np.full(issues.n_issues, np.nan)
        for row in range(issues.n_issues):
            cols = has[row]
            if not cols.any():
                continue
            result = run_issue(
                issues.position[row, cols], cap[row, cols], salience[row, cols],
                self.rounds, self.q, self.t,
            )  # fmt: skip
            out[row] = result.forecast
        return out
