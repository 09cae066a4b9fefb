"""CPU time of the 12-party main job (the TPP) against the bilateral one (the 1995 auto talks).

    .venv/bin/python benchmarks/bench_nparty.py [--repeat 3] [--sessions 1000]

The main job is what ``tradetalks run SCENARIO`` computes, through the library without the
store and the HTML report: pricing every outcome and no-deal point (cold: no price cache),
the analysis at the scenario's parameters (win-sets, Nash and Kalai–Smorodinsky deals), one
traced session, a 1,000-session uncertainty sweep in batches of 250 with each party's
strategy drawn from the scenario's population (the CLI's defaults), and the sweep's
summaries. It is timed in CPU seconds of this process (``time.process_time``: the machine
is shared, so wall time measures the neighbours), best of ``--repeat``, with ``workers=1``
so that pricing runs in this process. The script prints each part for both scenarios, the
ratio of the totals (the target of issue #14 is at most 3) and the ratio once prices are
cached (a second run of the same scenario).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from tradetalks.game import (
    analysis_summary,
    batch_plan,
    calendar_summary,
    impact_tables,
    outcome_table,
    population_of,
    prepare_game,
    run_single,
    scenario_parameters,
    session_summary,
    solve_game,
    strategy_spread,
    sweep_batch,
    sweep_summary,
)
from tradetalks.scenario import load_scenario

BILATERAL = "us-japan-1995-autos"
PLURILATERAL = "us-japan-2014-tpp"


def _cpu(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    out = step()
    return time.process_time() - start, out


def main_job(name: str, sessions: int) -> dict[str, float]:
    """CPU seconds of each part of the main job on scenario ``name``."""
    scenario = load_scenario(name)
    parts: dict[str, float] = {}
    parts["pricing"], setup = _cpu(lambda: prepare_game(scenario, workers=1))

    def analysis() -> Any:
        state = solve_game(setup, scenario_parameters(setup))
        summary = analysis_summary(setup, state)
        outcome_table(setup, state)
        return state, summary

    parts["analysis"], (state, summary) = _cpu(analysis)

    def single() -> None:
        _, one = run_single(setup, state, seed=0)
        s = session_summary(setup, one)
        deal = s["outcome"] if s["outcome"] is not None else (summary["nash"] or {}).get("outcome")
        impact_tables(setup, deal)

    parts["session"], _ = _cpu(single)

    # As the CLI does without --strategy: each session draws each party's strategy from the
    # scenario's population (the default one here, three time-based exponents).
    population = population_of(scenario.population)

    def sweep() -> None:
        batches = [sweep_batch(setup, index, first, size, 0, population=population)["sessions"]
                   for index, first, size in batch_plan(sessions, 250)]  # fmt: skip
        table = pd.concat(batches, ignore_index=True)
        sweep_summary(setup, table)
        calendar_summary(setup, table)
        strategy_spread([p.code for p in scenario.parties], table)

    parts["sweep"], _ = _cpu(sweep)
    parts["total"] = sum(parts.values())
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):
        for name in (BILATERAL, PLURILATERAL):
            parts = main_job(name, args.sessions)
            if name not in best or parts["total"] < best[name]["total"]:
                best[name] = parts
    keys = list(best[BILATERAL])
    print(f"CPU seconds, best of {args.repeat} (workers=1, {args.sessions} sessions)")
    print(f"{'scenario':22} {'parties':>7} " + " ".join(f"{k:>9}" for k in keys))
    for name, parts in best.items():
        n = len(load_scenario(name).parties)
        print(f"{name:22} {n:7d} " + " ".join(f"{parts[k]:9.2f}" for k in keys))
    ratio = best[PLURILATERAL]["total"] / best[BILATERAL]["total"]
    print(f"ratio 12-party / bilateral main job: {ratio:.2f} (target <= 3)")
    # A second run reads the prices from the run store: what is left is the game itself.
    cached = {n: p["total"] - p["pricing"] for n, p in best.items()}
    print(f"ratio with cached prices (analysis + session + sweep): "
          f"{cached[PLURILATERAL] / cached[BILATERAL]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
