"""RunStore.holding(): a block of calls shares one connection, and each call still commits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tradetalks import StoreError
from tradetalks.store import RunStore, _store

INPUTS: dict[str, Any] = {"kind": "run", "scenario_id": "s", "scenario_text": "s",
                          "data_version": "d", "seed": 0, "settings": {}}  # fmt: skip


def table(n: int) -> dict[str, pd.DataFrame]:
    return {
        "sessions": pd.DataFrame({"session": range(n), "agreed": [k % 2 == 0 for k in range(n)]})
    }


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each opening of the store file: True for a write connection."""
    seen: list[bool] = []
    real = _store.open_store

    def counting(path: Path, *, write: bool, **kwargs: Any) -> Any:
        seen.append(write)
        return real(path, write=write, **kwargs)

    monkeypatch.setattr(_store, "open_store", counting)
    return seen


def job(store: RunStore) -> str:
    run_id = store.start_run(**INPUTS)
    store.save_batch(run_id, 0, table(3))
    store.save_batch(run_id, 1, table(4))
    assert store.finished_batches(run_id) == {0, 1}
    store.finish_run(run_id, {"ok": True})
    assert store.get_run(run_id).tables["sessions"].shape == (7, 2)
    return run_id


def test_a_block_opens_the_file_once(tmp_path: Path, opens: list[bool]) -> None:
    with RunStore(tmp_path / "runs.duckdb", hold_s=0) as store:
        job(store)
        without = len(opens)
        opens.clear()
        with store.holding():
            run_id = job(store)
        assert opens == [True]  # one write connection served reads and writes
    assert without >= 5
    # what the block wrote is there for another process, which can open the file now
    code = ("import sys; from tradetalks.store import RunStore; r = RunStore(sys.argv[1])"
            f".get_run({run_id!r}); print(r.info.status, r.summary)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "runs.duckdb")],
                          capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    assert done.stdout.split() == ["finished", "{'ok':", "True}"]


def test_each_call_in_a_block_commits_before_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    with RunStore(path) as store:
        run_id = ""

        def failing_job() -> None:
            nonlocal run_id
            with store.holding():
                run_id = store.start_run(**INPUTS)
                store.save_batch(run_id, 0, table(2))
                raise RuntimeError("the job fails after its first batch")

        with pytest.raises(RuntimeError):
            failing_job()
        # the block released the file; a failed call inside it does not undo the others
        with pytest.raises(StoreError, match="different tables"), store.holding():
            store.save_batch(run_id, 0, table(5))
        store.save_batch(run_id, 1, table(1))
    with RunStore(path) as again:
        assert again.finished_batches(run_id) == {0, 1}
        assert again.get_run(run_id).tables["sessions"].shape == (3, 2)


def test_a_finished_run_takes_no_batch_inside_a_block(tmp_path: Path) -> None:
    """What a block remembers of a run is forgotten when the run changes state."""
    with RunStore(tmp_path / "runs.duckdb") as store, store.holding():
        run_id = store.start_run(**INPUTS)
        store.save_batch(run_id, 0, table(2))
        store.finish_run(run_id, {})
        with pytest.raises(StoreError, match="finished"):
            store.save_batch(run_id, 1, table(2))


def test_holding_a_closed_store_is_refused(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    store.close()
    with pytest.raises(StoreError, match="closed"), store.holding():
        pass
