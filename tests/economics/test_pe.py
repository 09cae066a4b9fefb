"""SMART-style partial equilibrium: hand-computed formulas, identities and the seed's figure."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradetalks._errors import InputError
from tradetalks.economics._pe import smart_partial_equilibrium, tariff_line


def test_two_partner_preferential_cut_by_hand() -> None:
    # Partner A (100) gets its 10% tariff cut to 0; B (300) keeps 10%. eta=-2, sigma=1.5,
    # infinite supply (eps -> large) so world prices barely move.
    line = tariff_line(["A", "B"], [100.0, 300.0], [0.10, 0.10], [0.0, 0.10])
    res = smart_partial_equilibrium(
        line,
        import_demand_elasticity=-2.0,
        substitution_elasticity=1.5,
        export_supply_elasticity=1e12,
    )
    tau_a = -0.10 / 1.10
    assert res.trade_creation_musd[0] == pytest.approx(100 * -2.0 * tau_a, rel=1e-9)
    assert res.trade_creation_musd[1] == pytest.approx(0.0, abs=1e-9)
    # SMART two-source diversion: sigma * M_A M_B / (M_A + M_B) * (tau_B - tau_A)
    td = 1.5 * 100 * 300 / 400 * (0.0 - tau_a)
    assert res.trade_diversion_musd[0] == pytest.approx(td, rel=1e-9)
    assert res.trade_diversion_musd[1] == pytest.approx(-td, rel=1e-9)
    assert res.tariff_revenue_musd == pytest.approx(40.0)
    new_b = 300 - td
    assert res.new_tariff_revenue_musd == pytest.approx(0.10 * new_b, rel=1e-9)
    # Consumer surplus: domestic price of A's variety falls by 0.10 per dollar of base imports.
    tc = res.trade_creation_musd[0]
    assert res.consumer_surplus_change_musd == pytest.approx(0.10 * (100 + tc / 2), rel=1e-9)
    assert res.duties_saved_musd.tolist() == pytest.approx([10.0, 0.0])


def test_finite_supply_elasticity_splits_the_cut() -> None:
    line = tariff_line(["A"], [100.0], [0.2], [0.0])
    res = smart_partial_equilibrium(
        line, import_demand_elasticity=-1.0, export_supply_elasticity=1.0
    )
    tau = -0.2 / 1.2
    # Supply = demand: eps * x = eta * (x + tau)  =>  x = eta * tau / (eps - eta)
    x = -1.0 * tau / (1.0 + 1.0)
    assert res.world_price_change[0] == pytest.approx(x)
    assert res.trade_creation_musd[0] == pytest.approx(100 * 1.0 * x)  # = eps * x
    assert res.exporter_surplus_change_musd[0] > 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(1.0, 1e4), min_size=1, max_size=6),
    st.floats(0.0, 0.5),
    st.floats(-5.0, -0.1),
    st.floats(0.0, 10.0),
)
def test_identities(imports: list[float], tariff: float, eta: float, sigma: float) -> None:
    n = len(imports)
    same = tariff_line([f"P{k}" for k in range(n)], imports, [tariff] * n, [tariff] * n)
    res = smart_partial_equilibrium(
        same, import_demand_elasticity=eta, substitution_elasticity=sigma
    )
    assert np.allclose(res.trade_creation_musd, 0) and np.allclose(res.trade_diversion_musd, 0)
    assert res.consumer_surplus_change_musd == pytest.approx(0.0, abs=1e-9)
    # A uniform (MFN) cut diverts nothing; any cut diverts a zero sum and never below zero trade.
    mfn = tariff_line(same.partners, imports, [tariff] * n, [0.0] * n)
    res = smart_partial_equilibrium(
        mfn, import_demand_elasticity=eta, substitution_elasticity=sigma
    )
    assert np.allclose(res.trade_diversion_musd, 0, atol=1e-9)
    assert res.consumer_surplus_change_musd >= 0
    pref = tariff_line(same.partners, imports, [tariff] * n, [0.0] + [tariff] * (n - 1))
    res = smart_partial_equilibrium(
        pref, import_demand_elasticity=eta, substitution_elasticity=sigma
    )
    assert res.trade_diversion_musd.sum() == pytest.approx(0.0, abs=1e-6 * sum(imports))
    assert (res.new_imports_musd >= -1e-9).all()


def test_seed_japanese_cars_about_one_billion_a_year() -> None:
    """000_aeabe9ff447fe714.txt: removing the 2.5% US tariff on $37.8bn of Japanese cars
    "would save Japanese exporters about $1 billion a year".

    Elasticities: sigma = 1.5 and eps_x = 99, SMART's defaults (WITS SMART user manual);
    eta = -1 is our assumption (unit elastic; SMART would use Kee, Nicita and Olarreaga 2008).
    """
    line = tariff_line(["JPN"], [37_800.0], [0.025], [0.0])
    res = smart_partial_equilibrium(line, import_demand_elasticity=-1.0)
    saved = float(res.duties_saved_musd[0])
    assert saved == pytest.approx(945.0)
    assert 0.5e3 < saved < 2e3  # "about $1 billion": the order of magnitude
    assert 0.5e3 < float(res.trade_creation_musd[0]) < 1.5e3
    assert res.tariff_revenue_change_musd == pytest.approx(-945.0)
    assert res.consumer_surplus_change_musd > 945.0  # rectangle plus triangle


def test_bad_input_lists_every_problem() -> None:
    with pytest.raises(InputError) as info:
        tariff_line(["A", "A"], [-1.0, 2.0], [0.1], [0.0, -2.0])
    text = " ".join(info.value.lines())
    assert "duplicate" in text and "tariff_rate" in text and "new_tariff_rate" in text
    line = tariff_line(["A"], [1.0], [0.1], [0.0])
    with pytest.raises(InputError, match="elasticities") as info2:
        smart_partial_equilibrium(line, import_demand_elasticity=1.0, export_supply_elasticity=0)
    assert len(info2.value.lines()) == 2
