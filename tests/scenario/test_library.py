"""The built-in scenarios: valid, round-tripping, every written number cited."""

import tomllib

import pytest

from tradetalks.scenario import (
    Quantity,
    builtin_scenarios,
    dump_scenario,
    iter_cited,
    load_scenario,
    loads_scenario,
    scenario_text,
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
    threat, review = s.threats
    assert threat.size.value == 1.0 and threat.covered_value_musd is not None
    assert str(threat.deadline.date if threat.deadline else "") == "1995-06-28"
    assert review.stage == "compliance_review" and review.after is None
    assert review.compliance.requires == threat.compliance.requires


def _numbers(node: object, path: tuple[object, ...] = ()) -> list[tuple[tuple[object, ...], float]]:
    if isinstance(node, bool):
        return []
    if isinstance(node, int | float):
        return [(path, node)]
    if isinstance(node, dict):
        return [n for k, v in node.items() for n in _numbers(v, (*path, k))]
    if isinstance(node, list):
        return [n for k, v in enumerate(node) for n in _numbers(v, (*path, k))]
    return []


@pytest.mark.parametrize("name", BUILTINS)
def test_every_number_in_the_file_is_covered_by_a_source(name: str) -> None:
    """A stricter check on the raw TOML: each number sits in a table that cites a source."""
    doc = tomllib.loads(scenario_text(name)[0])
    ranges = {
        u["target"]: (u["low"], u["high"]) for u in doc.get("uncertainty", []) if "source" in u
    }
    uncovered = []
    for path, _ in _numbers(doc):
        if path == ("economics", "year"):
            assert doc["economics"]["year_source"]
            continue
        if path[0] == "threats" and path[2] == "credibility_range":
            threat = doc["threats"][path[1]]
            target = f"threats.{threat['id']}.credibility"
            assert tuple(threat["credibility_range"]) == ranges[target]  # cited there
            continue
        tables = [doc]
        for key in path[:-1]:
            tables.append(tables[-1][key])  # type: ignore[index]
        if not any(isinstance(t, dict) and "source" in t for t in tables):
            uncovered.append(path)
    assert uncovered == []
