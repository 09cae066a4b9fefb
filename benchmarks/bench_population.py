"""Sessions per second of a sweep over the strategy population against one pairing.

    .venv/bin/python benchmarks/bench_population.py [--sessions 5000]

The population sweep runs one engine batch per pairing drawn (9 with the default population
of three time-based exponents, up to 81 with the broad one of nine strategies), so it costs
more per session than a single pairing; the ratios are measured here, in the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from tradetalks.game import (
    BROAD_POPULATION,
    DEFAULT_POPULATION,
    GameSetup,
    prepare_game,
    run_talks,
    sample_parameters,
    solve_game,
)
from tradetalks.scenario import builtin_scenarios, load_scenario


def rate(setup: GameSetup, n: int, population: Sequence[str] | None) -> float:
    rng = np.random.default_rng(0)
    state = solve_game(setup, sample_parameters(setup, n, rng))
    start = time.perf_counter()
    run_talks(setup, state, rng, population=population)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=5000)
    args = parser.parse_args()
    print(f"{'scenario':28} {'one pairing /s':>15} {'default /s':>11} {'ratio':>6} "
          f"{'broad /s':>9} {'ratio':>6}")  # fmt: skip
    for name in builtin_scenarios():
        setup = prepare_game(load_scenario(name), workers=1)
        single = rate(setup, args.sessions, None)
        mixed = rate(setup, args.sessions, DEFAULT_POPULATION)
        broad = rate(setup, args.sessions, BROAD_POPULATION)
        print(f"{name:28} {single:15,.0f} {mixed:11,.0f} {single / mixed:6.1f} "
              f"{broad:9,.0f} {single / broad:6.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
