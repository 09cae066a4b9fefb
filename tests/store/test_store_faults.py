"""Faults (issue 5): Ctrl-C and SIGKILL in the middle of a sweep, then resume.

A real subprocess (store_sweep_child.py) saves batches in a tight loop; the test signals
it a few milliseconds after it reports a batch, so the signal usually lands inside the
next batch's transaction. After each kill the store must open, hold every batch the
child reported, hold each batch complete and exactly as generated, and nothing else but
possibly the one batch in flight (saved, not yet reported). Resuming must end with every
batch exactly once.
"""

from __future__ import annotations

import math
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from store_sweep_child import INPUTS, ROWS, batch_tables

from tradetalks.store import RunStore

CHILD = Path(__file__).with_name("store_sweep_child.py")
N_BATCHES = 48  # enough that a staged (fast) writer is still mid-sweep when signalled


def _hears_ctrl_c() -> None:
    """Run in the child before exec: SIGINT at its default, as from a terminal.

    A shell that starts the suite as a background job ignores SIGINT in it, and an ignored
    signal survives exec: the child would not hear the Ctrl-C this test sends.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(store: Path, sleep_s: float, hold_s: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(store), str(N_BATCHES), str(sleep_s), str(hold_s)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_hears_ctrl_c,
    )


def _interrupt_after(
    proc: subprocess.Popen[str], n_saved: int, sig: signal.Signals, rng: random.Random
) -> tuple[str, set[int], str]:
    """Let the child report ``n_saved`` new batches, signal it, return (run id, reported, rest)."""
    assert proc.stdout is not None
    first = proc.stdout.readline().split()
    assert first[0] == "run", first
    reported: set[int] = set()
    while len(reported) < n_saved:
        line = proc.stdout.readline()
        assert line, f"child ended early: {proc.communicate()[1][-2000:]}"
        if line.startswith("saved"):
            reported.add(int(line.split()[1]))
    # A few ms into the next batch's write, so the signal hits inside a transaction.
    time.sleep(rng.uniform(0.0, 0.04))
    proc.send_signal(sig)
    rest, err = proc.communicate(timeout=60)
    reported |= {int(ln.split()[1]) for ln in rest.splitlines() if ln.startswith("saved")}
    return first[1], reported, rest + err


def _check_batches(store: RunStore, run_id: str, reported: set[int]) -> set[int]:
    """Every reported batch is saved, complete and exact; at most one more (the one in flight)."""
    saved = store.finished_batches(run_id)
    assert reported <= saved
    assert len(saved - reported) <= 1
    assert saved == set(range(len(saved))), "the child saves in order: no gaps"
    for index in sorted(saved):
        got = store.read_batch(run_id, index)
        want = batch_tables(index)
        assert set(got) == set(want)
        for name in want:
            pd.testing.assert_frame_equal(got[name], want[name], check_exact=True)
    _check_sql(store.path, run_id, saved)
    return saved


def _check_sql(path: Path, run_id: str, saved: set[int]) -> None:
    """SQL over the tables sees each saved batch whole and nothing of a batch cut short.

    A killed writer's staged batches are moved into the tables by the next writer.
    """
    RunStore(path, hold_s=0).checkpoint()
    assert not (path.parent / f"{path.name}.staged" / run_id).exists()
    with duckdb.connect(str(path), read_only=True) as con:
        for name in ("sessions", "params", "traces"):
            rows = con.execute(
                f"SELECT batch_index, count(*), sum(session) FROM {name} WHERE run_id = ? "
                "GROUP BY batch_index",
                [run_id],
            ).fetchall()
            want = {i: batch_tables(i)[name] for i in saved}
            assert {r[0]: (r[1], r[2]) for r in rows} == {
                i: (len(t), int(t["session"].sum())) for i, t in want.items()
            }, name


@pytest.mark.slow
def test_sigint_and_sigkill_mid_sweep_lose_nothing_and_resume_finishes(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    rng = random.Random(5)

    # Ctrl-C: the child catches it, marks the run interrupted, exits 130.
    proc = _start(path, sleep_s=0.0, hold_s=1.0)  # mostly held, released each second
    run_id, reported, tail = _interrupt_after(proc, 3, signal.SIGINT, rng)
    assert proc.returncode == 130, tail
    assert "interrupted" in tail
    store = RunStore(path)
    saved = _check_batches(store, run_id, reported)
    assert store.get_run(run_id, tables=[]).info.status == "interrupted"
    assert store.find_resumable(**INPUTS) == run_id

    # SIGKILL, twice: no handler runs; the WAL is all that stands between us and loss.
    # Once with a connection per batch, once with the connection held open throughout.
    for hold_s in (0.0, math.inf):
        proc = _start(path, sleep_s=0.0, hold_s=hold_s)
        again, reported, _ = _interrupt_after(proc, 3, signal.SIGKILL, rng)
        assert proc.returncode == -signal.SIGKILL
        assert again == run_id, "the child resumed the same run"
        assert not reported & saved, "a batch saved before was redone"
        saved = _check_batches(store, run_id, reported | saved)
        listing = store.list_runs().set_index("run_id")
        assert listing.loc[run_id, "status"] == "running"
        assert not listing.loc[run_id, "writer_alive"]  # killed: resumable

    # Resume to the end holding the file up to 1 s (it lets go about once a second),
    # reading the store meanwhile as `tradetalks runs` would: each read gets in within 5 s.
    proc = _start(path, sleep_s=0.1, hold_s=1.0)
    assert proc.stdout is not None
    assert proc.stdout.readline().split()[1] == run_id
    reader = RunStore(path, lock_timeout_s=5.0)
    seen: list[set[int]] = []
    while proc.poll() is None and len(seen) < 3:
        seen.append(reader.finished_batches(run_id))
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    redone = {int(ln.split()[1]) for ln in out.splitlines() if ln.startswith("saved")}
    assert not redone & saved
    assert seen and all(saved <= s for s in seen)

    record = store.get_run(run_id)
    assert record.info.status == "finished"
    assert record.batches == tuple(range(N_BATCHES))
    assert record.info.n_sessions == N_BATCHES * ROWS
    for name in ("sessions", "params", "traces"):
        want = pd.concat([batch_tables(i)[name] for i in range(N_BATCHES)], ignore_index=True)
        pd.testing.assert_frame_equal(record.tables[name], want, check_exact=True)
    assert record.tables["sessions"]["session"].is_unique
    assert store.find_resumable(**INPUTS) is None


STUCK_IN_TRANSACTION = """
import sys, time
import pandas as pd
from tradetalks.store import RunStore, _store

