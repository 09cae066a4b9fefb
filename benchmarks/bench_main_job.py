"""Wall time of the main job on each built-in scenario (cold and with cached prices), and
sessions per second of a 10,000-session sweep, measured in this run.

    .venv/bin/python benchmarks/bench_main_job.py [--sessions 10000]

No peer package runs a two-level trade negotiation, so there is no ratio against a peer here;
the bargaining engine's ratio against NegMAS is in benchmarks/bench_bargaining.py.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from tradetalks.game import prepare_game, sample_parameters, solve_game
from tradetalks.game._talks import run_talks
from tradetalks.scenario import builtin_scenarios, load_scenario


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    exe = [sys.executable, "-m", "tradetalks"]
    print(f"{'scenario':28} {'run cold (s)':>13} {'run cached (s)':>15} "
          f"{'sweep sessions/s':>17}")  # fmt: skip
    for name in builtin_scenarios():
        with tempfile.TemporaryDirectory() as tmp:
            store = str(Path(tmp) / "runs.duckdb")
            cmd = [*exe, "run", name, "-n", "1000", "--store", store, "--no-report",
                   "--workers", "1"]  # fmt: skip
            cold = wall(cmd)
            cached = wall(cmd)
        setup = prepare_game(load_scenario(name), workers=1)
        rng = np.random.default_rng(0)
        start = time.perf_counter()
        state = solve_game(setup, sample_parameters(setup, args.sessions, rng))
        run_talks(setup, state, rng)
        rate = args.sessions / (time.perf_counter() - start)
        print(f"{name:28} {cold:13.2f} {cached:15.2f} {rate:17,.0f}")


if __name__ == "__main__":
    main()
