"""Saving a 10,000-session sweep batch by batch, and reading it back: negmas vs tradetalks.

negmas saves tournament results as tables on disk with ``negmas.helpers.inout``:
``add_records`` appends each batch's rows to a CSV file and ``save_table`` writes one
Parquet file (negmas' default format) per call; ``load_table`` reads them back. We time
both against ``RunStore.save_batch`` (one DuckDB transaction per batch, Parquet blobs)
and ``RunStore.get_run``, on the same tables: 20 batches of 500 sessions with a sessions
table (10 columns, mixed dtypes), sampled parameters (6 columns) and offer traces
(40 rounds per session: 20,000 rows per batch). Each side's read-back is checked against
what was saved; the line "dtypes kept" says whether it came back with the same dtypes.

Run: ``.venv/bin/python benchmarks/bench_store.py``
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from negmas.helpers.inout import add_records, load_table, save_table

from tradetalks.store import RunStore

N_BATCHES = 20
BATCH = 500
ROUNDS = 40


def batch(index: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(index)
    session = np.arange(index * BATCH, (index + 1) * BATCH, dtype=np.int64)
    sessions = pd.DataFrame(
        {
            "session": session,
            "agreed": rng.random(BATCH) < 0.6,
            "outcome": rng.integers(0, 64, BATCH).astype(np.int32),
            "autos": pd.Categorical(rng.choice(["none", "goals", "targets"], BATCH)),
            "rice": rng.integers(0, 4, BATCH).astype(np.int8),
            "u_usa": rng.random(BATCH),
            "u_jpn": rng.random(BATCH),
            "rounds": rng.integers(1, ROUNDS, BATCH).astype(np.int16),
            "threat_carried_out": pd.array(rng.random(BATCH) < 0.2, dtype="boolean"),
            "ended_by": rng.choice(["agreement", "deadline", "walkout"], BATCH),
        }
    )
    params = pd.DataFrame(
        {"session": session} | {f"p{k}": rng.uniform(0, 1, BATCH) for k in range(5)}
    )
    traces = pd.DataFrame(
        {
            "session": np.repeat(session, ROUNDS),
            "round": np.tile(np.arange(ROUNDS, dtype=np.int16), BATCH),
            "proposer": np.tile(np.array(["USA", "JPN"]), BATCH * ROUNDS // 2),
            "offer": rng.integers(0, 64, BATCH * ROUNDS),
            "utility": rng.random(BATCH * ROUNDS),
        }
    )
    return {"sessions": sessions, "params": params, "traces": traces}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def negmas_csv(root: Path, batches: list[dict[str, pd.DataFrame]]) -> Callable[[], object]:
    def write() -> None:
        for tables in batches:
            for name, frame in tables.items():
                add_records(root / f"{name}.csv", frame, raise_exceptions=True)

    return write


def negmas_parquet(root: Path, batches: list[dict[str, pd.DataFrame]]) -> Callable[[], object]:
    def write() -> None:
        for i, tables in enumerate(batches):
            for name, frame in tables.items():
                save_table(frame, root / f"{name}_{i:05d}.parquet", storage_format="parquet")

    return write


def main() -> None:
    batches = [batch(i) for i in range(N_BATCHES)]
    want = {n: pd.concat([b[n] for b in batches], ignore_index=True) for n in batches[0]}
    mb = sum(f.memory_usage(deep=True).sum() for f in want.values()) / 1e6
    print(f"sweep: {N_BATCHES} batches x {BATCH} sessions, 3 tables, {mb:.1f} MB in memory")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        csv_dir, pq_dir = root / "csv", root / "pq"
        t_csv_w, _ = timed(negmas_csv(csv_dir, batches))
        t_csv_r, csv_back = timed(lambda: {n: load_table(csv_dir / f"{n}.csv") for n in want})
        t_pq_w, _ = timed(negmas_parquet(pq_dir, batches))

        def read_pq() -> dict[str, pd.DataFrame]:
            return {
                n: pd.concat(
                    [load_table(p) for p in sorted(pq_dir.glob(f"{n}_*.parquet"))],
                    ignore_index=True,
                )
                for n in want
            }

        t_pq_r, pq_back = timed(read_pq)

        def ours(hold_s: float) -> tuple[float, float, dict[str, pd.DataFrame]]:
            path = root / f"runs_{hold_s}.duckdb"
            with RunStore(path, hold_s=hold_s) as store:
                run_id = store.start_run(
                    kind="sweep",
                    scenario_id="bench",
                    scenario_text="bench",
                    data_version="d",
                    seed=0,
                    settings={},
                )
                start = time.perf_counter()
                for i, tables in enumerate(batches):
                    store.save_batch(run_id, i, tables)
            t_write = time.perf_counter() - start  # includes the final close (checkpoint)
            t_read, tables = timed(lambda: RunStore(path).get_run(run_id).tables)
            assert isinstance(tables, dict)
            return t_write, t_read, tables

        t_our_w, t_our_r, record = ours(hold_s=1.0)  # the default
        t_each_w, t_each_r, each = ours(hold_s=0.0)
        t_held_w, t_held_r, held = ours(hold_s=math.inf)

        def report(name: str, back: object) -> str:
            assert isinstance(back, dict)
            same_values = all(
                np.array_equal(back[n].astype(str).to_numpy(), want[n].astype(str).to_numpy())
                for n in want
            )
            same_dtypes = all(back[n].dtypes.equals(want[n].dtypes) for n in want)
            assert same_values, f"{name}: read back different values"
            return "yes" if same_dtypes else "no"

        kept = {
            "negmas csv": report("csv", csv_back),
            "negmas parquet": report("parquet", pq_back),
            "tradetalks": report("ours", record),
            "tradetalks hold_s=0": report("ours per call", each),
            "tradetalks hold_s=inf": report("ours held", held),
        }
        size = (root / "runs_1.0.duckdb").stat().st_size / 1e6
    print(f"{'':28s}{'write s':>9s}{'per batch ms':>14s}{'read s':>9s}  dtypes kept")
    rows = (
        ("negmas add_records (csv)", "negmas csv", t_csv_w, t_csv_r),
        ("negmas save_table (parquet)", "negmas parquet", t_pq_w, t_pq_r),
        ("tradetalks RunStore (hold 1s)", "tradetalks", t_our_w, t_our_r),
        ("tradetalks hold_s=0", "tradetalks hold_s=0", t_each_w, t_each_r),
        ("tradetalks hold_s=inf", "tradetalks hold_s=inf", t_held_w, t_held_r),
    )
    for name, key, w, r in rows:
        print(f"{name:28s}{w:9.3f}{1000 * w / N_BATCHES:14.1f}{r:9.3f}  {kept[key]}")
    print(f"store file: {size:.1f} MB")
    for peer, w, r in (("csv", t_csv_w, t_csv_r), ("parquet", t_pq_w, t_pq_r)):
        for mode, ow, orr in (("default", t_our_w, t_our_r), ("hold_s=0", t_each_w, t_each_r)):
            print(
                f"ratio negmas {peer} / tradetalks {mode}: write {w / ow:.2f}x, read {r / orr:.2f}x"
            )


if __name__ == "__main__":
    main()
