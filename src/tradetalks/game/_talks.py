"""The talks at the table: the bargaining engine run on the two-level game's utilities.

Each government bargains with its utility over outcomes, but can only sign deals in its
win-set: outcomes outside it are worth less to it than any no-deal value, so no strategy
offers or accepts them. Its reservation value is its expected value of no deal. A threat
whose deadline falls inside the talks is decided then (carried out with probability
credibility, if credible): the reservation values become the value of no deal given what
was decided, and the talks go on. A threat whose deadline is the end of the talks (or
that has none) is carried out, with the same probability, only if there is no deal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from tradetalks._errors import ScenarioError
from tradetalks.bargaining import (
    ACReservation,
    ACTime,
    BatchResult,
    Escalation,
    Protocol,
    SessionResult,
    Status,
    Strategy,
    all_of,
    any_of,
    parse_strategy,
)
from tradetalks.bargaining import run_batch as _run_batch
from tradetalks.bargaining import run_session as _run_session
from tradetalks.game._setup import GameSetup
from tradetalks.game._state import GameState
from tradetalks.politics import threat_scenarios

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_ROUNDS = 20


def talks_rounds(setup: GameSetup) -> int:
    """The deadline in rounds: the protocol's, else the earliest party deadline, else 20."""
    s = setup.scenario
    if "rounds" in s.protocol:
        rounds = s.protocol["rounds"]
        if not isinstance(rounds, int) or isinstance(rounds, bool) or rounds < 1:
            raise ScenarioError(
                "bad protocol", [f"{s.id}: protocol.rounds: expected a whole number >= 1"]
            )
        return rounds
    deadlines = [p.deadline.round for p in s.parties if p.deadline and p.deadline.round]
    return min(deadlines) if deadlines else DEFAULT_ROUNDS


def strategy_specs(setup: GameSetup, overrides: Mapping[str, str] | None = None) -> list[str]:
    """One strategy string per party (``name:key=value,...``), scenario first, then overrides."""
    out = []
    for p in setup.scenario.parties:
        if overrides and p.code in overrides:
            out.append(overrides[p.code])
            continue
        spec: dict[str, Any] = dict(setup.scenario.strategies.get(p.code, {"name": "boulware"}))
        name = str(spec.pop("name", "boulware"))
        for key in ("source", "note"):  # citations, not parameters
            spec.pop(key, None)
        args = ",".join(f"{k}={v}" for k, v in spec.items())
        out.append(f"{name}:{args}" if args else name)
    return out


def threat_rounds(setup: GameSetup, rounds: int) -> IntArray:
    """0-based round at whose start each threat is decided; ``rounds`` = at the end."""
    out = []
    for t in setup.scenario.threats:
        r = t.deadline.round if t.deadline and t.deadline.round else rounds
        out.append(min(r, rounds))
    return np.array(out, dtype=np.int64)


def last_chance(strategy: Strategy, rounds: int) -> Strategy:
    """The strategy, also accepting in the last round any offer worth its reservation value.

    A government that rejects an offer at its last chance to answer gets no deal, so taking
    any deal it can ratify that beats no deal is the only rational answer then (backward
    induction). Time-based policies alone may still aim higher at the deadline, because
    their relative time never reaches 1 (NegMAS's convention t = (r + 1)/(R + 1)).
    Rounds from ``rounds - 1`` on (t ≥ R/(R + 1)) count as the last.
    """
    last = (rounds - 0.5) / (rounds + 1)
    acceptance = any_of(strategy.acceptance, all_of(ACTime(last), ACReservation()))
    return Strategy(strategy.offering, acceptance, strategy.name)


def _table_utilities(state: GameState) -> FloatArray:
    """Utilities with the outcomes outside each win-set pushed below every no-deal value."""
    u = state.utility
    floor = np.minimum(u.min(axis=-1), np.min(state.threat_values, axis=-1)) - 1.0
    return np.where(state.win_sets, u, floor[..., None])


