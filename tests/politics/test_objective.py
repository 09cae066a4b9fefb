"""Government objectives in money: a closed form of Grossman and Helpman, and properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradetalks.politics import actor_stakes, government_utility, party_scale


def _protection_for_sale(k: float, a: float, alpha: float, demand: float) -> tuple[float, float]:
    """The government's best tariff on a grid, and Grossman–Helpman's closed form.

    Grossman and Helpman (1994), "Protection for Sale", AER 84(4): 833–850, Proposition 2:
    a small economy with a numeraire sector and one sector whose specific factor is owned
    by an organised lobby (a share ``alpha`` of voters); the government maximises the
    lobby's welfare plus ``a`` times aggregate welfare. The equilibrium tariff satisfies
    t/(1+t) = (1 - alpha)/(a + alpha) · z/e, with z = X/M and e the import-demand elasticity.
    Worked by hand for supply X = k p, demand D = A - p and world price 1:
    dG/dp = (1 + a) X + (alpha + a)(-D + M + t M') = (1 - alpha) X + (alpha + a) t M' = 0
    with M' = -(1 + k), so t = (1 - alpha)/(alpha + a) · k p/(1 + k): z/e = k/(1 + k) and
    t/(1+t) = R with R = (1 - alpha)/(a + alpha) · k/(1 + k), i.e. t* = R/(1 - R).
    """
    t = np.linspace(0.0, 2.0, 200_001)
    p = 1.0 + t
    profit = k * p**2 / 2 - k / 2  # producer surplus of the specific factor, change
    surplus = (demand - p) ** 2 / 2 - (demand - 1.0) ** 2 / 2  # consumer surplus, change
    revenue = t * (demand - p - k * p)  # tariff revenue t·M
    x = np.column_stack([profit, surplus, revenue])  # (points, indicators), in money
    stake_weights = np.array(
        [
            [1.0, alpha, alpha],  # the lobby: its factor's income and its voters' share
            [1.0, 1.0, 1.0],  # aggregate welfare
        ]
    )
    stakes = actor_stakes(x, stake_weights)
    u = government_utility(stakes, [1.0, a], [0, 0], 1)[0]
    ratio = (1 - alpha) / (a + alpha) * k / (1 + k)
    return float(t[np.argmax(u)]), ratio / (1 - ratio)


@pytest.mark.parametrize(
    ("k", "a", "alpha"), [(1.0, 1.0, 0.1), (2.0, 2.0, 0.0), (0.5, 3.0, 0.3), (1.0, 10.0, 0.05)]
)
def test_best_tariff_is_grossman_helpmans_protection_for_sale(
    k: float, a: float, alpha: float
) -> None:
    best, closed_form = _protection_for_sale(k, a, alpha, demand=10.0)
    assert best == pytest.approx(closed_form, abs=2e-5)


def test_an_organised_majority_of_everyone_gets_free_trade() -> None:
    # alpha = 1: every voter is in the lobby, so the lobby's welfare is aggregate welfare.
    best, closed_form = _protection_for_sale(1.0, 1.0, 1.0, demand=10.0)
    assert closed_form == 0.0
    assert best == pytest.approx(0.0, abs=1e-5)


money = st.floats(-1e4, 1e4, allow_nan=False, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(
    x=arrays(np.float64, (7, 3), elements=money),
    shares=arrays(np.float64, (4, 3), elements=st.floats(-1, 1)),
    pick=st.integers(0, 3),
    weight=st.floats(0.01, 100),
)
def test_all_weight_on_one_interest_ranks_outcomes_by_its_dollar_change(
    x: np.ndarray, shares: np.ndarray, pick: int, weight: float
) -> None:
    stakes = actor_stakes(x, shares)
    weights = np.zeros(4)
    weights[pick] = weight
    u = government_utility(stakes, weights, [0, 0, 0, 0], 1)[0]
    dollars = shares[pick] @ x.T  # the interest's own dollar change at each point
    for i in range(7):
        for j in range(7):
            if abs(dollars[i] - dollars[j]) > 1e-6 * (1 + abs(dollars).max()):
                assert (u[i] > u[j]) == (dollars[i] > dollars[j])


@settings(max_examples=60, deadline=None)
@given(
    # Numbers on a grid: no product underflows, so powers of two scale them exactly.
    x=arrays(np.float64, (6, 3), elements=st.integers(-10_000, 10_000).map(float)),
    shares=arrays(np.float64, (3, 3), elements=st.integers(-100, 100).map(lambda k: k / 100)),
    w=arrays(np.float64, (3,), elements=st.integers(0, 1000).map(lambda k: k / 100)),
    power=st.integers(-8, 8),
)
def test_scaling_every_weight_scales_the_objective_and_not_its_rescaled_form(
    x: np.ndarray, shares: np.ndarray, w: np.ndarray, power: int
) -> None:
    stakes = actor_stakes(x, shares)
    u = government_utility(stakes, w, [0, 0, 1], 2)
    c = 2.0**power  # a power of two scales floats exactly
    v = government_utility(stakes, c * w, [0, 0, 1], 2)
    np.testing.assert_array_equal(v, c * u)
    np.testing.assert_array_equal(v / party_scale(v)[:, None], u / party_scale(u)[:, None])


def test_a_small_stake_weighs_less_than_a_large_one() -> None:
    # Two interests of equal political weight, one losing $100m, one gaining $10bn: the
    # government gains (the old per-indicator scaling made them cancel exactly).
    x = np.array([[0.0, 0.0], [-100.0, 10_000.0]])
    stakes = actor_stakes(x, np.eye(2))
    u = government_utility(stakes, [1.0, 1.0], [0, 0], 1)
    assert u[0, 1] == pytest.approx(9_900.0)
