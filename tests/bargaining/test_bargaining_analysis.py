"""Frontier and solution concepts: brute force on small spaces, properties, consistency."""

import numpy as np
import pytest
from _bargaining_helpers import brute_frontier, inner_reservation, random_linear
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tradetalks.bargaining import (
    OutcomeSpace,
    analyse,
    distances,
    egalitarian_point,
    ideal_point,
    kalai_smorodinsky_point,
    nash_point,
    pareto_frontier,
    utilitarian_point,
    zopa,
)


@pytest.mark.parametrize("n_parties", [2, 3, 4])
@pytest.mark.parametrize("seed", range(6))
def test_every_analysis_function_equals_brute_force(n_parties: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    space = OutcomeSpace.from_sizes([3, 4, 2])
    u = random_linear(space, n_parties, rng)
    if seed % 2:  # ties: round utilities to a coarse grid
        u = np.round(u * 4) / 4
    d = inner_reservation(u, rng)
    n = u.shape[1]
    rational = [i for i in range(n) if np.all(u[:, i] >= d)]

    assert set(pareto_frontier(u, d).tolist()) == brute_frontier(u, d)
    assert np.flatnonzero(zopa(u, d)).tolist() == rational

    nash = nash_point(u, d)
    assert nash is not None
    assert np.prod(u[:, nash.outcome] - d) == pytest.approx(
        max(np.prod(u[:, i] - d) for i in rational), rel=1e-12, abs=1e-15
    )
    util = utilitarian_point(u, d)
    assert util is not None
    assert u[:, util.outcome].sum() == pytest.approx(max(u[:, i].sum() for i in rational))
    egal = egalitarian_point(u, d)
    assert egal is not None
    assert (u[:, egal.outcome] - d).min() == pytest.approx(
        max((u[:, i] - d).min() for i in rational)
    )

    ideal = np.array([max(u[p, i] for i in rational) for p in range(n_parties)])
    np.testing.assert_allclose(ideal_point(u, d), ideal)
    span = np.where(ideal > d, ideal - d, 1.0)

    def spread(i: int) -> float:
        g = (u[:, i] - d) / span
        return float(g.max() - g.min())

    ks = kalai_smorodinsky_point(u, d)
    assert ks is not None
    front = brute_frontier(u, d)
    assert ks.outcome in front
    assert spread(ks.outcome) == pytest.approx(min(spread(i) for i in front))


def test_empty_zopa_gives_no_solutions() -> None:
    u = np.array([[1.0, 0.0], [0.0, 1.0]])
    d = np.array([0.6, 0.6])
    a = analyse(u, d)
    assert a.frontier.size == 0
    assert a.nash is None and a.kalai_smorodinsky is None and a.zopa_size == 0
    assert np.isnan(distances([0.5, 0.5], a).nash)


def test_duplicate_utility_vectors_are_all_on_the_frontier() -> None:
    u = np.array([[1.0, 1.0, 0.5, 0.2], [0.0, 0.0, 0.5, 0.1]])
    assert sorted(pareto_frontier(u).tolist()) == [0, 1, 2]


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("n_parties", [2, 3])
def test_large_spaces_use_the_prefilter_and_agree_with_block_elimination(
    n_parties: int, ties: bool
) -> None:
    rng = np.random.default_rng(5)
    space = OutcomeSpace.from_sizes([6, 6, 6, 6, 5])  # 6480 outcomes: prefilter path
    u = random_linear(space, n_parties, rng)
    if ties:
        u = np.round(u * 20) / 20
    d = inner_reservation(u, rng, 0.3)
    got = set(pareto_frontier(u, d).tolist())
    # reference: the frontier of the rational outcomes by block elimination without prefilter
    from tradetalks.bargaining._analysis import _frontier_nd

    rational = np.flatnonzero(np.all(u >= d[:, None], axis=0))
    ref = set(rational[_frontier_nd(u[:, rational])].tolist())
    assert got == ref


def test_distances() -> None:
    u = np.array([[0.0, 0.5, 1.0], [1.0, 0.5, 0.0]])
    a = analyse(u, [0.0, 0.0])
    assert a.nash is not None and a.nash.outcome == 1
    dist = distances([0.2, 0.2], a)
    assert dist.nash == pytest.approx(np.hypot(0.3, 0.3))
    assert dist.frontier == pytest.approx(np.hypot(0.3, 0.3))
    assert distances([0.5, 0.5], a).frontier == 0.0


utilities_2_to_4 = st.integers(2, 4).flatmap(
    lambda p: arrays(
        np.float64,
        st.tuples(st.just(p), st.integers(1, 40)),
        elements=st.floats(0, 1, allow_nan=False, width=16),
    )
)


@settings(max_examples=60, deadline=None)
@given(utilities_2_to_4)
def test_frontier_points_are_undominated_and_dominate_every_outcome(u: np.ndarray) -> None:
    front = pareto_frontier(u)
    fu = u[:, front]
    for i in range(u.shape[1]):
        weakly = np.all(fu >= u[:, [i]], axis=0)
        assert weakly.any()  # every outcome weakly dominated by a frontier point
    for k in range(fu.shape[1]):
        dominates = np.all(u >= fu[:, [k]], axis=0) & np.any(u > fu[:, [k]], axis=0)
        assert not dominates.any()


@settings(max_examples=60, deadline=None)
@given(utilities_2_to_4, st.floats(0, 0.5))
def test_nash_maximises_product_and_ks_is_on_frontier(u: np.ndarray, depth: float) -> None:
    d = u.min(axis=1) + depth * (u.max(axis=1) - u.min(axis=1))
    mask = zopa(u, d)
    nash = nash_point(u, d)
    ks = kalai_smorodinsky_point(u, d)
    if not mask.any():
        assert nash is None and ks is None
        return
    assert nash is not None and ks is not None
    products = np.prod(u[:, mask] - d[:, None], axis=0)
    assert np.prod(np.asarray(nash.utilities) - d) >= products.max() - 1e-12
    assert ks.outcome in set(pareto_frontier(u, d).tolist())


@settings(max_examples=80, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.just(3), st.integers(1, 50)),
        elements=st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    ),
)
def test_three_party_sweep_equals_brute_force_with_ties(u: np.ndarray) -> None:
    from tradetalks.bargaining._analysis import _frontier_3d

    assert set(_frontier_3d(u).tolist()) == brute_frontier(u, u.min(axis=1))


def test_three_party_split_where_every_outcome_is_pareto_optimal() -> None:
    # dividing a budget three ways: u0 + u1 + u2 = 1 on a grid, nothing dominates anything
    grid = [(a, b, 30 - a - b) for a in range(31) for b in range(31 - a)] * 12
    u = np.asarray(grid, dtype=float).T / 30.0
    assert u.shape[1] > 2000  # takes the sweep path
    assert pareto_frontier(u).size == u.shape[1]
    shifted = np.hstack([u, u - 0.01])  # and every shifted copy is dominated
    assert set(pareto_frontier(shifted).tolist()) == set(range(u.shape[1]))
