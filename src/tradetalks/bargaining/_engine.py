"""The session engine: many sessions in lockstep as arrays; a single session is a batch of one.

See :mod:`tradetalks.bargaining._protocol` for the rules. The engine owns the random
generator (``numpy.random.Generator``): a run is reproducible from its seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tradetalks._errors import BargainingError
from tradetalks.bargaining._acceptance import (
    ACAspiration,
    ACConst,
    ACNext,
    ACReservation,
    ACTime,
    AllOf,
    AnyOf,
)
from tradetalks.bargaining._offering import Hardliner, TimeBased
from tradetalks.bargaining._policy import (
    NO_OFFER,
    WALK_AWAY,
    FloatArray,
    IntArray,
    PartyTable,
    Setup,
    TurnView,
)
from tradetalks.bargaining._protocol import (
    BatchResult,
    Protocol,
    SessionResult,
    Status,
    TraceStep,
)
from tradetalks.bargaining._space import OutcomeSpace
from tradetalks.bargaining._strategy import Strategy, as_strategy
from tradetalks.bargaining._utilities import BargainingProblem, check_utilities

Seed = np.random.Generator | int | None


@dataclass(frozen=True, eq=False)
class _Escalation:
    round: IntArray  # (S,), -1 never
    party: int
    reservation: FloatArray  # (S, P)
    end: bool
    utilities: FloatArray | None  # (S, P, O): the table from then on, None = unchanged


@dataclass(frozen=True, eq=False)
class _Raw:
    result: BatchResult
    accepts: npt.NDArray[np.bool_] | None
    times: FloatArray | None
    escalated_at: list[tuple[int, int]]


def _escalation_table(
    given: npt.ArrayLike | None, shape: tuple[int, ...], n_s: int, j: int
) -> FloatArray | None:
    """An escalation's new utility table as ``(sessions, parties, outcomes)`` (or ``None``)."""
    if given is None:
        return None
    n_p, n_o = shape[1], shape[2]
    try:
        table = np.broadcast_to(np.asarray(given, dtype=np.float64), (n_s, n_p, n_o))
    except ValueError as exc:
        raise BargainingError(
            f"escalations[{j}].utilities: expected ({n_p}, {n_o}) or ({n_s}, {n_p}, {n_o}) values"
        ) from exc
    if not np.all(np.isfinite(table)):
        raise BargainingError(f"escalations[{j}].utilities: NaN or infinite values")
    return table


def _check_reservation_batch(res: FloatArray, best: FloatArray, what: str) -> None:
    if not np.all(np.isfinite(res)):
        where = tuple(int(i) for i in np.argwhere(~np.isfinite(res))[0])
        raise BargainingError(f"{what}: NaN or infinite value at (session, party) {where}")
    above = res > best + 1e-12 * np.maximum(1.0, np.abs(best))
    if above.any():
        s, p = (int(i) for i in np.argwhere(above)[0])
        raise BargainingError(
            f"{what}: value {res[s, p]:.6g} of party {p} in session {s} is outside the utility "
            f"range: above the party's best outcome ({best[s, p]:.6g})"
        )


def _time(r: int | IntArray, deadlines: IntArray, protocol: Protocol) -> FloatArray:
    t = np.zeros(deadlines.shape[0])
    if protocol.rounds is not None or protocol.time_limit is None:
        t = (r + 1) / (deadlines + 1.0)
    if protocol.time_limit is not None:
        t = np.maximum(t, (r + 1) * protocol.round_duration / protocol.time_limit)
    return np.asarray(np.minimum(t, 1.0), dtype=np.float64)


def _effective_deadlines(
    deadlines: IntArray | None, protocol: Protocol, n_sessions: int
) -> IntArray:
    if deadlines is None:
        big = np.iinfo(np.int64).max // 4
        rounds = np.full(n_sessions, protocol.rounds if protocol.rounds is not None else big)
    else:
        rounds = np.asarray(deadlines, dtype=np.int64)
        if rounds.shape != (n_sessions,):
            raise BargainingError(f"deadlines: expected shape ({n_sessions},), got {rounds.shape}")
        if np.any(rounds < 1):
            raise BargainingError("deadlines: every session needs at least 1 round")
    if protocol.time_limit is not None:
        by_time = int(np.ceil(protocol.time_limit / protocol.round_duration)) - 1
        rounds = np.minimum(rounds, max(by_time, 0))
    return np.asarray(rounds, dtype=np.int64)


