"""WIOD indicator extraction and goal assessment: a plain pandas baseline vs tradetalks.

No peer package monitors trade agreements (gegravity, gme and negmas have nothing of the
kind), so the reference is what an analyst writes without tradetalks: read every year's
WIOD table with pandas, filter, aggregate. Both produce the US share of Japan's imports of
transport equipment (c15) and Japan's imports of financial services (c28), 1995-2011; the
values are checked equal before timing. Then the two bundled examples are judged end to
end (indicators, criteria, triggers), cold (first call in a process) and warm (cached).

Run: ``.venv/bin/python benchmarks/bench_monitor.py``
"""

import subprocess
import sys
import time

import numpy as np
import pandas as pd

from tradetalks.monitor import assess, load_goals, wiod_indicator
from tradetalks.monitor._wiod import _industry_flows, bundled_wiod_dir

REPEAT = 3


def pandas_baseline() -> tuple[np.ndarray, np.ndarray]:
    shares, imports = [], []
    for path in sorted(bundled_wiod_dir().glob("wiot_*.parquet")):
        t = pd.read_parquet(path)
        for col in ("from_country", "to_country", "from_industry"):
            t[col] = t[col].astype(str)
        to_jpn = t[(t["to_country"] == "JPN") & (t["from_country"] != "JPN")]
        c15 = to_jpn[to_jpn["from_industry"] == "c15"]
        shares.append(c15.loc[c15["from_country"] == "USA", "value"].sum() / c15["value"].sum())
        imports.append(to_jpn.loc[to_jpn["from_industry"] == "c28", "value"].sum())
    return np.array(shares), np.array(imports)


def ours() -> tuple[np.ndarray, np.ndarray]:
    share = wiod_indicator(
        measure="share", exporters=["USA"], importers=["JPN"], industries=["c15"]
    )
    imports = wiod_indicator(measure="flow", exporters=["*"], importers=["JPN"], industries=["c28"])
    return share.values, imports.values


def best_of(fn, clear=None) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(REPEAT):
        if clear is not None:
            clear()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    ref, got = pandas_baseline(), ours()
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-12)

    t_pandas = best_of(pandas_baseline)
    t_cold = best_of(ours, clear=_industry_flows.cache_clear)
    t_warm = best_of(ours)
    print("two WIOD indicators, 1995-2011 (best of 3)")
    print(f"  pandas baseline (read all, filter): {t_pandas:8.3f} s")
    print(
        f"  tradetalks, cold cache:             {t_cold:8.3f} s   ratio {t_pandas / t_cold:6.1f}x"
    )
    print(
        f"  tradetalks, warm cache:             {t_warm:8.4f} s   ratio {t_pandas / t_warm:6.0f}x"
    )

    for name in ("autos-1995", "insurance-1994"):
        goals = load_goals(name)
        _industry_flows.cache_clear()
        start = time.perf_counter()
        result = assess(goals)
        cold = time.perf_counter() - start
        warm = best_of(lambda goals=goals: assess(goals))
        print(
            f"assess {name}: {len(result.goals)} goals, verdict '{result.verdict.value}': "
            f"cold {cold:.3f} s, warm {warm:.4f} s"
        )

    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tradetalks", "monitor", "autos-1995", "--json"],
        check=True,
        capture_output=True,
    )
    print(
        f"CLI 'tradetalks monitor autos-1995 --json' (new process): "
        f"{time.perf_counter() - start:.2f} s"
    )


if __name__ == "__main__":
    main()
