"""`tradetalks monitor`: verdict table, --json, --plots, --data, and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli import run

GOALS = """\
[[goals]]
id = "rise"
agreement = 1994
[goals.indicator]
kind = "file"
[[goals.criteria]]
kind = "substantial"
min_change = 0.2
"""


@pytest.fixture
def goals_and_data(tmp_path: Path) -> tuple[Path, Path]:
    goals = tmp_path / "goals.toml"
    goals.write_text(GOALS)
    data = tmp_path / "data.csv"
    data.write_text(
        "year,value\n" + "".join(f"{1990 + i},{v}\n" for i, v in enumerate([100] * 5 + [150]))
    )
    return goals, data


def test_json_output_with_user_data(
    goals_and_data: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    goals, data = goals_and_data
    code, out, _ = run(["monitor", str(goals), "--data", str(data), "--json"], capsys)
    assert code == 0
    result = json.loads(out)
    assert result["verdict"] == "met"
    (goal,) = result["goals"]
    assert goal["criteria"][0]["statistics"]["change_rel"] == pytest.approx(0.5)
    assert goal["indicator"]["values"][-1] == 150


def test_table_and_plots_for_a_bundled_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["monitor", "insurance-1994", "--plots", str(tmp_path / "p")], capsys)
    assert code == 0
    assert "foreign_c28_sales" in out and "overall (all)" in out and "us_trade_laws" in out
    pngs = sorted(p.name for p in (tmp_path / "p").glob("*.png"))
    assert pngs == ["foreign_c28_sales.png", "foreign_c28_share.png"]
    assert all((tmp_path / "p" / n).read_bytes()[:4] == b"\x89PNG" for n in pngs)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["monitor", "no-such-example"], "no such file, nor a bundled example"),
        (["monitor", "{goals}"], "no data file was given"),
        (["monitor", "{goals}", "--data", "{missing}"], "no such file"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    goals_and_data: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    goals, data = goals_and_data
    args = [a.format(goals=goals, missing=data.parent / "missing.csv") for a in args]
    code, _, err = run(args, capsys)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_bad_data_file_exits_2(
    goals_and_data: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    goals, data = goals_and_data
    data.write_text("year,value\n1990,1\n1990,2\n")
    code, _, err = run(["monitor", str(goals), "--data", str(data)], capsys)
    assert code == 2
    assert "duplicated periods: 1990" in err


def test_follow_up_scenario_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "next.toml"
    code, out, _ = run(["monitor", "autos-1995", "--json", "--follow-up", str(out_path)], capsys)
    assert code == 0
    assert json.loads(out)["follow_up"] == str(out_path)
    code, out, _ = run(["validate", str(out_path)], capsys)
    assert code == 0


def test_follow_up_needs_a_scenario(
    goals_and_data: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    goals, data = goals_and_data
    args = ["monitor", str(goals), "--data", str(data), "--follow-up", str(goals.parent / "n.toml")]
    code, _, err = run(args, capsys)
    assert code == 2 and "scenario" in err


def test_scenario_without_goals_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.toml"
    path.write_text('id = "x"\n[monitoring]\nnote = "goals later"\n')
    code, _, err = run(["monitor", str(path)], capsys)
    assert code == 2 and "monitoring.goals" in err and "has no goals" in err
