"""Saved tables are real DuckDB tables: SQL sees exactly what get_run returns; delete; migration."""

from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_store_runs import inputs, mixed

from tradetalks import StoreError
from tradetalks.store import RunStore
from tradetalks.store._sqltables import view_name


def sql(path: Path, query: str, *params: object) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(query, list(params)).df()


def test_every_table_is_a_view_with_the_runs_rows(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = RunStore(path, hold_s=0)
    a = store.start_run(scenario_id="a", **inputs())
    b = store.start_run(scenario_id="b", **inputs(seed=1))
    for i in (1, 0):
        store.save_batch(a, i, {"sessions": mixed(5, 10 * i), "outcomes": mixed(3)})
    # another layout (one column fewer) for run b: the view unions both by name
    store.save_batch(b, 0, {"sessions": mixed(4).drop(columns=["note"])})
    got = sql(path, "SELECT * FROM sessions WHERE run_id = ? ORDER BY batch_index, row_index", a)
    want = store.get_run(a).tables["sessions"]
    assert list(got.columns[:3]) == ["run_id", "batch_index", "row_index"]
    assert got["batch_index"].tolist() == [0] * 5 + [1] * 5
    for column in ("session", "agreed", "outcome", "u_usa", "option", "note", "deal_round"):
        np.testing.assert_array_equal(
            got[column].astype(object).where(got[column].notna(), None).to_numpy(),
            want[column].astype(object).where(want[column].notna(), None).to_numpy(),
        )
    assert got["issue"].tolist() == want["issue"].astype(str).tolist()  # categories as text
    counts = sql(path, "SELECT run_id, count(*) AS n FROM sessions GROUP BY run_id ORDER BY 1")
    assert dict(zip(counts["run_id"], counts["n"], strict=True)) == {a: 10, b: 4}
    assert sql(path, "SELECT note FROM sessions WHERE run_id = ?", b)["note"].isna().all()
    assert sql(path, "SELECT count(*) AS n FROM outcomes")["n"].item() == 6
    # the numbers a query gives are the stored ones
    mean = sql(path, "SELECT avg(u_usa) AS m FROM sessions WHERE run_id = ?", a)["m"].item()
    assert mean == pytest.approx(want["u_usa"].mean())


def test_a_table_named_like_a_store_table_gets_its_own_view(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = RunStore(path, hold_s=0)
    run_id = store.start_run(scenario_id="s", **inputs())
    store.save_batch(run_id, 0, {"runs": pd.DataFrame({"x": [1, 2]})})
    assert view_name("runs") == "table_runs"
    assert sql(path, "SELECT sum(x) AS s FROM table_runs")["s"].item() == 3
    assert sql(path, "SELECT count(*) AS n FROM runs")["n"].item() == 1  # the store's own table
    pd.testing.assert_frame_equal(store.get_run(run_id).tables["runs"], pd.DataFrame({"x": [1, 2]}))


def test_columns_that_clash_in_duckdb_are_renamed_but_read_back_as_saved(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = RunStore(path, hold_s=0)
    run_id = store.start_run(scenario_id="s", **inputs())
    frame = pd.DataFrame(
        {
            "a": [1, 2],
            "A": [3.0, 4.0],
            "run_id": ["x", "y"],
            'q"uote': [True, False],
            "when": pd.to_datetime(["2020-01-01", "2020-01-02"]).tz_localize("Asia/Tokyo"),
            "wait": pd.to_timedelta([1, 2], unit="s"),
            "empty": pd.Series([None, None], dtype=object),
        }
    )
    store.save_batch(run_id, 0, {"odd": frame})
    pd.testing.assert_frame_equal(store.get_run(run_id).tables["odd"], frame, check_exact=True)
    columns = sql(path, "SELECT * FROM odd").columns.tolist()
    assert columns[:3] == ["run_id", "batch_index", "row_index"]
    assert columns[3:] == ["a", "A_1", "run_id_1", 'q"uote', "when", "wait", "empty"]


def test_delete_run_removes_its_rows_and_views_of_tables_left_empty(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = RunStore(path, hold_s=0)
    keep = store.start_run(scenario_id="keep", **inputs())
    gone = store.start_run(scenario_id="gone", **inputs(seed=3))
    store.save_batch(keep, 0, {"sessions": mixed(3)})
    store.save_batch(gone, 0, {"sessions": mixed(4), "trace": mixed(2)})
    store.finish_run(gone, {"n": 4})
    assert store.delete_run(gone[:-2]) == gone  # by prefix
    assert store.list_runs()["run_id"].tolist() == [keep]
    assert sql(path, "SELECT count(*) AS n FROM sessions")["n"].item() == 3
    views = sql(path, "SELECT view_name FROM duckdb_views() WHERE NOT internal")
    assert "trace" not in views["view_name"].tolist()
    with pytest.raises(StoreError, match="no run"):
        store.get_run(gone)
    pd.testing.assert_frame_equal(store.get_run(keep).tables["sessions"], mixed(3))


def _v1_store(path: Path, frames: dict[int, pd.DataFrame]) -> str:
    """A store as tradetalks wrote it before tables were real tables (schema version 1)."""
    store = RunStore(path, hold_s=0)
    run_id = store.start_run(scenario_id="old", **inputs())
    store.finish_run(run_id, {"headline": "old run"})
    store.close()
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE batch_tables")
        con.execute("DROP SCHEMA run_data CASCADE")
        con.execute(
            "CREATE TABLE batch_tables (run_id VARCHAR NOT NULL, batch_index INTEGER NOT NULL, "
            "table_name VARCHAR NOT NULL, n_rows BIGINT NOT NULL, schema_json VARCHAR NOT NULL, "
            "parquet BLOB NOT NULL, PRIMARY KEY (run_id, batch_index, table_name))"
        )
        con.execute("UPDATE tradetalks_meta SET value = '1' WHERE key = 'schema_version'")
        for index, frame in frames.items():
            table = pa.Table.from_pandas(frame, preserve_index=None)
            meta = dict(table.schema.metadata or {})
            meta[b"tradetalks.dtypes"] = json.dumps({c: str(t) for c, t in frame.dtypes.items()})
            meta[b"tradetalks.categories"] = json.dumps(
                {"issue": {"categories": frame["issue"].cat.categories.tolist(), "ordered": False}}
            )
            sink = io.BytesIO()
            pq.write_table(table.replace_schema_metadata(meta), sink)
            con.execute("INSERT INTO batches VALUES (?, ?, now()::TIMESTAMP, 'x')", [run_id, index])
            con.execute(
                "INSERT INTO batch_tables VALUES (?, ?, 'sessions', ?, '[]', ?)",
                [run_id, index, len(frame), sink.getvalue()],
            )
    return run_id


@pytest.mark.parametrize("first_open", ["read", "write"])
def test_a_version_1_store_is_migrated_on_first_open(tmp_path: Path, first_open: str) -> None:
    path = tmp_path / "old.duckdb"
    frames = {0: mixed(4), 1: mixed(3, 4)}
    run_id = _v1_store(path, frames)
    store = RunStore(path, hold_s=0)
    if first_open == "write":
        store.start_run(scenario_id="new", **inputs(seed=9))
    record = store.get_run(run_id)
    want = pd.concat(frames.values(), ignore_index=True)
    pd.testing.assert_frame_equal(record.tables["sessions"], want, check_exact=True)
    assert record.summary == {"headline": "old run"}
    assert sql(path, "SELECT count(*) AS n FROM sessions")["n"].item() == 7
    version = sql(path, "SELECT value FROM tradetalks_meta WHERE key = 'schema_version'")
    assert version["value"].item() == "2"
