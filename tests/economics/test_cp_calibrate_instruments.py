"""Instruments a scenario writes through other ones price as the named wedge (docs/instruments.md).

A price undertaking is written in a scenario as an ``ntb`` with ``rent_share = 1`` and
``rent_owner = "exporter"``: it must be exactly ``--shock``'s ``price_undertaking`` wedge.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_cp_model import synthetic

from tradetalks.economics import ShockEntry, make_shock, solve

BASE = synthetic(4, 3, seed=5, tariff=0.05)


@pytest.mark.parametrize("rate", [0.05, 0.3])
def test_price_undertaking_is_an_ntb_whose_rent_is_the_exporters(rate: float) -> None:
    cell = ("C0", "C1", ("s1",))
    named = solve(BASE, make_shock(BASE, [ShockEntry(*cell, rate, "price_undertaking", "change")]))
    ntb = ShockEntry(*cell, rate, "ntb", "change", rent_share=1.0, rent_owner="exporter")
    written = solve(BASE, make_shock(BASE, [ntb]))
    np.testing.assert_array_equal(named.welfare_hat, written.welfare_hat)
    assert named.exporter_rent_musd is not None and written.exporter_rent_musd is not None
    np.testing.assert_array_equal(named.exporter_rent_musd, written.exporter_rent_musd)
    assert written.exporter_rent_musd[1] > 0  # C1, the exporter, holds it
    # a pure cost of the same size leaves the exporter worse off than the undertaking
    cost = solve(BASE, make_shock(BASE, [ShockEntry(*cell, rate, "ntb", "change")]))
    assert written.welfare_hat[1] > cost.welfare_hat[1]
