r"""Stokman and van Oosten's exchange model: actors trade positions across issues of one proposal.

Stokman, F. N. & van Oosten, R. (1994), "The exchange of voting positions: an
object-oriented model of policy networks", in Bueno de Mesquita & Stokman (eds.),
*European Community Decision Making*, Yale UP; the version we follow is the
one set out for the DEU data by Arregui, Stokman & Thomson (2006), "Compromise and
exchange models", in Thomson et al., *The European Union Decides*, ch. 5.

On each issue ``d`` of a proposal the expected outcome is the compromise
``O_d = Σ_k c_k s_kd x_kd / W_d`` with ``W_d = Σ_k c_k s_kd``. Two actors ``i`` and
``j`` on opposite sides of ``O`` on two issues ``d`` and ``e`` gain from an exchange
when their relative saliences differ, ``s_id / s_ie > s_jd / s_je``: ``j`` shifts its
position on ``d`` towards ``i`` (moving ``O_d`` by ``ΔO_d = c_j s_jd δ_j / W_d``), and
``i`` shifts on ``e`` towards ``j`` (``ΔO_e = c_i s_ie δ_i / W_e``). With salience-
weighted linear losses, ``i`` gains ``s_id ΔO_d − s_ie ΔO_e`` and ``j`` gains
``s_je ΔO_e − s_jd ΔO_d``; the exchange rate makes the gains equal,

.. math:: ΔO_e = ΔO_d \, (s_{id} + s_{jd}) / (s_{ie} + s_{je}),

and each gain is then ``ΔO_d (s_id s_je − s_ie s_jd)/(s_ie + s_je) > 0``. No actor shifts
past the expected outcome, which bounds ``ΔO_d`` by both shifts. Exchanges are carried out
in decreasing order of gain; an actor's position on an issue can be traded once. The
forecast is the compromise of the positions after the exchanges. Issues alone in their
proposal get the plain compromise forecast.
"""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple, Self

import numpy as np

from tradetalks._errors import ForecastError
from tradetalks.forecast._base import ParamsMixin, capability_salience_weights, weighted_mean
from tradetalks.forecast._issues import FloatArray, IssueSet


class Exchange(NamedTuple):
    """One trade: ``giver_d`` (= ``j``) shifts on issue ``d``, ``giver_e`` (= ``i``) on ``e``."""

    gain: float
    issue_d: int
    issue_e: int
    giver_d: int
    giver_e: int
    outcome_shift_d: float
    outcome_shift_e: float


def candidate_exchanges(
    position: FloatArray, capability: FloatArray, salience: FloatArray
) -> list[Exchange]:
    """Every beneficial exchange among the issues (rows) of one proposal.

    Parameters
    ----------
    position, capability, salience
        ``(n_issues, n_actors)`` for the issues of one proposal; NaN = no position.
    """
    has = ~np.isnan(position)
    w = np.where(has, capability * salience, 0.0)
    total = w.sum(axis=1)
    outcome = weighted_mean(position, w)
    side = np.sign(np.where(has, position, np.nan) - outcome[:, None])
    found: list[Exchange] = []
    for d, e in combinations(range(position.shape[0]), 2):
        if total[d] <= 0 or total[e] <= 0:
            continue
        for a, b in ((d, e), (e, d)):
            # i (rows) values issue a relatively more, j (cols) values b relatively more.
            s_ia, s_ib = salience[a][:, None], salience[b][:, None]
            s_ja, s_jb = salience[a][None, :], salience[b][None, :]
            opposite = (side[a][:, None] * side[a][None, :] < 0) & (
                side[b][:, None] * side[b][None, :] < 0
            )
            advantage = s_ia * s_jb - s_ib * s_ja
            ok = opposite & (advantage > 0)
            if not ok.any():
                continue
            # j gives on a: shift at most to O_a; i gives on b: shift at most to O_b.
            limit_a = (capability[a] * salience[a] * np.abs(position[a] - outcome[a]))[None, :]
            limit_a = limit_a / total[a]
            limit_b = (capability[b] * salience[b] * np.abs(position[b] - outcome[b]))[:, None]
            limit_b = limit_b / total[b]
            rate = (s_ia + s_ja) / np.where(s_ib + s_jb > 0, s_ib + s_jb, np.inf)
            with np.errstate(invalid="ignore", divide="ignore"):
                shift_a = np.minimum(limit_a, np.where(rate > 0, limit_b / rate, 0.0))
            shift_b = shift_a * rate
            gain = shift_a * advantage / np.where(s_ib + s_jb > 0, s_ib + s_jb, np.inf)
            for i, j in zip(*np.nonzero(ok & (gain > 0)), strict=True):
                found.append(
                    Exchange(
                        float(gain[i, j]), a, b, int(j), int(i),
                        float(shift_a[i, j]), float(shift_b[i, j]),
                    )
                )  # fmt: skip
    found.sort(key=lambda x: -x.gain)
    return found


def exchange_positions(
    position: FloatArray, capability: FloatArray, salience: FloatArray
) -> FloatArray:
    """Positions after carrying out the exchanges greedily (each actor-issue trades once)."""
    new = position.copy()
    has = ~np.isnan(position)
    w = np.where(has, capability * salience, 0.0)
    total = w.sum(axis=1)
    outcome = weighted_mean(position, w)
    used: set[tuple[int, int]] = set()
    for ex in candidate_exchanges(position, capability, salience):
        if (ex.issue_d, ex.giver_d) in used or (ex.issue_e, ex.giver_e) in used:
            continue
        used |= {(ex.issue_d, ex.giver_d), (ex.issue_e, ex.giver_e)}
        for issue, giver, shift in (
            (ex.issue_d, ex.giver_d, ex.outcome_shift_d),
            (ex.issue_e, ex.giver_e, ex.outcome_shift_e),
        ):
            own = capability[issue, giver] * salience[issue, giver]
            step = shift * total[issue] / own  # position shift giving this outcome shift
            direction = np.sign(outcome[issue] - position[issue, giver])
            new[issue, giver] = position[issue, giver] + direction * step
    return new


class ExchangeModel(ParamsMixin):
    """Exchange of positions across the issues of a proposal, then the compromise forecast.

    Parameters
    ----------
    missing_salience
        Salience (0–100) of actors whose salience is not reported.
    """

    def __init__(self, missing_salience: float = 50.0) -> None:
        self.missing_salience = missing_salience

    def fit(self, issues: IssueSet) -> Self:
        """Nothing to learn: validates the hyperparameter, records the scale."""
        if not 0 <= self.missing_salience <= 100:
            raise ForecastError(
                f"missing_salience must be in [0, 100], got {self.missing_salience}"
            )
        self.scale_ = issues.scale
        return self

    def predict(self, issues: IssueSet) -> FloatArray:
        """Compromise of the post-exchange positions, per issue."""
        self._check_fitted()
        salience = issues.fill_salience(self.missing_salience)
        position = issues.position.copy()
        proposals = np.asarray(issues.proposal_ids)
        for proposal in dict.fromkeys(issues.proposal_ids):
            rows = np.flatnonzero(proposals == proposal)
            if rows.size < 2:
                continue
            position[rows] = exchange_positions(
                issues.position[rows], issues.capability[rows], salience[rows]
            )
        weights = capability_salience_weights(issues, self.missing_salience)
        return weighted_mean(position, weights)
