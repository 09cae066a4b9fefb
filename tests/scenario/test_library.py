"""The built-in scenarios: valid, round-tripping, every written number cited."""

import pytest

from tradetalks.scenario import (
    Quantity,
    builtin_scenarios,
    dump_scenario,
    iter_cited,
    load_scenario,
    loads_scenario,
)

BUILTINS = builtin_scenarios()


def test_the_four_seed_scenarios_ship() -> None:
    assert BUILTINS == [
        "us-japan-1994-framework",
        "us-japan-1995-autos",
        "us-japan-2014-tpp",
        "us-japan-2018-bilateral",
    ]


@pytest.mark.parametrize("name", BUILTINS)
def test_round_trip(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.id == name
    again = loads_scenario(dump_scenario(scenario))
    assert again == scenario
    assert dump_scenario(again) == dump_scenario(scenario)


@pytest.mark.parametrize("name", BUILTINS)
def test_every_written_number_names_its_source(name: str) -> None:
    scenario = load_scenario(name)
    uncited = [
        path
        for path, q in iter_cited(scenario)
        if isinstance(q, Quantity) and "value" in q.model_fields_set and q.source is None
    ]
    # Plain numbers are allowed only for unit defaults such as a stake weight of 1.
    uncited = [p for p in uncited if not (p.endswith(".weight") and "stakes" in p)]
    assert uncited == []
    assert all(u.source for u in scenario.uncertainty)
    for threat in scenario.threats:
        assert threat.deadline is None or threat.deadline.source


@pytest.mark.parametrize("name", BUILTINS)
def test_assumptions_are_declared_as_such(name: str) -> None:
    scenario = load_scenario(name)
    assumption = scenario.source("assumption")
    assert "not a reported fact" in assumption.citation
    seeds = [s for s in scenario.sources if s.id.startswith("seed-")]
    assert seeds, "every built-in scenario is built from at least one seed report"
    assert all("seeds/" in s.citation for s in seeds)


def test_1995_scenario_carries_the_reported_figures() -> None:
    s = load_scenario("us-japan-1995-autos")
    facts = {f.id: f.value for f in s.facts}
    assert facts["us_share_japan_car_market"].value == 0.015
    assert facts["us_share_japan_parts_market"].value == 0.024
    assert facts["japan_share_us_car_market"].value == 0.24
    assert facts["japan_surplus_with_us_1994"].value == 65_700
    (threat,) = s.threats
    assert threat.size.value == 1.0 and threat.covered_value_musd is not None
    assert str(threat.deadline.date if threat.deadline else "") == "1995-06-28"
