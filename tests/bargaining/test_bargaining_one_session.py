"""One session plays all its turns at once; it must play exactly as the turn-by-turn loop."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks.bargaining import (
    Protocol,
    Strategy,
    TimeBased,
    parse_strategy,
    run_batch,
    run_session,
)
from tradetalks.bargaining._acceptance import ACConst, ACNext, ACTime, all_of, any_of
from tradetalks.bargaining._engine import _history_free, _simulate
from tradetalks.bargaining._protocol import Escalation

NAMES = ("boulware", "linear", "conceder", "hardliner", "timebased:e=0.6,tol=0.01",
         "boulware:ac=next", "linear:ac=reservation", "combi")  # fmt: skip
COMBI = Strategy(TimeBased(e=0.5), any_of(ACNext(), all_of(ACTime(0.9), ACConst(0.3))), "combi")


def _strategy(name: str) -> Strategy:
    return COMBI if name == "combi" else parse_strategy(name)


def _problem(seed: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    u = rng.random((2, n_out)).round(2)  # ties on purpose
    res = u.min(axis=1) + rng.uniform(0, 0.6, 2) * np.ptp(u, axis=1)
    return u, res


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_out=st.integers(1, 40),
    names=st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)),
    rounds=st.integers(1, 30),
    discount=st.sampled_from((1.0, 0.95)),
    threats=st.lists(st.tuples(st.integers(-1, 35), st.floats(0, 1), st.booleans()), max_size=3),
)
def test_turns_at_once_play_as_the_loop(
    seed: int,
    n_out: int,
    names: tuple[str, str],
    rounds: int,
    discount: float,
    threats: list[tuple[int, float, bool]],
) -> None:
    u, res = _problem(seed, n_out)
    strategies = [_strategy(n) for n in names]
    assert all(_history_free(s) for s in strategies)
    escalations = tuple(
        Escalation(r, k % 2, np.minimum(res + share * (u.max(axis=1) - res), u.max(axis=1)), end)
        for k, (r, share, end) in enumerate(threats)
    )
    protocol = Protocol(rounds=rounds, discount=discount, escalations=escalations)
    deadlines = np.array([rounds])
    one = _simulate(u[None], res[None].copy(), deadlines, protocol, strategies,
                    np.random.default_rng(0), None, True)  # fmt: skip
    loop = _simulate(u[None], np.vstack([res, res]), np.array([rounds, rounds]), protocol,
                     strategies, np.random.default_rng(0), None, True)  # fmt: skip
    a, b = one.result, loop.result
    for name in ("status", "agreement", "utilities", "discounted", "rounds", "turns",
                 "reservation"):  # fmt: skip
        np.testing.assert_array_equal(getattr(a, name)[0], getattr(b, name)[0], err_msg=name)
    assert a.offers is not None and b.offers is not None
    assert one.accepts is not None and loop.accepts is not None
    assert one.times is not None and loop.times is not None
    np.testing.assert_array_equal(a.offers[:, 0], b.offers[:, 0])
    np.testing.assert_array_equal(one.accepts[:, 0], loop.accepts[:, 0])
    np.testing.assert_array_equal(one.times[:, 0], loop.times[:, 0])
    assert one.escalated_at == loop.escalated_at


def test_a_single_session_agrees_with_the_same_session_in_a_batch() -> None:
    u, res = _problem(5, 3125)
    protocol = Protocol(rounds=100)
    single = run_session(u, res, protocol, ("boulware", "linear"), rng=0)
    batch = run_batch(u, res, ("boulware", "linear"), protocol, n_sessions=3, rng=0)
    assert single.agreement == int(batch.agreement[0])
    assert single.turns == int(batch.turns[0])
    assert [s.action for s in single.trace][-1] == "accept"


def test_strategies_that_learn_keep_the_turn_by_turn_loop() -> None:
    assert not _history_free(parse_strategy("micro"))
    assert not _history_free(parse_strategy("tft"))
    assert not _history_free(parse_strategy("nash"))
