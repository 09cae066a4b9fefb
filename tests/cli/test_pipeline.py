"""The main job as a library call: tradetalks.pipeline.run_job, the function the CLI calls."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest
from _cli import run

from tradetalks import InputError
from tradetalks.pipeline import JobSpec, run_job
from tradetalks.store import RunStore, _store

SCENARIO = "us-japan-2018-bilateral"


def test_a_job_from_python_is_the_run_the_command_saves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "runs.duckdb"
    lines: list[str] = []
    steps: list[tuple[str, int | None]] = []

    def progress(label: str, total: int | None) -> AbstractContextManager[Callable[[int], None]]:
        steps.append((label, total))
        return nullcontext(lambda n: None)

    spec = JobSpec("sweep", SCENARIO, n_sessions=120, batch_size=50, seed=3, session=False,
                   workers=1, report=True, report_path=tmp_path / "page.html")  # fmt: skip
    with RunStore(store_path) as store:
        done = run_job(spec, store, progress=progress, notify=lines.append)
    assert done.report is not None and done.report.path.read_text().startswith("<!DOCTYPE")
    assert [label for label, _ in steps][-1] == "simulating the talks" and steps[-1][1] == 120
    with RunStore(store_path) as store:
        saved = store.get_run(done.run_id)
    assert saved.info.status == "finished" and saved.batches == (0, 1, 2, 3)
    assert saved.summary == json.loads(json.dumps(done.summary))
    # the command with the same inputs gives the same forecast (same seed, same draws)
    args = ["sweep", SCENARIO, "-n", "120", "--batch-size", "50", "--seed", "3", "--workers", "1"]
    code, out, _ = run([*args, "--store", str(store_path), "--json"], capsys)
    assert code == 0

    def forecast(summary: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in summary["sweep"].items() if k != "sessions_per_second"}

    assert forecast(json.loads(out)) == forecast(done.summary)
    # the main job with its report loads no plotting library (the plots are SVG text)
    code_ = ("import sys; from tradetalks.cli import main\ntry:\n    main(sys.argv[1:])\n"
             "except SystemExit:\n    pass\nprint('matplotlib' in sys.modules)")  # fmt: skip
    done_ = subprocess.run([sys.executable, "-c", code_, "run", SCENARIO, "-n", "50",
                            "--store", str(store_path), "-o", str(tmp_path / "r.html")],
                           capture_output=True, text=True, check=True, timeout=300)  # fmt: skip
    assert done_.stdout.split()[-1] == "False" and (tmp_path / "r.html").is_file()
    # a warm job (prices cached, a short sweep) opens the store file once, start to end
    opens: list[bool] = []
    real = _store.open_store

    def counting(path: Path, *, write: bool, **kwargs: Any) -> Any:
        opens.append(write)
        return real(path, write=write, **kwargs)

    monkeypatch.setattr(_store, "open_store", counting)
    with RunStore(store_path) as store:
        again = run_job(spec, store)
    assert opens == [True] and again.summary["timing"]["cached_prices"] is True
    assert forecast(again.summary) == forecast(done.summary)
    # --resume of a finished job starts nothing
    with RunStore(store_path) as store, pytest.raises(InputError, match="already finished"):
        run_job(JobSpec(**{**spec.__dict__, "resume": True}), store)
    assert lines == []


def test_a_bad_report_destination_is_refused_before_the_work(tmp_path: Path) -> None:
    spec = JobSpec("analyze", SCENARIO, session=False, workers=1, report=True,
                   report_path=tmp_path / "missing" / "page.html")  # fmt: skip
    with RunStore(tmp_path / "runs.duckdb") as store:
        with pytest.raises(InputError, match="does not exist"):
            run_job(spec, store)
        assert store.list_runs().empty  # nothing priced, nothing saved


def test_balance_weight_reweighs_the_game_and_is_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--balance-weight 0 is the casebook's "balances not weighed" setting, in the main job."""
    from tradetalks.casebook import ModelSettings
    from tradetalks.game import (
        analysis_summary,
        scenario_parameters,
        solve_game,
        weigh_trade_balances,
    )

    store_path = tmp_path / "runs.duckdb"
    scenario = "us-japan-1995-autos"  # the US weighs its bilateral balance with Japan
    with RunStore(store_path) as store:
        plain = run_job(JobSpec("analyze", scenario, session=False, workers=1), store)
        zero = run_job(JobSpec("analyze", scenario, session=False, workers=1,
                               balance_weight=0.0), store)  # fmt: skip
        one = run_job(JobSpec("analyze", scenario, session=False, workers=1,
                              balance_weight=1.0), store)  # fmt: skip
        settings = {r: store.get_run(r, tables=[]).settings for r in (plain.run_id, zero.run_id)}
    casebook = ModelSettings(balance_weight=0.0).setup_for(plain.setup)
    expected = analysis_summary(casebook, solve_game(casebook, scenario_parameters(casebook)))
    assert zero.summary["analysis"] == expected != plain.summary["analysis"]
    assert one.summary["analysis"] == plain.summary["analysis"]
    assert "balance_weight" not in settings[plain.run_id]  # older runs' settings unchanged
    assert settings[zero.run_id]["balance_weight"] == 0.0
    code, _, err = run(["analyze", scenario, "--store", str(store_path), "--balance-weight",
                          "-1"], capsys)  # fmt: skip
    assert code == 2 and "--balance-weight" in err and "Traceback" not in err
    with pytest.raises(InputError, match="balance weight"):
        weigh_trade_balances(plain.setup, float("inf"))
