r"""Single negotiation text: a mediator's protocol for any number of parties, with unanimity.

Klein, Faratin, Sayama and Bar-Yam (2003), "Negotiating complex contracts", Group Decision
and Negotiation 12(2): a mediator holds one draft contract, the *text*
:math:`t_k`, and each round proposes a variant :math:`p_k`; every party votes, and the
text becomes :math:`p_k` only if all accept (unanimity, a veto each):

.. math::

    t_{k+1} = \begin{cases} p_k & \text{if } \forall i:\ \mathrm{accept}_i(p_k, t_k) \\
                             t_k & \text{otherwise.} \end{cases}

A party accepts a proposal at least as good as the text for it,
:math:`u_i(p_k) \ge u_i(t_k)` (a hill climber); with a temperature :math:`T_k > 0` it
also accepts a worse one with probability :math:`\exp((u_i(p_k) - u_i(t_k)) / T_k)` (a
simulated annealer, as in Klein et al.), but never one below its reservation value
:math:`d_i`. :math:`T_k` falls linearly from ``temperature`` to 0 over the rounds. After
the last round the text is the agreement if it is individually rational for every party,
:math:`u_i(t) \ge d_i\ \forall i`; otherwise there is no deal.

The mediator's variants follow Klein et al.: one issue of the text set to another of its
values, uniformly at random (needs an :class:`OutcomeSpace`); without a space, a uniformly
random outcome. The same mediated single-text protocol runs multilateral sessions in
GENIUS/ANAC; the engine's stacked alternating offers (:func:`run_batch`) are the other
multilateral protocol (Aydoğan, Festen, Hindriks and Jonker 2017, "Alternating offers
protocols for multilateral negotiation", in *Modern Approaches to Agent-based Complex
Automated Negotiation*, Springer).

All sessions run in lockstep, vectorised with numpy: :math:`O(S P)` memory and
:math:`O(S R P)` time for :math:`S` sessions, :math:`R` rounds and :math:`P` parties, the
utility table aside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradetalks._errors import BargainingError
from tradetalks.bargaining._space import OutcomeSpace
from tradetalks.bargaining._utilities import FloatArray, check_reservation, check_utilities

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class SingleTextResult:
    """Outcome of a batch of single-text sessions (one entry per session).

    ``text`` is the final text (an outcome code) whether or not it is agreed; ``agreed``
    says every party finds it at least as good as no deal; ``agreement`` is the text where
    agreed and ``-1`` elsewhere; ``utilities`` ``(sessions, parties)`` are the parties'
    utilities at the final text; ``moves`` counts the proposals adopted unanimously.
    """

    text: IntArray
    agreed: BoolArray
    utilities: FloatArray
    moves: IntArray

    @property
    def agreement(self) -> IntArray:
        """The agreed outcome code of each session, ``-1`` where there is no deal."""
        return np.where(self.agreed, self.text, -1).astype(np.int64)


def run_single_text(
    utilities: npt.ArrayLike,
    reservation: npt.ArrayLike,
    rounds: int = 100,
    rng: np.random.Generator | int | None = 0,
    *,
    n_sessions: int | None = None,
    space: OutcomeSpace | None = None,
    start: npt.ArrayLike | None = None,
    temperature: float = 0.0,
) -> SingleTextResult:
    r"""Run mediated single-text sessions with unanimity, all sessions in lockstep.

    Parameters
    ----------
    utilities
        ``(parties, outcomes)`` shared by every session, or ``(sessions, parties,
        outcomes)``, one problem per session; any number of parties (at least two).
    reservation
        ``(parties,)`` or ``(sessions, parties)``: the value of no deal :math:`d_i`.
    rounds
        Proposals the mediator makes in each session.
    rng
        A seeded ``numpy.random.Generator`` (or a seed): the same seed, the same sessions.
    n_sessions
        Sessions to run on shared utilities (default 1; with a batch of problems, their
        number).
    space
        The outcome space: proposals change one issue of the text (Klein et al. 2003).
        Without it the mediator proposes uniformly random outcomes.
    start
        ``(sessions,)`` or scalar initial text; default uniformly random outcomes.
    temperature
        Initial annealing temperature :math:`T_0` (utility units), falling linearly to 0;
        0 (default) makes every party a hill climber.

    Returns
    -------
    :class:`SingleTextResult`.
    """
    batch = np.ndim(utilities) == 3
    u = check_utilities(utilities, batch=batch)
    d = check_reservation(reservation, u)
    n_outcomes = u.shape[-1]
    if batch:
        if n_sessions is not None and n_sessions != u.shape[0]:
            raise BargainingError(
                f"n_sessions: {n_sessions} given for a batch of {u.shape[0]} problems"
            )
        n_sessions = u.shape[0]
    n = 1 if n_sessions is None else int(n_sessions)
    if n < 1:
        raise BargainingError(f"n_sessions: must be at least 1, got {n}")
    if rounds < 0:
        raise BargainingError(f"rounds: must be non-negative, got {rounds}")
    if not np.isfinite(temperature) or temperature < 0:
        raise BargainingError(f"temperature: must be finite and >= 0, got {temperature}")
    if space is not None and space.n_outcomes != n_outcomes:
        raise BargainingError(
            f"space: {space.n_outcomes} outcomes but the utilities have {n_outcomes}"
        )
    gen = np.random.default_rng(rng)
    d2 = np.broadcast_to(d, (n, u.shape[-2]))
    text = _start(start, n, n_outcomes, gen)
    sessions = np.arange(n)

    def value(codes: IntArray) -> FloatArray:
        # (sessions, parties) utilities of one outcome per session, without an (S, P, n) copy
        return np.asarray(u[sessions, :, codes] if batch else u[:, codes].T, dtype=np.float64)

    current = value(text)
    moves = np.zeros(n, dtype=np.int64)
    for k in range(rounds):
        proposal = _propose(text, space, n_outcomes, gen)
        offered = value(proposal)
        delta = offered - current
        accept = delta >= 0
        if temperature > 0:
            t_k = temperature * (1.0 - k / rounds)
            if t_k > 0:
                draw = gen.random(delta.shape)
                with np.errstate(over="ignore", under="ignore"):  # a tiny T_k: -inf, p 0
                    accept |= (draw < np.exp(np.minimum(delta, 0.0) / t_k)) & (offered >= d2)
        # a proposal equal to the text changes nothing: count only real moves
        adopt = accept.all(axis=1) & (proposal != text)
        text = np.where(adopt, proposal, text)
        current = np.where(adopt[:, None], offered, current)
        moves += adopt
    agreed = np.all(current >= d2, axis=1)
    return SingleTextResult(text.astype(np.int64), agreed, current, moves)


def _start(
    start: npt.ArrayLike | None, n: int, n_outcomes: int, gen: np.random.Generator
) -> IntArray:
    if start is None:
        return gen.integers(0, n_outcomes, size=n).astype(np.int64)
    s = np.asarray(start)
    if not np.issubdtype(s.dtype, np.integer):
        raise BargainingError(f"start: outcome codes must be integers, got {s.dtype}")
    try:
        codes = np.broadcast_to(s.astype(np.int64), (n,)).copy()
    except ValueError as exc:
        raise BargainingError(f"start: expected one code or {n}, got shape {s.shape}") from exc
    if np.any((codes < 0) | (codes >= n_outcomes)):
        raise BargainingError(f"start: codes must lie in [0, {n_outcomes})")
    return codes


def _propose(
    text: IntArray, space: OutcomeSpace | None, n_outcomes: int, gen: np.random.Generator
) -> IntArray:
    """The mediator's variants: one issue changed to another value, or a random outcome."""
    n = text.size
    if space is None:
        return gen.integers(0, n_outcomes, size=n).astype(np.int64)
    radices = np.asarray(space.radices, dtype=np.int64)
    strides = np.concatenate([np.cumprod(radices[::-1])[::-1][1:], [1]]).astype(np.int64)
    mutable = np.flatnonzero(radices > 1)
    if mutable.size == 0:
        return text.copy()
    issue = mutable[gen.integers(0, mutable.size, size=n)]
    old = (text // strides[issue]) % radices[issue]
    # another value of the issue, uniformly: skip the current one
    new = gen.integers(0, radices[issue] - 1)
    new = new + (new >= old)
    return np.asarray(text + (new - old) * strides[issue], dtype=np.int64)
