"""A sweep that saves batches in a loop, run as a subprocess by the fault tests.

Usage: ``python store_sweep_child.py STORE N_BATCHES SLEEP_S HOLD_S``. It resumes
the unfinished run with the same inputs if there is one (as ``tradetalks sweep --resume`` does),
saves the batches not yet saved, prints ``saved I`` after each, and on Ctrl-C marks the
run interrupted and exits 130. Batch contents are a pure function of the batch index,
so the test can check every saved batch cell by cell.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from tradetalks.store import RunStore

ROWS = 300
ROUNDS = 25
INPUTS: dict[str, Any] = {
    "kind": "sweep",
    "scenario_text": "[scenario]\nid = 'fault-test'\n",
    "data_version": "test-data-1",
    "seed": 7,
    "settings": {"batch_size": ROWS, "strategies": ["boulware", "conceder"]},
}


def batch_tables(index: int) -> dict[str, pd.DataFrame]:
    """The tables of batch ``index``: sessions, sampled parameters and a long table of offers."""
    rng = np.random.default_rng(1000 + index)
    session = np.arange(index * ROWS, (index + 1) * ROWS, dtype=np.int64)
    sessions = pd.DataFrame(
        {
            "session": session,
            "agreed": rng.random(ROWS) < 0.6,
            "outcome": rng.integers(0, 12, ROWS).astype(np.int32),
            "utility_usa": rng.random(ROWS),
            "label": [f"b{index}-s{i}" for i in range(ROWS)],
        }
    )
    params = pd.DataFrame({"session": session, "sigma": rng.uniform(2.0, 8.0, ROWS)})
    traces = pd.DataFrame(
        {
            "session": np.repeat(session, ROUNDS),
            "round": np.tile(np.arange(ROUNDS, dtype=np.int16), ROWS),
            "offer": rng.integers(0, 1000, ROWS * ROUNDS),
            "utility": rng.random(ROWS * ROUNDS),
        }
    )
    return {"sessions": sessions, "params": params, "traces": traces}


def main(store_path: str, n_batches: int, sleep_s: float, hold_s: float) -> int:
    store = RunStore(store_path, lock_timeout_s=30, hold_s=hold_s)
    run_id = store.find_resumable(**INPUTS) or store.start_run(scenario_id="fault-test", **INPUTS)
    done = store.finished_batches(run_id)
    print(f"run {run_id} done {len(done)}", flush=True)
    try:
        for index in range(n_batches):
            if index in done:
                continue
            store.save_batch(run_id, index, batch_tables(index))
            print(f"saved {index}", flush=True)
            time.sleep(sleep_s)
        store.finish_run(run_id, {"headline": f"{n_batches} batches", "n_batches": n_batches})
    except KeyboardInterrupt:
        store.mark_interrupted(run_id)
        print("interrupted", flush=True)
        return 130
    finally:
        store.close()
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])))
