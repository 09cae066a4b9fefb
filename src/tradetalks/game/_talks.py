"""The talks at the table: the bargaining engine run on the two-level game's utilities.

Each government bargains with its objective over outcomes (divided by one positive factor
per party, :func:`~tradetalks.politics.party_scale`), but can only sign deals in its
win-set: outcomes outside it are worth less to it than any no-deal value, so no strategy
offers or accepts them. Its reservation value is its expected value of no deal. A threat
whose deadline falls inside the talks is decided then (carried out with probability
credibility, if worth it to its maker): the reservation values become the value of no deal
given what was decided, and the talks go on. Where it was carried out, the win-sets are
derived again: from that round on each government values every deal in the world where
the measure stands (the deal priced together with it, :attr:`GameSetup.executed`), with
the threats still pending weighed as before, and can sign only the deals it then prefers
to no deal and can ratify. Where nothing was carried out the table stays as it was.
A threat whose deadline is the end of the talks (or that has none) is decided then; one
due at the compliance review after an agreement (there is none without one) is decided
at the review.
Only an agreement reached by a threat's deadline that meets its compliance terms averts it
(and, at a compliance review, only if the other side delivers, drawn with the threat's
``compliance.delivery``); after any other agreement it falls due all the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
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
    TimeBased,
    all_of,
    any_of,
    parse_strategy,
)
from tradetalks.bargaining import run_batch as _run_batch
from tradetalks.bargaining import run_session as _run_session
from tradetalks.game._population import draw_plays
from tradetalks.game._setup import GameSetup
from tradetalks.game._state import GameState, _indicators, solve_game
from tradetalks.politics import (
    carried_out_probabilities,
    chain_order,
    due_probabilities,
    government_utility,
    party_scale,
    ratifiable,
    threat_effects,
    threat_rounds,
)
from tradetalks.scenario import protocol_rounds, strategy_spec

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def talks_rounds(setup: GameSetup) -> int:
    """The deadline in rounds: the protocol's, else the earliest party deadline, else 20."""
    s = setup.scenario
    rounds = s.protocol.get("rounds")
    if rounds is not None and (not isinstance(rounds, int) or isinstance(rounds, bool)
                               or rounds < 1):  # fmt: skip
        raise ScenarioError(
            "bad protocol", [f"{s.id}: protocol.rounds: expected a whole number >= 1"]
        )
    return protocol_rounds(s)


def strategy_specs(setup: GameSetup, overrides: Mapping[str, str] | None = None) -> list[str]:
    """One strategy string per party (``name:key=value,...``), scenario first, then overrides."""
    out = []
    for p in setup.scenario.parties:
        if overrides and p.code in overrides:
            out.append(overrides[p.code])
            continue
        table: dict[str, Any] = dict(setup.scenario.strategies.get(p.code, {"name": "boulware"}))
        out.append(strategy_spec(table))
    return out


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


def _floored(utility: FloatArray, win_sets: BoolArray, threat_values: FloatArray) -> FloatArray:
    """Utilities with the outcomes outside each win-set pushed below every no-deal value."""
    scale = party_scale(utility, threat_values)
    floor = np.minimum(utility.min(axis=-1), np.min(threat_values, axis=-1)) - scale
    return np.where(win_sets, utility, floor[..., None])


def _table_utilities(state: GameState) -> FloatArray:
    """Utilities with the outcomes outside each win-set pushed below every no-deal value."""
    return _floored(state.utility, state.win_sets, state.threat_values)


@dataclass(frozen=True, eq=False)
class _InForce:
    """Every deal with each set of :attr:`GameSetup.executed` in force, per sample."""

    utility: FloatArray  # (S, sets, parties, outcomes)
    stakes: FloatArray  # (S, sets, actors, outcomes)


