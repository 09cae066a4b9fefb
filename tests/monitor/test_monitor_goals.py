"""Goals files: validation errors, the scenario [monitoring] table, examples and triggers."""

from __future__ import annotations

from pathlib import Path

import pytest
from monitor_synthetic import annual

from tradetalks import MonitorError
from tradetalks.monitor import (
    Goal,
    Verdict,
    assess,
    bundled_examples,
    load_goals,
    monitoring_from_dict,
)

GOALS = """\
title = "test"
[[goals]]
id = "g"
agreement = 1994
[goals.indicator]
kind = "file"
path = "series.csv"
[[goals.criteria]]
kind = "target"
level = 130
by = 1997
[[triggers]]
goal = "g"
deadline = 1997
threat = "tariff"
reason = "because"
"""


def write(tmp_path: Path, text: str, name: str = "goals.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def series_csv(tmp_path: Path, values: list[float]) -> None:
    rows = "".join(f"{1990 + i},{v}\n" for i, v in enumerate(values))
    (tmp_path / "series.csv").write_text("year,value\n" + rows)


@pytest.mark.parametrize(
    ("values", "status", "verdict_at_deadline"),
    [
        # met late (1998): on the data up to the 1997 deadline the goal is not met
        ([100] * 5 + [110, 120, 125, 140], "active", Verdict.NOT_MET),
        ([100] * 5 + [110, 135, 125, 120], "inactive", Verdict.MET),
        ([100] * 5 + [110, 120], "undecided", Verdict.NOT_ENOUGH_DATA),  # data end in 1996
        ([100] * 5 + [110, 115, 120, 125], "active", Verdict.NOT_MET),
    ],
)
def test_triggers(
    tmp_path: Path, values: list[float], status: str, verdict_at_deadline: Verdict
) -> None:
    series_csv(tmp_path, values)
    path = write(tmp_path, GOALS)
    result = assess(load_goals(path))  # relative paths are read next to the goals file
    (decision,) = result.triggers.decisions
    assert decision.status == status
    assert decision.goal_verdict is verdict_at_deadline
    assert result.triggers.active_threats == (("tariff",) if status == "active" else ())
    if status == "active":
        assert "because" in decision.reason and "1997" in decision.reason


def test_scenario_monitoring_section_is_accepted(tmp_path: Path) -> None:
    series_csv(tmp_path, [100] * 5 + [140])
    text = '[scenario]\nname = "x"\n\n' + "\n".join(
        "[monitoring]" if line.startswith("title =") else _under_monitoring(line)
        for line in GOALS.splitlines()
    )
    path = write(tmp_path, 'title = "s"\n' + text, "scenario.toml")
    monitoring = load_goals(path)
    assert monitoring.goals[0].id == "g"
    assert assess(monitoring, base_dir=tmp_path).verdict is Verdict.MET
    # and the same table given as a dict (what tradetalks.scenario keeps free-form)
    again = monitoring_from_dict(monitoring.model_dump(mode="json"))
    assert again == monitoring


def _under_monitoring(line: str) -> str:
    if line.startswith("[[") or line.startswith("["):
        inner = line.strip("[]")
        return line.replace(inner, f"monitoring.{inner}")
    return line


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            ("level = 130", "level = 130\nlevle = 1"),
            "goals.0.criteria.0.target.levle",
            "Extra inputs",
        ),
        (("by = 1997", 'by = "19x7"'), "goals.0.criteria.0.target.by", "expected a year"),
        (('goal = "g"', 'goal = "h"'), "", "unknown goals ['h']"),
        (('kind = "target"', 'kind = "tarjet"'), "goals.0.criteria.0", "tarjet"),
        (("agreement = 1994", ""), "goals.0.agreement", "Field required"),
    ],
)
def test_bad_goals_name_field_and_line(
    tmp_path: Path, change: tuple[str, str], field: str, message: str
) -> None:
    path = write(tmp_path, GOALS.replace(*change, 1))
    with pytest.raises(MonitorError) as info:
        load_goals(path)
    lines = info.value.lines()
    assert len(lines) == 1, lines
    assert str(path) in lines[0] and field in lines[0] and message in lines[0], lines


