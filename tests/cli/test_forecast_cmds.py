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
