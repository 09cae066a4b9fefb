"""Scenario instruments priced with their real economics: managed trade, groups, product lists."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradetalks.economics import CPBaseline, ShockEntry, Target
from tradetalks.game import issue_entries, outcome_entries, scenario_baseline, threat_entries
from tradetalks.game._pricing import solve_items
from tradetalks.scenario import load_scenario
from tradetalks.scenario._model import Quantity


@pytest.fixture(scope="module")
def autos_base() -> CPBaseline:
    return scenario_baseline(load_scenario("us-japan-1995-autos"))


def test_purchase_plans_cost_japan_and_pay_the_us(autos_base: CPBaseline) -> None:
    s = load_scenario("us-japan-1995-autos")
    jpn, usa = autos_base.country_index("JPN"), autos_base.country_index("USA")
    welfare = {}
    for option in ("lapse", "renew", "expand"):
        items = outcome_entries(s, {"purchase_plans": option}, autos_base)
        result, outcomes = solve_items(autos_base, items, decompose=False)
        welfare[option] = result.welfare_hat
        if option != "lapse":
            (out,) = outcomes
            assert abs(out.achieved / out.target.value - 1) < 1e-3  # within 0.1%
            assert out.subsidy_musd > 0
    assert (
        welfare["expand"][jpn] < welfare["renew"][jpn] < 1.0 == pytest.approx(welfare["lapse"][jpn])
    )
    assert welfare["expand"][usa] > welfare["renew"][usa] > 1.0


def test_issue_applied_to_a_group_repeats_for_each_member(autos_base: CPBaseline) -> None:
    s = load_scenario("us-japan-1995-autos")
    issue = s.issue("dealer_access").model_copy(update={"applied_to": "EU15"})
    entries = issue_entries(issue, 2, autos_base)
    assert {e.exporter for e in entries} == {
        "AUT", "BEL", "DEU", "DNK", "ESP", "FIN", "FRA", "GBR", "GRC", "IRL", "ITA", "LUX",
        "NLD", "PRT", "SWE",
    }  # fmt: skip
    assert all(isinstance(e, ShockEntry) and e.importer == "JPN" for e in entries)


def test_ntb_rent_share_and_market_share_issue(autos_base: CPBaseline) -> None:
    s = load_scenario("us-japan-1995-autos")
    issue = s.issue("dealer_access").model_copy(
        update={"rent_share": Quantity(value=0.6), "rent_owner": "importer"}
    )
    (entry,) = issue_entries(issue, 2, autos_base)
    assert isinstance(entry, ShockEntry)
    assert entry.rent_share == 0.6 and entry.owner() == "holders"
    share = s.issue("purchase_plans").model_copy(
        update={"instrument": "market_share", "options": [
            o.model_copy(update={"value": Quantity(value=v)})
            for o, v in zip(s.issue("purchase_plans").options, (0.0, 0.05, 0.1), strict=True)
        ]}
    )  # fmt: skip
    (target,) = issue_entries(share, 1, autos_base)
    assert isinstance(target, Target) and target.kind == "market_share"
    n, i, j = (autos_base.country_index("JPN"), autos_base.country_index("USA"),
               autos_base.sector_index("c15"))  # fmt: skip
    now = autos_base.sales_musd[n, i, j] / autos_base.sales_musd[n, :, j].sum()
    assert target.value == pytest.approx(now + 0.05)


def test_threat_with_a_product_list_by_sector(autos_base: CPBaseline) -> None:
    s = load_scenario("us-japan-1995-autos")
    threat = s.threats[0]  # the Section 301 list (the second is the compliance review's)
    listed = threat.model_copy(update={
        "sectors": ["c14", "c15"], "covered_value_musd": None,
        "covered_by_sector": {"c14": Quantity(value=1000.0), "c15": Quantity(value=5900.0)},
    })  # fmt: skip
    entries = threat_entries(listed, autos_base)
    assert [e.sectors for e in entries] == [("c14",), ("c15",)]
    usa, jpn = autos_base.country_index("USA"), autos_base.country_index("JPN")
    for e, covered in zip(entries, (1000.0, 5900.0), strict=True):
        flow = autos_base.sales_musd[usa, jpn, autos_base.sector_index(e.sectors[0])]
        assert e.rate == pytest.approx(min(covered / flow, 1.0))
    assert np.isfinite([e.rate for e in entries]).all()


def test_scenario_names_its_own_table(tmp_path, autos_base: CPBaseline) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    import pydantic

    from tradetalks.scenario._model import Economics

    source = resources.files("tradetalks.data") / "wiod" / "wiot_1995.parquet"
    table = tmp_path / "my_table.parquet"
    table.write_bytes(source.read_bytes())
    s = load_scenario("us-japan-1995-autos")
    own = s.model_copy(update={"economics": s.economics.model_copy(update={"table": str(table)})})
    base = scenario_baseline(own)
    # the same flows, read from the user's file (no gross-output file: row sums)
    np.testing.assert_allclose(base.expenditure_musd, autos_base.expenditure_musd, rtol=1e-6)
    with pytest.raises(pydantic.ValidationError, match="bundled WIOD covers 1995-2011"):
        Economics(year=2015)
    assert Economics(year=2015, table="x.parquet").year == 2015


def test_a_scenario_file_reads_its_table_from_its_own_folder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from importlib import resources

    from tradetalks import ScenarioError
    from tradetalks.scenario import scenario_text

    text, _ = scenario_text("us-japan-1995-autos")

    def write(name: str) -> Path:
        folder = tmp_path / "scenarios"
        folder.mkdir(exist_ok=True)
        path = folder / "mine.toml"
        path.write_text(text.replace("[economics]\n", f'[economics]\ntable = "{name}"\n', 1))
        return path

    with pytest.raises(ScenarioError, match=r"economics\.table cannot be read"):
        load_scenario(write("my_table.parquet"))  # the table is read when the file is loaded
    wiot = resources.files("tradetalks.data") / "wiod" / "wiot_1995.parquet"
    (tmp_path / "scenarios" / "my_table.parquet").write_bytes(wiot.read_bytes())
    mine = load_scenario(write("my_table.parquet"))
    assert mine.economics.table == str((tmp_path / "scenarios" / "my_table.parquet").resolve())
    for outside in ("../outside.parquet", "/etc/passwd"):
        with pytest.raises(ScenarioError) as info:
            load_scenario(write(outside))
        assert "economics.table" in str(info.value.lines())


def test_a_trq_option_may_cut_its_own_in_quota_rate(autos_base: CPBaseline) -> None:
    farm = load_scenario("us-japan-2018-bilateral").issue("farm_access")
    assert farm.instrument == "trq" and farm.in_quota_rate is not None
    rates = {}
    for k, option in enumerate(farm.options[1:], start=1):
        (target,) = issue_entries(farm, k, autos_base)
        assert isinstance(target, Target) and target.kind == "trq"
        assert target.value == option.value.value  # type: ignore[union-attr]
        rates[option.id] = target.in_rate
    # TPP-level options take the issue's rate; the deeper option its own
    assert rates["partial"] == rates["tpp_level"] == farm.in_quota_rate.value
    assert rates["beyond_tpp"] == 0.02 < farm.in_quota_rate.value
    same = farm.model_copy(update={"options": [
        o.model_copy(update={"in_quota_rate": farm.in_quota_rate}) for o in farm.options
    ]})  # fmt: skip
    assert issue_entries(same, 1, autos_base) == issue_entries(farm, 1, autos_base)


@pytest.mark.parametrize(
    ("instrument", "rate", "message"),
    [("trq", 0.5, "option beyond: expected 0 <= in_quota_rate <= over_quota_rate"),
     ("tariff", 0.01, "in_quota_rate and over_quota_rate are for trq issues")],
)  # fmt: skip
def test_an_option_rate_is_checked(instrument: str, rate: float, message: str) -> None:
    from pydantic import ValidationError

    from tradetalks.scenario._model import Issue

    fields = {"in_quota_rate": {"value": 0.1}, "over_quota_rate": {"value": 0.2}}
    with pytest.raises(ValidationError, match=message):
        Issue.model_validate({
            "id": "x", "label": "x", "instrument": instrument, "applied_by": "JPN",
            "applied_to": "USA", "sectors": ["c1"], "status_quo": "none",
            **(fields if instrument == "trq" else {}),
            "options": [{"id": "none", "value": {"value": 0.0}},
                        {"id": "beyond", "value": {"value": 10.0},
                         "in_quota_rate": {"value": rate}}],
        })  # fmt: skip


def test_an_elasticity_grid_priced_together_equals_each_point_alone(
    autos_base: CPBaseline,
) -> None:
    """price_grid (every point's shocks in one batch) gives each point's price_points."""
    from tradetalks.economics import with_elasticities
    from tradetalks.game import outcome_space, price_grid, price_points

    s = load_scenario("us-japan-1995-autos")
    options = np.asarray(outcome_space(s).values_table(), dtype=np.int64)
    j = autos_base.sector_index("c15")
    points = []
    for value in (0.5, 3.0):
        theta = np.array(autos_base.theta)
        theta[j] = value
        points.append(with_elasticities(autos_base, theta))
    together = price_grid(s, options, points, workers=1)
    for b, grid in zip(points, together, strict=True):
        alone = price_points(s, options, b, workers=1)
        assert grid.configs == alone.configs
        np.testing.assert_array_equal(grid.outcome_config, alone.outcome_config)
        for r, a in zip(grid.results, alone.results, strict=True):
            np.testing.assert_allclose(r.welfare_hat, a.welfare_hat, rtol=0, atol=1e-8)
            np.testing.assert_allclose(r.exports_musd, a.exports_musd, rtol=1e-7, atol=1e-6)
    # the two points differ: the grid is not one point priced twice
    assert not np.allclose(together[0].results[3].welfare_hat, together[1].results[3].welfare_hat,
                           rtol=0, atol=1e-10)  # fmt: skip
