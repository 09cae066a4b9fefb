"""Runs and batches: metadata and tables round-trip, order, prefixes, resume rules, errors."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import tradetalks.store as store_pkg
from tradetalks import StoreError, __version__
from tradetalks.store import LIST_COLUMNS, RunStore, default_store_path
from tradetalks.store._records import new_run_id, sha256_text

SCENARIO = "[scenario]\nid = 'us-japan-1995-autos'\n# 1995: Section 301 on luxury cars\n"
SETTINGS: dict[str, Any] = {"n_sessions": 1000, "batch_size": 500, "strategies": ["boulware"]}


def inputs(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "sweep",
        "scenario_text": SCENARIO,
        "data_version": "wiod-2016r1",
        "seed": 42,
        "settings": SETTINGS,
    }
    return base | changes


def mixed(n: int, offset: int = 0) -> pd.DataFrame:
    """A sessions table with every dtype family a sweep produces."""
    i = np.arange(offset, offset + n)
    return pd.DataFrame(
        {
            "session": i.astype(np.int64),
            "agreed": i % 3 == 0,
            "outcome": (i % 7).astype(np.int32),
            "rounds": (i % 50).astype(np.int16),
            "code": (i % 200).astype(np.uint8),
            "u_usa": np.where(i % 5 == 0, np.nan, i / 7.0),
            "u_jpn": (i / 3.0).astype(np.float32),
            "option": [f"cars-{k % 4}·日本" for k in i],
            "note": pd.Series([None if k % 4 == 0 else f"n{k}" for k in i], dtype=object),
            "threat": pd.array([None if k % 6 == 0 else k % 2 == 0 for k in i], "boolean"),
            "deal_round": pd.array([None if k % 3 else int(k) for k in i], dtype="Int64"),
            "issue": pd.Categorical([["autos", "parts", "glass"][k % 3] for k in i]),
            "when": pd.Timestamp("1995-06-28") + pd.to_timedelta(i, unit="D"),
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> RunStore:
    return RunStore(tmp_path / "runs.duckdb")


def test_metadata_round_trips(store: RunStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=1)
    run_id = store.start_run(scenario_id="us-japan-1995-autos", **inputs())
    store.finish_run(run_id, {"headline": "P(agree)=0.62", "p_agree": 0.62, "nan": float("nan")})
    record = store.get_run(run_id)
    info = record.info
    assert info.run_id == run_id
    assert before <= info.created_utc <= datetime.now(UTC)
    assert info.finished_utc is not None and info.finished_utc >= info.created_utc
    assert (info.kind, info.scenario_id, info.data_version, info.seed) == (
        "sweep",
        "us-japan-1995-autos",
        "wiod-2016r1",
        42,
    )
    assert info.tradetalks_version == __version__
    assert record.scenario_text == SCENARIO
    assert info.scenario_sha256 == sha256_text(SCENARIO)
    assert dict(record.settings) == SETTINGS
    assert record.summary is not None
    assert record.summary["p_agree"] == 0.62 and np.isnan(record.summary["nan"])
    assert info.status == "finished"
    assert (info.n_batches, info.n_sessions, record.batches, dict(record.tables)) == (0, 0, (), {})


def test_tables_round_trip_with_dtypes_and_concatenate_in_batch_order(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    batches = {i: {"sessions": mixed(7 + i, 100 * i), "params": mixed(3, 50 * i)} for i in range(4)}
    for i in (2, 0, 3, 1):  # parallel workers finish out of order
        assert store.save_batch(run_id, i, batches[i]) is True
    record = store.get_run(run_id)
    assert record.batches == (0, 1, 2, 3)
    for name in ("sessions", "params"):
        want = pd.concat([batches[i][name] for i in range(4)], ignore_index=True)
        pd.testing.assert_frame_equal(record.tables[name], want, check_exact=True)
    assert record.tables["sessions"]["note"].dtype == object
    assert record.table_rows == {"params": 12, "sessions": 7 + 8 + 9 + 10}
    assert record.info.n_sessions == 34
    only = store.get_run(run_id, tables=["params"])
    assert list(only.tables) == ["params"]
    pd.testing.assert_frame_equal(store.read_batch(run_id, 2)["sessions"], batches[2]["sessions"])


def test_a_non_default_index_is_kept(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    a = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index(["USA", "JPN"], name="party"))
    b = pd.DataFrame({"x": [3.0]}, index=pd.Index(["EU"], name="party"))
    store.save_batch(run_id, 0, {"t": a})
    store.save_batch(run_id, 1, {"t": b})
    pd.testing.assert_frame_equal(store.get_run(run_id).tables["t"], pd.concat([a, b]))


def test_resaving_a_batch_is_a_no_op_if_identical_and_an_error_if_not(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    assert store.save_batch(run_id, 0, {"sessions": mixed(5)})
    assert store.save_batch(run_id, 0, {"sessions": mixed(5)}) is False
    with pytest.raises(StoreError, match="batch 0 is already saved with different tables"):
        store.save_batch(run_id, 0, {"sessions": mixed(6)})
    assert store.get_run(run_id).table_rows == {"sessions": 5}


def test_a_table_must_keep_its_columns_across_batches(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    store.save_batch(run_id, 0, {"sessions": mixed(4)})
    changed = mixed(4).assign(outcome=lambda d: d["outcome"].astype(float))
    with pytest.raises(StoreError, match=r"table 'sessions' of batch 1 has columns/dtypes"):
        store.save_batch(run_id, 1, {"sessions": changed})
    assert store.finished_batches(run_id) == {0}  # the failed batch left nothing behind


def test_a_failing_batch_writes_nothing(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    bad = pd.DataFrame({"mixed": pd.Series([1, "a", 2.5], dtype=object)})
    with pytest.raises(StoreError, match="table 'bad' cannot be stored"):
        store.save_batch(run_id, 0, {"good": mixed(3), "bad": bad})
    assert store.finished_batches(run_id) == set()


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({"sessions": [1, 2]}, "expected a pandas DataFrame"),
        ({"has space": pd.DataFrame({"a": [1]})}, "table name 'has space' is not allowed"),
        ({"t": pd.DataFrame({0: [1]})}, "column names must be strings"),
        ({"t": pd.DataFrame([[1, 2]], columns=["a", "a"])}, "duplicated column names"),
    ],
)
def test_bad_tables_are_refused(store: RunStore, tables: Any, message: str) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    with pytest.raises(StoreError, match=message):
        store.save_batch(run_id, 0, tables)


@pytest.mark.parametrize("index", [-1, 1.5, True, "3", 2**31])
def test_bad_batch_indices_are_refused(store: RunStore, index: Any) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    with pytest.raises(StoreError, match="batch index must be a non-negative integer"):
        store.save_batch(run_id, index, {"t": pd.DataFrame({"a": [1]})})


def test_numpy_integer_batch_index_is_fine(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    store.save_batch(run_id, np.int64(3), {"t": pd.DataFrame({"a": [1]})})
    assert store.finished_batches(run_id) == {3}


def test_finished_runs_take_no_batches_and_finish_once(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    store.finish_run(run_id, {"ok": True})
    with pytest.raises(StoreError, match="is finished: no batch can be added"):
        store.save_batch(run_id, 0, {"t": pd.DataFrame({"a": [1]})})
    with pytest.raises(StoreError, match="already finished"):
        store.finish_run(run_id, {"ok": True})
    store.mark_interrupted(run_id)  # no-op once finished
    assert store.get_run(run_id).info.status == "finished"


def test_find_resumable_matches_exact_inputs_only(store: RunStore) -> None:
    assert store.find_resumable(**inputs()) is None  # no store file yet
    assert not store.path.exists()
    first = store.start_run(scenario_id="s", **inputs())
    store.save_batch(first, 0, {"t": pd.DataFrame({"a": [1]})})
    store.mark_interrupted(first)
    assert store.find_resumable(**inputs()) == first
    # Key order in settings does not matter; every value does.
    assert store.find_resumable(**inputs(settings=dict(reversed(SETTINGS.items())))) == first
    for changed in (
        {"seed": 43},
        {"seed": None},
        {"data_version": "wiod-2013"},
        {"kind": "run"},
        {"scenario_text": SCENARIO + " "},
        {"settings": SETTINGS | {"n_sessions": 1001}},
    ):
        assert store.find_resumable(**inputs(**changed)) is None, changed
    # Saving a batch makes an interrupted run running again (it is being resumed).
    store.save_batch(first, 1, {"t": pd.DataFrame({"a": [2]})})
    assert store.get_run(first, tables=[]).info.status == "running"
    store.finish_run(first, {})
    assert store.find_resumable(**inputs()) is None


def test_a_run_being_written_by_another_live_process_is_not_offered(store: RunStore) -> None:
    import subprocess
    import sys

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        run_id = store.start_run(scenario_id="s", **inputs())
        import duckdb

        with duckdb.connect(str(store.path)) as con:  # pretend the sleeper is the writer
            con.execute("UPDATE runs SET pid = ? WHERE run_id = ?", [sleeper.pid, run_id])
        assert store.find_resumable(**inputs()) is None
        assert bool(store.list_runs()["writer_alive"].iloc[0]) is True
    finally:
        sleeper.kill()
        sleeper.wait()
    assert store.find_resumable(**inputs()) == run_id
    assert bool(store.list_runs()["writer_alive"].iloc[0]) is False


def test_run_ids_are_sortable_and_prefixes_resolve(store: RunStore) -> None:
    t0 = datetime(2026, 11, 23, 13, 5, 1, tzinfo=UTC)
    assert new_run_id(t0).startswith("r20261123-130501-")
    assert new_run_id(t0) < new_run_id(t0 + timedelta(seconds=1))
    ids = [store.start_run(scenario_id=f"s{i}", **inputs()) for i in range(3)]
    assert len(set(ids)) == 3
    assert store.get_run(ids[1]).info.run_id == ids[1]
    suffix_unique = ids[2][: len(ids[2]) - 1]
    if all(not other.startswith(suffix_unique) for other in ids[:2]):
        assert store.resolve_run_id(suffix_unique) == ids[2]
    with pytest.raises(StoreError, match="is ambiguous"):
        store.get_run("r2")


def test_unknown_run_ids_name_close_ids_and_the_store(store: RunStore) -> None:
    run_id = store.start_run(scenario_id="s", **inputs())
    typo = run_id[:-1] + ("0" if run_id[-1] != "0" else "1")
    with pytest.raises(StoreError) as caught:
        store.get_run(typo)
    message = str(caught.value)
    assert f"no run '{typo}'" in message and str(store.path) in message
    assert f"close ids: {run_id}" in message
    for call in (
        lambda: store.finished_batches("zzz"),
        lambda: store.finish_run("zzz", {}),
        lambda: store.save_batch("zzz", 0, {}),
        lambda: store.read_batch(run_id, 9),
        lambda: store.get_run(run_id, tables=["traces"]),
    ):
        with pytest.raises(StoreError):
            call()


def test_settings_must_be_json(store: RunStore) -> None:
    with pytest.raises(StoreError, match="settings cannot be saved as JSON"):
        store.start_run(scenario_id="s", **inputs(settings={"f": object()}))
    with pytest.raises(StoreError, match="must be a mapping"):
        store.start_run(scenario_id="s", **inputs(settings=[1, 2]))
    # numpy scalars and arrays become plain JSON
    run_id = store.start_run(
        scenario_id="s", **inputs(settings={"sigma": np.float64(4.5), "w": np.arange(3)})
    )
    assert dict(store.get_run(run_id).settings) == {"sigma": 4.5, "w": [0, 1, 2]}
    assert not store.list_runs().empty


def test_list_runs_columns_and_headline(store: RunStore) -> None:
    empty = store.list_runs()
    assert list(empty.columns) == list(LIST_COLUMNS) and empty.empty
    assert not store.path.exists(), "listing must not create a store"
    a = store.start_run(scenario_id="us-japan-1995-autos", **inputs())
    store.save_batch(a, 0, {"sessions": mixed(10), "params": mixed(2)})
    summary = {"scenario": "s", "p_agree": 0.625, "note": "x" * 25, "n": 10, "table": [1, 2]}
    store.finish_run(a, summary)
    b = store.start_run(scenario_id="other", **inputs(kind="negotiate"))
    runs = store.list_runs()
    assert list(runs["run_id"]) == [a, b]
    assert list(runs.columns) == list(LIST_COLUMNS)
    assert runs.loc[0, "headline"] == "p_agree=0.625, n=10"
    assert (runs.loc[0, "n_batches"], runs.loc[0, "n_sessions"]) == (1, 10)
    assert list(runs["status"]) == ["finished", "running"]
    assert json.loads(runs.to_json(orient="records", date_format="iso"))[1]["kind"] == "negotiate"


def test_cache_round_trips_bytes_and_arrays(store: RunStore) -> None:
    assert store.get_cached("abc") is None
    store.put_cached("abc", b"\x00priced\xff")
    assert store.get_cached("abc") == b"\x00priced\xff"
    store.put_cached("abc", b"replaced")
    assert store.get_cached("abc") == b"replaced"
    arrays = {"welfare": np.linspace(-1, 1, 12).reshape(3, 4), "labels": np.array(["USA", "JPN"])}
    store.put_cached_arrays("k2", arrays)
    got = store.get_cached_arrays("k2")
    assert got is not None and set(got) == set(arrays)
    for name, value in arrays.items():
        np.testing.assert_array_equal(got[name], value)
        assert got[name].dtype == value.dtype
    with pytest.raises(StoreError, match="hold Python objects"):
        store.put_cached_arrays("k3", {"o": np.array([object()])})
    with pytest.raises(StoreError, match="is not a set of arrays"):
        store.get_cached_arrays("abc")
    with pytest.raises(StoreError, match="cache key"):
        store.get_cached("")


def test_default_path_env_then_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(store_pkg.ENV_VAR, str(tmp_path / "env.duckdb"))
    assert default_store_path() == tmp_path / "env.duckdb"
    assert RunStore().path == tmp_path / "env.duckdb"
    monkeypatch.delenv(store_pkg.ENV_VAR)
    monkeypatch.setattr("platformdirs.user_data_dir", lambda app: str(tmp_path / "data" / app))
    assert default_store_path() == tmp_path / "data" / "tradetalks" / "runs.duckdb"
    assert RunStore(tmp_path / "x.duckdb").path == tmp_path / "x.duckdb"


def test_a_closed_store_refuses_work(tmp_path: Path) -> None:
    with RunStore(tmp_path / "runs.duckdb") as store:
        store.start_run(scenario_id="s", **inputs())
    with pytest.raises(StoreError, match="was closed"):
        store.start_run(scenario_id="s", **inputs())


def test_public_namespace_is_pinned() -> None:
    assert set(store_pkg.__all__) == {
        "ENV_VAR",
        "EXPORT_FORMATS",
        "LIST_COLUMNS",
        "Difference",
        "ExportFormat",
        "RunComparison",
        "compare_runs",
        "comparison_json",
        "record_json",
        "export_run",
        "RunInfo",
        "RunRecord",
        "RunStatus",
        "RunStore",
        "default_store_path",
    }


@pytest.mark.parametrize("hold_s", [0.0, 0.05, math.inf])
def test_holding_the_connection_gives_the_same_results(tmp_path: Path, hold_s: float) -> None:
    path = tmp_path / "held.duckdb"
    with RunStore(path, hold_s=hold_s) as held:
        run_id = held.start_run(scenario_id="s", **inputs())
        for i in range(3):
            held.save_batch(run_id, i, {"sessions": mixed(4, 10 * i)})
        with pytest.raises(StoreError, match="already saved with different tables"):
            held.save_batch(run_id, 1, {"sessions": mixed(5)})
        held.save_batch(run_id, 3, {"sessions": mixed(4, 30)})  # usable after an error
        # another store in this process shares the open database (other processes wait)
        assert RunStore(path, lock_timeout_s=0.2).finished_batches(run_id) == {0, 1, 2, 3}
        held.finish_run(run_id, {"n": 16})
    record = RunStore(path).get_run(run_id)
    want = pd.concat([mixed(4, 10 * i) for i in range(4)], ignore_index=True)
    pd.testing.assert_frame_equal(record.tables["sessions"], want, check_exact=True)
    assert record.info.status == "finished"


def test_hold_s_must_be_a_duration(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="hold_s must be >= 0"):
        RunStore(tmp_path / "x.duckdb", hold_s=-1)