def _in_force(setup: GameSetup, state: GameState) -> _InForce | None:
    """Objectives and stakes at the priced points of deals with executed threats in force."""
    if not setup.executed:
        return None
    n_sets, n_out = len(setup.executed), setup.n_outcomes
    first = setup.indicators.shape[0] - n_sets * n_out
    x = _indicators(setup, state.parameters.theta)[:, first:]
    prefs = setup.preferences[first:]
    columns = np.concatenate([x, np.broadcast_to(prefs, (x.shape[0], *prefs.shape))], axis=-1)
    stakes = np.einsum("spc,ac->sap", columns, setup.model.stake_weights)
    utility = government_utility(stakes, state.parameters.weights, setup.model.party_of,
                                 len(setup.model.parties))  # fmt: skip
    n_s = x.shape[0]
    return _InForce(
        utility.reshape(n_s, -1, n_sets, n_out).transpose(0, 2, 1, 3),
        stakes.reshape(n_s, -1, n_sets, n_out).transpose(0, 2, 1, 3),
    )


def _rederived(
    setup: GameSetup,
    state: GameState,
    world: _InForce,
    carried: BoolArray,
    decided: BoolArray,
    no_deal: FloatArray,
) -> FloatArray | None:
    """``(S, parties, outcomes)`` table utilities once the threats ``decided`` are decided.

    In sessions where some were carried out, each deal is worth its value with them in
    force plus the expected effect of the threats still pending (the additive rule of
    :func:`~tradetalks.game.solve_game`), and the win-sets are derived again against the
    new no-deal values ``no_deal``; elsewhere the table is unchanged. ``None`` when no
    session carried anything out.
    """
    executed = carried & decided[None, :]
    if not executed.any():
        return None
    index = {s: k for k, s in enumerate(setup.executed)}
    rows = np.flatnonzero(executed.any(axis=1))
    which = np.array([index[tuple(np.flatnonzero(executed[s]).tolist())] for s in rows])
    trigger = list(setup.trigger)
    n_out = setup.n_outcomes
    due = due_probabilities(state.carry_probability[rows], setup.exposure, trigger,
                            executed[rows], decided)  # fmt: skip
    effect = threat_effects(state.threat_values[rows], trigger)
    stake_effect = threat_effects(state.stakes[rows, :, n_out:], trigger)
    utility = world.utility[rows, which] + np.einsum("spt,sto->spo", effect, due)
    stakes = world.stakes[rows, which] + np.einsum("sat,sto->sao", stake_effect, due)
    weights = carried_out_probabilities(state.carry_probability[rows] * ~setup.review, True,
                                        trigger, np.broadcast_to(decided, executed[rows].shape),
                                        carried[rows])  # fmt: skip
    no_deal_stakes = np.einsum("sat,st->sa", state.stakes[rows, :, n_out:], weights)
    params = state.parameters
    ratified = np.zeros(utility.shape, dtype=bool)
    for p, rule in enumerate(setup.model.rules):
        mine = setup.model.actors_of(p)
        ratified[:, p] = ratifiable(stakes[:, mine], no_deal_stakes[:, mine],
                                    params.weights[rows][:, mine], rule,
                                    threshold=params.threshold[rows, p],
                                    leader_strength=params.leader_strength[rows, p])  # fmt: skip
    values = state.threat_values[rows]
    slack = 1e-12 * party_scale(utility, values)
    win_sets = ratified & (utility >= no_deal[rows, :, None] - slack[..., None])
    table = _table_utilities(state).copy()
    table[rows] = _floored(utility, win_sets, values)
    return table


def _conditional_no_deal(
    setup: GameSetup, state: GameState, carried: BoolArray, decided: BoolArray
) -> FloatArray:
    """``(S, parties)``: expected no-deal value given which threats are decided and how."""
    trigger = list(setup.trigger)
    p_carry = state.carry_probability * ~setup.review  # no review without an agreement
    weights = carried_out_probabilities(p_carry, True, trigger, decided, carried)
    return np.asarray(np.einsum("spt,st->sp", state.threat_values, weights))


def _chained(setup: GameSetup, carried: BoolArray) -> BoolArray:
    """Carried out only where the threat each one answers is carried out too."""
    out = carried.copy()
    for t in chain_order(list(setup.trigger)):
        if setup.trigger[t] >= 0:
            out[:, t] &= out[:, setup.trigger[t]]
    return out


