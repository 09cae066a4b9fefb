"""The README's timing table: what a user waits for, against the peer or the previous code.

Run: ``.venv/bin/python benchmarks/bench_speed.py [--previous main] [--repeat 3]``

Every row is measured in this run and printed as a Markdown table (paste it into the README's
"Interactive speed" section as is). The previous implementation is the git revision
``--previous`` (default ``main``), exported to a temporary directory and run by the same
Python, so "before" and "after" share the machine's load:

* main job: ``tradetalks run us-japan-1995-autos`` (1,000 sessions, report written) in a
  fresh store (cold: prices computed) and again (warm: prices cached), wall and CPU time;
* ``tradetalks --help`` and ``tradetalks validate``;
* the report's plots: CPU time of building the report of the main job's run, in-process;
* a 10,000-session ``tradetalks sweep`` against the pure compute of its batches in-process;
* 100,000 sessions in-process: computed and saved batch by batch as ``tradetalks sweep``
  saves them (``tradetalks.pipeline.save_behind``), against the compute alone;
* pricing the main job's grid (every configuration, at every elasticity grid point):
  ``solve_batch`` (every point in one batch, as ``game.price_grid`` prices it) against
  cold solves one by one, in this process; and the bound on that ratio: the shocks the
  batch's plan starts cold, batched alone;
* one bargaining session at a time (5 issues x 5 values, 100 rounds): tradetalks against
  NegMAS 0.16, same agreements;
* ``tradetalks gravity counterfactual`` against gegravity's documented example, each as a
  fresh process (imports included).

Times are the best of ``--repeat`` runs (the least disturbed run on a shared machine); CPU
time (user + system of the child process) is printed beside wall time because it moves less
with the load of other users. Nothing here is asserted: tests never time anything.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "us-japan-1995-autos"
T = TypeVar("T")


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_process(cmd: Sequence[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one child process (which must succeed)."""
    cpu, start = child_cpu(), time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - start, child_cpu() - cpu


def best_process(
    make: Callable[[Path], list[str]], repeat: int, fresh: bool = True
) -> tuple[float, float]:
    """Best wall and best CPU over ``repeat`` runs, each in a fresh directory if ``fresh``."""
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as keep:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                where = Path(tmp) if fresh else Path(keep)
                wall, cpu = timed_process(make(where), where)
                walls.append(wall)
                cpus.append(cpu)
    return min(walls), min(cpus)


def best_of(fn: Callable[[], T], repeat: int, clock: Callable[[], float] = time.perf_counter
            ) -> tuple[float, T]:  # fmt: skip
    times, result = [], None
    for _ in range(repeat):
        start = clock()
        result = fn()
        times.append(clock() - start)
    assert result is not None
    return min(times), result


def export_revision(rev: str, into: Path) -> Path:
    """``src/`` of git revision ``rev`` (package data included), unpacked under ``into``."""
    data = subprocess.run(["git", "archive", "--format=tar", rev, "src"], cwd=ROOT,
                          check=True, capture_output=True).stdout  # fmt: skip
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def cli(src: Path) -> list[str]:
    """Run ``tradetalks`` from the sources in ``src`` (ahead of the installed package)."""
    code = f"import sys; sys.path.insert(0, {str(src)!r}); from tradetalks.cli import main; main()"
    return [sys.executable, "-c", code]


