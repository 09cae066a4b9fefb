r"""The domestic level of Putnam's (1988) two-level game, as pure array functions.

Putnam, R. D. (1988), "Diplomacy and Domestic Politics: The Logic of Two-Level Games",
*International Organization* 42(3): 427–460. A deal must be won at the table and
ratified at home; the set of deals a party can ratify is its *win-set*.

Points and indicators
    The trade model prices a set of *points*: every outcome of the negotiation and every
    no-deal point (the status quo, and the status quo with threats carried out). Each
    stake names an *indicator* (value added of USA c15, real income of JPN, ...), read as a
    change in million USD of the data year, so the priced impacts form a
    ``(points, indicators)`` array ``x`` in one unit; issue preferences score unpriced
    options in the same unit.

Stakes and objective (Grossman and Helpman 1994, "Protection for Sale", AER 84(4);
1995, "Trade Wars and Trade Talks", JPE 103(4))
    Actor :math:`a`'s stake is the money it gains, :math:`s_a(p) = \sum_k w_{ak} x_{pk}`
    (its signed shares of the indicators: the value added of its sectors, rents it holds,
    tariff revenue; consumers' equivalent variation). A government maximises a weighted sum
    of organised interests' gains plus a weight on aggregate welfare,
    :math:`G(p) = \sum_a W_a s_a(p)`: weights are dollars for dollars, nothing is
    normalised, so a $100m stake weighs a hundredth of a $10bn one and opposed stakes
    never cancel out by rescaling. The bargaining engine sees :math:`G / c` with one
    positive factor :math:`c` per party (:func:`party_scale`), which changes no choice.

Ratification
    Constituency :math:`a` supports a deal :math:`o` when :math:`s_a(o) \ge \bar s_a`, its
    expected stake without a deal. The deal passes at home when the weighted support of
    the constituencies reaches :math:`T (1 - \lambda)` (threshold :math:`T`, leader
    strength :math:`\lambda`: a strong leader carries a smaller coalition) and no veto
    player loses more than its tolerance (in money), :math:`s_v(o) \ge \bar s_v - t_v`. A
    government signs only deals it prefers to no deal, :math:`G(o) \ge \bar G`; the win-set
    is the set of deals it both prefers and can ratify.

Threats
    A threat is averted only by an agreement that meets its compliance terms. Otherwise, at
    its deadline, its maker carries it out, with probability :math:`c_t` (its credibility),
    when that is worth at least as much to it as not: :math:`G_m(\text{threat}) - G_m(\text{sq})
    + r_t \ge 0` with reputation term :math:`r_t` (:func:`worth_carrying_out`; with
    :math:`r_t = 0` this is subgame perfection: an empty threat is never carried out).
    Threats are decided independently, so the value of no deal is the expectation over
    which are carried out, for one threat :math:`c\,G(\text{threat}) + (1 - c)\,G(\text{sq})`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def actor_stakes(x: npt.ArrayLike, stake_weights: npt.ArrayLike) -> FloatArray:
    r"""Stakes of every actor at every point: :math:`s_a(p) = \sum_k w_{ak} x_{pk}`.

    Parameters
    ----------
    x
        ``(points, columns)`` changes in money (priced indicators, preference scores).
    stake_weights
        ``(actors, columns)`` signed shares (0 where an actor has no stake).

    Returns
    -------
    ``(actors, points)``, in the unit of ``x``.
    """
    w = np.asarray(stake_weights, dtype=np.float64)
    return np.asarray(w @ np.asarray(x, dtype=np.float64).T, dtype=np.float64)


def government_utility(
    stakes: npt.ArrayLike, weights: npt.ArrayLike, party_of: npt.ArrayLike, n_parties: int
) -> FloatArray:
    r"""Each government's objective :math:`G(p) = \sum_a W_a s_a(p)` over its own actors.

    Parameters
    ----------
    stakes
        ``(actors, points)``, or ``(..., actors, points)`` for many samples at once.
    weights
        ``(actors,)`` or ``(..., actors)`` political weights (leader included): what a
        dollar of each actor's gain is worth to the government.
    party_of
        ``(actors,)`` index of each actor's party.
    """
    s = np.asarray(stakes, dtype=np.float64)
    w = np.broadcast_to(np.asarray(weights, dtype=np.float64), s.shape[:-1])
    party = np.asarray(party_of)
    out = np.zeros((*s.shape[:-2], n_parties, s.shape[-1]))
    for p in range(n_parties):
        mine = party == p
        out[..., p, :] = np.einsum("...a,...ap->...p", w[..., mine], s[..., mine, :])
    return out


def party_scale(*values: npt.ArrayLike) -> FloatArray:
    """One positive factor per party: its largest absolute value over all the arrays' points.

    Each array is ``(..., parties, points)``; returns ``(..., parties)``, 1 where every value
    is 0. Dividing a party's utilities by it changes none of its choices.
    """
    peaks = [np.abs(np.asarray(v, dtype=np.float64)).max(axis=-1, initial=0.0) for v in values]
    scale = np.maximum.reduce(peaks)
    return np.asarray(np.where(scale > 0, scale, 1.0))


def worth_carrying_out(
    gain: npt.ArrayLike, reputation: npt.ArrayLike, scale: npt.ArrayLike = 1.0
) -> BoolArray:
    """Whether a maker carries out its threat: own gain plus reputation term is not negative.

    ``gain`` and ``reputation`` are in the maker's objective's unit; ``scale`` sets the
    rounding slack (``1e-12`` of it).
    """
    g = np.asarray(gain, dtype=np.float64) + np.asarray(reputation, dtype=np.float64)
    return np.asarray(g >= -1e-12 * np.asarray(scale, dtype=np.float64))


def complies(requires: Sequence[Mapping[int, Sequence[int]]], options: npt.ArrayLike) -> BoolArray:
    """``(threats, outcomes)``: whether each outcome meets each threat's compliance terms.

    ``requires[t]`` maps an issue index to the option indices that comply; an empty mapping
    means any agreement complies. ``options`` is ``(outcomes, issues)`` option indices.
    """
    opts = np.asarray(options, dtype=np.int64)
    out = np.ones((len(requires), opts.shape[0]), dtype=bool)
    for t, terms in enumerate(requires):
        for issue, allowed in terms.items():
            out[t] &= np.isin(opts[:, issue], np.asarray(allowed, dtype=np.int64))
    return out


def threat_scenarios(n_threats: int) -> list[tuple[int, ...]]:
    """Every subset of threats that may be carried out, as sorted index tuples (∅ first)."""
    return [c for k in range(n_threats + 1) for c in itertools.combinations(range(n_threats), k)]


def carried_out_probabilities(
    credibility: npt.ArrayLike,
    credible: npt.ArrayLike,
    trigger: Sequence[int] | None = None,
    decided: npt.ArrayLike | None = None,
    carried: npt.ArrayLike | None = None,
) -> FloatArray:
    """Probability of each subset of :func:`threat_scenarios` being exactly the one carried out.

    Parameters
    ----------
    credibility
        ``(..., threats)`` probabilities that each threat is carried out.
    credible
        ``(..., threats)`` whether carrying it out is in its maker's interest; an empty
        threat is carried out with probability 0.
    trigger
        ``(threats,)`` index of the threat each one answers (retaliation, matching, the
        previous step of an escalation), ``-1`` for none: a threat is carried out only
        after its trigger, with its own probability then.
    decided, carried
        ``(..., threats)``: threats already decided, and whether they were carried out
        (consistent with the triggers); the others are still uncertain.
    """
    c = np.asarray(credibility, dtype=np.float64) * np.asarray(credible, dtype=np.float64)
    n = c.shape[-1]
    parent = np.asarray(trigger if trigger is not None else [-1] * n, dtype=np.int64)
    known = np.zeros_like(c, dtype=bool) if decided is None else np.asarray(decided, dtype=bool)
    done = np.zeros_like(known) if carried is None else np.asarray(carried, dtype=bool)
    probs = []
    for subset in threat_scenarios(n):
        inside = np.zeros(n, dtype=bool)
        inside[list(subset)] = True
        armed = (parent < 0) | inside[np.maximum(parent, 0)]
        free = np.where(inside, c * armed, np.where(armed, 1.0 - c, 1.0))
        probs.append(np.prod(np.where(known, done == inside, free), axis=-1))
    return np.stack(probs, axis=-1)


def due_probabilities(
    carry: npt.ArrayLike,
    exposure: npt.ArrayLike,
    trigger: Sequence[int],
    executed: npt.ArrayLike | None = None,
    decided: npt.ArrayLike | None = None,
) -> FloatArray:
    r"""``(..., threats, outcomes)``: chance each threat falls due after each agreement.

    :math:`p_t e_{to}` (carried out with probability :math:`p_t` when it falls due, and
    still due after outcome :math:`o` with chance :math:`e_{to}`), times the chance that the
    threat it answers falls due too; one already ``executed`` counts as certain, one
    ``decided`` and not carried out as impossible, and a decided threat is itself due no
    more (``executed``: ``(..., threats)``; ``decided``: ``(threats,)``).
    """
    p = np.asarray(carry, dtype=np.float64)
    n = p.shape[-1]
    done = np.zeros(n, dtype=bool) if decided is None else np.asarray(decided, dtype=bool)
    ran = np.zeros_like(p, dtype=bool) if executed is None else np.asarray(executed, dtype=bool)
    due = p[..., None] * np.asarray(exposure, dtype=np.float64) * ~done[:, None]
    for t in chain_order(trigger):
        parent = trigger[t]
        if parent >= 0:
            earlier = 0.0 if done[parent] else due[..., parent, :]
            due[..., t, :] *= np.where(ran[..., parent, None], 1.0, earlier)
    return np.asarray(due)


def threat_effects(values: npt.ArrayLike, trigger: Sequence[int]) -> FloatArray:
    """``(..., threats)``: what carrying out each threat adds to ``values`` (``(..., scenarios)``).

    Each threat is weighed once the threats it answers are carried out (the points of
    :func:`threat_scenarios`).
    """
    v = np.asarray(values, dtype=np.float64)
    scenarios = threat_scenarios(len(trigger))
    before = [scenarios.index(ancestors(trigger, t)) for t in range(len(trigger))]
    after = [scenarios.index(tuple(sorted((*ancestors(trigger, t), t))))
             for t in range(len(trigger))]  # fmt: skip
    return np.asarray(v[..., after] - v[..., before])


def chain_order(trigger: Sequence[int]) -> list[int]:
    """Threats in an order where each comes after the threat it answers."""
    order: list[int] = []
    pending = list(range(len(trigger)))
    while pending:
        ready = [t for t in pending if trigger[t] < 0 or trigger[t] in order]
        if not ready:
            raise ValueError(f"threats answer each other in a cycle: {pending}")
        order += ready
        pending = [t for t in pending if t not in ready]
    return order


def ancestors(trigger: Sequence[int], t: int) -> tuple[int, ...]:
    """The threats that must be carried out before ``t`` can be (sorted)."""
    out = []
    while trigger[t] >= 0:
        t = trigger[t]
        out.append(t)
    return tuple(sorted(out))


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
    gain = np.asarray(utility_threat, dtype=np.float64) - np.asarray(utility_status_quo)
    return worth_carrying_out(gain, 0.0)