@dataclass(frozen=True, eq=False)
class TalksResult:
    """Sessions of talks, one per parameter sample.

    ``threat_carried_out`` is ``(sessions, threats)``; ``ran`` is False where some party's
    win-set was empty, so there was nothing to talk about (no deal, 0 rounds). Utilities
    are government objectives in million USD. ``plays`` is ``(sessions, parties)``: the
    strategy each party played; ``strategies`` the first session's.
    """

    batch: BatchResult
    ran: BoolArray
    threat_carried_out: BoolArray
    rounds: int
    strategies: tuple[str, ...]
    plays: npt.NDArray[np.object_]

    @property
    def agreed(self) -> BoolArray:
        """Sessions that ended in a deal."""
        return np.asarray(self.batch.status == int(Status.AGREED))


@dataclass(frozen=True, eq=False)
class _Inputs:
    """What the engine needs for every sample: utilities at the table, no-deal values, rules.

    ``utilities`` and ``reservation`` are divided by ``scale`` (one factor per party).
    """

    utilities: FloatArray  # (S, parties, outcomes)
    reservation: FloatArray  # (S, parties)
    scale: FloatArray  # (S, parties)
    protocol: Protocol
    strategies: tuple[str, ...]
    carried: BoolArray  # (S, threats): carried out if it falls due
    delivered: BoolArray  # (S, threats): the other side delivers (compliance review)
    ran: BoolArray  # (S,): every win-set non-empty
    deadlines: IntArray  # (threats,)


def _inputs(
    setup: GameSetup,
    state: GameState,
    rng: np.random.Generator,
    strategies: Mapping[str, str] | None,
    rederive: bool = True,
) -> _Inputs:
    """Draw each sample's fate of the threats and build the protocol of its talks.

    ``rederive=False`` keeps the table through executed threats (only the reservation
    values change): the additive approximation of earlier versions, for comparison.
    """
    rounds = talks_rounds(setup)
    p_carry = state.carry_probability
    carried = _chained(setup, rng.random(p_carry.shape) < p_carry)
    delivery = np.array([t.compliance.delivery.value for t in setup.scenario.threats])
    delivered = rng.random(p_carry.shape) < delivery[None, :]
    scale = party_scale(state.utility, state.threat_values)
    u = _table_utilities(state) / scale[..., None]
    best = u.max(axis=-1)
    deadlines = threat_rounds(setup.scenario)
    world = _in_force(setup, state) if rederive else None
    reservation = np.minimum(state.no_deal / scale, best)
    escalations = _summits(setup, state, scale, u, reservation)
    for r in sorted({int(d) for d in deadlines if d < rounds}):
        decided = np.broadcast_to(deadlines <= r, carried.shape)
        value = _conditional_no_deal(setup, state, carried, decided)
        table = None
        if world is not None:
            new = _rederived(setup, state, world, carried, deadlines <= r, value)
            table = None if new is None else new / scale[..., None]
        top = best if table is None else table.max(axis=-1)
        maker = int(setup.threat_maker[deadlines == r][0])
        escalations.append(Escalation(round=r, party=maker, utilities=table,
                                      reservation=np.minimum(value / scale, top)))  # fmt: skip
    protocol = Protocol(
        rounds=rounds,
        discount=tuple(p.discount.value for p in setup.scenario.parties),
        escalations=tuple(escalations),
    )
    return _Inputs(
        utilities=u,
        reservation=reservation,
        scale=scale,
        protocol=protocol,
        strategies=tuple(strategy_specs(setup, strategies)),
        carried=carried,
        delivered=delivered,
        ran=np.asarray(state.win_sets.any(axis=-1).all(axis=-1)),
        deadlines=deadlines,
    )


