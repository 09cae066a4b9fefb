"""Tables read through pymrio: its bundled six-region test system, priced end to end."""

from __future__ import annotations

import numpy as np
import pytest

from tradetalks import DataError
from tradetalks.data import net_inventories, read_pymrio
from tradetalks.economics import ShockEntry, Target, calibrate, make_shock, solve, solve_targets

pymrio = pytest.importorskip("pymrio")


@pytest.fixture(scope="module")
def table():  # type: ignore[no-untyped-def]
    return read_pymrio(None, "test")


def test_reads_the_test_system_as_pymrio_sees_it(table) -> None:  # type: ignore[no-untyped-def]
    system = pymrio.load_test().calc_all()
    assert table.countries == tuple(system.get_regions())
    assert table.sectors == tuple(system.get_sectors())
    assert "INVEN" in table.final_categories  # "Changes in inventories"
    np.testing.assert_allclose(table.intermediate_musd.reshape(48, 48), system.Z.to_numpy())
    # gross output: pymrio's x less the sales outside the table ("Export")
    exports = system.Y.xs("Export", axis=1, level=1).sum(axis=1).to_numpy()
    np.testing.assert_allclose(table.gross_output_musd.reshape(-1),
                               system.x.to_numpy()[:, 0] - exports, rtol=1e-9)  # fmt: skip


def test_calibrates_and_prices_a_tariff_and_a_quota(table) -> None:  # type: ignore[no-untyped-def]
    netted = net_inventories(table)
    assert not netted.final_musd[..., netted.final_categories.index("INVEN")].any()
    base = calibrate(table)
    same = solve(base, make_shock(base, []))
    np.testing.assert_allclose(same.welfare_hat, 1.0, atol=1e-10)
    tariff = solve(base, make_shock(base, [ShockEntry("reg1", "reg2", ("manufactoring",), 0.2)]))
    assert tariff.welfare_residual is not None
    assert np.max(np.abs(tariff.welfare_residual)) < 1e-6
    assert tariff.welfare_hat[1] < 1.0  # the exporter loses
    flow = float(base.sales_musd[0, 1, base.sector_index("manufactoring")])
    sol = solve_targets(base, [], [Target("reg1", "reg2", ("manufactoring",), "ver", 0.7 * flow)])
    assert sol.outcomes[0].achieved == pytest.approx(0.7 * flow, rel=1e-3)


def test_bad_sources() -> None:
    with pytest.raises(DataError, match="unknown table format"):
        read_pymrio("somewhere", "xls")
    with pytest.raises(DataError, match="unreadable"):
        read_pymrio("/nonexistent/folder", "pymrio")
