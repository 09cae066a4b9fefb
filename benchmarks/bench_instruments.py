"""Quantity instruments vs a tariff: cost of one Caliendo–Parro solve on WIOD 1995.

Run: ``.venv/bin/python benchmarks/bench_instruments.py [--repeat 3]``

Timings on a shared machine are noisy, so they are CPU time (``time.process_time``) and
the count of equilibrium sweeps (each one pass of the price, spending and wage updates, the
same work for every instrument) is printed too, as a load-independent ratio.

A quota, an export restraint, a tariff-rate quota, a purchase commitment and a market-share
target are solved as quantities (:func:`~tradetalks.economics.solve_targets`: the wedge
that meets the constraint is an unknown of the equilibrium, so one solve finds both). The
reference is a tariff solve of the same cell, timed in the same run; both with and without
the welfare decomposition (the ``tradetalks price`` path and the negotiation-pricing path).
Target (issue #11): each ratio at most 3.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from tradetalks.data import load_wiod
from tradetalks.economics import (
    CPBaseline,
    ShockEntry,
    Target,
    calibrate,
    make_shock,
    solve,
    solve_targets,
    solve_targets_batch,
)


def _paired_seconds(
    reference: Callable[[], object], candidate: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Mean CPU seconds of both, run alternately so that both see the same machine load."""
    ref = cand = 0.0
    for _ in range(repeat):
        start = time.process_time()
        reference()
        ref += time.process_time() - start
        start = time.process_time()
        candidate()
        cand += time.process_time() - start
    return ref / repeat, cand / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    base: CPBaseline = calibrate(load_wiod(1995))
    usa, jpn, c15 = base.country_index("USA"), base.country_index("JPN"), base.sector_index("c15")
    flow_in = float(base.sales_musd[usa, jpn, c15])
    flow_out = float(base.sales_musd[jpn, usa, c15])
    share = flow_out / float(base.sales_musd[jpn, :, c15].sum())
    tariff = make_shock(base, [ShockEntry("USA", "JPN", ("c15",), 0.25, "tariff", "change")])
    targets = {
        "quota (cap at 80%)": Target("USA", "JPN", ("c15",), "quota", 0.8 * flow_in),
        "ver (cap at 80%)": Target("USA", "JPN", ("c15",), "ver", 0.8 * flow_in),
        "trq (binding)": Target("USA", "JPN", ("c15",), "trq", 0.8 * flow_in, 0.0, 0.5),
        "purchase (+$19bn)": Target("JPN", "USA", ("c15",), "purchase", flow_out + 19000.0),
        "market share (+5 pts)": Target("JPN", "USA", ("c15",), "market_share", share + 0.05),
    }
    print(f"WIOD 1995, {len(base.countries)} regions x {len(base.sectors)} sectors; "
          f"mean of {args.repeat} alternating runs")  # fmt: skip
    worst = 0.0
    for decompose in (False, True):
        print(f"\ndecomposition {'on' if decompose else 'off'}:")
        for name, target in targets.items():
            sol = solve_targets(base, [], [target], decompose=decompose)
            ref, sec = _paired_seconds(
                lambda d=decompose: solve(base, tariff, decompose=d),
                lambda t=target, d=decompose: solve_targets(base, [], [t], decompose=d),
                args.repeat,
            )
            ratio = sec / ref
            sweeps = sol.sweeps / solve(base, tariff, decompose=False).iterations
            worst = max(worst, ratio)
            print(f"  {name:24s} {sec:.3f}s vs tariff {ref:.3f}s: ratio {ratio:.2f}x  "
                  f"({sol.evaluations} solves, equilibrium sweeps {sweeps:.2f}x the tariff's, "
                  f"met to {abs(sol.outcomes[0].achieved / target.value - 1):.1e})")  # fmt: skip
    print(
        f"\nworst ratio {worst:.2f}x (target: at most 3x) -> {'met' if worst <= 3 else 'NOT met'}"
    )
    grid(args.repeat)


def grid(repeat: int) -> None:
    """The quantity-target configurations of the main job's grid: together vs one by one."""
    import numpy as np

    from tradetalks.game import outcome_space, price_points, scenario_baseline
    from tradetalks.scenario import load_scenario

    scenario = load_scenario("us-japan-1995-autos")
    base = scenario_baseline(scenario)
    options = np.asarray(outcome_space(scenario).values_table(), dtype=np.int64)
    configs = price_points(scenario, options, base, workers=1).configs
    items = [([e for e in c if isinstance(e, ShockEntry)], [t for t in c if isinstance(t, Target)])
             for c in configs if any(isinstance(t, Target) for t in c)]  # fmt: skip
    alone, together = _paired_seconds(
        lambda: [solve_targets(base, e, t, decompose=False) for e, t in items],
        lambda: solve_targets_batch(base, items, decompose=False),
        repeat,
    )
    print(f"\n{len(items)} target configurations of us-japan-1995-autos: one by one "
          f"{alone:.3f}s CPU, together (solve_targets_batch) {together:.3f}s CPU -> "
          f"{alone / together:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