def _summits(
    setup: GameSetup,
    state: GameState,
    scale: FloatArray,
    table: FloatArray,
    reservation: FloatArray,
) -> list[Escalation]:
    """The table of each summit's rounds (win-sets at its leader strengths), then the talks'.

    A summit changes the table when it starts and gives the talks' table back when it
    ends (before any threat decided then, which may change it again). One without leader
    strengths of its own changes nothing and adds nothing.
    """
    parties = [p.code for p in setup.scenario.parties]
    out = []
    for stage in setup.scenario.stages:
        if not stage.leader_strength:
            continue
        strength = state.parameters.leader_strength.copy()
        for code, value in stage.leader_strength.items():
            strength[:, parties.index(code)] = value
        params = replace(state.parameters, leader_strength=strength)
        summit = _table_utilities(solve_game(setup, params)) / scale[..., None]
        at = np.minimum(reservation, summit.max(axis=-1))
        out.append(Escalation(stage.first_round, 0, at, utilities=summit, label=stage.id))
        out.append(Escalation(stage.end_round, 0, reservation, utilities=table, label="talks"))
    return out


def _select(protocol: Protocol, keep: BoolArray | IntArray | int) -> Protocol:
    """The protocol for the sessions in ``keep`` (escalations carry per-session values)."""
    escalations = tuple(
        Escalation(e.round, e.party, np.asarray(e.reservation)[keep], e.end,
                   None if e.utilities is None else np.asarray(e.utilities)[keep], e.label)
        for e in protocol.escalations
    )  # fmt: skip
    return Protocol(rounds=protocol.rounds, discount=protocol.discount, escalations=escalations)


def _averted(setup: GameSetup, x: _Inputs, agreed: BoolArray, batch: BatchResult) -> BoolArray:
    """``(sessions, threats)``: averted by an agreement in time that meets its terms."""
    meets = setup.averts[:, np.where(agreed, batch.agreement, 0)].T  # (S, threats)
    in_time = batch.rounds[:, None] <= x.deadlines[None, :]
    return np.asarray(agreed[:, None] & in_time & meets & (~setup.review[None, :] | x.delivered))


def _result(
    setup: GameSetup,
    x: _Inputs,
    state: GameState,
    batch: BatchResult | None,
    plays: npt.NDArray[np.object_],
) -> TalksResult:
    """Put the sessions that ran among those that did not (no deal, 0 rounds), in money."""
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
        discounted[x.ran] = batch.discounted * x.scale[x.ran]
        rounds[x.ran] = batch.rounds
        turns[x.ran] = batch.turns
        reservation[x.ran] = batch.reservation * x.scale[x.ran]
    agreed = status == int(Status.AGREED)
    deal = state.utility[np.arange(n)[:, None], np.arange(n_p)[None, :], agreement[:, None]]
    utilities = np.where(agreed[:, None], deal, reservation)
    full = BatchResult(status, agreement, utilities, discounted, rounds, turns, reservation)
    due = ~_averted(setup, x, agreed, full) & (agreed[:, None] | ~setup.review[None, :])
    carried_out = _chained(setup, x.carried & due)
    return TalksResult(full, x.ran, carried_out, int(x.protocol.rounds or 0), x.strategies,
                       plays)  # fmt: skip


def _exponent(strategy: Strategy) -> float:
    assert isinstance(strategy.offering, TimeBased)
    return float(np.asarray(strategy.offering.e))


