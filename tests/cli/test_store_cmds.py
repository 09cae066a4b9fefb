"""`tradetalks runs` and `tradetalks runs show`: listing, one run, JSON, and bad stores."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from _cli import run

from tradetalks.cli import _common
from tradetalks.store import RunStore

SCENARIO = "[scenario]\nid = 'us-japan-1995-autos'\n"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A store with a finished sweep, an interrupted one, and one whose writer died (read only)."""
    path = tmp_path_factory.mktemp("store") / "runs.duckdb"
    store = RunStore(path)
    ids = []
    for kind, scenario_id in (("sweep", "us-japan-1995-autos"), ("negotiate", "tpp-2015")):
        run_id = store.start_run(
            kind=kind,
            scenario_id=scenario_id,
            scenario_text=SCENARIO,
            data_version="wiod-2016r1",
            seed=42,
            settings={"n_sessions": 1000, "strategies": {"USA": "boulware"}},
        )
        for b in range(2):
            store.save_batch(
                run_id,
                b,
                {
                    "sessions": pd.DataFrame({"agreed": [True, False, True], "rounds": [3, 9, 4]}),
                    "traces": pd.DataFrame({"offer": range(10)}),
                },
            )
        ids.append(run_id)
    store.finish_run(
        ids[0], {"headline": "P(agreement) = 0.67", "p_agree": 0.67, "gap": float("nan")}
    )
    store.mark_interrupted(ids[1])
    dead = store.start_run(
        kind="run", scenario_id="x", scenario_text="", data_version="d", seed=None, settings={}
    )
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE runs SET pid = ? WHERE run_id = ?", [int(gone.stdout), dead])
    ids.append(dead)
    return path, ids


def test_runs_lists_every_run(
    saved: tuple[Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, ids = saved
    monkeypatch.setattr(_common.console, "width", 160)  # a wide terminal: no wrapped cells
    code, out, err = run(["runs", "--store", str(path)], capsys)
    assert code == 0, err
    for run_id in ids:
        assert run_id in out
    for word in ("finished", "interrupted", "crashed", "us-japan-1995-autos", "P(agreement)"):
        assert word in out
    assert "6" in out  # sessions of a run: 2 batches × 3
    assert "created (UTC)" in out


def test_runs_json_and_limit(
    saved: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, ids = saved
    code, out, _ = run(["runs", "--store", str(path), "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["run_id"] for r in rows] == ids
    assert [r["status"] for r in rows] == ["finished", "interrupted", "crashed"]
    assert [r["writer_alive"] for r in rows] == [None, None, False]  # only for running runs
    assert rows[0]["n_sessions"] == 6 and rows[0]["n_batches"] == 2
    assert rows[0]["headline"] == "P(agreement) = 0.67"
    code, out, _ = run(["runs", "--store", str(path), "--json", "--limit", "1"], capsys)
    assert [r["run_id"] for r in json.loads(out)] == ids[-1:]
    code, out, _ = run(["runs", "--store", str(path), "--limit", "1"], capsys)
    assert ids[0] not in out and "2 older runs not shown" in out


def test_runs_reads_the_store_named_by_the_environment(
    saved: tuple[Path, list[str]],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, _ = saved
    monkeypatch.setenv("TRADETALKS_STORE", str(path))
    code, out, _ = run(["runs", "--json"], capsys)
    assert code == 0 and len(json.loads(out)) == 3


def test_runs_on_a_missing_store_says_so_and_creates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "none.duckdb"
    code, out, _ = run(["runs", "--store", str(path)], capsys)
    assert code == 0 and "no runs saved" in out
    assert not path.exists()
    code, out, _ = run(["runs", "--store", str(path), "--json"], capsys)
    assert json.loads(out) == []


def test_runs_show_by_prefix(
    saved: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, ids = saved
    prefix = ids[0]
    code, out, err = run(["runs", "show", prefix, "--store", str(path)], capsys)
    assert code == 0, err
    for text in (
        ids[0],
        "finished",
        "wiod-2016r1",
        '"n_sessions": 1000',
        '"p_agree": 0.67',
        "traces",
    ):
        assert text in out
    assert "20" in out  # traces rows: 2 batches × 10
    code, out, _ = run(["runs", "show", prefix, "--store", str(path), "--scenario"], capsys)
    assert "id = 'us-japan-1995-autos'" in out


def test_runs_show_json(saved: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]) -> None:
    path, ids = saved
    code, out, _ = run(["runs", "show", ids[0], "--store", str(path), "--json"], capsys)
    assert json.loads(out, parse_constant=pytest.fail)["summary"]["gap"] is None  # NaN: null
    code, out, _ = run(["runs", "show", ids[1], "--store", str(path), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["run_id"] == ids[1] and data["status"] == "interrupted"
    assert data["settings"] == {"n_sessions": 1000, "strategies": {"USA": "boulware"}}
    assert data["summary"] is None
    assert data["batches"] == [0, 1]
    assert data["table_rows"] == {"sessions": 6, "traces": 20}
    assert data["scenario_text"] == SCENARIO


def test_runs_show_unknown_id_is_one_error_line(
    saved: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    path, ids = saved
    typo = ids[0][:-2] + "zz"
    code, out, err = run(["runs", "show", typo, "--store", str(path)], capsys)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: no run '{typo}' in {path}")
    assert ids[0] in lines[0]  # the close id is offered
    code, _, err = run(["runs", "show", "r", "--store", str(path)], capsys)
    assert code == 1 and "ambiguous" in err


@pytest.mark.parametrize("args", [["runs"], ["runs", "show", "r1"], ["runs", "--json"]])
def test_a_corrupt_store_is_one_error_line_and_stays_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    path = tmp_path / "runs.duckdb"
    path.write_bytes(b"this is not a DuckDB file\n" * 100)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    code, out, err = run([*args, "--store", str(path)], capsys)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and str(path) in lines[0]
    assert "not a tradetalks run store" in lines[0]
    assert "Traceback" not in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
