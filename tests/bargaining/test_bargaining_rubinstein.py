"""Rubinstein (1982): the subgame-perfect first-round split tends to (1-δ2)/(1-δ1δ2)."""

import numpy as np
import pytest

from tradetalks.bargaining import ACAspiration, Equilibrium, Protocol, Status, Strategy, run_session

SPE = Strategy(Equilibrium(), ACAspiration())


def _unit_split(n: int) -> np.ndarray:
    share = np.linspace(0.0, 1.0, n)
    return np.vstack([share, 1.0 - share])


@pytest.mark.parametrize(("d1", "d2"), [(0.9, 0.9), (0.95, 0.8), (0.8, 0.95), (0.99, 0.97)])
def test_first_round_agreement_approaches_the_subgame_perfect_share(d1: float, d2: float) -> None:
    res = run_session(
        _unit_split(2001), [0.0, 0.0], Protocol(rounds=400, discount=(d1, d2)), (SPE, SPE)
    )
    assert res.status is Status.AGREED
    assert res.turns == 2  # offered at turn 0, accepted at once
    assert res.utilities[0] == pytest.approx((1 - d2) / (1 - d1 * d2), abs=2e-3)
    assert res.discounted == pytest.approx(res.utilities)  # no delay, no discount


def test_short_horizon_matches_hand_backward_induction() -> None:
    # 2 rounds = 4 turns; the offer at turn 3 goes unanswered, so party 0 (turn 2) is the last
    # effective proposer: it takes everything; at turn 1 party 1 must give 0 at least δ1^2 * 1
    # in time-0 terms: δ1 * x0 >= δ1^2 → x0 >= δ1; at turn 0 party 0 gives party 1 δ2 (1 - δ1).
    d1, d2 = 0.9, 0.8
    res = run_session(
        _unit_split(10001), [0.0, 0.0], Protocol(rounds=2, discount=(d1, d2)), (SPE, SPE)
    )
    assert res.utilities[1] == pytest.approx(d2 * (1 - d1), abs=1e-4)


def test_zero_horizon_share_goes_to_the_last_proposer() -> None:
    res = run_session(_unit_split(101), [0.0, 0.0], Protocol(rounds=1, discount=0.5), (SPE, SPE))
    assert res.utilities == pytest.approx((1.0, 0.0))
