"""Bad store files and a busy store: one StoreError naming the file, the file left untouched."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tradetalks import StoreError
from tradetalks.store import RunStore
from tradetalks.store._connect import SCHEMA_VERSION


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(store: RunStore) -> str:
    return store.start_run(
        kind="run", scenario_id="s", scenario_text="x", data_version="d", seed=1, settings={}
    )


@pytest.mark.parametrize(
    "content",
    [b"", b"not a database\n" * 300, b"DUCK" + bytes(range(256)) * 40],
    ids=["empty", "text", "garbage"],
)
def test_a_non_duckdb_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "runs.duckdb"
    path.write_bytes(content)
    before = digest(path)
    store = RunStore(path)
    for call in (store.list_runs, lambda: start(store), lambda: store.get_run("r1")):
        with pytest.raises(StoreError) as caught:
            call()
        assert str(caught.value).startswith(f"{path}: not a tradetalks run store")
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.duckdb"]  # no .wal left behind


def test_another_applications_duckdb_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "theirs.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE sales (x INTEGER)")
    before = digest(path)
    with pytest.raises(StoreError, match=r"not a tradetalks run store \(a DuckDB database with"):
        start(RunStore(path))
    assert digest(path) == before


def test_a_store_from_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    start(RunStore(path))
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE tradetalks_meta SET value = '99' WHERE key = 'schema_version'")
    expected = f"schema version 99, this tradetalks reads version {SCHEMA_VERSION}"
    with pytest.raises(StoreError, match=expected):
        RunStore(path).list_runs()


def test_a_directory_or_a_missing_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        start(RunStore(tmp_path))
    missing = RunStore(tmp_path / "sub" / "runs.duckdb")
    with pytest.raises(StoreError, match="no run store here yet"):
        missing.get_run("r1")
    assert missing.get_cached("k") is None
    start(missing)  # the first write creates the directory and the file
    assert missing.path.is_file()


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_store_locked_by_another_process_gives_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    run_id = start(RunStore(path))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        busy = RunStore(path, lock_timeout_s=0.3)
        for call in (busy.list_runs, lambda: start(busy), lambda: busy.get_run(run_id)):
            with pytest.raises(StoreError) as caught:
                call()
            message = str(caught.value)
            assert message.startswith(f"{path}: the run store is locked by another process")
            assert f"PID {holder.pid}" in message
    finally:
        holder.kill()
        holder.communicate()
    # once the holder is gone the store is usable again, with nothing lost
    store = RunStore(path)
    store.save_batch(run_id, 0, {"t": pd.DataFrame({"a": [1]})})
    assert store.finished_batches(run_id) == {0}
