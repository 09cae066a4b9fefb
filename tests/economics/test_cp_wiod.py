"""Caliendo–Parro on WIOD 2011: calibration, identities, the seed cases, batch = cold solves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tradetalks import InputError
from tradetalks.data import load_wiod, net_inventories
from tradetalks.economics import (
    CPBaseline,
    ShockEntry,
    calibrate,
    default_elasticities,
    make_shock,
    parse_shock,
    solve,
    solve_batch,
    tariff_array,
)


@pytest.fixture(scope="module")
def base() -> CPBaseline:
    return calibrate(load_wiod(2011))


def _idx(base: CPBaseline, *codes: str) -> list[int]:
    return [base.countries.index(c) for c in codes]


def test_calibration_reproduces_the_table(base: CPBaseline) -> None:
    netted = net_inventories(load_wiod(2011))
    # The baseline equilibrium solved from the shares is the data (tariffs zero).
    np.testing.assert_allclose(
        base.expenditure_musd, netted.trade_musd.sum(axis=1), rtol=1e-8, atol=1e-3
    )
    np.testing.assert_allclose(base.gross_output_musd, netted.gross_output_musd, atol=1e-3)
    np.testing.assert_allclose(
        base.value_added_musd, netted.value_added_musd.sum(axis=1), rtol=1e-8
    )
    np.testing.assert_allclose(base.trade_share.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(base.final_share.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(base.va_share + base.input_share.sum(axis=1), 1.0, atol=1e-12)
    assert abs(base.deficit_musd.sum()) < 1e-6 * base.value_added_musd.sum()
    for name in ("trade_share", "va_share", "input_share", "final_share", "expenditure_musd"):
        assert np.all(np.isfinite(getattr(base, name))), name
    assert base.theta[base.sectors.index("c15")] == pytest.approx(1.01)  # CP (2015) Table 1, Auto
    assert tuple(base.theta) == default_elasticities(base.sectors)


def test_no_shock_on_wiod_leaves_every_hat_at_one(base: CPBaseline) -> None:
    result = solve(base, make_shock(base, []))
    for hat in (result.wage_hat, result.price_hat, result.cost_hat, result.welfare_hat):
        np.testing.assert_allclose(hat, 1.0, atol=1e-12)


def test_25pct_us_tariff_on_japanese_transport_equipment(base: CPBaseline) -> None:
    shock = make_shock(base, [parse_shock("USA<-JPN c15 tariff +0.25")])
    r = solve(base, shock)
    usa, jpn = _idx(base, "USA", "JPN")
    c15 = base.sectors.index("c15")
    assert r.trade_musd is not None
    before, after = base.sales_musd[usa, jpn, c15], r.trade_musd[usa, jpn, c15]
    # Basic-price exports fall by about κ̂^-(θ+1) = 1.25^-2.01 (≈ -36%), a little less in GE.
    assert after / before == pytest.approx(1.25 ** -(1.01 + 1.0), rel=0.03)
    assert r.welfare_hat[jpn] < 1.0  # Japan loses
    assert r.tariff_revenue_musd[usa] > 0.2 * after  # the US collects 25% of the new flow
    np.testing.assert_allclose(r.tariff_revenue_musd[usa], 0.25 * after, rtol=1e-9)
    # Japan's bilateral surplus with the US shrinks; the two balances mirror each other.
    assert (
        r.bilateral_balance_musd[jpn, usa]
        < base.sales_musd[usa, jpn].sum() - base.sales_musd[jpn, usa].sum()
    )
    assert r.bilateral_balance_musd[jpn, usa] == -r.bilateral_balance_musd[usa, jpn]
    # Identities hold on the full WIOD economy too.
    world = r.exports_musd.sum()
    assert abs(r.trade_balance_musd.sum()) < 1e-9 * world
    assert r.max_excess_demand < 1e-9
    assert r.welfare_residual is not None and r.welfare_tot is not None
    assert np.abs(r.welfare_residual).max() < 1e-3 * np.abs(r.welfare_tot).max()


def test_removing_the_2_5pct_car_tariff(base: CPBaseline) -> None:
    # Seed 000_aeabe9ff447fe714.txt: the US 2.5% tariff on Japanese cars; its removal.
    tau = tariff_array(base, [("USA", "JPN", ["c15"], 0.025)])
    with_tariff = calibrate(load_wiod(2011), baseline_tariffs=tau)
    usa, jpn = _idx(with_tariff, "USA", "JPN")
    c15 = with_tariff.sectors.index("c15")
    r = solve(with_tariff, make_shock(with_tariff, [parse_shock("USA<-JPN c15 tariff 0")]))
    assert r.trade_musd is not None
    before = with_tariff.sales_musd[usa, jpn, c15]
    assert with_tariff.tariff_revenue_musd[usa] == pytest.approx(0.025 * before)
    assert r.tariff_revenue_musd[usa] == pytest.approx(0.0, abs=1e-9)
    assert 1.0 < r.trade_musd[usa, jpn, c15] / before < 1.025 ** (1.01 + 1.0) + 1e-3
    assert r.welfare_hat[jpn] > 1.0


def test_shock_grammar(base: CPBaseline) -> None:
    entry = parse_shock("USA<-JPN c1,c3 ntb +5%")
    assert entry == ShockEntry("USA", "JPN", ("c1", "c3"), 0.05, kind="ntb", mode="change")
    assert parse_shock("JPN<-USA c15 tariff =0.1").mode == "level"
    assert parse_shock("JPN<-USA c15 tariff -0.01").rate == pytest.approx(-0.01)
    assert parse_shock("USA<-RoW * tariff 0", base.sectors).sectors == base.sectors
    every = make_shock(base, [parse_shock("USA<-* c15 tariff +0.1")])
    assert every.n_cells == len(base.countries) - 1
    for bad in ("USA JPN c15 tariff 0.1", "USA<-JPN c15 embargo 0.1", "USA<-JPN c15 tariff x"):
        with pytest.raises(InputError) as info:
            parse_shock(bad)
        assert len(info.value.lines()) == 1 and "--shock" in info.value.lines()[0]


def test_batch_equals_cold_solves_and_is_deterministic(base: CPBaseline) -> None:
    shocks = [
        make_shock(
            base,
            [
                ShockEntry("USA", "JPN", ("c15",), a, mode="level"),
                ShockEntry("JPN", "USA", ("c3",), b, mode="level"),
                ShockEntry("JPN", "USA", ("c15",), c, kind="ntb"),
            ],
        )
        for a, b, c in itertools.product([0.0, 0.1, 0.25], [0.0, 0.38], [0.0, 0.05])
    ]
    cold = [solve(base, s, decompose=False) for s in shocks]
    two = solve_batch(base, shocks, workers=2, chunk_size=5)
    one = solve_batch(base, shocks, workers=1, chunk_size=5)
    for c, r1, r2 in zip(cold, one, two, strict=True):
        np.testing.assert_allclose(r2.welfare_hat, c.welfare_hat, rtol=1e-8)
        np.testing.assert_allclose(r2.gross_output_musd, c.gross_output_musd, rtol=1e-7)
        np.testing.assert_array_equal(r1.welfare_hat, r2.welfare_hat)
    assert sum(r.iterations for r in two) <= sum(r.iterations for r in cold)
    assert solve_batch(base, []) == []


def test_public_names_are_pinned() -> None:
    import tradetalks.data
    import tradetalks.economics

    cp_names = {
        "CPBaseline", "CPResult", "CPShock", "CPState", "ShockEntry", "calibrate",
        "calibrate_shares", "default_elasticities", "make_shock", "parse_shock", "solve",
        "solve_batch", "tariff_array",
    }  # fmt: skip
    wiod_names = {
        "FINAL_CATEGORIES", "WIOD_SECTORS", "WIOD_YEARS", "WiodTable", "load_wiod",
        "net_inventories", "read_wiod_table",
    }  # fmt: skip
    # Other modules append their own names to these namespaces; ours must all be there.
    assert cp_names <= set(tradetalks.economics.__all__)
    assert wiod_names <= set(tradetalks.data.__all__)
    for name in cp_names:
        assert getattr(tradetalks.economics, name) is not None