original = _store.RunStore._save_batch_in

def stuck(self, con, run_id, index, *rest):
    saved = original(self, con, run_id, index, *rest)  # every row inserted, not committed
    if index == 1:
        print("in transaction", flush=True)
        time.sleep(60)
    return saved

_store.RunStore._save_batch_in = stuck
store = RunStore(sys.argv[1], hold_s=float(sys.argv[2]))
run_id = store.start_run(kind="sweep", scenario_id="s", scenario_text="s", data_version="d",
                         seed=1, settings={})
print(run_id, flush=True)
tables = {"sessions": pd.DataFrame({"a": range(5000)}), "traces": pd.DataFrame({"b": [1.5] * 9})}
store.save_batch(run_id, 0, tables)
try:
    store.save_batch(run_id, 1, tables)
except KeyboardInterrupt:
    store.mark_interrupted(run_id)
    print("interrupted", flush=True)
    sys.exit(130)
"""


@pytest.mark.parametrize(
    ("sig", "hold_s"),
    [(signal.SIGINT, 0.0), (signal.SIGKILL, 0.0), (signal.SIGKILL, math.inf)],
    ids=["sigint", "sigkill", "sigkill-held"],
)
def test_a_signal_inside_a_batch_transaction_leaves_no_trace_of_it(
    tmp_path: Path, sig: signal.Signals, hold_s: float
) -> None:
    """Deterministic: the child is stopped after inserting batch 1's rows, before COMMIT."""
    path = tmp_path / "runs.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", STUCK_IN_TRANSACTION, str(path), str(hold_s)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_hears_ctrl_c,
    )
    assert proc.stdout is not None
    run_id = proc.stdout.readline().strip()
    assert proc.stdout.readline().strip() == "in transaction", proc.communicate()[1][-2000:]
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    store = RunStore(path)
    assert store.finished_batches(run_id) == {0}
    record = store.get_run(run_id)
    assert record.table_rows == {"sessions": 5000, "traces": 9}  # batch 0 only, no stray rows
    assert len(record.tables["sessions"]) == 5000
    RunStore(path, hold_s=0).checkpoint()  # a killed writer's staged batch 0 goes in
    with duckdb.connect(str(path), read_only=True) as con:  # nor in the SQL tables
        assert con.execute("SELECT count(*), sum(a) FROM sessions").fetchone() == (5000, 12497500)
        assert con.execute("SELECT count(*) FROM traces").fetchone() == (9,)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "interrupted" in out, err[-2000:]
        assert record.info.status == "interrupted"
    else:
        assert proc.returncode == -signal.SIGKILL
        assert record.info.status == "running"
    # and the batch can be saved now, once
    again = {"sessions": pd.DataFrame({"a": range(5000)}), "traces": pd.DataFrame({"b": [1.5] * 9})}
    assert store.save_batch(run_id, 1, again) is True
    assert store.get_run(run_id, tables=[]).table_rows == {"sessions": 10000, "traces": 18}
