"""Frontier, Nash and Kalai–Smorodinsky for 3..12 parties against brute force, and properties."""

import numpy as np
import pytest
from _bargaining_helpers import brute_frontier, inner_reservation, random_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradetalks._errors import BargainingError
from tradetalks.bargaining import (
    OutcomeSpace,
    kalai_smorodinsky_point,
    nash_point,
    pareto_frontier,
    sample_pareto_frontier,
)


def brute_nash(u: np.ndarray, d: np.ndarray) -> int:
    """Smallest code among the frontier's maximisers of the Nash product (the documented rule)."""
    front = sorted(brute_frontier(u, d))
    prods = [float(np.prod(u[:, i] - d)) for i in front]
    return front[prods.index(max(prods))]


def brute_ks(u: np.ndarray, d: np.ndarray) -> int:
    """Smallest code among the frontier points of least spread of normalised gains."""
    rational = [i for i in range(u.shape[1]) if np.all(u[:, i] >= d)]
    ideal = u[:, rational].max(axis=1)
    scale = np.where(ideal > d, ideal - d, 1.0)
    front = sorted(brute_frontier(u, d))
    spreads = [float(np.ptp((u[:, i] - d) / scale)) for i in front]
    return front[spreads.index(min(spreads))]


@pytest.mark.parametrize("n_parties", [3, 4, 5, 8, 12])
@pytest.mark.parametrize("seed", range(4))
def test_frontier_nash_ks_equal_brute_force(n_parties: int, seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    space = OutcomeSpace.from_sizes([3, 4, 3])
    u = random_linear(space, n_parties, rng)
    if seed % 2:  # ties: a coarse grid
        u = np.round(u * 4) / 4
    d = inner_reservation(u, rng, 0.3)
    assert set(pareto_frontier(u, d).tolist()) == brute_frontier(u, d)
    nash, ks = nash_point(u, d), kalai_smorodinsky_point(u, d)
    if not brute_frontier(u, d):  # an empty zone (a seed with ties and eight parties)
        assert nash is None and ks is None
        return
    assert nash is not None and ks is not None
    assert nash.outcome == brute_nash(u, d)
    assert ks.outcome == brute_ks(u, d)
    np.testing.assert_array_equal(nash.utilities, u[:, nash.outcome])


utilities_2_to_12 = st.integers(2, 12).flatmap(
    lambda p: arrays(
        np.float64,
        st.tuples(st.just(p), st.integers(1, 30)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]) | st.floats(0, 1, width=16),
    )
)


@settings(max_examples=80, deadline=None)
@given(utilities_2_to_12, st.floats(0, 0.6))
def test_frontier_properties_and_solutions_on_it(u: np.ndarray, depth: float) -> None:
    d = u.min(axis=1) + depth * (u.max(axis=1) - u.min(axis=1))
    rational = np.flatnonzero(np.all(u >= d[:, None], axis=0))
    front = pareto_frontier(u, d)
    fu = u[:, front]
    for k in range(front.size):  # no rational outcome dominates a frontier point
        dom = np.all(u[:, rational] >= fu[:, [k]], axis=0) & np.any(
            u[:, rational] > fu[:, [k]], axis=0
        )
        assert not dom.any()
    for i in np.setdiff1d(rational, front):  # every other rational point is dominated by one
        assert (np.all(fu >= u[:, [i]], axis=0) & np.any(fu > u[:, [i]], axis=0)).any()
    nash, ks = nash_point(u, d), kalai_smorodinsky_point(u, d)
    if rational.size == 0:
        assert nash is None and ks is None and front.size == 0
        return
    assert nash is not None and ks is not None
    assert nash.outcome in set(front.tolist()) and ks.outcome in set(front.tolist())
    # the frontier-free paths give exactly what the search on the frontier gives
    assert nash == nash_point(u, d, front)
    assert ks == kalai_smorodinsky_point(u, d, front)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.just(2), st.integers(1, 40)),
        elements=st.floats(0, 1, width=16),
    ),
    st.floats(0, 0.6),
)
def test_two_parties_give_exactly_the_two_party_path(u: np.ndarray, depth: float) -> None:
    d = u.min(axis=1) + depth * (u.max(axis=1) - u.min(axis=1))
    front = pareto_frontier(u, d)
    if front.size == 0:
        return
    assert nash_point(u, d) == nash_point(u, d, front)
    assert kalai_smorodinsky_point(u, d) == kalai_smorodinsky_point(u, d, front)


