"""`tradetalks scenarios | show | validate | init` as a user runs them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _cli import run

from tradetalks.scenario import builtin_scenarios, iter_cited, load_scenario

BROKEN = Path(__file__).parents[1] / "scenario" / "broken"


def test_scenarios_lists_the_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scenarios"], capsys)
    assert code == 0
    for name in builtin_scenarios():
        assert name in out


@pytest.mark.parametrize("name", builtin_scenarios())
def test_show_prints_every_source(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", name], capsys)
    assert code == 0
    scenario = load_scenario(name)
    cited = {q.source for _, q in iter_cited(scenario) if q.source}
    assert cited
    for source in cited:
        assert f"[{source}]" in out  # printed beside its number
    for source in scenario.sources:
        assert source.citation[:30] in " ".join(out.split())
    assert "[no source]" not in out
    for issue in scenario.issues:
        assert issue.id in out


def test_show_json_is_parseable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "us-japan-1995-autos", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["threats"][0]["size"] == {
        "value": 1.0,
        "source": "kantor-1995",
        "note": "100 percent ad valorem on 13 luxury models",
    }


def test_show_unknown_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["show", "us-japan-1999"], capsys)
    assert code == 2
    assert "neither a file nor a built-in scenario" in err


def test_validate_good_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["init", "trial", "-o", str(tmp_path / "trial.toml")], capsys)
    assert code == 0
    code, out, _ = run(["validate", str(tmp_path / "trial.toml")], capsys)
    assert code == 0 and "ok" in out


def test_validate_broken_files_print_one_line_per_problem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [BROKEN / "negative_weight.toml", BROKEN / "duplicate_issue_id.toml"]
    code, _, err = run(["validate", *map(str, files)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 3  # one problem in the first file, two in the second
    assert lines[0].startswith(f"error: {files[0]}:64: parties[1].constituencies[0].weight:")
    assert "Traceback" not in err


def test_validate_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["validate", "nowhere.toml"], capsys)
    assert code == 2 and "no such file" in err


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "x.toml"
    target.write_text("keep me")
    code, _, err = run(["init", "x", "-o", str(target)], capsys)
    assert code == 2 and "exists" in err
    assert target.read_text() == "keep me"
    code, _, err = run(["init", "bad name!", "-o", str(tmp_path / "y.toml")], capsys)
    assert code == 2 and "invalid scenario id" in err


def test_debug_shows_traceback_for_bad_file() -> None:
    broken = str(BROKEN / "negative_weight.toml")
    plain = subprocess.run(
        [sys.executable, "-m", "tradetalks", "validate", broken], capture_output=True, text=True
    )
    debug = subprocess.run(
        [sys.executable, "-m", "tradetalks", "--debug", "validate", broken],
        capture_output=True,
        text=True,
    )
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_show_explains_objectives_and_threat_terms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "us-japan-1995-autos"], capsys)
    assert code == 0
    flat = " ".join(out.split())
    assert "United States maximises" in flat and "Japan maximises" in flat
    assert "1 × the gain of Congress" in flat and "in million USD of 1995" in flat
    assert "averted only by an agreement with purchase_plans in renew, expand" in flat
    assert "at the compliance review after the talks" in flat
    assert "older normalised scale" not in flat  # the file states stakes in money


def test_validate_a_file_in_money_prints_no_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["init", "money", "-o", str(tmp_path / "m.toml")], capsys)
    assert code == 0
    code, out, _ = run(["validate", str(tmp_path / "m.toml")], capsys)
    assert code == 0 and "ok" in out and "note" not in out
    code, out, _ = run(["show", str(tmp_path / "m.toml")], capsys)
    assert "maximises, in million USD of 2011" in " ".join(out.split())


def test_show_lists_a_summit_stage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["show", "us-japan-1995-autos"], capsys)
    assert code == 0
    flat = " ".join(out.split())  # the console wraps at its width
    assert "stage halifax_summit (summit):" in flat
    assert "round 9 (1995-06-16 [g7-halifax])" in flat
