"""``tradetalks forecast evaluate``: table, JSON, plot, out-of-sample mode and clear errors."""

import json
from pathlib import Path

import pytest

from tradetalks.cli import main

TOY = """issue,proposal,actor,position,salience,capability,reference,outcome
{rows}"""


def _toy(path: Path, shift: int) -> Path:
    rows = []
    for k in range(12):
        for actor, pos in (("a", 0), ("b", 100), ("c", (k * 7 + shift) % 100)):
            rows.append(f"i{k},p{k // 2},{actor},{pos},50,1,,{(k * 11 + shift) % 100}")
    path.write_text(TOY.format(rows="\n".join(rows)) + "\n")
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:  # typer always exits, 0 on success
        main([*args])
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_default_runs_on_bundled_deu_as_json(capsys, tmp_path) -> None:
    code, out, _ = run(
        ["forecast", "evaluate", "--json", "--boot", "200", "--plot", str(tmp_path / "p.png")],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["n_issues"] == 208 and payload["mode"] == "cross-validation"
    names = {m["name"]: m for m in payload["models"]}
    assert set(names) >= {"mean", "median", "compromise", "nash", "expected_utility", "exchange"}
    assert round(names["mean"]["mae"], 1) == 22.7
    assert round(names["median"]["mae"], 1) == 27.6
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_table_output(capsys, tmp_path) -> None:
    data = str(_toy(tmp_path / "toy.csv", 0))
    code, out, _ = run(["forecast", "evaluate", data, "--boot", "100", "--folds", "3"], capsys)
    assert code == 0
    assert "3-fold cross-validation" in out
    assert "compromise" in out and "MAE" in out


def test_out_of_sample_with_train(capsys, tmp_path) -> None:
    train, data = _toy(tmp_path / "train.csv", 0), _toy(tmp_path / "test.csv", 3)
    code, out, _ = run(
        ["forecast", "evaluate", str(data), "--train", str(train), "--json", "--boot", "100"],
        capsys,
    )
    assert code == 0
    payload = json.loads(out)
    assert payload["mode"] == "out-of-sample"
    assert payload["train_source"].endswith("train.csv")


def test_bad_file_is_one_clear_error(capsys, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("issue,actor,position\nx,a,101\n")
    code, _, err = run(["forecast", "evaluate", str(bad)], capsys)
    assert code == 2
    assert "bad.csv:2: position: value 101 outside [0, 100]" in err
    assert "Traceback" not in err


def test_too_many_folds(capsys, tmp_path) -> None:
    code, _, err = run(
        ["forecast", "evaluate", str(_toy(tmp_path / "t.csv", 0)), "--folds", "9"], capsys
    )
    assert code == 2
    assert "folds must be between 2 and the number of proposals (6)" in err


def test_unknown_baseline(capsys) -> None:
    code, _, err = run(["forecast", "evaluate", "--baseline", "oracle"], capsys)
    assert code == 2
    assert "--baseline must be one of mean, median, compromise" in err


def test_parliament_share_changes_the_compromise(capsys) -> None:
    args = ["forecast", "evaluate", "--json", "--boot", "100"]
    code, out, _ = run([*args, "--ep-cod-share", "0"], capsys)
    assert code == 0
    by = {m["name"]: m["mae"] for m in json.loads(out)["models"]}
    assert round(by["compromise"], 2) == 22.78  # vs 26.00 with the treaty reading (share 1)
    assert round(by["mean"], 1) == 22.7  # capabilities do not enter the mean


# --- tradetalks forecast SCENARIO -------------------------------------------------------

TINY = Path(__file__).parents[1] / "forecast" / "data" / "tiny_trade.toml"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A run store for the price cache (never the user's own)."""
    return str(tmp_path_factory.mktemp("store") / "runs.duckdb")


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRADETALKS_STORE", str(tmp_path / "default-runs.duckdb"))


def test_scenario_json_bare_and_explicit_forms_agree(capsys, store: str) -> None:
    args = [str(TINY), "--json", "--sessions", "40", "--workers", "1", "--store", store]
    code, out, err = run(["forecast", *args], capsys)
    assert code == 0, err
    bare = json.loads(out)
    assert bare["scenario"] == "tiny-trade" and bare["talks"]["sessions"] == 40
    farm = bare["issues"][0]
    assert farm["issue"] == "farm_tariff"
    assert farm["options"] == {"current": 0.0, "cut": 50.0, "free": 100.0}
    assert set(farm["forecasts"]) >= {"mean", "compromise", "nash", "expected_utility"}
    assert farm["forecasts"]["mean"] == {"position": 50.0, "option": "cut"}
    assert sum(farm["talks"]["shares"].values()) == pytest.approx(1.0)
    actors = {a["actor"]: a for a in bare["actors"]}
    assert actors["USA.exporters"]["position"] == {"farm_tariff": 100.0, "pledge": None}
    assert actors["JPN.farmers"]["veto"] is True
    assert set(bare["comparison"]) == set(farm["forecasts"])
    # Options before the scenario (prices from the store's cache), and the explicit
    # subcommand priced afresh, give the same answer.
    code, out, _ = run(["forecast", "--sessions", "40", "--json", str(TINY), "--store", store],
                       capsys)  # fmt: skip
    assert code == 0
    assert json.loads(out) == bare
    code, out, _ = run(["forecast", "scenario", *args[:-2], "--no-cache"], capsys)
    assert code == 0
    assert json.loads(out) == bare


def test_scenario_table(capsys, store: str) -> None:
    code, out, _ = run(["forecast", str(TINY), "--sessions", "20", "--store", store], capsys)
    assert code == 0
    assert "Spatial view" in out and "farm_tariff" in out and "pledge" in out
    assert "spatial forecasts beside 20 simulated sessions" in out
    assert "(no deal)" in out and "compromise" in out


def test_broken_scenario_file_is_exit_2_with_its_problems(capsys, tmp_path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(TINY.read_text().replace("discount = 0.98", "discount = 1.5", 1))
    code, out, err = run(["forecast", str(broken), "--workers", "1"], capsys)
    assert code == 2
    assert "broken.toml" in err and "discount" in err and "(0, 1]" in err
    assert "Traceback" not in err and out == ""


def test_unknown_scenario_and_bad_options(capsys) -> None:
    code, _, err = run(["forecast", "no-such-scenario"], capsys)
    assert code == 2 and "built-ins: us-japan-1994-framework" in err
    code, _, err = run(["forecast", str(TINY), "--hold", "max"], capsys)
    assert code == 2 and "--hold must be" in err
    code, _, err = run(["forecast", str(TINY), "--sessions", "0"], capsys)
    assert code == 2 and "--sessions" in err


def test_forecast_help_lists_both_forms(capsys) -> None:
    code, out, _ = run(["forecast", "--help"], capsys)
    assert code == 0
    assert "evaluate" in out and "scenario" in out


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "us-japan-1994-framework",
        "us-japan-1995-autos",
        "us-japan-2014-tpp",
        "us-japan-2018-bilateral",
    ],
)
def test_every_builtin_scenario_is_forecast(name: str, capsys, store: str) -> None:
    args = [name, "--sessions", "100", "--workers", "1", "--store", store]
    code, out, err = run(["forecast", *args], capsys)
    assert code == 0, err
    from tradetalks.scenario import load_scenario

    for issue in load_scenario(name).issues:
        assert f"{issue.id}: spatial forecasts beside 100 simulated sessions" in out
    assert "simulated talks: 100 sessions" in out
