"""The main job from the command line: run, analyze, negotiate, sweep, and resuming a sweep."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _cli import run

from tradetalks import StoreError
from tradetalks.game import population_of, prepare_game, sweep_batch
from tradetalks.scenario import load_scenario
from tradetalks.store import RunStore


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "runs.duckdb"


def test_run_saves_analysis_session_and_sweep(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["run", "us-japan-1995-autos", "-n", "300", "--batch-size", "100", "--store",
            str(store), "--no-report", "--workers", "1", "--json"]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    summary = json.loads(out)
    assert summary["analysis"]["zopa_size"] >= 1
    assert summary["sweep"]["sessions"] == 300
    assert 0.0 <= summary["sweep"]["agreement_rate"] <= 1.0
    with RunStore(store) as s:
        record = s.get_run(summary["run_id"])
    assert record.info.status == "finished"
    assert set(record.tables) >= {"outcomes", "trace", "impacts", "welfare", "sessions", "params"}
    assert len(record.tables["outcomes"]) == 54
    assert sorted(record.tables["sessions"]["session"]) == list(range(300))
    # A second run reads its prices from the cache.
    code, out, _ = run(args, capsys)
    assert json.loads(out)["timing"]["cached_prices"] is True


def test_analyze_and_negotiate(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["analyze", "us-japan-2018-bilateral", "--store", str(store)], capsys)
    assert code == 0
    assert "Zone of agreement" in out
    args = ["negotiate", "us-japan-2018-bilateral", "--strategy", "USA=conceder",
            "--strategy", "JPN=linear", "--store", str(store)]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    assert "Trace" in out
    assert "USA conceder" in out


def test_bad_strategies_are_clear_errors(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["negotiate", "us-japan-2018-bilateral", "--strategy", "KOR=boulware",
                        "--store", str(store)], capsys)  # fmt: skip
    assert code == 2
    assert "PARTY=STRATEGY" in err
    code, _, err = run(["negotiate", "us-japan-2018-bilateral", "--strategy", "USA=bluff",
                        "--store", str(store)], capsys)  # fmt: skip
    assert code == 2
    assert "unknown strategy 'bluff'" in err


def _hears_ctrl_c() -> None:
    """Run in the child before exec: SIGINT at its default, as from a terminal.

    A shell that starts the suite as a background job ignores SIGINT in it, and an ignored
    signal survives exec: the child would not hear the Ctrl-C this test sends.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_sweep(store: Path, n: int) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "tradetalks", "sweep", "us-japan-2018-bilateral", "-n", str(n),
           "--batch-size", "50", "--workers", "1", "--store", str(store)]  # fmt: skip
    env = {**os.environ, "TRADETALKS_STORE": str(store)}
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=_hears_ctrl_c)  # fmt: skip


def _wait_for_batches(store: Path, proc: subprocess.Popen[str], at_least: int) -> None:
    """Poll until batches are saved: a sweep holding the store stages each batch as files
    beside it (and readers may wait until it lets go), otherwise the store shows them."""
    staged = store.with_name(store.name + ".staged")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        batches = {p.name.split("-")[0] for p in staged.glob("*/*.arrow")}
        if len(batches) >= at_least + 1:  # the newest may be half-written
            return
        try:
            with RunStore(store, lock_timeout_s=0.05) as s:
                runs = s.list_runs()
                sweeps = runs[runs["kind"] == "sweep"]
                if (
                    len(sweeps)
                    and len(s.finished_batches(str(sweeps["run_id"].iloc[0]))) >= at_least
                ):
                    return
        except StoreError:  # the sweep holds the file right now
            pass
        time.sleep(0.05)
    raise AssertionError("the sweep saved no batches in time")


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_killed_sweep_loses_nothing_and_resumes_without_duplicates(
    store: Path, capsys: pytest.CaptureFixture[str], sig: signal.Signals
) -> None:
    n = 6_000
    # Warm the price cache so the sweep starts at once.
    assert run(["analyze", "us-japan-2018-bilateral", "--store", str(store)], capsys)[0] == 0
    proc = _start_sweep(store, n)
    _wait_for_batches(store, proc, at_least=4)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode != 0
    with RunStore(store) as s:
        runs = s.list_runs()
        sweeps = runs[runs["kind"] == "sweep"]
        assert len(sweeps) == 1
        run_id = str(sweeps["run_id"].iloc[0])
        done = s.finished_batches(run_id)
        partial = s.get_run(run_id, tables=["sessions"]).tables.get("sessions")
    assert 0 in done
    assert len(done) < n // 50 + 1, "the sweep finished before it was killed: raise n"
    if partial is not None:  # every saved batch is whole
        assert len(partial) == 50 * (len(done) - 1)
        assert partial["session"].is_unique
    args = ["sweep", "us-japan-2018-bilateral", "-n", str(n), "--batch-size", "50",
            "--workers", "1", "--store", str(store), "--resume", "--json"]  # fmt: skip
    code, out, _ = run(args, capsys)
    assert code == 0
    assert json.loads(out)["run_id"] == run_id
    with RunStore(store) as s:
        sessions = s.get_run(run_id, tables=["sessions"]).tables["sessions"]
    assert sorted(sessions["session"]) == list(range(n))
    # Resumed batches are the batches an uninterrupted sweep computes.
    setup = prepare_game(load_scenario("us-japan-2018-bilateral"), workers=1)
    population = population_of(setup.scenario.population)  # the sweep's default without --strategy
    last = sweep_batch(setup, n // 50, n - 50, 50, 0, None, population)["sessions"]
    last = last.reset_index(drop=True)
    saved = sessions[sessions["session"] >= n - 50].reset_index(drop=True)
    assert saved.equals(last)