def _simulate(
    utilities: FloatArray,
    reservation: FloatArray,
    deadlines: IntArray,
    protocol: Protocol,
    strategies: Sequence[Strategy],
    rng: np.random.Generator,
    space: OutcomeSpace | None,
    record: bool,
) -> _Raw:
    n_s, n_p = reservation.shape
    if len(strategies) != n_p:
        raise BargainingError(f"strategies: expected one per party ({n_p}), got {len(strategies)}")
    best = np.broadcast_to(utilities.max(axis=2), (n_s, n_p))
    _check_reservation_batch(reservation, best, "reservation")
    escalations: list[_Escalation] = []
    for j, spec in enumerate(protocol.escalations):
        rounds = np.broadcast_to(np.asarray(spec.round, dtype=np.int64), (n_s,)).copy()
        try:
            given = np.asarray(spec.reservation, dtype=np.float64)
            new = np.broadcast_to(given, (n_s, n_p)).copy()
        except ValueError as exc:
            raise BargainingError(
                f"escalations[{j}].reservation: expected ({n_p},) or ({n_s}, {n_p}) values"
            ) from exc
        table = _escalation_table(spec.utilities, utilities.shape, n_s, j)
        top = best if table is None else table.max(axis=2)
        _check_reservation_batch(new, top, f"escalations[{j}].reservation")
        if not 0 <= spec.party < n_p:
            raise BargainingError(f"escalations[{j}].party: no party {spec.party}")
        escalations.append(_Escalation(rounds, spec.party, new, spec.end, table))
    discount = protocol.discount_factors(n_p)
    tables = tuple(PartyTable(np.ascontiguousarray(utilities[:, p, :]), n_s) for p in range(n_p))
    setup = Setup(utilities, reservation.copy(), deadlines, discount, space, tables)
    states = [s.offering.start(setup, p, rng) for p, s in enumerate(strategies)]
    if (
        n_s == 1
        and n_p == 2
        and deadlines[0] <= _AT_ONCE_MAX_ROUNDS
        and all(_history_free(s) for s in strategies)
        and all(e.utilities is None for e in escalations)
    ):
        fast = _one_session_at_once(setup, protocol, strategies, escalations, rng, record)
        return _finish(utilities, discount, *fast)

    res = reservation.copy()
    standing = np.full(n_s, NO_OFFER, dtype=np.int64)
    proposer = np.full(n_s, -1, dtype=np.int64)
    offer_turn = np.zeros(n_s, dtype=np.int64)
    n_acc = np.zeros(n_s, dtype=np.int64)
    done = np.zeros(n_s, dtype=bool)
    status = np.full(n_s, int(Status.DEADLINE), dtype=np.int64)
    agreement = np.full(n_s, NO_OFFER, dtype=np.int64)
    disc_turn = n_p * deadlines  # the exponent of the discount at the end
    played = n_p * deadlines  # turns played
    n_turns = n_p * int(deadlines.max())
    offers_log = np.full((n_turns, n_s), NO_OFFER, dtype=np.int64) if record else None
    accepts_log = np.zeros((n_turns, n_s), dtype=bool) if record else None
    times_log = np.zeros((n_turns, n_s)) if record else None
    escalated_at: list[tuple[int, int]] = []

    for k in range(n_turns):
        r, p = divmod(k, n_p)
        if p == 0:
            for j, e in enumerate(escalations):
                hit = ~done & (e.round == r) & (r < deadlines)
                if hit.any():
                    res[hit] = e.reservation[hit]
                    escalated_at.append((k, j))
                    if e.utilities is not None:
                        utilities = np.broadcast_to(utilities, e.utilities.shape).copy()
                        utilities[hit] = e.utilities[hit]
                        tables = tuple(PartyTable(np.ascontiguousarray(utilities[:, q, :]), n_s)
                                       for q in range(n_p))  # fmt: skip
                        setup = Setup(utilities, setup.reservation, deadlines, discount, space,
                                      tables)  # fmt: skip
                    if e.end:
                        done |= hit
                        status[hit] = int(Status.ESCALATED)
                        disc_turn = np.where(hit, k, disc_turn)
                        played = np.where(hit, k, played)
        active = ~done & (r < deadlines)
        if not active.any():
            break
        t = _time(r, deadlines, protocol)
        table = tables[p]
        view = TurnView(setup, p, k, r, t, res[:, p].copy(), standing.copy(), rng)
        proposal = strategies[p].offering.propose(view, states[p])
        offer = np.asarray(proposal.offer, dtype=np.int64)
        has = active & (standing >= 0) & (proposer != p)
        offer_u = table.of(np.where(has, standing, 0))
        prop_u = table.of(np.where(offer >= 0, offer, 0))
        acc = has & strategies[p].acceptance.accepts(view, offer_u, proposal, prop_u)
        n_acc = np.where(acc, n_acc + 1, n_acc)
        agreed = acc & (n_acc >= n_p - 1)
        status[agreed] = int(Status.AGREED)
        agreement[agreed] = standing[agreed]
        disc_turn = np.where(agreed, offer_turn, disc_turn)
        walk = active & ~acc & (offer == WALK_AWAY)
        status[walk] = int(Status.WALKED_AWAY)
        disc_turn = np.where(walk, k, disc_turn)
        played = np.where(agreed | walk, k + 1, played)
        new = active & ~acc & (offer >= 0)
        if np.any(active & ~acc & (offer < 0) & (offer != WALK_AWAY)):
            raise BargainingError(f"strategy of party {p} made no offer (code {offer.min()})")
        standing = np.where(new, offer, standing)
        proposer = np.where(new, p, proposer)
        offer_turn = np.where(new, k, offer_turn)
        n_acc = np.where(new, 0, n_acc)
        done |= agreed | walk
        made = np.where(new, offer, NO_OFFER)
        if offers_log is not None and accepts_log is not None and times_log is not None:
            offers_log[k] = np.where(walk, WALK_AWAY, made)
            accepts_log[k] = acc
            times_log[k] = np.where(active, t, np.nan)
        for q, s in enumerate(strategies):
            if q != p:
                s.offering.observe(setup, q, states[q], made, p)

    return _finish(utilities, discount, status, agreement, res, disc_turn, played, offers_log,
                   accepts_log, times_log, escalated_at)  # fmt: skip


