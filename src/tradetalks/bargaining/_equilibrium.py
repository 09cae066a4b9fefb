r"""The subgame-perfect equilibrium strategy of finite-horizon alternating offers (two parties).

With complete information (each party knows both utility arrays, the discount factors and
the deadline), backward induction over turns gives the unique subgame-perfect play on a
finite outcome set (Ståhl 1972; Rubinstein 1982 for the infinite horizon). With the
protocol's conventions (:mod:`tradetalks.bargaining._protocol`): turn :math:`k` is played by
:math:`p_k = k \bmod 2`, an offer made at turn :math:`k` is answered at turn :math:`k+1`, the
last offer (turn :math:`K-1`) goes unanswered. Let :math:`V_k` be the (time-0 discounted)
value vector of the subgame where :math:`p_k` proposes at turn :math:`k`:

.. math::

    V_{K-1} = \delta^{K} d, \qquad
    A_k = \{\omega : \delta_q^k u_q(\omega) \ge V_{k+1, q}\}, \quad q = p_{k+1},

    \omega_k^* = \arg\max_{\omega \in A_k} u_{p}(\omega), \qquad
    V_k = \delta^k u(\omega_k^*) \text{ if } \delta_p^k u_p(\omega_k^*) \ge V_{k+1,p}
    \text{ else } V_{k+1}.

The responder at turn :math:`k+1` accepts :math:`\omega` iff
:math:`\delta_q^k u_q(\omega) \ge V_{k+1,q}`: its aspiration is
:math:`V_{k+1,q}/\delta_q^k`. Splitting a unit surplus with a long horizon, the first
proposer's share tends to :math:`(1-\delta_2)/(1-\delta_1\delta_2)` (Rubinstein 1982).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradetalks._errors import BargainingError
from tradetalks.bargaining._policy import FloatArray, IntArray, Proposal, Setup, TurnView

_TOL = 1e-12


@dataclass
class _EquilibriumState:
    offers: IntArray  # (K, S): equilibrium offer at each turn
    values: FloatArray  # (K + 1, S, 2): V_k, time-0 discounted


def solve_equilibrium(setup: Setup) -> tuple[IntArray, FloatArray]:
    """Backward induction for every session: offers ``(K, S)`` and values ``(K + 1, S, 2)``."""
    if setup.n_parties != 2:
        raise BargainingError("the equilibrium strategy needs exactly 2 parties")
    n_s = setup.n_sessions
    n_turns = 2 * int(setup.deadlines.max())
    u = np.broadcast_to(setup.utilities, (n_s, 2, setup.n_outcomes))
    delta = setup.discount
    horizon = 2 * setup.deadlines  # turns per session
    d = setup.reservation
    offers = np.zeros((n_turns, n_s), dtype=np.int64)
    values = np.zeros((n_turns + 1, n_s, 2))
    rows = np.arange(n_s)
    for k in range(n_turns - 1, -1, -1):
        p, q = k % 2, 1 - k % 2
        last = k >= horizon - 1  # the offer at the last turn goes unanswered
        breakdown = (delta[None, :] ** horizon[:, None]) * d
        nxt = np.where(last[:, None], breakdown, values[k + 1])
        dk = delta**k
        acceptable = dk[q] * u[:, q, :] >= nxt[:, q : q + 1] - _TOL
        own = np.where(acceptable, u[:, p, :], -np.inf)
        best = np.argmax(own, axis=1)
        feasible = acceptable[rows, best] & (dk[p] * own[rows, best] >= nxt[:, p] - _TOL)
        offers[k] = np.where(feasible, best, np.argmax(u[:, p, :], axis=1))
        agreed = dk[None, :] * u[rows, :, best]
        values[k] = np.where(feasible[:, None] & ~last[:, None], agreed, nxt)
    return offers, values


@dataclass(frozen=True)
class Equilibrium:
    """Subgame-perfect offers and acceptance thresholds (two parties, complete information).

    Pair with :class:`~tradetalks.bargaining.ACAspiration`. Escalations are not anticipated:
    the plan is solved once, at the start, from the initial reservation values.
    """

    def start(self, setup: Setup, party: int, rng: np.random.Generator) -> _EquilibriumState:
        """Solve the game by backward induction."""
        offers, values = solve_equilibrium(setup)
        return _EquilibriumState(offers, values)

    def observe(
        self, setup: Setup, party: int, state: _EquilibriumState, offers: IntArray, proposer: int
    ) -> None:
        """Nothing to learn: the plan is fixed."""

    def propose(self, view: TurnView, state: _EquilibriumState) -> Proposal:
        """Offer the equilibrium outcome; accept what is worth the continuation."""
        k = view.turn
        delta = view.setup.discount[view.party]
        if k == 0:
            threshold = np.full(view.setup.n_sessions, np.inf)
        else:
            # the plan's feasibility test allows the same rounding slack
            threshold = (state.values[k, :, view.party] - _TOL) / delta ** (k - 1)
        return Proposal(state.offers[k].copy(), threshold)