def test_a_dominator_with_an_equal_rounded_sum_is_not_missed() -> None:
    # 1e16 + 1 rounds to 1e16: both columns sum to the same float, yet column 1 dominates 0
    u = np.array([[1e16, 1e16], [0.0, 1.0], [0.0, 0.0], [0.0, 0.0]])
    assert u[:, 0].sum() == u[:, 1].sum()
    assert pareto_frontier(u).tolist() == [1] == sorted(brute_frontier(u, u.min(axis=1)))


def test_nash_ties_at_zero_product_fall_back_to_the_frontier() -> None:
    # every agreement leaves someone at its reservation value: the product is 0 everywhere
    u = np.array([[1.0, 0.0, 0.0, 0.5], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]])
    nash = nash_point(u, [0.0, 0.0, 0.0])
    assert nash is not None and nash.outcome == 0  # smallest code on the frontier {0, 1, 2}


def test_max_points_stops_a_large_frontier() -> None:
    rng = np.random.default_rng(2)
    u = random_linear(OutcomeSpace.from_sizes([5, 5, 4]), 8, rng)
    full = pareto_frontier(u)
    assert full.size > 20
    with pytest.raises(BargainingError, match="max_points=20"):
        pareto_frontier(u, max_points=20)
    np.testing.assert_array_equal(pareto_frontier(u, max_points=full.size), full)


@pytest.mark.parametrize("n_parties", [3, 12])
def test_frontier_sample_is_verified_and_reproducible(n_parties: int) -> None:
    rng = np.random.default_rng(n_parties)
    u = random_linear(OutcomeSpace.from_sizes([4, 4, 4]), n_parties, rng)
    d = inner_reservation(u, rng, 0.3)
    front = brute_frontier(u, d)
    sample = sample_pareto_frontier(u, d, n_points=5, rng=7)
    assert sample.codes.size == 5 and set(sample.codes.tolist()) <= front
    assert not sample.exact and 0 < sample.n_tested <= sample.n_rational
    again = sample_pareto_frontier(u, d, n_points=5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(sample.codes, again.codes)
    whole = sample_pareto_frontier(u, d, n_points=10**6)
    assert whole.exact and whole.estimated_size == len(front)
    np.testing.assert_array_equal(whole.codes, pareto_frontier(u, d))


def dense_frontier(u: np.ndarray) -> np.ndarray:
    """Every pair compared at once (independent of the screened, partitioned search)."""
    ge = np.all(u[:, :, None] >= u[:, None, :], axis=0)  # ge[j, i]: j weakly above i
    gt = np.any(u[:, :, None] > u[:, None, :], axis=0)
    return np.flatnonzero(~(ge & gt).any(axis=0))


@pytest.mark.parametrize("n_parties", [4, 12])
@pytest.mark.parametrize("kind", ["independent", "correlated", "ties"])
def test_partitioned_frontier_equals_all_pairs_on_larger_spaces(n_parties: int, kind: str) -> None:
    rng = np.random.default_rng(n_parties)
    u = random_linear(OutcomeSpace.from_sizes([6, 5, 5, 4, 4]), n_parties, rng)  # 2400
    if kind == "correlated":  # nearly one utility: most pairs pass the bit screen (dense path)
        u = u[:1] + 0.02 * u
    if kind == "ties":
        u = np.round(u * 5) / 5
    np.testing.assert_array_equal(np.sort(pareto_frontier(u)), dense_frontier(u))
