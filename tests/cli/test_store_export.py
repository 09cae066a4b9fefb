"""`tradetalks runs export | compare | delete`, the listing at 80 columns, SQL over a real run."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from _cli import run

from tradetalks.cli import _common
from tradetalks.store import RunStore

SCENARIO = "[scenario]\nid = 'us-japan-1995-autos'\ntitle = 'autos'\n"


def sessions(n: int, offset: int = 0) -> pd.DataFrame:
    i = np.arange(offset, offset + n)
    return pd.DataFrame(
        {
            "session": i.astype(np.int64),
            "agreed": i % 3 == 0,
            "issue:autos": pd.Categorical(np.where(i % 2 == 0, "goals", "none")),
            "u:USA": i / 7.0,
            "note": [f's{k}, "quoted"\nline' for k in i],
            "when": pd.Timestamp("1995-06-28") + pd.to_timedelta(i, unit="D"),
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, str, str]:
    """Two finished runs of one scenario that differ in seed, one setting and results."""
    path = tmp_path / "runs.duckdb"
    with RunStore(path) as s:
        ids = []
        for seed, rate in ((1, 0.5), (2, 0.75)):
            run_id = s.start_run(
                kind="sweep",
                scenario_id="us-japan-1995-autos-with-a-long-scenario-id",
                scenario_text=SCENARIO + ("" if seed == 1 else "# threat made credible\n"),
                data_version="wiod-2016r1",
                seed=seed,
                settings={"sessions": 10 * seed, "strategies": {"USA": "boulware"}},
            )
            for b in range(2):
                s.save_batch(run_id, b, {"sessions": sessions(5 * seed, 10 * b)})
            s.finish_run(run_id, {"sweep": {"agreement_rate": rate, "sessions": 10 * seed}})
            ids.append(run_id)
    return path, ids[0], ids[1]


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx"])
def test_export_one_table_round_trips(
    store: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    path, a, _ = store
    out = tmp_path / f"s.{fmt}"
    args = ["runs", "export", a[:-1], "--table", "sessions", "--format", fmt, "-o", str(out)]
    code, stdout, err = run([*args, "--store", str(path)], capsys)
    assert code == 0, err
    assert str(out) in stdout
    want = RunStore(path).get_run(a).tables["sessions"]
    if fmt == "parquet":  # exact, dtypes included
        pd.testing.assert_frame_equal(pd.read_parquet(out), want, check_exact=True)
        return
    back = pd.read_csv(out) if fmt == "csv" else pd.read_excel(out, sheet_name="sessions")
    assert list(back.columns) == list(want.columns)
    assert back["session"].tolist() == want["session"].tolist()
    assert back["agreed"].tolist() == want["agreed"].tolist()
    assert back["issue:autos"].tolist() == want["issue:autos"].astype(str).tolist()
    np.testing.assert_allclose(back["u:USA"], want["u:USA"], rtol=1e-15)
    assert back["note"].tolist() == want["note"].tolist()  # commas, quotes, newlines survive
    assert pd.to_datetime(back["when"]).tolist() == want["when"].tolist()


def test_export_all_tables_to_a_workbook_and_a_folder(
    store: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, a, _ = store
    book = tmp_path / "run.xlsx"
    code, _, err = run(["runs", "export", a, "-f", "xlsx", "-o", str(book), "--store", str(path)],
                       capsys)  # fmt: skip
    assert code == 0, err
    sheets = pd.read_excel(book, sheet_name=None)
    assert set(sheets) == {"run", "sessions"}
    fields = dict(zip(sheets["run"]["field"], sheets["run"]["value"], strict=True))
    assert fields["run_id"] == a and json.loads(fields["summary"])["sweep"]["agreement_rate"] == 0.5
    folder = tmp_path / "csvs"
    code, _, err = run(["runs", "export", a, "-o", str(folder), "--store", str(path)], capsys)
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["run.json", "sessions.csv"]
    assert len(pd.read_csv(folder / "sessions.csv")) == 10


def test_export_errors_are_one_line(
    store: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, a, _ = store
    for args, message in (
        (["--table", "nope"], "has no table 'nope'"),
        (["--format", "dbf"], "unknown export format 'dbf'"),
        (["-t", "sessions", "-o", str(tmp_path / "missing" / "x.csv")], "does not exist"),
    ):
        code, _, err = run(["runs", "export", a, *args, "--store", str(path)], capsys)
        assert code in (1, 2) and message in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


def test_compare_shows_what_changed(
    store: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, a, b = store
    code, out, err = run(["runs", "compare", a, b, "--store", str(path), "--json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    changed = {r["field"]: r for section in ("inputs", "results", "tables")
               for r in data[section] if r["changed"]}  # fmt: skip
    assert set(changed) == {"seed", "scenario_sha256", "settings.sessions",
                            "sweep.agreement_rate", "sweep.sessions", "sessions"}  # fmt: skip
    assert changed["sweep.agreement_rate"]["delta"] == pytest.approx(0.25)
    assert changed["sessions"] == {"field": "sessions", "a": 10, "b": 20, "changed": True,
                                   "delta": 10.0}  # fmt: skip
    assert "+# threat made credible" in data["scenario_diff"]
    code, out, _ = run(["runs", "compare", a, b, "--store", str(path)], capsys)
    assert code == 0 and "sweep.agreement_rate" in out and "+0.25" in out
    assert "+# threat made credible" in out


def test_delete_asks_then_deletes(
    store: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, a, b = store
    code, _, _ = run(["runs", "delete", a, "--store", str(path)], capsys)  # no stdin: refused
    assert code != 0
    assert len(RunStore(path).list_runs()) == 2
    code, out, err = run(["runs", "delete", a, "--yes", "--store", str(path)], capsys)
    assert code == 0 and f"deleted run {a}" in out, err
    assert RunStore(path).list_runs()["run_id"].tolist() == [b]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT DISTINCT run_id FROM sessions").fetchall() == [(b,)]
    code, _, err = run(["runs", "delete", a, "--yes", "--store", str(path)], capsys)
    assert code == 1 and "no run" in err


def test_the_listing_keeps_each_scenario_id_on_one_line_at_80_columns(
    store: tuple[Path, str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, a, b = store
    monkeypatch.setattr(_common.console, "width", 80)
    code, out, _ = run(["runs", "--store", str(path)], capsys)
    assert code == 0
    assert all(len(line) <= 80 for line in out.splitlines())
    for run_id in (a, b):
        (line,) = [ln for ln in out.splitlines() if run_id in ln]
        assert "us-japan-1995-au" in line  # the id starts on the run's line, not folded away
    # no line holds only a piece of a folded scenario id
    assert not [ln for ln in out.splitlines() if "scenario-id" in ln or "-long-" in ln]


@pytest.mark.slow
def test_sql_over_a_saved_run_gives_the_numbers_of_runs_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "runs.duckdb"
    args = ["run", "us-japan-1995-autos", "-n", "300", "--batch-size", "100", "--store",
            str(path), "--no-report", "--workers", "1", "--json"]  # fmt: skip
    code, out, err = run(args, capsys)
    assert code == 0, err
    run_id = json.loads(out)["run_id"]
    code, out, _ = run(["runs", "show", run_id, "--json", "--store", str(path)], capsys)
    shown = json.loads(out)
    sweep = shown["summary"]["sweep"]
    with duckdb.connect(str(path), read_only=True) as con:

        def one(query: str) -> object:
            row = con.execute(query, [run_id]).fetchone()
            assert row is not None
            return row[0]

        for table, rows in shown["table_rows"].items():
            assert one(f"SELECT count(*) FROM {table} WHERE run_id = ?") == rows
        assert one("SELECT count(*) FROM sessions WHERE run_id = ?") == sweep["sessions"] == 300
        assert one("SELECT avg(agreed::INT) FROM sessions WHERE run_id = ?") == pytest.approx(
            sweep["agreement_rate"], abs=1e-12
        )
        assert one("SELECT avg(rounds) FROM sessions WHERE run_id = ?") == pytest.approx(
            sweep["mean_rounds"], abs=1e-12
        )
        for party, mean in sweep["mean_utility"].items():
            got = one(f'SELECT avg("u:{party}") FROM sessions WHERE run_id = ?')
            assert got == pytest.approx(mean, rel=1e-12)
        for issue, shares in sweep["options"].items():
            for option, share in shares.items():
                if option == "(no deal)":
                    continue
                got = con.execute(
                    f'SELECT avg(("issue:{issue}" = ?)::INT) FROM sessions WHERE run_id = ?',
                    [option, run_id],
                ).fetchone()
                assert got is not None and got[0] == pytest.approx(share, abs=1e-12)
        analysis = shown["summary"]["analysis"]
        assert (
            one("SELECT count(*) FROM outcomes WHERE run_id = ? AND zopa") == analysis["zopa_size"]
        )