def _conditional_no_deal(
    state: GameState, carried: BoolArray, decided: BoolArray, p_carry: FloatArray
) -> FloatArray:
    """``(S, parties)``: expected no-deal value given which threats are decided and how."""
    scenarios = threat_scenarios(carried.shape[1])
    n_t = carried.shape[1]
    weights = np.ones((carried.shape[0], len(scenarios)))
    for k, subset in enumerate(scenarios):
        inside = np.zeros(n_t, dtype=bool)
        inside[list(subset)] = True
        match = np.where(decided, carried == inside, np.where(inside, p_carry, 1.0 - p_carry))
        weights[:, k] = np.prod(match, axis=1)
    return np.asarray(np.einsum("spt,st->sp", state.threat_values, weights))


@dataclass(frozen=True, eq=False)
class TalksResult:
    """Sessions of talks, one per parameter sample.

    ``threat_carried_out`` is ``(sessions, threats)``; ``ran`` is False where some party's
    win-set was empty, so there was nothing to talk about (no deal, 0 rounds).
    """

    batch: BatchResult
    ran: BoolArray
    threat_carried_out: BoolArray
    rounds: int
    strategies: tuple[str, ...]

    @property
    def agreed(self) -> BoolArray:
        """Sessions that ended in a deal."""
        return np.asarray(self.batch.status == int(Status.AGREED))


@dataclass(frozen=True, eq=False)
class _Inputs:
    """What the engine needs for every sample: utilities at the table, no-deal values, rules."""

    utilities: FloatArray  # (S, parties, outcomes)
    reservation: FloatArray  # (S, parties)
    protocol: Protocol
    strategies: tuple[str, ...]
    policies: tuple[Strategy, ...]
    carried: BoolArray  # (S, threats): carried out if its deadline comes without a deal
    ran: BoolArray  # (S,): every win-set non-empty
    deadlines: IntArray  # (threats,)


def _inputs(
    setup: GameSetup,
    state: GameState,
    rng: np.random.Generator,
    strategies: Mapping[str, str] | None,
) -> _Inputs:
    rounds = talks_rounds(setup)
    specs = tuple(strategy_specs(setup, strategies))
    p_carry = state.parameters.credibility * state.credible
    carried = rng.random(p_carry.shape) < p_carry
    u = _table_utilities(state)
    best = u.max(axis=-1)
    deadlines = threat_rounds(setup, rounds)
    escalations = []
    for r in sorted({int(d) for d in deadlines if d < rounds}):
        decided = np.broadcast_to(deadlines <= r, carried.shape)
        value = _conditional_no_deal(state, carried, decided, p_carry)
        maker = int(setup.threat_maker[deadlines == r][0])
        escalations.append(Escalation(round=r, party=maker, reservation=np.minimum(value, best)))
    protocol = Protocol(
        rounds=rounds,
        discount=tuple(p.discount.value for p in setup.scenario.parties),
        escalations=tuple(escalations),
    )
    return _Inputs(
        utilities=u,
        reservation=np.minimum(state.no_deal, best),
        protocol=protocol,
        strategies=specs,
        policies=tuple(last_chance(parse_strategy(spec), rounds) for spec in specs),
        carried=carried,
        ran=np.asarray(state.win_sets.any(axis=-1).all(axis=-1)),
        deadlines=deadlines,
    )


def _select(protocol: Protocol, keep: BoolArray) -> Protocol:
    """The protocol for the sessions in ``keep`` (escalations carry per-session values)."""
    escalations = tuple(
        Escalation(e.round, e.party, np.asarray(e.reservation)[keep], e.end)
        for e in protocol.escalations
    )
    return Protocol(rounds=protocol.rounds, discount=protocol.discount, escalations=escalations)