def _finish(
    utilities: FloatArray,
    discount: FloatArray,
    status: IntArray,
    agreement: IntArray,
    res: FloatArray,
    disc_turn: IntArray,
    played: IntArray,
    offers_log: IntArray | None,
    accepts_log: npt.NDArray[np.bool_] | None,
    times_log: FloatArray | None,
    escalated_at: list[tuple[int, int]],
) -> _Raw:
    """Final utilities, discounting and rounds of every session, from how each ended."""
    n_s, n_p = res.shape
    sessions = np.arange(n_s)
    u_all = np.broadcast_to(utilities, (n_s, n_p, utilities.shape[2]))
    ok = status == int(Status.AGREED)
    final_u = res.copy()
    final_u[ok] = u_all[sessions[ok], :, agreement[ok]]
    disc = discount[None, :] ** disc_turn[:, None] * final_u
    turns = played
    rounds = (turns + n_p - 1) // n_p  # rounds started
    result = BatchResult(
        status=status,
        agreement=agreement,
        utilities=final_u,
        discounted=disc,
        rounds=rounds.astype(np.int64),
        turns=turns.astype(np.int64),
        reservation=res,
        offers=offers_log,
    )
    return _Raw(result, accepts_log, times_log, escalated_at)


_STATELESS_ACCEPTANCE = (ACNext, ACTime, ACConst, ACReservation, ACAspiration)
#: Longer single sessions keep the loop: playing at once holds arrays over all their turns.
_AT_ONCE_MAX_ROUNDS = 1_000_000


