"""Nash bargaining forecasts on the DEU issues: negmas (peer) vs tradetalks, same run.

negmas has no spatial-forecast models, but it computes Nash bargaining solutions
(``negmas.preferences.ops.pareto_frontier`` + ``nash_points``) over a discretised
outcome space. Both solve the symmetric Nash problem with quadratic utilities
``u_i(x) = 1 − ((x − x_i)/100)²`` and disagreement utility 0 on every scorable issue of
the bundled DEU subset (negmas on a 0.1-point grid, tradetalks by golden section).

Run: ``.venv/bin/python benchmarks/bench_forecast.py``
"""

import time

import numpy as np
from negmas import make_issue, make_os
from negmas.preferences import MappingUtilityFunction
from negmas.preferences.ops import nash_points, pareto_frontier

from tradetalks.forecast import load_deu
from tradetalks.forecast._nash import nash_bargaining

GRID_STEP = 0.1


def negmas_nash(positions: np.ndarray) -> float:
    grid = [round(GRID_STEP * k, 1) for k in range(int(100 / GRID_STEP) + 1)]
    space = make_os([make_issue(values=grid, name="x")])
    ufuns = [
        MappingUtilityFunction(lambda o, p=p: 1 - ((o[0] - p) / 100) ** 2, outcome_space=space)
        for p in positions
    ]
    outcomes = list(space.enumerate())
    frontier, index = pareto_frontier(ufuns, outcomes=outcomes)
    best = nash_points(ufuns, frontier, ranges=[(0.0, 1.0)] * len(ufuns))
    return float(outcomes[index[best[0][1]]][0])


def main() -> None:
    issues = load_deu()
    issues = issues.subset(issues.scorable())
    rows = [issues.position[k][~np.isnan(issues.position[k])] for k in range(issues.n_issues)]

    start = time.perf_counter()
    peer = np.array([negmas_nash(r) for r in rows])
    t_peer = time.perf_counter() - start

    weights = np.where(issues.has_position, 1.0, 0.0)
    start = time.perf_counter()
    ours = nash_bargaining(issues.position, weights, issues.reference, (0.0, 100.0))
    t_ours = time.perf_counter() - start

    gap = np.abs(peer - ours).max()
    print(f"Nash bargaining solution on {issues.n_issues} DEU issues")
    print(f"negmas 0.16 (0.1-point grid): {t_peer:8.3f} s")
    print(f"tradetalks (golden section):  {t_ours:8.3f} s")
    print(f"ratio (negmas / tradetalks):  {t_peer / t_ours:8.0f}x")
    print(f"max |difference|: {gap:.3f} points (grid half-step {GRID_STEP / 2})")


if __name__ == "__main__":
    main()
