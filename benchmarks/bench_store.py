"""Saving a 10,000-session sweep batch by batch, and reading it back: negmas vs tradetalks.

negmas saves tournament results as tables on disk with ``negmas.helpers.inout``:
``add_records`` appends each batch's rows to a CSV file and ``save_table`` writes one
Parquet file (negmas' default format) per call; ``load_table`` reads them back. We time
both against ``RunStore.save_batch`` (one DuckDB transaction per batch, Parquet blobs)
and ``RunStore.get_run``, on the same tables: 20 batches of 500 sessions with a sessions
table (10 columns, mixed dtypes), sampled parameters (6 columns) and offer traces
(40 rounds per session: 20,000 rows per batch). Each side's read-back is checked against
what was saved; the line "dtypes kept" says whether it came back with the same dtypes.

Then a real sweep (``--sweep N`` sessions of us-japan-2018-bilateral, default 100,000, in
batches of 500 as ``tradetalks sweep`` saves them): the compute alone (``sweep_batch`` for
every batch), then compute + saving each batch with the store's default (one connection held,
let go and checkpointed about once a second), then with a connection and a checkpoint per
batch (``hold_s=0``, what the pipeline did before); first, what ``tradetalks sweep`` does
now: each batch saved by a writer thread while the next is computed. The ratio to compute
is what a user pays for saving. ``--sweep 0`` skips it.

Run: ``.venv/bin/python benchmarks/bench_store.py [--sweep N]``
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from negmas.helpers.inout import add_records, load_table, save_table

from tradetalks.game import batch_plan, prepare_game, sweep_batch
from tradetalks.pipeline import save_behind
from tradetalks.scenario import load_scenario
from tradetalks.store import RunStore

N_BATCHES = 20
BATCH = 500
ROUNDS = 40
REPEAT = 3


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


Tables = dict[str, pd.DataFrame]
Method = Callable[[Path, list[Tables]], Callable[[], Tables]]  # write; return the reader


def negmas_csv(root: Path, batches: list[Tables]) -> Callable[[], Tables]:
    for tables in batches:
        for name, frame in tables.items():
            add_records(root / f"{name}.csv", frame, raise_exceptions=True)
    return lambda: {n: load_table(root / f"{n}.csv") for n in batches[0]}


def negmas_parquet(root: Path, batches: list[Tables]) -> Callable[[], Tables]:
    for i, tables in enumerate(batches):
        for name, frame in tables.items():
            save_table(frame, root / f"{name}_{i:05d}.parquet", storage_format="parquet")

    def read() -> Tables:
        return {
            n: pd.concat(
                [load_table(p) for p in sorted(root.glob(f"{n}_*.parquet"))], ignore_index=True
            )
            for n in batches[0]
        }

    return read


def tradetalks(hold_s: float) -> Method:
    def write(root: Path, batches: list[Tables]) -> Callable[[], Tables]:
        path = root / "runs.duckdb"
        with RunStore(path, hold_s=hold_s) as store:  # the time includes the final close
            run_id = store.start_run(
                kind="sweep", scenario_id="b", scenario_text="b", data_version="d", seed=0,
                settings={},
            )  # fmt: skip
            for i, tables in enumerate(batches):
                store.save_batch(run_id, i, tables)
        return lambda: dict(RunStore(path).get_run(run_id).tables)

    return write


METHODS: dict[str, Method] = {
    "negmas add_records (csv)": negmas_csv,
    "negmas save_table (parquet)": negmas_parquet,
    "tradetalks hold_s=0": tradetalks(0.0),
    "tradetalks (default, hold_s=1)": tradetalks(1.0),
    "tradetalks hold_s=inf": tradetalks(math.inf),
}


def main() -> None:
    batches = [batch(i) for i in range(N_BATCHES)]
    want = {n: pd.concat([b[n] for b in batches], ignore_index=True) for n in batches[0]}
    mb = sum(f.memory_usage(deep=True).sum() for f in want.values()) / 1e6
    print(f"sweep: {N_BATCHES} batches x {BATCH} sessions, 3 tables, {mb:.1f} MB in memory")
    print(f"best of {REPEAT} runs each (wall time; the machine may be shared)")
    results: dict[str, tuple[float, float, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, method in METHODS.items():
            writes, reads = [], []
            for r in range(REPEAT):
                root = Path(tmp) / f"{len(results)}_{r}"
                root.mkdir()
                start = time.perf_counter()
                reader = method(root, batches)
                writes.append(time.perf_counter() - start)
                start = time.perf_counter()
                back = reader()
                reads.append(time.perf_counter() - start)
            for n in want:  # same values (as text) whatever the dtypes
                assert np.array_equal(
                    back[n].astype(str).to_numpy(), want[n].astype(str).to_numpy()
                ), f"{name}: {n} read back different values"
            kept = all(back[n].dtypes.equals(want[n].dtypes) for n in want)
            results[name] = (min(writes), min(reads), "yes" if kept else "no")
    print(f"{'':31s}{'write s':>9s}{'per batch ms':>14s}{'read s':>9s}  dtypes kept")
    for name, (w, r, kept) in results.items():
        print(f"{name:31s}{w:9.3f}{1000 * w / N_BATCHES:14.1f}{r:9.3f}  {kept}")
    for ours in ("tradetalks hold_s=0", "tradetalks (default, hold_s=1)"):
        ours_w, ours_r, _ = results[ours]
        for peer in ("negmas add_records (csv)", "negmas save_table (parquet)"):
            w, r, _ = results[peer]
            print(f"ratio {peer} / {ours}: write {w / ours_w:.2f}x, read {r / ours_r:.2f}x")


def sweep(n_sessions: int, batch_size: int = 500) -> None:
    """Compute-only vs compute + save of a real sweep, in this run."""
    with tempfile.TemporaryDirectory() as tmp:
        price_cache = RunStore(Path(tmp) / "prices.duckdb", hold_s=0)
        setup = prepare_game(load_scenario("us-japan-2018-bilateral"), workers=1, cache=price_cache)
        plan = batch_plan(n_sessions, batch_size)
        start = time.perf_counter()
        for index, first, size in plan:
            sweep_batch(setup, index, first, size, 0)
        compute = time.perf_counter() - start
        print(f"\nsweep of {n_sessions:,} sessions in {len(plan)} batches of {batch_size}")
        print(f"{'compute only':52s}{compute:8.2f} s")
        for label, hold, behind in (
            ("compute + save behind (the sweep's writer thread)", None, True),
            ("compute + save (default: held, 1 s)", None, False),
            ("compute + save (hold_s=0, before)", 0.0, False),
        ):
            path = Path(tmp) / f"sweep-{hold}-{behind}.duckdb"
            start = time.perf_counter()
            with RunStore(path) if hold is None else RunStore(path, hold_s=hold) as store:
                run_id = store.start_run(kind="sweep", scenario_id="s", scenario_text="s",
                                         data_version="d", seed=0, settings={})  # fmt: skip
                batch = partial(sweep_batch, setup, seed=0)
                if behind:  # what `tradetalks sweep` does (tradetalks.pipeline.save_behind)
                    save_behind(
                        plan, batch, lambda i, _, t, s=store, r=run_id: s.save_batch(r, i, t)
                    )
                else:
                    for index, first, size in plan:
                        store.save_batch(run_id, index, batch(index, first, size))
                store.finish_run(run_id, {"sessions": n_sessions})
            took = time.perf_counter() - start
            print(f"{label:52s}{took:8.2f} s  = {took / compute:.2f}x compute")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweep", type=int, default=100_000, help="sessions (0: skip)")
    args = parser.parse_args()
    main()
    if args.sweep:
        sweep(args.sweep)