def main_job(src: Path, repeat: int) -> dict[str, tuple[float, float]]:
    run = [*cli(src), "run", SCENARIO, "--store", "runs.duckdb", "-o", "report.html"]
    out: dict[str, tuple[float, float]] = {}
    walls: dict[str, list[float]] = {"cold": [], "warm": []}
    cpus: dict[str, list[float]] = {"cold": [], "warm": []}
    for k in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            for kind in ("cold", "warm"):
                wall, cpu = timed_process(run, Path(tmp))
                walls[kind].append(wall)
                cpus[kind].append(cpu)
            if k == 0:
                out["plots"] = (report_cpu(src, Path(tmp) / "runs.duckdb"), 0.0)
    for kind in ("cold", "warm"):
        out[kind] = (min(walls[kind]), min(cpus[kind]))
    # each version validates its own copy of the scenario (the format grows between them)
    scenario = src / "tradetalks" / "scenario" / "library" / f"{SCENARIO}.toml"
    out["help"] = best_process(lambda _: [*cli(src), "--help"], 3 * repeat)
    out["validate"] = best_process(lambda _: [*cli(src), "validate", str(scenario)], 3 * repeat)
    return out


def report_cpu(src: Path, store: Path) -> float:
    """CPU seconds to build the report of the latest run in ``store`` (6 figures), best of 3.

    After a first build, so matplotlib's import is not counted (it is in the main job's).
    """
    script = f"""
import sys, time
sys.path.insert(0, {str(src)!r})
from tradetalks.report._build import build_report
from tradetalks.store import RunStore
with RunStore({str(store)!r}) as s:
    record = s.get_run(s.list_runs().iloc[0]["run_id"])
build_report(record)
best = 1e9
for _ in range(3):
    start = time.process_time()
    build_report(record)
    best = min(best, time.process_time() - start)
print(best)
"""
    done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    return float(done.stdout.split()[-1])


def sweep_vs_compute(repeat: int) -> tuple[float, float]:
    """Wall time of ``tradetalks sweep -n 10000`` and of its batches' compute in-process."""
    from tradetalks.game import batch_plan, population_of, prepare_game, sweep_batch
    from tradetalks.scenario import load_scenario

    with tempfile.TemporaryDirectory() as tmp:
        store = str(Path(tmp) / "runs.duckdb")
        sweep = [*cli(ROOT / "src"), "sweep", SCENARIO, "-n", "10000", "--store", store,
                 "--workers", "1"]  # fmt: skip
        timed_process(sweep, Path(tmp))  # prices cached: the sweep alone is timed below
        command, _ = best_process(lambda _: sweep, repeat, fresh=False)
    setup = prepare_game(load_scenario(SCENARIO), workers=1)
    plan = batch_plan(10_000, 500)
    # as the command: each session's strategies drawn from the scenario's population
    population = population_of(setup.scenario.population)
    compute, _ = best_of(lambda: [sweep_batch(setup, *b, 0, None, population) for b in plan],
                         repeat)  # fmt: skip
    return command, compute


def sweep_saving(repeat: int, n_sessions: int = 100_000) -> tuple[float, float]:
    """Wall seconds of a sweep's compute alone and with every batch saved as the CLI saves it.

    As ``tradetalks sweep`` runs without ``--strategy``: each session's strategies are drawn
    from the scenario's population (``benchmarks/bench_store.py`` times fixed strategies,
    half the compute, against the same saving). Compute and saved runs alternate, each
    saved run into a fresh store; the best of ``repeat`` of each.
    """
    from tradetalks.game import batch_plan, population_of, prepare_game, sweep_batch
    from tradetalks.pipeline import save_behind
    from tradetalks.scenario import load_scenario
    from tradetalks.store import RunStore

    computes, saves = [], []
    with tempfile.TemporaryDirectory() as tmp:
        cache = RunStore(Path(tmp) / "prices.duckdb", hold_s=0)
        setup = prepare_game(load_scenario("us-japan-2018-bilateral"), workers=1, cache=cache)
        plan = batch_plan(n_sessions, 500)
        population = population_of(setup.scenario.population)

        def batch(index: int, first: int, size: int) -> dict[str, pd.DataFrame]:
            return sweep_batch(setup, index, first, size, 0, None, population)

        def save_to(store: RunStore, run_id: str, index: int, _: int,
                    tables: dict[str, pd.DataFrame]) -> None:  # fmt: skip
            store.save_batch(run_id, index, tables)

        for k in range(repeat):
            computes.append(best_of(lambda: [batch(*b) for b in plan], 1)[0])
            start = time.perf_counter()
            with RunStore(Path(tmp) / f"sweep{k}.duckdb") as store:
                run_id = store.start_run(kind="sweep", scenario_id="s", scenario_text="s",
                                         data_version="d", seed=0, settings={})  # fmt: skip
                save_behind(plan, batch, functools.partial(save_to, store, run_id))
                store.finish_run(run_id, {"sessions": n_sessions})
            saves.append(time.perf_counter() - start)
    return min(computes), min(saves)


