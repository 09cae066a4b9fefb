"""The bargain and frontier commands on the bundled GENIUS domain."""

import json
from pathlib import Path

import pytest

from tradetalks.bargaining import analyse
from tradetalks.bargaining._genius import read_genius_domain
from tradetalks.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out = capsys.readouterr()
    return int(info.value.code or 0), out.out, out.err


def test_bargain_json_trace(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "bargain",
        "ItexvsCypress",
        "--a",
        "boulware",
        "--b",
        "conceder:e=2",
        "--rounds",
        "30",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["parties"] == ["Cypress", "Itex"]
    assert data["status"] == "agreed"
    assert set(data["agreement"]) == {"Price", "Delivery", "Payment", "Returns"}
    assert data["trace"][-1]["action"] == "accept"
    assert data["trace"][-1]["outcome"] == data["agreement"]
    assert data["distances"]["frontier"] >= 0


def test_bargain_batch_summary_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "bargain",
        "ItexvsCypress",
        "--a",
        "micro",
        "--b",
        "micro",
        "--sessions",
        "50",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["sessions"] == 50
    assert sum(a["sessions"] for a in data["agreements"]) == round(
        50 * data["summary"]["agreement_rate"]
    )


def test_bargain_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "bargain", "ItexvsCypress", "--a", "linear", "--b", "linear", "--rounds", "10"
    )
    assert code == 0
    assert "Cypress" in out and "after" in out


def test_frontier_json_and_plot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    plot = tmp_path / "frontier.png"
    code, out, _ = _run(capsys, "frontier", "ItexvsCypress", "--json", "--plot", str(plot))
    assert code == 0
    data = json.loads(out)
    problem = read_genius_domain("ItexvsCypress").problem()
    analysis = analyse(problem.utilities, problem.reservation)
    assert len(data["frontier"]) == analysis.frontier.size
    assert analysis.nash is not None
    assert data["nash"]["outcome"] == problem.space.labels(analysis.nash.outcome)
    assert plot.stat().st_size > 1000


def test_unknown_strategy_is_one_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "bargain", "ItexvsCypress", "--a", "boulwar")
    assert code == 2
    assert "unknown strategy 'boulwar'; known strategies: boulware" in err
    assert "Traceback" not in err


def test_unknown_domain_is_one_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, "frontier", str(tmp_path / "missing"))
    assert code == 2
    assert "not a directory nor a bundled domain (bundled: ItexvsCypress)" in err


def test_bargain_with_discount_and_equilibrium_agrees_at_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys,
        "bargain",
        "ItexvsCypress",
        "--a",
        "equilibrium",
        "--b",
        "equilibrium",
        "--discount",
        "0.9",
        "--rounds",
        "20",
        "--json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "agreed" and data["rounds"] == 1
    assert data["discounted"] == data["utilities"]  # offered at turn 0: no discount yet
    code, _, err = _run(capsys, "bargain", "ItexvsCypress", "--discount", "1.5")
    assert code == 2 and "protocol.discount" in err
