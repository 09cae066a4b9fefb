"""Caliendo–Parro on WIOD 2011 (41 regions × 35 sectors): time per solve, batch vs cold solves.

Run: ``.venv/bin/python benchmarks/bench_multisector.py [--n 1000] [--workers N]``

No peer package solves the Caliendo–Parro model in Python (the authors' code is
Matlab), so the comparison is with our own cold solves, run in the same process:
``solve(baseline, shock)`` from all hats = 1, one after the other, against
``solve_batch`` (shocks solved together in stacked sweeps, in waves of predicted warm
starts; all cores). Both compute the same outputs (no decomposition, no full bilateral
flows) to the same tolerance.

The shocks are the outcome space of a US–Japan negotiation over five issues
(a grid: every combination of the options), as the bargaining layer would price it;
then random shocks that share no structure (random importer, exporter, sector, instrument
and rate), where warm starts cannot help and only solving the shocks together can.
CPU time (``time.process_time``) is printed beside wall time: the machine may be shared.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time

# Small dense problems: BLAS threads only fight the worker processes (for both timings;
# solve_batch also sets one thread itself, with threadpoolctl).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from tradetalks import InputError
from tradetalks.data import load_wiod
from tradetalks.economics import CPShock, ShockEntry, calibrate, make_shock, solve, solve_batch

ISSUES = {
    # US tariff on Japanese transport equipment (Section 232 threat up to 25%)
    "us_car_tariff": [("USA", "JPN", ("c15",), "tariff", r) for r in (0, 0.025, 0.1, 0.25, 0.5)],
    # Japan's tariff on US food (beef 38.5% -> 9% under the 2019 agreement)
    "jp_food_tariff": [("JPN", "USA", ("c3",), "tariff", r) for r in (0.385, 0.3, 0.2, 0.09, 0)],
    # Japan's non-tariff barriers on US cars (dealerships, standards), tariff equivalent change
    "jp_car_ntb": [("JPN", "USA", ("c15",), "ntb", r) for r in (0, -0.02, -0.05, -0.1)],
    # US tariff on Japanese machinery and electronics
    "us_machinery_tariff": [
        ("USA", "JPN", ("c13", "c14"), "tariff", r) for r in (0, 0.05, 0.1, 0.15, 0.25)
    ],
    # Japanese public procurement of US medical/telecom equipment (NTB cut)
    "jp_procurement": [("JPN", "USA", ("c14",), "ntb", r) for r in (0, -0.05)],
}


def outcome_shocks(base: object, n: int) -> list[CPShock]:
    shocks = []
    for combo in itertools.islice(itertools.product(*ISSUES.values()), n):
        entries = [
            ShockEntry(
                imp, exp, sec, rate, kind=kind, mode="level" if kind == "tariff" else "change"
            )
            for imp, exp, sec, kind, rate in combo
        ]
        shocks.append(make_shock(base, entries))  # type: ignore[arg-type]
    return shocks


def random_shocks(base: object, n: int, seed: int = 0) -> list[CPShock]:
    """``n`` shocks of 1-3 random cells each: tariff, NTB or quota, rates in [-5%, 30%]."""
    rng = np.random.default_rng(seed)
    countries, sectors = base.countries, base.sectors  # type: ignore[attr-defined]
    shocks = []
    for _ in range(n):
        entries = []
        for _ in range(int(rng.integers(1, 4))):
            a, b = rng.choice(len(countries), 2, replace=False)
            kind = str(rng.choice(["tariff", "ntb", "quota"]))
            entries.append(ShockEntry(countries[a], countries[b], (str(rng.choice(sectors)),),
                                      float(rng.uniform(-0.05, 0.3)), kind))  # type: ignore[arg-type]  # fmt: skip
        try:
            shocks.append(make_shock(base, entries))  # type: ignore[arg-type]
        except InputError:  # two rent owners in one cell: draw again
            continue
    return shocks


def cold_vs_batch(base: object, shocks: list[CPShock]) -> tuple[float, float, float, float]:
    """CPU seconds of cold solves one by one and of ``solve_batch`` (1 worker), and the
    mean iterations of each."""
    c = time.process_time()
    cold = [solve(base, s, decompose=False, flows=False) for s in shocks]  # type: ignore[arg-type]
    c_cold = time.process_time() - c
    c = time.process_time()
    batch = solve_batch(base, shocks, workers=1)  # type: ignore[arg-type]
    c_batch = time.process_time() - c
    gap = max(float(np.max(np.abs(b.welfare_hat - c.welfare_hat)))
              for b, c in zip(batch, cold, strict=True))  # fmt: skip
    assert gap < 1e-7, gap
    return (c_cold, c_batch, statistics.mean(r.iterations for r in cold),
            statistics.mean(r.iterations for r in batch))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of shocks (max 1000)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all)")
    parser.add_argument("--year", type=int, default=2011)
    args = parser.parse_args()

    t0 = time.perf_counter()
    base = calibrate(load_wiod(args.year))
    t_cal = time.perf_counter() - t0
    N, J = base.shape
    print(f"WIOD {args.year}: {N} regions x {J} sectors; load + calibrate {t_cal:.2f} s")
    print("peer: none -- no Python package solves Caliendo-Parro (the authors' code is Matlab);")
    print("      the reference is our own cold solve, timed in this run.")

    single = make_shock(base, [ShockEntry("USA", "JPN", ("c15",), 0.25)])
    solve(base, single)  # warm-up
    times, full_times = [], []
    for _ in range(10):
        t = time.perf_counter()
        r = solve(base, single, decompose=False, flows=False)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        solve(base, single)
        full_times.append(time.perf_counter() - t)
    print(
        f"one solve (25% US tariff on JPN c15): {1e3 * statistics.median(times):.1f} ms "
        f"({r.iterations} iterations, max excess demand {r.max_excess_demand:.1e}); "
        f"with welfare decomposition and flows {1e3 * statistics.median(full_times):.1f} ms"
    )

    shocks = outcome_shocks(base, min(args.n, 1000))
    n = len(shocks)
    t, c = time.perf_counter(), time.process_time()
    cold = [solve(base, s, decompose=False, flows=False) for s in shocks]
    t_cold, c_cold = time.perf_counter() - t, time.process_time() - c
    workers = args.workers or os.cpu_count() or 1
    t, c = time.perf_counter(), time.process_time()
    serial = solve_batch(base, shocks, workers=1)
    t_serial, c_serial = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    batch = solve_batch(base, shocks, workers=workers)
    t_batch = time.perf_counter() - t
    gap = max(
        float(np.max(np.abs(b.welfare_hat - c.welfare_hat)))
        for b, c in zip(batch, cold, strict=True)
    )
    same = all(
        np.array_equal(a.welfare_hat, b.welfare_hat) for a, b in zip(serial, batch, strict=True)
    )
    it_cold = statistics.mean(r.iterations for r in cold)
    it_batch = statistics.mean(r.iterations for r in batch)
    print(
        f"{n} shocks, cold solves one by one: {t_cold:.2f} s wall, {c_cold:.2f} s CPU "
        f"({it_cold:.1f} iterations each)"
    )
    print(
        f"{n} shocks, solve_batch, 1 worker (stacked, in waves): {t_serial:.2f} s wall, "
        f"{c_serial:.2f} s CPU ({it_batch:.1f} iterations each) -> {t_cold / t_serial:.2f}x wall, "
        f"{c_cold / c_serial:.2f}x CPU"
    )
    print(f"{n} shocks, solve_batch, {workers} workers: {t_batch:.2f} s")
    print(
        f"ratio cold / batch: {t_cold / t_batch:.2f}x  (max welfare gap {gap:.1e}; "
        f"1 and {workers} workers identical: {same}; load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores)"
    )
    rand = random_shocks(base, min(args.n, 300))
    c_cold, c_batch, it_cold, it_batch = cold_vs_batch(base, rand)
    print(
        f"{len(rand)} random shocks: cold {c_cold:.2f} s CPU ({it_cold:.1f} iterations), "
        f"solve_batch 1 worker {c_batch:.2f} s CPU ({it_batch:.1f} iterations) -> "
        f"{c_cold / c_batch:.2f}x CPU (target: never below 1x)"
    )


if __name__ == "__main__":
    main()