def pricing(repeat: int) -> tuple[float, float, int, float, float, int, float]:
    """Cold solves one by one vs ``solve_batch`` on the main job's grid (all θ points)."""
    from threadpoolctl import threadpool_limits

    from tradetalks.economics import (
        ShockEntry,
        make_shock,
        solve,
        solve_batch,
        with_elasticities,
    )
    from tradetalks.economics._cp_batch import _elasticity_grid, _features, _plan
    from tradetalks.game import outcome_space, price_points, scenario_baseline
    from tradetalks.game._setup import ELASTICITY_GRID
    from tradetalks.scenario import WIOD_SECTORS, load_scenario

    scenario = load_scenario(SCENARIO)
    base = scenario_baseline(scenario)
    options = np.asarray(outcome_space(scenario).values_table(), dtype=np.int64)
    grids = [np.array(base.theta)]
    for u in scenario.uncertainty:
        if u.target.startswith("economics.elasticities."):
            j = list(WIOD_SECTORS).index(u.target.rsplit(".", 1)[1])
            for g in ELASTICITY_GRID:
                th = np.array(base.theta)
                th[j] = u.low + g * (u.high - u.low)
                grids.append(th)
    problems = []
    for th in grids:
        b = with_elasticities(base, th)
        configs = price_points(scenario, options, b, workers=1).configs
        # the configurations solve_batch prices: tariff/NTB shocks (those with quantity
        # targets, the purchase plans, go to solve_targets_batch: not timed here)
        plain = [c for c in configs if all(isinstance(e, ShockEntry) for e in c)]
        problems.append((b, [make_shock(b, list(c)) for c in plain]))
    n = sum(len(s) for _, s in problems)
    with threadpool_limits(limits=1, user_api="blas"):  # the same BLAS threads for both
        # CPU time of this process: in-process work, far less disturbed by other users
        cold, solved = best_of(lambda: [solve(b, s, decompose=False) for b, ss in problems
                                        for s in ss], repeat, time.process_time)  # fmt: skip
        # as the main job prices its grid (game.price_grid): every point in one batch
        baselines = [b for b, ss in problems for _ in ss]
        shocks = [s for _, ss in problems for s in ss]
        batch, fast = best_of(lambda: solve_batch(baselines, shocks, workers=1, flows=True),
                              repeat, time.process_time)  # fmt: skip
        # The shocks the batch's plan starts cold (nothing solved before them to predict
        # from; the empty shock aside), batched alone: a floor under the batch's time, so
        # cold / floor bounds the ratio even if every other shock were free.
        b, _, group = _elasticity_grid(baselines)
        _, predictions = _plan(_features(b, shocks, group))
        first = [k for k, p in enumerate(predictions) if not p.rows and shocks[k].n_cells]
        floor, _ = best_of(lambda: solve_batch([baselines[k] for k in first],
                                               [shocks[k] for k in first], workers=1,
                                               flows=True),
                           repeat, time.process_time)  # fmt: skip
    gap = max(float(np.max(np.abs(a.welfare_hat - c.welfare_hat)))
              for a, c in zip(fast, solved, strict=True))  # fmt: skip
    its_cold = float(np.mean([r.iterations for r in solved]))
    its_batch = float(np.mean([r.iterations for r in fast]))
    sweeps = sorted(fast[k].iterations for k in first)
    print(f"pricing grid: {n} solves; iterations {its_cold:.1f} cold, {its_batch:.1f} batch; "
          f"max welfare gap {gap:.1e}; {len(first)} started cold ({sweeps[0]}-{sweeps[-1]} "
          f"sweeps), alone {fmt(floor)}", file=sys.stderr)  # fmt: skip
    return cold, batch, n, its_cold, its_batch, len(first), floor