def _result(x: _Inputs, state: GameState, batch: BatchResult | None) -> TalksResult:
    """Put the sessions that ran among those that did not (no deal, 0 rounds)."""
    n, n_p = x.ran.shape[0], state.no_deal.shape[1]
    status = np.full(n, int(Status.DEADLINE), dtype=np.int64)
    agreement = np.full(n, -1, dtype=np.int64)
    discounted = state.no_deal.copy()
    rounds = np.zeros(n, dtype=np.int64)
    turns = np.zeros(n, dtype=np.int64)
    reservation = state.no_deal.copy()
    if batch is not None:
        status[x.ran] = batch.status
        agreement[x.ran] = batch.agreement
        discounted[x.ran] = batch.discounted
        rounds[x.ran] = batch.rounds
        turns[x.ran] = batch.turns
        reservation[x.ran] = batch.reservation
    agreed = status == int(Status.AGREED)
    deal = state.utility[np.arange(n)[:, None], np.arange(n_p)[None, :], agreement[:, None]]
    utilities = np.where(agreed[:, None], deal, reservation)
    full = BatchResult(status, agreement, utilities, discounted, rounds, turns, reservation)
    # A deal reached by a threat's deadline forestalls it.
    pending = (~agreed)[:, None] | (rounds[:, None] > x.deadlines[None, :])
    return TalksResult(full, x.ran, x.carried & pending, int(x.protocol.rounds or 0),
                       x.strategies)  # fmt: skip


def run_talks(
    setup: GameSetup,
    state: GameState,
    rng: np.random.Generator,
    *,
    strategies: Mapping[str, str] | None = None,
) -> TalksResult:
    """Run one session per sample of ``state`` in lockstep with the batch engine."""
    x = _inputs(setup, state, rng, strategies)
    batch = None
    if x.ran.any():
        batch = _run_batch(
            x.utilities[x.ran],
            x.reservation[x.ran],
            x.policies,
            _select(x.protocol, x.ran),
            rng=rng,
            space=setup.space,
        )
    return _result(x, state, batch)


def run_single(
    setup: GameSetup,
    state: GameState,
    *,
    strategies: Mapping[str, str] | None = None,
    seed: int = 0,
) -> tuple[SessionResult | None, TalksResult]:
    """One session of the first sample, with its full trace (for ``tradetalks negotiate``).

    Returns the traced session (``None`` when a win-set is empty and there are no talks)
    and the same session as a one-row :class:`TalksResult`.
    """
    one = state.sample(0)
    rng = np.random.default_rng(seed)
    x = _inputs(setup, one, rng, strategies)
    if not x.ran[0]:
        return None, _result(x, one, None)
    protocol = Protocol(  # the one session's row of each escalation's reservation values
        rounds=x.protocol.rounds,
        discount=x.protocol.discount,
        escalations=tuple(
            Escalation(e.round, e.party, np.asarray(e.reservation)[0], e.end)
            for e in x.protocol.escalations
        ),
    )
    session = _run_session(x.utilities[0], x.reservation[0], protocol, x.policies, rng=rng)
    batch = BatchResult(
        status=np.array([int(session.status)]),
        agreement=np.array([-1 if session.agreement is None else session.agreement]),
        utilities=np.array([session.utilities]),
        discounted=np.array([session.discounted]),
        rounds=np.array([session.rounds]),
        turns=np.array([session.turns]),
        reservation=np.array([session.reservation]),
    )
    return session, _result(x, one, batch)


def option_counts(setup: GameSetup, result: TalksResult) -> dict[str, dict[str, float]]:
    """For each issue, the share of sessions ending at each option, and with no deal."""
    agreed = result.agreed
    codes = result.batch.agreement[agreed]
    values = setup.options[codes] if codes.size else np.zeros((0, len(setup.scenario.issues)), int)
    n = max(len(agreed), 1)
    out: dict[str, dict[str, float]] = {}
    for k, issue in enumerate(setup.scenario.issues):
        shares = {o.id: float((values[:, k] == j).sum()) / n for j, o in enumerate(issue.options)}
        shares["(no deal)"] = float((~agreed).sum()) / n
        out[issue.id] = shares
    return out


def threat_shares(setup: GameSetup, result: TalksResult) -> dict[str, float]:
    """Share of sessions in which each threat was carried out."""
    return {
        t.id: float(result.threat_carried_out[:, k].mean())
        for k, t in enumerate(setup.scenario.threats)
    }
