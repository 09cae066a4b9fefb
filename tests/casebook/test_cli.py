"""`tradetalks casebook` as a user runs it."""

import json
import sys
from pathlib import Path

import pytest
from _record import FORCED

sys.path.insert(0, str(Path(__file__).parents[1] / "cli"))
from _cli import run


def test_casebook_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["casebook", "-e", str(FORCED), "-n", "50", "--store", str(tmp_path / "s.duckdb")]
    code, out, _ = run([*args, "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["scores"]["program"]["hit"]["mean"] == 1.0
    assert {q["question"] for q in data["questions"]} == {
        "deal",
        "threat",
        "closed",
        "moved",
        "option",
    }
    assert data["episodes"][0]["summary"]["joint"]["deals"][0]["share"] == 1.0
    code, out, _ = run(args, capsys)
    assert code == 0
    for words in ("naive rule", "base rate", "forced", "hit rate", "Brier", "log loss"):
        assert words in out


def test_casebook_cross_validated(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "casebook",
        "-e",
        f"{FORCED},us-japan-1992-bush-tokyo",
        "-n",
        "30",
        "--cv",
        "--store",
        str(tmp_path / "s.duckdb"),
    ]
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "leave-one-episode-out" in out and "In-sample scores" in out


def test_bad_episodes_exit_2_with_one_line_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["casebook", "-e", "no-such-episode"], capsys)
    assert code == 2 and "no-such-episode: neither an episode folder nor a built-in" in err
    assert "Traceback" not in err and out == ""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "scenario.toml").write_text((FORCED / "scenario.toml").read_text())
    text = (FORCED / "episode.toml").read_text()
    text = text.replace('issue = "access", options', 'issue = "acess", options')
    (bad / "episode.toml").write_text(text)
    code, _, err = run(["casebook", "-e", str(bad), "--store", str(tmp_path / "s.duckdb")], capsys)
    assert code == 2
    assert "episode.toml:" in err and "the scenario has no issue 'acess'" in err
    code, _, err = run(["casebook", "-n", "0"], capsys)
    assert code == 2 and "--sessions" in err


def test_run_json_reports_whole_deals_threats_and_timing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", str(FORCED / "scenario.toml"), "-n", "40", "--json", "--no-report",
            "--store", str(tmp_path / "s.duckdb"), "--workers", "1"]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    sweep = json.loads(out)["sweep"]
    assert sweep["joint"]["deals"] == [{"outcome": 0, "labels": {"access": "closed"}, "share": 1.0}]
    assert sweep["threat_carried_out"] == {"tariff": 0.0}
    assert sweep["timing"]["by_round"]["6"] == 1.0