def sessions_one_at_a_time(n_ours: int, n_negmas: int) -> tuple[float, float, bool]:
    """Sessions per second, one session per call: tradetalks vs NegMAS (same agreements)."""
    from bench_bargaining import OURS, negmas_session, scenario
    from tradetalks.bargaining import OutcomeSpace, Protocol, run_batch

    sizes = (5, 5, 5, 5, 5)
    space = OutcomeSpace.from_sizes(sizes)
    os_, ufuns, u, r = scenario(sizes, np.random.default_rng(42), space)
    elapsed, theirs = best_of(lambda: [negmas_session(os_, ufuns, 100) for _ in range(n_negmas)],
                              3)  # fmt: skip
    negmas_rate = n_negmas / elapsed

    def ours() -> list[int | None]:
        out = []
        for k in range(n_ours):
            res = run_batch(u, r, OURS, Protocol(rounds=100), n_sessions=1, rng=k)
            out.append(int(res.agreement[0]) if bool(res.agreed[0]) else None)
        return out

    elapsed, mine = best_of(ours, 3)
    same = all(a == b for a, b in zip(mine, theirs, strict=False))
    return n_ours / elapsed, negmas_rate, same


def sessions_previous(src: Path, n: int) -> float:
    """Sessions per second one at a time with the engine in ``src`` (the previous code)."""
    script = f"""
import sys, time
sys.path.insert(0, {str(src)!r}); sys.path.insert(1, {str(ROOT / "benchmarks")!r})
import numpy as np
from bench_bargaining import OURS, scenario
from tradetalks.bargaining import OutcomeSpace, Protocol, run_batch
space = OutcomeSpace.from_sizes((5, 5, 5, 5, 5))
_, _, u, r = scenario((5, 5, 5, 5, 5), np.random.default_rng(42), space)
best = 1e9
for _ in range(3):
    start = time.perf_counter()
    for k in range({n}):
        run_batch(u, r, OURS, Protocol(rounds=100), n_sessions=1, rng=k)
    best = min(best, time.perf_counter() - start)
print({n} / best)
"""
    done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    return float(done.stdout.split()[-1])


