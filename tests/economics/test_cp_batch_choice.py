"""solve_batch decides per shock whether a warm start pays; results equal cold solves."""

from __future__ import annotations

import numpy as np
import pytest

from tradetalks.data import load_wiod
from tradetalks.economics import CPBaseline, ShockEntry, calibrate, make_shock, solve, solve_batch


@pytest.fixture(scope="module")
def base() -> CPBaseline:
    return calibrate(load_wiod(1995))


def test_the_baseline_and_repeated_shocks_cost_no_more_than_cold(base: CPBaseline) -> None:
    car = ShockEntry("USA", "JPN", ("c15",), 0.25)
    food = ShockEntry("JPN", "USA", ("c3",), 0.1)
    shocks = [make_shock(base, e) for e in ([car], [], [car, food], [food], [car], [])]
    batch = solve_batch(base, shocks, workers=1, flows=False)
    cold = [solve(base, s, decompose=False, flows=False) for s in shocks]
    for b, c in zip(batch, cold, strict=True):
        np.testing.assert_allclose(b.welfare_hat, c.welfare_hat, rtol=0, atol=1e-8)
    assert [r.iterations for r in batch][1] == cold[1].iterations == 1  # nothing to solve
    assert batch[5].iterations == 1
    assert batch[4].iterations <= 2  # the same shock again starts at its own solution


def test_shocks_that_share_no_cells_start_cold(base: CPBaseline) -> None:
    rng = np.random.default_rng(3)
    countries = rng.choice([c for c in base.countries if c != "RoW"], size=(4, 2), replace=False)
    shocks = [
        make_shock(base, [ShockEntry(str(a), str(b), (f"c{k}",), float(rng.uniform(0.05, 0.3)))])
        for (a, b), k in zip(countries, (3, 9, 15, 12), strict=True)
    ]
    batch = solve_batch(base, shocks, workers=1, flows=False)
    cold = [solve(base, s, decompose=False, flows=False) for s in shocks]
    # solved together (one stacked sweep per iteration), each as from a cold start
    assert [r.iterations for r in batch] == [r.iterations for r in cold]
    for b, c in zip(batch, cold, strict=True):
        np.testing.assert_allclose(b.welfare_hat, c.welfare_hat, rtol=0, atol=1e-12)
