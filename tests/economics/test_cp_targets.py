"""Quantity instruments and managed trade: caps, tariff-rate quotas, purchase and share floors."""

from __future__ import annotations

import numpy as np
import pytest
from test_cp_model import synthetic

from tradetalks import InputError
from tradetalks.economics import ShockEntry, Target, make_shock, solve, solve_targets

BASE = synthetic(4, 3, seed=3, tariff=0.05)
SECTORS = ("s1", "s2")


def _flow(result_flows: np.ndarray) -> float:
    return float(result_flows[0, 1, :2].sum())


def _tariff(rate: float):  # type: ignore[no-untyped-def]
    return solve(BASE, make_shock(BASE, [ShockEntry("C0", "C1", SECTORS, rate, "tariff", "level")]))


def test_quota_at_the_tariff_quantity_is_the_tariff_with_the_rent_to_holders() -> None:
    tariff = _tariff(0.25)  # from 5%
    assert tariff.trade_musd is not None
    cap = _flow(tariff.trade_musd)
    sol = solve_targets(BASE, [], [Target("C0", "C1", SECTORS, "quota", cap)])
    (out,) = sol.outcomes
    assert out.binding and out.achieved == pytest.approx(cap, rel=1e-4)
    # the shadow price is the rent wedge on top of the 5% tariff: (1.05)(1 + ρ) = 1.25
    assert out.shadow_price == pytest.approx(1.25 / 1.05 - 1.0, rel=1e-3)
    r = sol.result
    np.testing.assert_allclose(r.trade_musd, tariff.trade_musd, rtol=1e-3)  # type: ignore[arg-type]
    np.testing.assert_allclose(r.welfare_hat, tariff.welfare_hat, rtol=1e-6)
    moved = tariff.tariff_revenue_musd[0] - r.tariff_revenue_musd[0]
    assert out.rent_musd == pytest.approx(moved, rel=1e-3)
    assert r.holder_rent_musd is not None and r.holder_rent_musd[0] == pytest.approx(out.rent_musd)


def test_export_restraint_at_that_quantity_gives_the_exporter_its_rent() -> None:
    tariff = _tariff(0.25)
    assert tariff.trade_musd is not None
    cap = _flow(tariff.trade_musd)
    sol = solve_targets(BASE, [], [Target("C0", "C1", SECTORS, "ver", cap)])
    (out,) = sol.outcomes
    assert out.achieved == pytest.approx(cap, rel=1e-4)
    r = sol.result
    assert r.welfare_hat[1] > tariff.welfare_hat[1] and r.welfare_hat[0] < tariff.welfare_hat[0]
    gain = (r.welfare_hat[1] - tariff.welfare_hat[1]) * BASE.income_musd[1]
    assert gain == pytest.approx(out.rent_musd, rel=0.25)
    assert r.exporter_rent_musd is not None
    assert r.exporter_rent_musd[1] == pytest.approx(out.rent_musd)


@pytest.mark.parametrize("scale", [1.05, 1.3, 2.0])
def test_purchase_commitment_costs_the_buyer_and_pays_the_seller(scale: float) -> None:
    goal = scale * float(BASE.sales_musd[0, 1, :2].sum())
    sol = solve_targets(BASE, [], [Target("C0", "C1", SECTORS, "purchase", goal)])
    (out,) = sol.outcomes
    assert abs(out.achieved / goal - 1.0) < 1e-3  # within 0.1%
    assert out.shadow_price < 0 and out.subsidy_musd > 0
    assert sol.result.welfare_hat[0] < 1.0 < sol.result.welfare_hat[1]
    assert sol.result.tariff_revenue_musd[0] < BASE.tariff_revenue_musd[0]  # the buyer pays
    assert sol.result.welfare_residual is not None
    assert np.max(np.abs(sol.result.welfare_residual)) < 1e-5


def test_market_share_target() -> None:
    sol = solve_targets(BASE, [], [Target("C0", "C1", SECTORS, "market_share", 0.3)])
    (out,) = sol.outcomes
    assert out.achieved == pytest.approx(0.3, rel=1e-3)
    assert sol.result.welfare_hat[0] < 1.0 < sol.result.welfare_hat[1]


def test_slack_constraints_change_nothing() -> None:
    flow = float(BASE.sales_musd[0, 1, :2].sum())
    for t in (Target("C0", "C1", SECTORS, "quota", 2 * flow),
              Target("C0", "C1", SECTORS, "purchase", 0.5 * flow)):  # fmt: skip
        sol = solve_targets(BASE, [], [t])
        assert not sol.outcomes[0].binding and sol.evaluations == 1
        np.testing.assert_allclose(sol.result.welfare_hat, 1.0, atol=1e-12)


def test_tariff_rate_quota_regimes() -> None:
    def trq(q: float):  # type: ignore[no-untyped-def]
        return solve_targets(BASE, [], [Target("C0", "C1", SECTORS, "trq", q, 0.0, 0.5)])

    under, over = _tariff(0.0), _tariff(0.5)
    assert under.trade_musd is not None and over.trade_musd is not None
    big = trq(2.0 * _flow(under.trade_musd))  # never fills: the in-quota rate
    assert big.outcomes[0].regime == "in quota"
    np.testing.assert_allclose(big.result.welfare_hat, under.welfare_hat, rtol=1e-9)
    small_q = 0.5 * _flow(over.trade_musd)  # fills even at the over-quota rate
    small = trq(small_q)
    out = small.outcomes[0]
    assert out.regime == "over quota"
    np.testing.assert_allclose(small.result.welfare_hat, over.welfare_hat, rtol=1e-9)
    assert out.rent_musd == pytest.approx(0.5 * small_q)  # (τ_out − τ_in) Q to the holders
    income = small.result.tariff_revenue_musd[0] + small.result.holder_rent_musd[0]  # type: ignore[index]
    assert income == pytest.approx(over.tariff_revenue_musd[0], rel=1e-8)
    mid_q = 0.5 * (_flow(under.trade_musd) + _flow(over.trade_musd))
    mid = trq(mid_q)
    assert mid.outcomes[0].regime == "quota binding"
    assert mid.outcomes[0].achieved == pytest.approx(mid_q, rel=1e-4)
    assert 0 < mid.outcomes[0].shadow_price < 0.5