def gravity_commands(repeat: int) -> tuple[float, float]:
    """``tradetalks gravity counterfactual`` vs gegravity's example, each a fresh process."""
    ours = [*cli(ROOT / "src"), "gravity", "counterfactual", "can-jpn"]
    script = (
        "import sys; sys.path.insert(0, 'benchmarks'); import bench_gravity as g; "
        "from tradetalks.data._gravity import load_gravity; "
        "g.gegravity(load_gravity('gegravity_sample'), {**g.COEFS, 'constant': g.CONSTANT})"
    )
    peer = [sys.executable, "-c", script]
    t_ours, _ = best_process(lambda _: ours, repeat)
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(peer, check=True, capture_output=True, cwd=ROOT)
        walls.append(time.perf_counter() - start)
    return t_ours, min(walls)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--previous", default="main", help="git revision of the previous code")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-peers", action="store_true", help="no NegMAS / gegravity rows")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        previous = export_revision(args.previous, Path(tmp))
        before = main_job(previous, args.repeat)
        after = main_job(ROOT / "src", args.repeat)
        sessions_before = sessions_previous(previous, 50)
        sessions_after = sessions_previous(ROOT / "src", 200)
    targets = {"cold": ("≤ 4 s", 4.0), "warm": ("≤ 1.5 s", 1.5), "help": ("≤ 0.3 s", 0.3),
               "validate": ("≤ 0.3 s", 0.3)}  # fmt: skip
    names = {"cold": f"`tradetalks run {SCENARIO}`, cold (prices computed)",
             "warm": "… warm (prices cached)", "help": "`tradetalks --help`",
             "validate": "`tradetalks validate` (one scenario)"}  # fmt: skip
    for key, (label, limit) in targets.items():
        (w0, c0), (w1, c1) = before[key], after[key]
        met = "✓" if w1 <= limit else ("✓ (CPU)" if c1 <= limit else "✗")
        rows.append((names[key], f"{fmt(w0)} (CPU {fmt(c0)})", f"{fmt(w1)} (CPU {fmt(c1)})",
                     f"{w0 / w1:.1f}×", f"{label} {met}"))  # fmt: skip
    (p0, _), (p1, _) = before["plots"], after["plots"]
    rows.append(("report plots (6 figures, CPU in-process; previous: matplotlib, imported)",
                 f"CPU {fmt(p0)}", f"CPU {fmt(p1)}", f"{p0 / p1:.1f}×",
                 f"< 0.3 s {'✓' if p1 < 0.3 else '✗'}"))  # fmt: skip
    command, compute = sweep_vs_compute(args.repeat)
    rows.append(("sweep of 10,000 sessions: command vs its compute", f"compute {fmt(compute)}",
                 f"command {fmt(command)}", f"{command / compute:.2f}× compute",
                 "report"))  # fmt: skip
    compute, saved = sweep_saving(args.repeat)
    rows.append(("sweep of 100,000 sessions in-process (strategy population): saved vs compute",
                 f"compute {fmt(compute)}", f"saved {fmt(saved)}",
                 f"{saved / compute:.2f}× compute",
                 f"≤ 1.5× {'✓' if saved / compute <= 1.5 else '✗'}"))  # fmt: skip
    cold, batch, n, its_cold, its_batch, n_first, floor = pricing(args.repeat)
    rows.append((f"pricing the main job's grid ({n} solves): cold vs `solve_batch`",
                 f"cold CPU {fmt(cold)} ({its_cold:.1f} it.)", f"batch CPU {fmt(batch)} "
                 f"({its_batch:.1f} it.)", f"{cold / batch:.1f}×",
                 f"≥ 5× {'✓' if cold / batch >= 5 else '✗'}"))  # fmt: skip
    rows.append((f"… bound: its {n_first} shocks that start cold, batched alone (every other "
                 "shock free)", f"cold CPU {fmt(cold)}", f"CPU {fmt(floor)}",
                 f"≤ {cold / floor:.1f}×", "report"))  # fmt: skip
    rows.append(("one bargaining session at a time (5×5 issues, 100 rounds)",
                 f"{sessions_before:.0f}/s", f"{sessions_after:.0f}/s",
                 f"{sessions_after / sessions_before:.1f}×", "report"))  # fmt: skip
    if not args.skip_peers:
        ours, negmas, same = sessions_one_at_a_time(200, 10)
        rows.append(("sessions/s one at a time (5×5 issues, 100 rounds)", f"NegMAS {negmas:.0f}/s",
                     f"{ours:.0f}/s (same agreements: {same})", f"{ours / negmas:.0f}×",
                     f"≥ 50× {'✓' if ours / negmas >= 50 else '✗'}"))  # fmt: skip
        t_ours, t_peer = gravity_commands(args.repeat)
        rows.append(("`gravity counterfactual can-jpn` vs gegravity's example (processes)",
                     f"gegravity {fmt(t_peer)}", fmt(t_ours), f"{t_peer / t_ours:.1f}×",
                     "report"))  # fmt: skip
    load = os.getloadavg()[0]
    print(
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, load average "
        f"{load:.1f}; best of {args.repeat}; previous = `{args.previous}`.\n"
    )
    print("| what | previous / peer | now | ratio | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
