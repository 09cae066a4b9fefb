r"""Offering policies: time-based concession, hardliner, relative tit-for-tat, Nash-seeking, MiCRO.

All work on every session at once (arrays over sessions). Notation: :math:`M` is the party's
best utility, :math:`m = \max(\min_\omega u, d)` the least rational utility, :math:`t` the
relative time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tradetalks._errors import BargainingError
from tradetalks.bargaining._policy import (
    NO_OFFER,
    BoolArray,
    FloatArray,
    IntArray,
    Proposal,
    Setup,
    Stateless,
    TurnView,
)


def aspiration_level(time: FloatArray, e: float | FloatArray) -> FloatArray:
    r"""Time-based concession curve :math:`a(t) = 1 - t^{1/e}` in :math:`[0, 1]`.

    Faratin, Sierra and Jennings (1998), "Negotiation decision functions for autonomous
    agents", Robotics and Autonomous Systems 24, polynomial time-dependent tactic with
    :math:`\kappa = 0`: :math:`e < 1` is Boulware (concedes late), :math:`e = 1` linear,
    :math:`e > 1` Conceder. NegMAS's ``PolyAspiration`` exponent is :math:`1/e`.
    """
    return np.asarray(1.0 - np.power(np.clip(time, 0.0, 1.0), 1.0 / e), dtype=np.float64)


@dataclass(frozen=True)
class TimeBased(Stateless):
    r"""Concede with time: offer the least-valued outcome worth at least the target.

    Target :math:`\tau(t) = m + (M - m)\,a(t)` with :func:`aspiration_level`; the offer is
    the outcome of least own utility :math:`\ge \max(m, \tau - \text{tol})` and the
    aspiration (for :class:`~tradetalks.bargaining.ACAspiration`) is that same threshold.

    Parameters
    ----------
    e
        Concession exponent: 0.25 Boulware, 1 linear, 4 Conceder (defaults of the presets).
    tol
        Tolerance below the target (NegMAS: ``0.0001`` for its ``*TBNegotiator`` classes,
        ``0.001`` for ``AspirationNegotiator``).
    """

    e: float | FloatArray = 0.25  # or one exponent per session of a batch
    tol: float = 0.0

    def __post_init__(self) -> None:
        e = np.asarray(self.e, dtype=np.float64)
        if not (np.all(np.isfinite(e)) and np.all(e > 0)):
            raise BargainingError(f"time-based strategy: exponent e must be > 0, got {self.e}")
        if not (np.isfinite(self.tol) and self.tol >= 0):
            raise BargainingError(f"time-based strategy: tol must be >= 0, got {self.tol}")

    def propose(self, view: TurnView, state: Any) -> Proposal:
        """Offer at the current target."""
        floor = view.floor
        target = floor + (view.table.u_max - floor) * aspiration_level(view.time, self.e)
        level = np.maximum(floor, target - self.tol)
        return Proposal(view.table.lowest_at_least(level), level)


@dataclass(frozen=True)
class Hardliner(Stateless):
    """Never concede: always offer the best outcome; aspiration is the best utility."""

    def propose(self, view: TurnView, state: Any) -> Proposal:
        """Offer the best outcome."""
        return Proposal(view.table.best, view.table.u_max.copy())


@dataclass
class _TitForTatState:
    target: FloatArray
    received: list[IntArray] = field(default_factory=list)


@dataclass(frozen=True)
class RelativeTitForTat:
    r"""Relative tit-for-tat (Faratin, Sierra and Jennings 1998), in utility space.

    Faratin's rule on an issue is :math:`x_{a}^{n+1} = (x_b^{n-2\delta}/x_b^{n-2\delta+2})
    \, x_a^{n-1}`: concede in proportion to the opponent's concession :math:`\delta` steps
    back. Here the opponent's demand on us is :math:`D = M - u(\text{its offer})` and our
    target gain over :math:`m` is scaled by the ratio of its demands :math:`\delta` offers
    apart, :math:`G \leftarrow G \cdot D_n / D_{n-\delta}` (clipped to :math:`[0, 1]`, no
    retraction). We offer the least-valued outcome worth at least :math:`m + G`.
    """

    delta: int = 1

    def __post_init__(self) -> None:
        if self.delta < 1:
            raise BargainingError(f"tit-for-tat: delta must be >= 1, got {self.delta}")

    def start(self, setup: Setup, party: int, rng: np.random.Generator) -> _TitForTatState:
        """Start demanding the best outcome."""
        return _TitForTatState(target=setup.tables[party].u_max.copy())

    def observe(
        self, setup: Setup, party: int, state: _TitForTatState, offers: IntArray, proposer: int
    ) -> None:
        """Remember the opponents' offers (a session without a new offer keeps its last)."""
        last = state.received[-1] if state.received else np.full_like(offers, NO_OFFER)
        state.received.append(np.where(offers >= 0, offers, last))

    def propose(self, view: TurnView, state: _TitForTatState) -> Proposal:
        """Mirror the opponent's relative concession."""
        table, floor = view.table, view.floor
        if len(state.received) > self.delta:
            new, old = state.received[-1], state.received[-1 - self.delta]
            ok = (new >= 0) & (old >= 0)
            d_new = table.u_max - table.of(np.where(ok, new, 0))
            d_old = table.u_max - table.of(np.where(ok, old, 0))
            ratio = np.ones_like(d_new)
            np.divide(d_new, d_old, out=ratio, where=ok & (d_old > 0))
            gain = np.maximum(state.target - floor, 0.0) * np.clip(ratio, 0.0, 1.0)
            state.target = np.where(ok, floor + gain, state.target)
        level = np.maximum(state.target, floor)
        return Proposal(table.lowest_at_least(level), level)


@dataclass
class _FrequencyState:
    counts: list[IntArray]  # per issue (S, n_values): how often the opponents chose each value
    unchanged: FloatArray  # (S, n_issues): how often each issue kept its value
    last: IntArray  # (S, n_issues) value indices of the last opponent offer (-1: none)
    values: IntArray  # (O, n_issues)


@dataclass(frozen=True)
class NashSeeking:
    r"""Time-based target, but among acceptable offers pick the best estimated Nash product.

    The opponent's utility is estimated by a frequency model (HardHeaded, van Krimpen,
    Looije and Hajizadeh 2013; Tunalı, Aydoğan and Sanchez-Anguix 2017): value scores
    :math:`\hat v_i(x) = (1 + n_i(x)) / (1 + \max_y n_i(y))` from the counts :math:`n_i` of
    the opponent's offered values, issue weights :math:`\propto 1 +` the number of times the
    issue kept its value between consecutive offers. Among outcomes worth at least the time
    target (:class:`TimeBased` with exponent ``e``) we offer the one maximising
    :math:`(u - d)\,\hat u_{opp}`. Without issues, each outcome is one value of one issue.
    """

    e: float = 0.25
    tol: float = 0.0

    def start(self, setup: Setup, party: int, rng: np.random.Generator) -> _FrequencyState:
        """Empty counts."""
        if setup.space is not None:
            values = setup.space.values_table()
            sizes = setup.space.radices
        else:
            values = np.arange(setup.n_outcomes, dtype=np.int64)[:, None]
            sizes = (setup.n_outcomes,)
        s = setup.n_sessions
        return _FrequencyState(
            counts=[np.zeros((s, n), dtype=np.int64) for n in sizes],
            unchanged=np.zeros((s, len(sizes))),
            last=np.full((s, len(sizes)), -1, dtype=np.int64),
            values=values,
        )

    def observe(
        self, setup: Setup, party: int, state: _FrequencyState, offers: IntArray, proposer: int
    ) -> None:
        """Count the opponents' offered values."""
        made = np.flatnonzero(offers >= 0)
        if made.size == 0:
            return
        vals = state.values[offers[made]]
        for i, counts in enumerate(state.counts):
            np.add.at(counts, (made, vals[:, i]), 1)
        seen = state.last[made] >= 0
        state.unchanged[made] += seen & (state.last[made] == vals)
        state.last[made] = vals

    def propose(self, view: TurnView, state: _FrequencyState) -> Proposal:
        """Offer the estimated Nash-best outcome above the time target."""
        base = TimeBased(self.e, self.tol).propose(view, None)
        table = view.table
        weights = 1.0 + state.unchanged
        weights /= weights.sum(axis=1, keepdims=True)
        est = np.zeros((view.setup.n_sessions, view.setup.n_outcomes))
        for i, counts in enumerate(state.counts):
            score = (1.0 + counts) / (1.0 + counts.max(axis=1, keepdims=True))
            est += weights[:, i : i + 1] * score[:, state.values[:, i]]
        u = np.broadcast_to(table.utilities, est.shape)
        nash = (u - view.reservation[:, None]) * est
        nash[u < base.aspiration[:, None]] = -np.inf
        return Proposal(np.argmax(nash, axis=1).astype(np.int64), base.aspiration)


@dataclass
class _MiCROState:
    proposed: IntArray  # (S,) distinct offers made so far
    received: BoolArray  # (S, O) which outcomes the opponents offered
    n_received: IntArray


@dataclass(frozen=True)
class MiCRO:
    r"""MiCRO: monotonic concession with rational offers.

    De Jonge (2022), "An analysis of the linear bilateral ANAC domains using the MiCRO
    benchmark strategy", IJCAI-22.

    Outcomes are ranked by own utility. Having proposed :math:`m` distinct outcomes and
    received :math:`n` distinct ones, MiCRO proposes its :math:`(m+1)`-th best outcome if
    :math:`n \ge m` and that outcome is worth at least the reservation value; otherwise it
    repeats one of its :math:`m` earlier proposals at random. Its aspiration (use with
    :class:`~tradetalks.bargaining.ACAspiration`) is the utility of the least-valued outcome
    it has proposed (counting the one it proposes now), or the reservation value when it is
    ready to concede but has no rational outcome left: it accepts anything as good (as
    NegMAS's ``MiCRONegotiator`` with ``accept_same=True``).
    """

    def start(self, setup: Setup, party: int, rng: np.random.Generator) -> _MiCROState:
        """Nothing proposed or received yet."""
        s = setup.n_sessions
        return _MiCROState(
            proposed=np.zeros(s, dtype=np.int64),
            received=np.zeros((s, setup.n_outcomes), dtype=bool),
            n_received=np.zeros(s, dtype=np.int64),
        )

    def observe(
        self, setup: Setup, party: int, state: _MiCROState, offers: IntArray, proposer: int
    ) -> None:
        """Count distinct outcomes received."""
        made = np.flatnonzero(offers >= 0)
        fresh = ~state.received[made, offers[made]]
        state.received[made, offers[made]] = True
        state.n_received[made] += fresh

    def propose(self, view: TurnView, state: _MiCROState) -> Proposal:
        """Concede one step if the opponent did, else repeat."""
        table = view.table
        order, sorted_u = table.ascending_order, table.ascending_utility
        n_out = order.shape[1]
        rows = (
            np.arange(view.setup.n_sessions)
            if order.shape[0] > 1
            else np.zeros(view.setup.n_sessions, dtype=np.int64)
        )
        m = state.proposed
        nxt = np.minimum(m, n_out - 1)
        nxt_u = sorted_u[rows, n_out - 1 - nxt]
        ready = state.n_received >= m
        exhausted = (m >= n_out) | (nxt_u < view.reservation)
        concede = ready & ~exhausted
        rank = np.where(
            concede, nxt, np.floor(view.rng.random(m.shape) * np.maximum(m, 1)).astype(np.int64)
        )
        state.proposed = m + concede
        worst = np.maximum(state.proposed - 1, 0)
        offer = order[rows, n_out - 1 - rank]
        # ready to concede but nothing rational left: accept anything worth the reservation
        aspiration = np.where(
            ready & exhausted, view.reservation, sorted_u[rows, n_out - 1 - worst]
        )
        return Proposal(offer.astype(np.int64), aspiration)