def test_bad_targets() -> None:
    for t in (Target("C0", "C1", SECTORS, "market_share", 1.5),
              Target("C0", "C0", SECTORS, "quota", 1.0),
              Target("C0", "C1", SECTORS, "trq", 1.0, 0.5, 0.1),
              Target("C0", "C9", SECTORS, "quota", 1.0)):  # fmt: skip
        with pytest.raises(InputError):
            solve_targets(BASE, [], [t])


def test_target_grammar() -> None:
    from tradetalks.economics import is_target_text, parse_target

    t = parse_target("USA<-JPN c15 ver cap 20000")
    assert (t.importer, t.exporter, t.sectors, t.kind, t.value) == (
        "USA", "JPN", ("c15",), "ver", 20000.0)  # fmt: skip
    assert parse_target("jpn<-usa c15 purchase 19000").kind == "purchase"
    share = parse_target("JPN<-USA c15 share 20%")
    assert share.kind == "market_share" and share.value == pytest.approx(0.2)
    trq = parse_target("JPN<-USA c1,c3 trq 500 in 0 over 0.5")
    assert (trq.in_rate, trq.over_rate, trq.sectors) == (0.0, 0.5, ("c1", "c3"))
    assert is_target_text("USA<-JPN c15 quota cap 10") and not is_target_text(
        "USA<-JPN c15 quota 0.1"
    )
    for bad in ("JPN<-USA c1 trq 500", "USA<-JPN c15 ver cap x"):
        with pytest.raises(InputError) as info:
            parse_target(bad)
        assert len(info.value.lines()) == 1 and "--shock" in info.value.lines()[0]


def test_targets_of_a_grid_solved_together_equal_each_alone_and_hit_within_a_tenth_pct() -> None:
    from tradetalks.economics import solve_targets_batch

    flow = float(BASE.sales_musd[0, 1, :2].sum())
    share = flow / float(BASE.sales_musd[0, :, :2].sum())
    configs = [
        ([], [Target("C0", "C1", SECTORS, "purchase", 1.3 * flow)]),
        ([ShockEntry("C2", "C0", ("s3",), 0.2)],
         [Target("C0", "C1", SECTORS, "quota", 0.8 * flow)]),
        ([], [Target("C0", "C1", SECTORS, "market_share", share + 0.05),
              Target("C3", "C2", ("s1",), "ver", 0.7 * float(BASE.sales_musd[3, 2, 0]))]),
        ([], [Target("C0", "C1", SECTORS, "trq", 0.9 * flow, 0.0, 0.3)]),
        ([], [Target("C0", "C1", SECTORS, "quota", 2.0 * flow)]),  # slack
        ([ShockEntry("C1", "C0", ("s1",), 0.1)], []),  # no target at all
    ]  # fmt: skip
    together = solve_targets_batch(BASE, configs, decompose=False)
    for (entries, targets), sol in zip(configs, together, strict=True):
        alone = solve_targets(BASE, list(entries), list(targets), decompose=False)
        np.testing.assert_allclose(sol.result.welfare_hat, alone.result.welfare_hat, atol=1e-8)
        for out in sol.outcomes:
            if out.binding and out.regime != "over quota":
                assert abs(out.achieved / out.target.value - 1.0) < 1e-3  # within 0.1%
    assert not together[4].outcomes[0].binding
    # a cold tariff solve of the same wedges gives the same equilibrium
    last = solve(BASE, make_shock(BASE, configs[5][0]), decompose=False)
    np.testing.assert_allclose(together[5].result.welfare_hat, last.welfare_hat, atol=1e-8)
    assert solve_targets_batch(BASE, []) == []


def test_the_1995_purchase_plans_and_a_share_target_on_wiod_hit_within_a_tenth_pct() -> None:
    from tradetalks.data import load_wiod
    from tradetalks.economics import calibrate, solve_targets_batch

    wiod = calibrate(load_wiod(1995))
    jpn, usa, c15 = wiod.country_index("JPN"), wiod.country_index("USA"), wiod.sector_index("c15")
    flow = float(wiod.sales_musd[jpn, usa, c15])
    share = flow / float(wiod.sales_musd[jpn, :, c15].sum())
    dealers = ShockEntry("JPN", "USA", ("c15",), -0.05, "ntb")
    configs = [([], [Target("JPN", "USA", ("c15",), "purchase", flow + v)]) for v in (4e3, 6e3)]
    configs += [([dealers], [Target("JPN", "USA", ("c15",), "market_share", share + 0.05)]),
                ([dealers], [Target("USA", "JPN", ("c15",), "ver", 0.8 * float(
                    wiod.sales_musd[usa, jpn, c15]))])]  # fmt: skip
    for sol in solve_targets_batch(wiod, configs, decompose=False):
        (out,) = sol.outcomes
        assert out.binding and abs(out.achieved / out.target.value - 1.0) < 1e-3
    # the purchase plan is a cost to the buyer and a gain to the seller (issue #11)
    renew = solve_targets_batch(wiod, configs[:1], decompose=False)[0].result
    assert renew.welfare_hat[jpn] < 1.0 < renew.welfare_hat[usa]