def _history_free(strategy: Strategy) -> bool:
    """True if the strategy's moves depend only on time and reservation, never on the play.

    Then a session's offers are known in advance and its turns can be played at once.
    """

    def acceptance_ok(c: object) -> bool:
        if isinstance(c, AllOf | AnyOf):
            return all(acceptance_ok(x) for x in c.conditions)
        return type(c) in _STATELESS_ACCEPTANCE

    return type(strategy.offering) in (TimeBased, Hardliner) and acceptance_ok(strategy.acceptance)


def _as_sessions(table: PartyTable, n: int) -> PartyTable:
    """``table`` for ``n`` rows (its sorted views reused, not recomputed)."""
    out = PartyTable(table.utilities, n)
    out.__dict__["ascending_order"] = table.ascending_order
    out.__dict__["ascending_utility"] = table.ascending_utility
    return out


def _one_session_at_once(
    setup: Setup,
    protocol: Protocol,
    strategies: Sequence[Strategy],
    escalations: Sequence[_Escalation],
    rng: np.random.Generator,
    record: bool,
) -> tuple[
    IntArray, IntArray, FloatArray, IntArray, IntArray, IntArray | None,
    npt.NDArray[np.bool_] | None, FloatArray | None, list[tuple[int, int]],
]:  # fmt: skip
    """One two-party session of history-free strategies, every turn at once.

    The same play as the turn-by-turn loop of :func:`_simulate`: each turn's rows are the
    "sessions" of a policy call, so the policies run unchanged. With history-free
    strategies an offer depends only on the turn (time, reservation after the escalations
    due by then), so party ``p``'s offers at all its turns are one ``propose`` call; the
    standing offer at turn ``k`` is the offer of turn ``k - 1``; the session ends at the
    first acceptance, at an ending escalation, or at the deadline, whichever comes first.
    """
    n_p = 2
    deadline = int(setup.deadlines[0])
    n_turns = n_p * deadline
    turns = np.arange(n_turns)
    # Reservation values at each turn: escalations apply, in order, from their round on.
    res = np.repeat(setup.reservation, n_turns, axis=0)
    due = sorted((int(e.round[0]), j) for j, e in enumerate(escalations)
                 if 0 <= e.round[0] < deadline)  # fmt: skip
    end_turn, applied = n_turns, []
    for r, j in due:
        if n_p * r >= end_turn:
            break
        res[n_p * r :] = escalations[j].reservation[0]
        applied.append((n_p * r, j))
        if escalations[j].end:
            end_turn = n_p * r
    times = np.broadcast_to(_time(turns // n_p, setup.deadlines, protocol), (n_turns,))
    offer = np.empty(n_turns, dtype=np.int64)
    calls = []
    for p, strategy in enumerate(strategies):
        mine = turns[p::n_p]
        # only the moving party's table is read by its policies
        tables = tuple(_as_sessions(t, mine.size) if q == p else t
                       for q, t in enumerate(setup.tables))  # fmt: skip
        rows = Setup(setup.utilities, res[mine], setup.deadlines, setup.discount, setup.space,
                     tables)  # fmt: skip
        view = TurnView(rows, p, 0, 0, times[mine], res[mine, p].copy(),
                        np.full(mine.size, NO_OFFER, dtype=np.int64), rng)  # fmt: skip
        proposal = strategy.offering.propose(view, None)
        offer[mine] = proposal.offer
        calls.append((mine, tables[p], view, proposal))
    if np.any(offer[:end_turn] < 0):
        k = int(np.flatnonzero(offer[:end_turn] < 0)[0])
        raise BargainingError(f"strategy of party {k % n_p} made no offer (code {offer[k]})")
    accept = np.zeros(n_turns, dtype=bool)
    for (mine, table, view, proposal), strategy in zip(calls, strategies, strict=True):
        has = mine > 0  # the other party's offer of the turn before is standing
        offer_u = table.of(np.where(has, offer[np.maximum(mine - 1, 0)], 0))
        prop_u = table.of(np.maximum(proposal.offer, 0))
        accept[mine] = has & strategy.acceptance.accepts(view, offer_u, proposal, prop_u)
    hits = np.flatnonzero(accept[:end_turn])
    status = np.array([int(Status.DEADLINE)], dtype=np.int64)
    agreement = np.array([NO_OFFER], dtype=np.int64)
    if hits.size:  # agreed at turn `last` on the offer of the turn before
        last = int(hits[0])
        status[0], agreement[0] = int(Status.AGREED), offer[last - 1]
        disc_turn, played, logged, final = last - 1, last + 1, last + 1, last
    elif end_turn < n_turns:
        status[0] = int(Status.ESCALATED)
        disc_turn = played = logged = final = end_turn
    else:
        disc_turn = played = logged = n_turns
        final = n_turns - 1
    escalated_at = [(k, j) for k, j in applied if k <= final]
    offers_log = accepts_log = times_log = None
    if record:
        offers_log = np.full((n_turns, 1), NO_OFFER, dtype=np.int64)
        offers_log[:logged, 0] = np.where(accept[:logged], NO_OFFER, offer[:logged])
        accepts_log = np.zeros((n_turns, 1), dtype=bool)
        accepts_log[:logged, 0] = accept[:logged]
        times_log = np.zeros((n_turns, 1))
        times_log[:logged, 0] = times[:logged]
    return (status, agreement, res[final][None].copy(), np.array([disc_turn]),
            np.array([played]), offers_log, accepts_log, times_log, escalated_at)  # fmt: skip


def _strategies(strategies: Sequence[Strategy | str]) -> list[Strategy]:
    if isinstance(strategies, str | Strategy):
        raise BargainingError("strategies: give one strategy per party, e.g. ('boulware', 'micro')")
    return [as_strategy(s) for s in strategies]


def _rng(rng: Seed) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def run_batch(
    utilities: npt.ArrayLike,
    reservation: npt.ArrayLike,
    strategies: Sequence[Strategy | str],
    protocol: Protocol | None = None,
    *,
    deadlines: npt.ArrayLike | None = None,
    n_sessions: int | None = None,
    rng: Seed = None,
    space: OutcomeSpace | None = None,
    record_offers: bool = False,
) -> BatchResult:
    """Run many sessions in lockstep.

    Parameters
    ----------
    utilities
        ``(parties, outcomes)`` shared by all sessions, or ``(sessions, parties, outcomes)``.
    reservation
        ``(parties,)`` or ``(sessions, parties)``.
    strategies
        One per party: a :class:`Strategy` or a name such as ``"conceder:e=2"``.
    protocol
        Deadline, discounting and escalations (default: 100 rounds, no discount).
    deadlines
        ``(sessions,)`` rounds per session (overrides ``protocol.rounds``).
    n_sessions
        Number of sessions when nothing else says it (shared utilities and reservation).
    rng
        A ``numpy.random.Generator`` or a seed; the run is reproducible from it.
    space
        The outcome space (used by strategies that model issues, e.g. ``nash``).
    record_offers
        Keep the ``(turns, sessions)`` offers in the result.
    """
    protocol = protocol or Protocol()
    u = np.asarray(utilities, dtype=np.float64)
    u = check_utilities(u[None] if u.ndim == 2 else u, batch=True)
    r = np.asarray(reservation, dtype=np.float64)
    sizes = {
        x
        for x in (
            u.shape[0] if u.shape[0] > 1 else None,
            r.shape[0] if r.ndim == 2 else None,
            None if deadlines is None else np.asarray(deadlines).shape[0],
            n_sessions,
        )
        if x
    }
    if len(sizes) > 1:
        raise BargainingError(f"inconsistent numbers of sessions in the inputs: {sorted(sizes)}")
    n_s = sizes.pop() if sizes else 1
    if r.shape not in ((u.shape[1],), (n_s, u.shape[1])):
        raise BargainingError(
            f"reservation: expected ({u.shape[1]},) or ({n_s}, {u.shape[1]}), got {r.shape}"
        )
    r = np.broadcast_to(r, (n_s, u.shape[1])).copy()
    if space is not None and space.n_outcomes != u.shape[2]:
        raise BargainingError(f"space has {space.n_outcomes} outcomes, utilities {u.shape[2]}")
    dl = _effective_deadlines(None if deadlines is None else np.asarray(deadlines), protocol, n_s)
    strats = _strategies(strategies)
    return _simulate(u, r, dl, protocol, strats, _rng(rng), space, record_offers).result


def run_session(
    utilities: BargainingProblem | npt.ArrayLike,
    reservation: npt.ArrayLike | None = None,
    protocol: Protocol | None = None,
    strategies: Sequence[Strategy | str] = ("boulware", "boulware"),
    rng: Seed = None,
) -> SessionResult:
    """Run one session and return its result with the full trace.

    ``utilities`` is a :class:`BargainingProblem` (its reservation values are used unless
    ``reservation`` is given) or a ``(parties, outcomes)`` array.
    """
    space = None
    if isinstance(utilities, BargainingProblem):
        space = utilities.space
        reservation = utilities.reservation if reservation is None else reservation
        utilities = utilities.utilities
    u = check_utilities(utilities)
    if reservation is None:
        raise BargainingError("reservation: give one value per party")
    problem = BargainingProblem(u, np.asarray(reservation, dtype=np.float64), space)
    protocol = protocol or Protocol()
    dl = _effective_deadlines(None, protocol, 1)
    strats = _strategies(strategies)
    raw = _simulate(
        u[None], problem.reservation[None].copy(), dl, protocol, strats, _rng(rng), space, True
    )
    b = raw.result
    assert b.offers is not None
    assert raw.accepts is not None
    assert raw.times is not None
    n_p = u.shape[0]
    trace: list[TraceStep] = []
    esc_turns: dict[int, list[int]] = {}
    for k, j in raw.escalated_at:
        esc_turns.setdefault(k, []).append(j)
    standing = NO_OFFER
    for k in range(int(b.turns[0])):
        r, p = divmod(k, n_p)
        ended = False
        for j in esc_turns.get(k, ()):
            e = protocol.escalations[j]
            if e.utilities is not None:  # what offers are worth from now on
                u = np.asarray(e.utilities, dtype=np.float64).reshape(u.shape)
            values = np.broadcast_to(np.asarray(e.reservation, float), (n_p,))
            trace.append(TraceStep(k, r, e.party, float(raw.times[k, 0]), e.label, -1,
                                   tuple(float(x) for x in values)))  # fmt: skip
            ended |= e.end
        if ended:
            break
        code = int(b.offers[k, 0])
        if raw.accepts[k, 0]:
            trace.append(
                TraceStep(
                    k,
                    r,
                    p,
                    float(raw.times[k, 0]),
                    "accept",
                    standing,
                    tuple(float(x) for x in u[:, standing]),
                )
            )
        elif code == WALK_AWAY:
            trace.append(TraceStep(k, r, p, float(raw.times[k, 0]), "walk_away", -1, ()))
        elif code >= 0:
            standing = code
            trace.append(
                TraceStep(
                    k,
                    r,
                    p,
                    float(raw.times[k, 0]),
                    "offer",
                    code,
                    tuple(float(x) for x in u[:, code]),
                )
            )
    status = Status(int(b.status[0]))
    utils = b.utilities[0]
    gains = utils - b.reservation[0]
    agreed = status is Status.AGREED
    return SessionResult(
        status=status,
        agreement=int(b.agreement[0]) if agreed else None,
        utilities=tuple(float(x) for x in utils),
        discounted=tuple(float(x) for x in b.discounted[0]),
        rounds=int(b.rounds[0]),
        turns=int(b.turns[0]),
        reservation=tuple(float(x) for x in b.reservation[0]),
        welfare=float(utils.sum()),
        nash_product=float(np.prod(np.clip(gains, 0, None))) if agreed else 0.0,
        min_gain=float(gains.min()),
        trace=tuple(trace),
    )
