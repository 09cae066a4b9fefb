"""CPU time of the 12-party main job (the TPP) against the bilateral one (the 1995 auto talks).

    .venv/bin/python benchmarks/bench_nparty.py [--repeat 3] [--sessions 1000]

The main job is ``tradetalks run SCENARIO`` as the library runs it
(:func:`tradetalks.pipeline.run_job`, the call the command makes): pricing every outcome and
no-deal point, the analysis at the scenario's parameters, one traced session, a
1,000-session uncertainty sweep with each party's strategy drawn from the scenario's
population, the run saved in a run store and its HTML report written. Each repetition runs
it twice in a fresh store: cold (prices computed) and cached (prices read from the store's
price cache, as a second ``tradetalks run`` does). Timed in CPU seconds of this process
(``time.process_time``: the machine is shared, so wall time measures the neighbours), best
of ``--repeat``, with ``workers=1`` so that pricing runs in this process. The script prints
both scenarios and the ratios of the cold and the cached totals (the target of issue #14 is
at most 3).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tradetalks.pipeline import JobSpec, run_job
from tradetalks.scenario import load_scenario
from tradetalks.store import RunStore

BILATERAL = "us-japan-1995-autos"
PLURILATERAL = "us-japan-2014-tpp"


def main_job(name: str, sessions: int) -> dict[str, float]:
    """CPU seconds of the main job on scenario ``name``: cold, then with prices cached."""
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, RunStore(Path(tmp) / "runs.duckdb") as store:
        spec = JobSpec("run", name, n_sessions=sessions, workers=1, report=True,
                       report_path=Path(tmp) / "report.html")  # fmt: skip
        for key in ("cold", "cached"):
            start = time.process_time()
            done = run_job(spec, store)
            out[key] = time.process_time() - start
            assert done.summary["timing"]["cached_prices"] == (key == "cached")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=1000)
    args = parser.parse_args()
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.repeat):
        for name in (BILATERAL, PLURILATERAL):
            parts = main_job(name, args.sessions)
            prior = best.setdefault(name, parts)
            best[name] = {k: min(v, prior[k]) for k, v in parts.items()}
    print(f"CPU seconds of `tradetalks run` (run_job), best of {args.repeat} "
          f"(workers=1, {args.sessions} sessions)")  # fmt: skip
    print(f"{'scenario':22} {'parties':>7} {'cold':>7} {'cached':>7}")
    for name, parts in best.items():
        n = len(load_scenario(name).parties)
        print(f"{name:22} {n:7d} {parts['cold']:7.2f} {parts['cached']:7.2f}")
    for key in ("cold", "cached"):
        ratio = best[PLURILATERAL][key] / best[BILATERAL][key]
        print(f"ratio 12-party / bilateral main job, {key}: {ratio:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