def test_toml_syntax_error_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MonitorError, match="not valid TOML") as info:
        load_goals(write(tmp_path, "title = \n"))
    assert ":1:" in info.value.lines()[0]
    with pytest.raises(MonitorError) as missing:
        load_goals(tmp_path / "nope.toml")
    assert "autos-1995" in missing.value.lines()[0]


def test_goal_rules() -> None:
    with pytest.raises(ValueError, match="need an indicator"):
        Goal.model_validate(
            {"id": "g", "agreement": 1995, "criteria": [{"kind": "target", "level": 1, "by": 1996}]}
        )
    with pytest.raises(ValueError, match=r"outside 0\.\.4"):
        Goal.model_validate(
            {
                "id": "g",
                "agreement": 1995,
                "criteria": [
                    {"kind": "qualitative", "items": [{"id": "a"}], "scores": {"x": {"a": 5}}}
                ],
            }
        )


def test_file_indicator_without_path_uses_the_data_option(tmp_path: Path) -> None:
    series_csv(tmp_path, [100] * 5 + [140])
    text = GOALS.replace('path = "series.csv"\n', "")
    monitoring = load_goals(write(tmp_path, text))
    with pytest.raises(MonitorError, match="no data for a goal"):
        assess(monitoring)
    result = assess(monitoring, data=tmp_path / "series.csv")
    assert result.goals[0].series is not None
    # an in-memory source replaces file reading altogether
    fake = assess(monitoring, series_source=lambda g: annual([100] * 5 + [140]))
    assert fake.verdict is Verdict.MET


# What the bundled examples find on WIOD 1995-2011 (the README reports these; see the
# examples' comments for sources). A change here is a change in findings: re-check the README.
AUTOS = {
    "us_vehicle_sales": Verdict.PARTLY_MET,  # rose to 1998, then fell by half in 2000
    "us_vehicle_market_share": Verdict.NOT_MET,
    "us_parts_sales": Verdict.MET,  # +55% by 2000, rising every year 1996-2000
    "us_parts_market_share": Verdict.PARTLY_MET,  # doubled only in 2001
    "dealer_access": Verdict.NOT_MET,
}
INSURANCE = {"foreign_c28_sales": Verdict.PARTLY_MET, "foreign_c28_share": Verdict.PARTLY_MET}


@pytest.mark.parametrize(
    ("name", "expected", "threats"),
    [
        ("autos-1995", AUTOS, ("section_301_luxury_cars",)),
        ("insurance-1994", INSURANCE, ("us_trade_laws",)),
    ],
)
def test_bundled_examples(name: str, expected: dict[str, Verdict], threats: tuple[str]) -> None:
    assert name in bundled_examples()
    result = assess(load_goals(name))
    assert {g.goal.id: g.verdict for g in result.goals} == expected
    assert result.verdict is Verdict.PARTLY_MET
    assert result.triggers.active_threats == threats
    for g in result.goals:
        assert g.goal.sources, f"{g.goal.id} cites no source"


def test_counterfactual_from_a_file(tmp_path: Path) -> None:
    series_csv(tmp_path, [100] * 5 + [120, 130])
    (tmp_path / "cf.csv").write_text("year,value\n1995,100\n1996,120\n")
    text = GOALS.replace(
        'kind = "target"\nlevel = 130\nby = 1997',
        'kind = "substantial"\nmin_change = 0.05\ncounterfactual_file = "cf.csv"',
    )
    path = write(tmp_path, text)
    result = assess(load_goals(path))
    crit = result.goals[0].criteria[0]
    # 1996: 130 against a counterfactual 120: +8.3% >= 5%
    assert crit.verdict is Verdict.MET
    assert crit.statistics["reference"] == 120
    assert crit.statistics["reference_kind"] == "counterfactual"
    both = text.replace("min_change = 0.05", "min_change = 0.05\ncounterfactual_factor = 1.1")
    with pytest.raises(MonitorError) as info:
        load_goals(write(tmp_path, both))
    assert "give one counterfactual" in info.value.lines()[0]
