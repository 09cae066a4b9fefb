"""Wall time of the whole casebook (`tradetalks casebook`), cold and with cached prices.

    .venv/bin/python benchmarks/bench_casebook.py [--sessions 1000] [--cv]

Runs the command as a user does, in a fresh run store: once cold (every scenario priced with
the trade model) and once warm (prices read from the store's cache), then prints the
per-episode pricing and simulation times the command reports and the cold/warm ratio.
The target is the whole casebook in under a minute warm; nothing here asserts it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def run(cmd: list[str]) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--cv", action="store_true", help="time the cross-validated run too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "tradetalks", "casebook", "--json", "-n",
               str(args.sessions), "--store", str(Path(tmp) / "runs.duckdb")]  # fmt: skip
        cold, _ = run(cmd)
        warm, result = run(cmd)
        cv = run([*cmd, "--cv"])[0] if args.cv else None
    print(f"{'episode':28} {'questions':>9} {'pricing s':>10} {'simulation s':>13}")
    for e in result["episodes"]:
        n = sum(q["episode"] == e["episode"] for q in result["questions"])
        print(f"{e['episode']:28} {n:9d} {e['pricing_s']:10.2f} {e['simulate_s']:13.2f}")
    n_ep, n_q = len(result["episodes"]), len(result["questions"])
    print(f"\nwhole casebook ({n_ep} episodes, {n_q} questions, {args.sessions} sessions each), "
          f"wall time of `tradetalks casebook`:")  # fmt: skip
    print(f"  cold (pricing every scenario): {cold:6.1f} s")
    print(f"  warm (cached prices):          {warm:6.1f} s   (cold/warm {cold / warm:.1f}x; "
          f"target: under 60 s warm)")  # fmt: skip
    if cv is not None:
        print(f"  warm, --cv (LOO over the grid): {cv:5.1f} s")


if __name__ == "__main__":
    main()