def _profiles(plays: npt.NDArray[np.object_]) -> list[tuple[IntArray, tuple[Strategy, ...]]]:
    """The batches of a set of sessions: their rows and each party's strategy.

    Two parties: one batch per pairing of strategies. Three or more: sessions whose time-based
    strategies differ only in the exponent share a batch, the exponent given per session
    (with twelve parties drawing one of three exponents, nearly every session would otherwise
    be a batch of its own: 3^12 pairings).
    """
    keys = ["\x1f".join(map(str, row)) for row in plays]
    if plays.shape[1] <= 2:
        return [(np.flatnonzero(np.array(keys) == key),
                 tuple(parse_strategy(spec) for spec in key.split("\x1f")))
                for key in sorted(set(keys))]  # fmt: skip
    parsed = {str(spec): parse_strategy(str(spec)) for spec in set(plays.ravel())}

    def family(spec: str) -> str:
        s = parsed[spec]
        if type(s.offering) is TimeBased:
            return f"timebased tol={s.offering.tol} {s.acceptance!r}"
        return spec

    families = np.array(["\x1f".join(family(str(x)) for x in row) for row in plays])
    out = []
    for key in sorted(set(families)):
        rows = np.flatnonzero(families == key)
        strategies = []
        for p in range(plays.shape[1]):
            specs = [str(x) for x in plays[rows, p]]
            first = parsed[specs[0]]
            if len(set(specs)) > 1:  # time-based, exponents differing by session
                offering = first.offering
                assert isinstance(offering, TimeBased)
                e = np.array([_exponent(parsed[x]) for x in specs])
                first = Strategy(TimeBased(e=e, tol=offering.tol), first.acceptance, "timebased")
            strategies.append(first)
        out.append((rows, tuple(strategies)))
    return out


def _run_groups(
    setup: GameSetup, x: _Inputs, plays: npt.NDArray[np.object_], rng: np.random.Generator
) -> BatchResult:
    """Run the sessions that have talks, one batch per pairing of strategies (see _profiles)."""
    ran = np.flatnonzero(x.ran)
    n, n_p = len(ran), x.utilities.shape[1]
    out = BatchResult(np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros((n, n_p)),
                      np.zeros((n, n_p)), np.zeros(n, np.int64), np.zeros(n, np.int64),
                      np.zeros((n, n_p)))  # fmt: skip
    rounds = int(x.protocol.rounds or 0)
    for mine, strategies in _profiles(plays[ran]):
        rows = ran[mine]
        policies = tuple(last_chance(s, rounds) for s in strategies)
        b = _run_batch(x.utilities[rows], x.reservation[rows], policies,
                       _select(x.protocol, rows), rng=rng, space=setup.space)  # fmt: skip
        for field in ("status", "agreement", "utilities", "discounted", "rounds", "turns",
                      "reservation"):  # fmt: skip
            getattr(out, field)[mine] = getattr(b, field)
    return out


def run_talks(
    setup: GameSetup,
    state: GameState,
    rng: np.random.Generator,
    *,
    strategies: Mapping[str, str] | None = None,
    population: Sequence[str] | None = None,
) -> TalksResult:
    """Run one session per sample of ``state`` with the batch engine.

    With a ``population`` (and no ``strategies`` override), each session draws each party's
    strategy from it (:func:`~tradetalks.game.draw_plays`); otherwise every session plays
    the scenario's strategies with ``strategies`` overriding them.
    """
    x = _inputs(setup, state, rng, strategies)
    n, n_p = x.ran.shape[0], len(x.strategies)
    if population and not strategies:
        plays = draw_plays(population, n, n_p, rng)
    else:
        plays = np.array([list(x.strategies)] * n, dtype=object).reshape(n, n_p)
    batch = _run_groups(setup, x, plays, rng) if x.ran.any() else None
    return _result(setup, x, state, batch, plays)


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
    plays = np.array([list(x.strategies)], dtype=object)
    if not x.ran[0]:
        return None, _result(setup, x, one, None, plays)
    rounds = int(x.protocol.rounds or 0)
    policies = tuple(last_chance(parse_strategy(spec), rounds) for spec in x.strategies)
    session = _run_session(x.utilities[0], x.reservation[0], _select(x.protocol, 0), policies,
                           rng=rng)  # fmt: skip
    batch = BatchResult(
        status=np.array([int(session.status)]),
        agreement=np.array([-1 if session.agreement is None else session.agreement]),
        utilities=np.array([session.utilities]),
        discounted=np.array([session.discounted]),
        rounds=np.array([session.rounds]),
        turns=np.array([session.turns]),
        reservation=np.array([session.reservation]),
    )
    return session, _result(setup, x, one, batch, plays)


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
