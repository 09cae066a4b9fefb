r"""The domestic level of Putnam's (1988) two-level game, as pure array functions.

Putnam, R. D. (1988), "Diplomacy and Domestic Politics: The Logic of Two-Level Games",
*International Organization* 42(3): 427–460. A deal must be won at the table and
ratified at home; the set of deals a party can ratify is its *win-set*.

Points and indicators
    The trade model prices a set of *points*: every outcome of the negotiation and every
    no-deal point (the status quo, and the status quo with threats carried out). Each
    stake names an *indicator* (value added of USA c15, real income of JPN, ...), so the
    priced impacts form a ``(points, indicators)`` array ``x``.

Normalised indicators
    Stakes are made comparable by scaling each indicator by its largest absolute change
    over all points, :math:`z_{pk} = x_{pk} / \max_q |x_{qk}|` (0 where it never moves), so
    every indicator lies in :math:`[-1, 1]`; issue preferences are scores already.

Stakes and utility
    Actor :math:`a`'s stake is the weighted mean of its signed indicators,
    :math:`s_a(p) = \sum_k w_{ak} z_{pk} / \sum_k |w_{ak}|`. A government's utility is the
    political-weight-weighted mean of its constituencies' and its leader's stakes,
    :math:`u(p) = \sum_a W_a s_a(p) / \sum_a W_a`.

Ratification
    Constituency :math:`a` supports a deal :math:`o` when :math:`s_a(o) \ge \bar s_a`, its
    expected stake without a deal. The deal passes at home when the weighted support of
    the constituencies reaches :math:`T (1 - \lambda)` (threshold :math:`T`, leader
    strength :math:`\lambda`: a strong leader carries a smaller coalition) and no veto
    player loses more than its tolerance, :math:`s_v(o) \ge \bar s_v - t_v`. A government
    signs only deals it prefers to no deal, :math:`u(o) \ge \bar u`; the win-set is the set
    of deals it both prefers and can ratify.

No deal
    Threats are carried out independently, threat :math:`t` with probability
    :math:`c_t` (its credibility) if carrying it out does not hurt its maker
    (:math:`u_m(\text{threat}) \ge u_m(\text{status quo})`, subgame perfection: an empty
    threat is never carried out), else with probability 0. The value of no deal is the
    expectation over which threats are carried out, which for one threat is
    :math:`c\,u(\text{threat}) + (1 - c)\,u(\text{status quo})`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def normalise_indicators(values: npt.ArrayLike) -> FloatArray:
    """Scale each indicator (column) by its largest absolute value over all points.

    Parameters
    ----------
    values
        ``(..., points, indicators)`` changes (any units per column).

    Returns
    -------
    ``(points, indicators)`` in ``[-1, 1]``; an indicator that never moves stays 0.
    """
    x = np.asarray(values, dtype=np.float64)
    scale = np.abs(x).max(axis=-2, keepdims=True, initial=0.0)
    return np.asarray(np.divide(x, scale, out=np.zeros_like(x), where=scale > 0))


def actor_stakes(z: npt.ArrayLike, stake_weights: npt.ArrayLike) -> FloatArray:
    """Stakes of every actor at every point: signed weighted means of indicators.

    Parameters
    ----------
    z
        ``(points, indicators)`` normalised indicators.
    stake_weights
        ``(actors, indicators)`` signed weights (0 where an actor has no stake).

    Returns
    -------
    ``(actors, points)``.
    """
    w = np.asarray(stake_weights, dtype=np.float64)
    total = np.abs(w).sum(axis=1, keepdims=True)
    w = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return np.asarray(w @ np.asarray(z, dtype=np.float64).T, dtype=np.float64)


def government_utility(
    stakes: npt.ArrayLike, weights: npt.ArrayLike, party_of: npt.ArrayLike, n_parties: int
) -> FloatArray:
    """Each government's utility: the political-weight-weighted mean of its actors' stakes.

    Parameters
    ----------
    stakes
        ``(actors, points)``, or ``(..., actors, points)`` for many samples at once.
    weights
        ``(actors,)`` or ``(..., actors)`` political weights (leader included).
    party_of
        ``(actors,)`` index of each actor's party.
    """
    s = np.asarray(stakes, dtype=np.float64)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), s.shape[:-1])
    party = np.asarray(party_of)
    out = np.zeros((*s.shape[:-2], n_parties, s.shape[-1]))
    for p in range(n_parties):
        mine = party == p
        wp = w[..., mine]
        total = wp.sum(axis=-1, keepdims=True)
        out[..., p, :] = np.einsum(
            "...a,...ap->...p", wp / np.where(total > 0, total, 1.0), s[..., mine, :]
        )
    return out


def threat_scenarios(n_threats: int) -> list[tuple[int, ...]]:
    """Every subset of threats that may be carried out, as sorted index tuples (∅ first)."""
    return [c for k in range(n_threats + 1) for c in itertools.combinations(range(n_threats), k)]


def carried_out_probabilities(credibility: npt.ArrayLike, credible: npt.ArrayLike) -> FloatArray:
    """Probability of each subset of :func:`threat_scenarios` being exactly the one carried out.

    Parameters
    ----------
    credibility
        ``(..., threats)`` probabilities that each threat is carried out.
    credible
        ``(..., threats)`` whether carrying it out is in its maker's interest; an empty
        threat is carried out with probability 0.
    """
    c = np.asarray(credibility, dtype=np.float64) * np.asarray(credible, dtype=np.float64)
    n = c.shape[-1]
    probs = []
    for subset in threat_scenarios(n):
        inside = np.zeros(n, dtype=bool)
        inside[list(subset)] = True
        probs.append(np.prod(np.where(inside, c, 1.0 - c), axis=-1))
    return np.stack(probs, axis=-1)


@dataclass(frozen=True)
class DomesticRule:
    """One party's ratification rule, as arrays over its actors.

    ``constituency`` marks actors that vote (the leader does not); ``veto`` marks veto
    players; ``tolerance`` is how much stake a veto player gives up before it blocks.
    """

    threshold: float
    leader_strength: float
    constituency: BoolArray
    veto: BoolArray
    tolerance: FloatArray


def ratifiable(
    stakes: npt.ArrayLike,
    stakes_no_deal: npt.ArrayLike,
    weights: npt.ArrayLike,
    rule: DomesticRule,
    threshold: npt.ArrayLike | None = None,
    leader_strength: npt.ArrayLike | None = None,
) -> BoolArray:
    """Which outcomes pass at home for one party.

    Leading dimensions (e.g. samples of an uncertainty sweep) broadcast throughout.

    Parameters
    ----------
    stakes
        ``(..., actors, outcomes)`` stakes of this party's actors.
    stakes_no_deal
        ``(..., actors)`` their expected stakes without a deal.
    weights
        ``(..., actors)`` political weights.
    rule
        The party's :class:`DomesticRule`.
    threshold, leader_strength
        ``(...)`` overrides of the rule's values (default: the rule's).

    Returns
    -------
    ``(..., outcomes)`` booleans.
    """
    s = np.asarray(stakes, dtype=np.float64)
    s0 = np.asarray(stakes_no_deal, dtype=np.float64)[..., None]
    t = np.asarray(rule.threshold if threshold is None else threshold, dtype=np.float64)
    lam = np.asarray(
        rule.leader_strength if leader_strength is None else leader_strength, dtype=np.float64
    )
    w = np.where(rule.constituency, np.asarray(weights, dtype=np.float64), 0.0)
    total = w.sum(axis=-1)
    votes = (w[..., None] * (s >= s0 - 1e-12)).sum(axis=-2)
    support = np.divide(
        votes, total[..., None], out=np.ones_like(votes), where=total[..., None] > 0
    )
    passes = support >= (t * (1.0 - lam))[..., None] - 1e-12
    losers = s < s0 - rule.tolerance[:, None] - 1e-12
    blocked = (rule.veto[:, None] & losers).any(axis=-2)
    return np.asarray(passes & ~blocked, dtype=bool)


def win_set(utility: npt.ArrayLike, utility_no_deal: float, ratified: npt.ArrayLike) -> BoolArray:
    """Deals a government both prefers to no deal and can ratify at home."""
    u = np.asarray(utility, dtype=np.float64)
    return np.asarray(np.asarray(ratified, dtype=bool) & (u >= utility_no_deal - 1e-12))


def expected_no_deal(values: npt.ArrayLike, probabilities: npt.ArrayLike) -> FloatArray:
    """Expected value over threat scenarios.

    ``values`` is ``(..., scenarios)`` (e.g. ``(actors, scenarios)``) and ``probabilities``
    ``(scenarios,)``; returns ``values @ probabilities``.
    """
    return np.asarray(
        np.asarray(values, dtype=np.float64) @ np.asarray(probabilities, dtype=np.float64)
    )


def credible_threats(
    utility_threat: Sequence[float], utility_status_quo: Sequence[float]
) -> BoolArray:
    """Whether each threat is worth carrying out for its maker (threat point ≥ status quo)."""
    return np.asarray(np.asarray(utility_threat) >= np.asarray(utility_status_quo) - 1e-12)
