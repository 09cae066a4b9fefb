"""Calibrating once per data year: a baseline with other elasticities equals a fresh calibration."""

from __future__ import annotations

import numpy as np
import pytest

from tradetalks import InputError
from tradetalks.data import load_wiod
from tradetalks.economics import (
    ShockEntry,
    calibrate,
    default_elasticities,
    make_shock,
    solve,
    tariff_array,
    with_elasticities,
)

FIELDS = ("tariff_rate", "trade_share", "expenditure_musd", "va_share", "input_share",
          "final_share", "value_added_musd", "deficit_musd")  # fmt: skip


def test_with_elasticities_equals_a_fresh_calibration() -> None:
    table = load_wiod(1995)
    tariffs = tariff_array((tuple(table.countries), tuple(table.sectors)),
                           [("USA", "JPN", ("c15",), 0.025)])  # fmt: skip
    theta = np.array(default_elasticities(tuple(table.sectors)))
    other = theta.copy()
    other[table.sectors.index("c15")] = 4.0
    once = calibrate(table, theta, tariffs)
    fresh = calibrate(table, other, tariffs)
    swapped = with_elasticities(once, other)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(swapped, name), getattr(fresh, name), err_msg=name)
    np.testing.assert_array_equal(swapped.theta, other)
    assert once.theta[table.sectors.index("c15")] != 4.0  # the original is untouched
    shock = make_shock(fresh, [ShockEntry("USA", "JPN", ("c15",), 0.25, "tariff", "level")])
    a, b = solve(fresh, shock), solve(swapped, shock)
    np.testing.assert_allclose(a.welfare_hat, b.welfare_hat, rtol=1e-12)


def test_with_elasticities_rejects_bad_values() -> None:
    base = calibrate(load_wiod(1995))
    with pytest.raises(InputError, match="trade elasticities"):
        with_elasticities(base, np.zeros(len(base.sectors)))
    with pytest.raises(InputError, match="trade elasticities"):
        with_elasticities(base, [5.0])
