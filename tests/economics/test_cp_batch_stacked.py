"""solve_batch (shocks solved together in stacked sweeps, in waves) equals cold solves."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_cp_model import synthetic

from tradetalks.economics import ShockEntry, make_shock, solve, solve_batch
from tradetalks.economics._cp_batch import _features, _plan

BASE = synthetic(5, 3, seed=11, tariff=0.04)
COUNTRIES = BASE.countries
SECTORS = BASE.sectors

entry = st.builds(
    lambda pair, sectors, rate, kind, share: ShockEntry(
        COUNTRIES[pair[0]],
        COUNTRIES[pair[1]],
        sectors,
        rate,
        kind,
        "level" if kind == "tariff" else "change",
        rent_share=share if kind == "ntb" else 0.0,
    ),
    st.tuples(st.integers(0, 4), st.integers(0, 4)).filter(lambda p: p[0] != p[1]),
    st.lists(st.sampled_from(SECTORS), min_size=1, max_size=3, unique=True).map(tuple),
    st.floats(-0.2, 0.6),
    st.sampled_from(["tariff", "ntb", "quota", "ver"]),
    st.sampled_from([0.0, 0.5]),
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(entry, min_size=0, max_size=3), min_size=1, max_size=7),
    st.integers(1, 4),
)
def test_batch_equals_cold_solves_on_random_shocks(
    entries: list[list[ShockEntry]], chunk_size: int
) -> None:
    shocks = []
    for es in entries:
        # one rent owner per cell (make_shock rejects two): keep the first entry of a cell
        seen, kept = set(), []
        for e in es:
            cells = {(e.importer, e.exporter, s) for s in e.sectors}
            if not cells & seen:
                kept.append(e)
                seen |= cells
        shocks.append(make_shock(BASE, kept))
    batch = solve_batch(BASE, shocks, workers=1, flows=True, chunk_size=chunk_size)
    for b, s in zip(batch, shocks, strict=True):
        c = solve(BASE, s, decompose=False)
        np.testing.assert_allclose(b.welfare_hat, c.welfare_hat, rtol=0, atol=1e-8)
        np.testing.assert_allclose(b.gross_output_musd, c.gross_output_musd, rtol=1e-7)
        np.testing.assert_allclose(b.trade_musd, c.trade_musd, rtol=1e-7, atol=1e-9)  # type: ignore[arg-type]
        np.testing.assert_allclose(b.tariff_revenue_musd, c.tariff_revenue_musd, rtol=1e-7,
                                   atol=1e-9)  # fmt: skip
        np.testing.assert_allclose(b.holder_rent_musd, c.holder_rent_musd, rtol=1e-7, atol=1e-9)  # type: ignore[arg-type]
        np.testing.assert_allclose(b.exporter_rent_musd, c.exporter_rent_musd, rtol=1e-7,  # type: ignore[arg-type]
                                   atol=1e-9)  # fmt: skip
        np.testing.assert_allclose(b.bilateral_balance_musd, c.bilateral_balance_musd,
                                   rtol=1e-6, atol=1e-7)  # fmt: skip


def _grid() -> list[list[ShockEntry]]:
    return [
        [ShockEntry("C0", "C1", ("s1",), a, "tariff", "level"),
         ShockEntry("C1", "C0", ("s2", "s3"), b, "ntb", "change")]
        for a, b in itertools.product([0.04, 0.1, 0.2, 0.3], [0.0, -0.05, -0.1])
    ]  # fmt: skip


def test_a_grid_is_solved_in_waves_from_its_axes() -> None:
    shocks = [make_shock(BASE, e) for e in _grid()]
    waves, predictions = _plan(_features(BASE, shocks))
    # wave 0: the status quo and two nodes of each issue's axis, cold; then the third node
    # of the tariff axis from the parabola through the origin and the first two; then the
    # combinations, each predicted from the sum of its two axis responses
    assert [len(w) for w in waves] == [5, 1, 6]  # two issues: parallelograms in wave 2
    assert [len(predictions[k].rows) for k in waves[1]] == [2]
    assert all(len(predictions[k].rows) == 2 for k in waves[2])
    batch = solve_batch(BASE, shocks, workers=1)
    cold = [solve(BASE, s, decompose=False, flows=False) for s in shocks]
    for b, c in zip(batch, cold, strict=True):
        np.testing.assert_allclose(b.welfare_hat, c.welfare_hat, rtol=0, atol=1e-8)
    warm = [k for w in waves[1:] for k in w]
    assert sum(batch[k].iterations for k in warm) < sum(cold[k].iterations for k in warm)


def test_decomposition_in_a_batch_equals_a_cold_solve() -> None:
    shocks = [make_shock(BASE, e) for e in _grid()[4:6]]
    for b, s in zip(solve_batch(BASE, shocks, workers=1, decompose=True), shocks, strict=True):
        c = solve(BASE, s)
        assert b.welfare_tot is not None and c.welfare_tot is not None
        np.testing.assert_allclose(b.welfare_tot, c.welfare_tot, rtol=0, atol=1e-8)
        np.testing.assert_allclose(b.welfare_vot, c.welfare_vot, rtol=0, atol=1e-8)  # type: ignore[arg-type]


def test_three_issues_are_predicted_by_inclusion_exclusion() -> None:
    shocks = [
        make_shock(BASE, [ShockEntry("C0", "C1", ("s1",), a, "tariff", "change"),
                          ShockEntry("C1", "C0", ("s2",), b, "ntb", "change"),
                          ShockEntry("C2", "C3", ("s3",), c, "tariff", "change")])
        for a, b, c in itertools.product([0.0, 0.1, 0.3], [0.0, -0.1], [0.0, 0.2])
    ]  # fmt: skip
    waves, predictions = _plan(_features(BASE, shocks))
    top = [k for k in waves[-1] if len(predictions[k].rows) == 6]  # every proper subset
    # singles (at most two per axis: both cold), pairs, then the triples
    assert len(waves) == 3 and len(top) == 2  # (0.1 | 0.3, -0.1, 0.2)
    batch = solve_batch(BASE, shocks, workers=1)
    cold = [solve(BASE, s, decompose=False, flows=False) for s in shocks]
    for b, c in zip(batch, cold, strict=True):
        np.testing.assert_allclose(b.welfare_hat, c.welfare_hat, rtol=0, atol=1e-8)
    assert all(batch[k].iterations < cold[k].iterations for k in top)


def test_a_prediction_worse_than_a_cold_start_costs_one_sweep() -> None:
    from tradetalks.economics._cp_stack import shock_cells, solve_stacked, start_residuals

    shock = make_shock(BASE, _grid()[5])
    cells = shock_cells([shock])
    N, J = BASE.shape
    bad = (np.full(N, 0.3), np.full((N, J), -0.2), 2.0 * BASE.expenditure_musd)
    cold = start_residuals(BASE, cells, [None])
    assert start_residuals(BASE, cells, [bad])[0] > cold[0]
    (s,) = solve_stacked(BASE, cells, [bad], cold_residuals=cold)
    reference = solve(BASE, shock, decompose=False, flows=False)
    assert s.iterations == reference.iterations + 1
    np.testing.assert_allclose(np.exp(s.log_w), reference.wage_hat, rtol=1e-8)


@given(st.lists(st.floats(-3.0, 3.0), min_size=1, max_size=4), st.floats(-3.0, 3.0),
       st.integers(0, 2**32 - 1))  # fmt: skip
def test_a_prediction_along_a_block_is_exact_for_a_polynomial_response(
    nodes: list[float], at: float, seed: int
) -> None:
    """Closed form: the Lagrange weights reproduce any polynomial without a constant term
    of degree up to the number of nodes (a response that is 0 without a shock)."""
    from hypothesis import assume

    from tradetalks.economics._cp_batch import _along

    # well-separated nodes, the origin among them, and a point that is not a node
    assume(np.min(np.diff(np.sort([0.0, *nodes]))) > 0.05)
    assume(min(abs(at - t) for t in nodes) > 0.05)
    coef = np.random.default_rng(seed).normal(size=(len(nodes), 3))

    def response(t: float) -> np.ndarray:
        return np.asarray(sum(c * t ** (d + 1) for d, c in enumerate(coef)))

    p = _along(99, list(range(len(nodes))), dict(enumerate(nodes)) | {99: at})
    predicted = sum(w * response(nodes[r]) for r, w in zip(p.rows, p.weights, strict=True))
    np.testing.assert_allclose(predicted, response(at), rtol=1e-7, atol=1e-7)


def test_several_elasticity_points_in_one_batch_equal_cold_solves_at_each() -> None:
    from dataclasses import replace

    import pytest

    from tradetalks._errors import InputError
    from tradetalks.economics import with_elasticities

    points = [with_elasticities(BASE, BASE.theta * f) for f in (0.5, 1.0, 2.0)]
    grid = _grid()
    shocks, baselines = [], []
    for b in points:
        for e in grid:
            shocks.append(make_shock(b, e))
            baselines.append(b)
    batch = solve_batch(baselines, shocks, workers=1, flows=True, decompose=True)
    for b, s, r in zip(baselines, shocks, batch, strict=True):
        c = solve(b, s)
        np.testing.assert_allclose(r.welfare_hat, c.welfare_hat, rtol=0, atol=1e-8)
        np.testing.assert_allclose(r.trade_musd, c.trade_musd, rtol=1e-7, atol=1e-9)  # type: ignore[arg-type]
        np.testing.assert_allclose(r.welfare_tot, c.welfare_tot, rtol=0, atol=1e-8)  # type: ignore[arg-type]
    # predictions stay within a point: its waves are those of one point alone ([5, 1, 6]),
    # but for the status quo, the same at every θ (no shock), solved once
    group = np.repeat(np.arange(3), len(grid))
    waves, predictions = _plan(_features(BASE, shocks, group))
    assert [len(w) for w in waves] == [13, 5, 18]
    assert {predictions[k].rows for k in (12, 24)} == {(0,)}
    other = replace(BASE, deficit_musd=BASE.deficit_musd * 0.0)
    with pytest.raises(InputError, match="differ only in theta"):
        solve_batch([BASE, other], shocks[:2], workers=1)
    with pytest.raises(InputError, match="one baseline per shock"):
        solve_batch([BASE], shocks[:2], workers=1)


def test_shocks_at_the_same_place_along_a_block_add_no_node() -> None:
    """Features that are not proportional can share a position t (or sit at t = 0): the
    polynomial's nodes stay distinct, so its weights exist."""
    features = np.array([[2.0, 2.0], [1.0, 1.5], [1.5, 1.0], [1.0, -1.0], [0.5, 0.5]])
    waves, predictions = _plan(features)
    nodes = [0, 1, 4]  # t = 1, 0.625, 0.25; row 2 sits at 0.625 too, row 3 at 0
    assert waves == [[0, 1], [4], [2, 3]]
    assert predictions[4].rows == (0, 1)
    assert predictions[2].rows == predictions[3].rows == tuple(nodes)
    np.testing.assert_allclose(predictions[2].weights, [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(predictions[3].weights, [0.0, 0.0, 0.0], atol=1e-12)
